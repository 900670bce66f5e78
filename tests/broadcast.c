/* broadcast.c: tests of GAsyncBroadcast, the every-receiver-gets-every-item channel
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gasync/gasync.h>

#include "subscriber-test-util.h"
#include "gasync-tsan-private.h"

static guint
send_uint (GAsyncBroadcast *bc,
           guint            v)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, v);
  return gasync_broadcast_send (bc, &value);
}

static guint
recv_uint (GAsyncBroadcastReceiver *rx,
           guint64                 *missed)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_broadcast_receiver_recv (rx, NULL, &value, missed, &error));
  g_assert_no_error (error);
  return g_value_get_uint (&value);
}

static void
test_basic (void)
{
  g_autoptr(GAsyncBroadcast) bc = gasync_broadcast_new (G_TYPE_UINT, 8);
  g_autoptr(GAsyncBroadcastReceiver) a = NULL;
  g_autoptr(GAsyncBroadcastReceiver) b = NULL;
  g_autoptr(GAsyncFuture) parked = NULL;
  g_autoptr(GAsyncFuture) second = NULL;
  guint64 missed = 99;

  g_test_summary ("Every receiver subscribed gets every item sent after, in order");

  g_assert_cmpuint (gasync_broadcast_get_item_type (bc), ==, G_TYPE_UINT);
  g_assert_cmpuint (send_uint (bc, 0), ==, 0);   /* nobody listens: not kept */
  a = gasync_broadcast_subscribe (bc);
  g_assert_cmpuint (send_uint (bc, 1), ==, 1);
  b = gasync_broadcast_subscribe (bc);
  g_assert_cmpuint (send_uint (bc, 2), ==, 2);

  g_assert_cmpuint (recv_uint (a, &missed), ==, 1);
  g_assert_cmpuint (missed, ==, 0);
  g_assert_cmpuint (recv_uint (a, NULL), ==, 2);
  g_assert_cmpuint (recv_uint (b, NULL), ==, 2);

  parked = gasync_broadcast_receiver_recv_future (a);
  second = gasync_broadcast_receiver_recv_future (a);
  g_assert_cmpint (gasync_future_get_state (parked), ==, GASYNC_FUTURE_PENDING);
  g_assert_cmpuint (send_uint (bc, 3), ==, 2);
  g_assert_cmpuint (send_uint (bc, 4), ==, 2);
  g_assert_cmpuint (future_uint (parked), ==, 3);
  g_assert_cmpuint (future_uint (second), ==, 4);
  g_assert_true (gasync_broadcast_receiver_recv (b, NULL, NULL, NULL, NULL));
  g_assert_cmpuint (recv_uint (b, NULL), ==, 4);
  g_assert_cmpuint (gasync_broadcast_receiver_get_missed (a), ==, 0);
}

static void
test_lagged (void)
{
  g_autoptr(GAsyncBroadcast) bc = gasync_broadcast_new (G_TYPE_UINT, 4);
  g_autoptr(GAsyncBroadcastReceiver) slow = gasync_broadcast_subscribe (bc);
  g_autoptr(GAsyncBroadcastReceiver) by_future = gasync_broadcast_subscribe (bc);
  g_autoptr(GAsyncFuture) future = NULL;
  guint64 missed = 0;

  g_test_summary ("A receiver more than the capacity behind skips the oldest "
                  "items and is told exactly how many");

  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (send_uint (bc, i), ==, 2);

  g_assert_cmpuint (recv_uint (slow, &missed), ==, 6);
  g_assert_cmpuint (missed, ==, 6);
  for (guint i = 7; i < 10; i++)
    {
      g_assert_cmpuint (recv_uint (slow, &missed), ==, i);
      g_assert_cmpuint (missed, ==, 0);
    }
  g_assert_cmpuint (gasync_broadcast_receiver_get_missed (slow), ==, 6);

  future = gasync_broadcast_receiver_recv_future (by_future);
  g_assert_cmpuint (future_uint (future), ==, 6);
  g_assert_cmpuint (gasync_broadcast_receiver_get_missed (by_future), ==, 6);
}

static void
test_cancel_keeps_item (void)
{
  g_autoptr(GAsyncBroadcast) bc = gasync_broadcast_new (G_TYPE_UINT, 4);
  g_autoptr(GAsyncBroadcastReceiver) rx = gasync_broadcast_subscribe (bc);
  g_autoptr(GAsyncFuture) cancelled = gasync_broadcast_receiver_recv_future (rx);
  g_autoptr(GAsyncFuture) next = NULL;

  g_test_summary ("A cancelled receive future takes no item: the next one gets it");

  gasync_future_cancel (cancelled);
  g_assert_cmpint (gasync_future_get_state (cancelled), ==, GASYNC_FUTURE_REJECTED);
  g_assert_cmpuint (send_uint (bc, 5), ==, 1);
  next = gasync_broadcast_receiver_recv_future (rx);
  g_assert_cmpuint (future_uint (next), ==, 5);
}

static void
test_close (void)
{
  g_autoptr(GAsyncBroadcast) bc = gasync_broadcast_new (G_TYPE_UINT, 4);
  g_autoptr(GAsyncBroadcastReceiver) rx = gasync_broadcast_subscribe (bc);
  g_autoptr(GAsyncBroadcastReceiver) waiting = gasync_broadcast_subscribe (bc);
  g_autoptr(GAsyncBroadcastReceiver) late = NULL;
  g_autoptr(GAsyncFuture) parked = NULL;
  g_autoptr(GAsyncFuture) after = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  guint64 missed = 7;

  g_test_summary ("After close receivers still get what was sent before, then "
                  "CLOSED; parked futures reject; sends keep nothing");

  g_assert_cmpuint (send_uint (bc, 1), ==, 2);
  g_assert_cmpuint (recv_uint (waiting, NULL), ==, 1);
  parked = gasync_broadcast_receiver_recv_future (waiting);
  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_broadcast_receiver_recv (waiting, cancellable, &value, &missed, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_value_unset (&value);

  gasync_broadcast_close (bc);
  gasync_broadcast_close (bc);
  g_assert_cmpuint (send_uint (bc, 2), ==, 0);
  g_assert_error (gasync_future_get_error (parked), GASYNC_ERROR, GASYNC_ERROR_CLOSED);

  g_assert_cmpuint (recv_uint (rx, NULL), ==, 1);
  g_assert_false (gasync_broadcast_receiver_recv (rx, NULL, &value, &missed, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_assert_cmpuint (G_VALUE_TYPE (&value), ==, G_TYPE_POINTER);
  g_assert_cmpuint (missed, ==, 0);

  late = gasync_broadcast_subscribe (bc);
  after = gasync_broadcast_receiver_recv_future (late);
  g_assert_error (gasync_future_get_error (after), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
}

static void
test_type_mismatch (void)
{
  g_autoptr(GAsyncBroadcast) bc = gasync_broadcast_new (G_TYPE_UINT, 2);
  g_autoptr(GAsyncBroadcastReceiver) rx = gasync_broadcast_subscribe (bc);
  g_auto(GValue) as_object = G_VALUE_INIT;
  g_auto(GValue) as_string = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A receive into a value that cannot hold the item takes nothing");

  g_assert_cmpuint (send_uint (bc, 3), ==, 1);
  g_value_init (&as_object, G_TYPE_OBJECT);
  g_assert_false (gasync_broadcast_receiver_recv (rx, NULL, &as_object, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH);
  g_value_init (&as_string, G_TYPE_STRING);
  g_assert_true (gasync_broadcast_receiver_recv (rx, NULL, &as_string, NULL, NULL));
  g_assert_cmpstr (g_value_get_string (&as_string), ==, "3");
}

/* Counted items: each copy freed exactly once, as soon as nobody needs it */

typedef struct
{
  guint id;
} Counted;

static GType counted_get_type (void);

static GMutex      counted_lock;
static GHashTable *counted_live;   /* Counted* set, protected by counted_lock */

static Counted *
counted_new (guint id)
{
  Counted *c = g_new0 (Counted, 1);

  c->id = id;
  gasync_mutex_lock (&counted_lock);
  g_hash_table_add (counted_live, c);
  gasync_mutex_unlock (&counted_lock);
  return c;
}

static Counted *
counted_copy (Counted *c)
{
  return counted_new (c->id);
}

static void
counted_free (Counted *c)
{
  gboolean was_live;

  gasync_mutex_lock (&counted_lock);
  was_live = g_hash_table_remove (counted_live, c);
  gasync_mutex_unlock (&counted_lock);
  g_assert_true (was_live);   /* never freed twice */
  g_free (c);
}

static guint
counted_n_live (void)
{
  guint n;

  gasync_mutex_lock (&counted_lock);
  n = g_hash_table_size (counted_live);
  gasync_mutex_unlock (&counted_lock);
  return n;
}

G_DEFINE_BOXED_TYPE (Counted, counted, counted_copy, counted_free)

static void
send_counted (GAsyncBroadcast *bc,
              guint            id)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, counted_get_type ());
  g_value_take_boxed (&value, counted_new (id));
  gasync_broadcast_send (bc, &value);
}

static void
recv_counted (GAsyncBroadcastReceiver *rx,
              guint                    id)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gasync_broadcast_receiver_recv (rx, NULL, &value, NULL, NULL));
  g_assert_cmpuint (((Counted *) g_value_get_boxed (&value))->id, ==, id);
}

static guint
future_counted_id (GAsyncFuture *future)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gasync_future_get_value (future, &value, NULL));
  return ((Counted *) g_value_get_boxed (&value))->id;
}

static void
test_counted_items (void)
{
  GAsyncBroadcast *bc = gasync_broadcast_new (counted_get_type (), 4);
  GAsyncBroadcastReceiver *a = gasync_broadcast_subscribe (bc);
  GAsyncBroadcastReceiver *b = gasync_broadcast_subscribe (bc);
  g_autoptr(GAsyncFuture) future = NULL;

  g_test_summary ("The broadcast frees its copy of each item exactly once, "
                  "as soon as every receiver took or skipped it");

  counted_live = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < 3; i++)
    send_counted (bc, i);
  g_assert_cmpuint (counted_n_live (), ==, 3);
  for (guint i = 0; i < 3; i++)
    recv_counted (a, i);
  g_assert_cmpuint (counted_n_live (), ==, 3);   /* b has yet to take them */
  for (guint i = 0; i < 3; i++)
    recv_counted (b, i);
  g_assert_cmpuint (counted_n_live (), ==, 0);

  /* b falls behind: overwritten items are freed, the ring keeps 4. */
  for (guint i = 3; i < 13; i++)
    {
      send_counted (bc, i);
      recv_counted (a, i);
    }
  g_assert_cmpuint (counted_n_live (), ==, 4);
  future = gasync_broadcast_receiver_recv_future (b);
  g_assert_cmpuint (future_counted_id (future), ==, 9);
  g_clear_object (&future);   /* its copy */
  g_assert_cmpuint (counted_n_live (), ==, 3);
  g_object_unref (b);       /* a dropped receiver no longer holds items */
  g_assert_cmpuint (counted_n_live (), ==, 0);

  /* Unread items at close and drop. */
  send_counted (bc, 13);
  gasync_broadcast_close (bc);
  g_object_unref (bc);
  g_assert_cmpuint (counted_n_live (), ==, 1);
  g_object_unref (a);
  g_assert_cmpuint (counted_n_live (), ==, 0);
  g_clear_pointer (&counted_live, g_hash_table_unref);
}

/* Attached on a context */

typedef struct
{
  GThread *thread;
  guint    calls;
  guint    last;
  guint64  missed;
  gboolean on_thread;
  gint     done;
} AttachState;

static gboolean
record_item (GAsyncBroadcastReceiver *rx,
             const GValue            *item,
             guint64                  missed,
             gpointer                 user_data)
{
  AttachState *state = user_data;

  state->on_thread &= g_thread_self () == state->thread;
  if (item == NULL)
    g_atomic_int_set (&state->done, TRUE);
  else
    {
      state->calls++;
      state->last = g_value_get_uint (item);
      state->missed += missed;
    }
  return G_SOURCE_CONTINUE;
}

static void
test_attach (void)
{
  g_autoptr(GAsyncBroadcast) bc = gasync_broadcast_new (G_TYPE_UINT, 2);
  g_autoptr(GAsyncBroadcastReceiver) rx = gasync_broadcast_subscribe (bc);
  AttachState state = { g_thread_self (), 0, 0, 0, TRUE, FALSE };

  g_test_summary ("An attached function runs on its context, never inside the "
                  "send, with the exact number missed, and last with NULL");

  g_assert_cmpuint (gasync_broadcast_receiver_attach (rx, NULL, record_item, &state, NULL), >, 0);
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*already attached*");
  g_assert_cmpuint (gasync_broadcast_receiver_attach (rx, NULL, record_item, &state, NULL), ==, 0);
  g_test_assert_expected_messages ();

  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (send_uint (bc, i), ==, 1);
  g_assert_cmpuint (state.calls, ==, 0);   /* not inside the send */
  gasync_test_iterate_pending (NULL);
  g_assert_cmpuint (state.calls, ==, 2);
  g_assert_cmpuint (state.missed, ==, 3);
  g_assert_cmpuint (state.last, ==, 4);

  g_assert_cmpuint (send_uint (bc, 5), ==, 1);
  gasync_broadcast_close (bc);
  gasync_test_iterate_until (NULL, &state.done, 5000);
  g_assert_cmpuint (state.calls, ==, 3);
  g_assert_cmpuint (state.last, ==, 5);
  g_assert_true (state.on_thread);
  g_assert_cmpuint (gasync_broadcast_receiver_get_missed (rx), ==, 3);
}

/* A fast sender and receivers of every kind: loss reported exactly */

typedef enum { BY_WAIT, BY_ATTACH, BY_FUTURE, BY_STALLED, BY_CANCELLING } Way;

typedef struct
{
  GAsyncBroadcastReceiver *rx;
  Way                      way;
  guint                    next;      /* the item expected if none is missed */
  guint                    received;
  guint64                  missed;
  gboolean                 ordered;
  gboolean                 on_thread;
  GThread                 *thread;
  gint                     done;
  GAsyncTestLatch          ready;
  GAsyncTestLatch         *sent;
} Observer;

static void
observe (Observer *o,
         guint     v,
         guint64   missed)
{
  o->on_thread &= g_thread_self () == o->thread;
  o->ordered &= v == o->next + missed;
  o->next = v + 1;
  o->received++;
  o->missed += missed;
}

static gboolean
observe_attached (GAsyncBroadcastReceiver *rx,
                  const GValue            *item,
                  guint64                  missed,
                  gpointer                 data)
{
  Observer *o = data;

  if (item == NULL)
    g_atomic_int_set (&o->done, TRUE);
  else
    observe (o, g_value_get_uint (item), missed);
  return G_SOURCE_CONTINUE;
}

static GAsyncFuture *observe_settled (GAsyncFuture *completed,
                                      gpointer      data);

/* Waits for the next one with a continuation on this thread's context. */
static void
observe_next (Observer *o)
{
  g_autoptr(GAsyncFuture) next = gasync_broadcast_receiver_recv_future (o->rx);

  g_object_unref (gasync_future_on_settled (next, observe_settled, o, NULL));
}

static GAsyncFuture *
observe_settled (GAsyncFuture *completed,
                 gpointer      data)
{
  Observer *o = data;
  guint64 missed_in_all;

  if (gasync_future_get_state (completed) == GASYNC_FUTURE_REJECTED)
    {
      g_assert_error (gasync_future_get_error (completed), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
      g_atomic_int_set (&o->done, TRUE);
      return NULL;
    }
  /* One future at a time: the count grew only for this item. */
  missed_in_all = gasync_broadcast_receiver_get_missed (o->rx);
  observe (o, future_uint (completed), missed_in_all - o->missed);
  observe_next (o);
  return NULL;
}

static void
observer_run_blocking (Observer *o)
{
  g_autoptr(GError) error = NULL;
  GValue value = G_VALUE_INIT;
  guint64 missed;

  gasync_test_latch_open (&o->ready);
  if (o->way == BY_STALLED)
    g_assert_true (gasync_test_latch_wait (o->sent, 60000));
  while (gasync_broadcast_receiver_recv (o->rx, NULL, &value, &missed, &error))
    {
      observe (o, g_value_get_uint (&value), missed);
      g_value_unset (&value);
    }
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_value_unset (&value);
}

/* Waits for receive futures, cancelling every other one at once (racing
 * the sender): a cancelled future takes nothing, one that won the race
 * holds an item that counts. */
static void
observer_run_cancelling (Observer *o)
{
  gasync_test_latch_open (&o->ready);
  for (guint i = 0;; i++)
    {
      g_autoptr(GAsyncFuture) future = gasync_broadcast_receiver_recv_future (o->rx);
      g_autoptr(GError) error = NULL;
      GValue value = G_VALUE_INIT;

      if (i % 2 == 1)
        gasync_future_cancel (future);
      if (gasync_future_wait (future, NULL, &value, &error))
        {
          guint64 missed_in_all = gasync_broadcast_receiver_get_missed (o->rx);

          observe (o, g_value_get_uint (&value), missed_in_all - o->missed);
          continue;
        }
      g_value_unset (&value);
      if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
        break;
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
}

static gpointer
observer_thread (gpointer data)
{
  Observer *o = data;
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  o->thread = g_thread_self ();
  if (o->way == BY_WAIT || o->way == BY_STALLED)
    observer_run_blocking (o);
  else if (o->way == BY_CANCELLING)
    observer_run_cancelling (o);
  else
    {
      if (o->way == BY_ATTACH)
        gasync_broadcast_receiver_attach (o->rx, context, observe_attached, o, NULL);
      else
        observe_next (o);
      gasync_test_latch_open (&o->ready);
      gasync_test_iterate_until (context, &o->done, 60000);
    }
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static void
test_loss_exact_threads (void)
{
  g_autoptr(GAsyncBroadcast) bc = gasync_broadcast_new (G_TYPE_UINT, 16);
  guint n_items = gasync_test_size (20000, 500000);
  Observer observers[10] = { { 0, } };
  GThread *threads[G_N_ELEMENTS (observers)];
  GAsyncTestLatch sent;

  g_test_summary ("Receivers of every kind, on their own threads, get the items "
                  "in order and received + missed == sent, exactly");

  gasync_test_latch_init (&sent);
  for (guint i = 0; i < G_N_ELEMENTS (observers); i++)
    {
      Observer *o = &observers[i];

      o->rx = gasync_broadcast_subscribe (bc);
      o->way = i % 5;
      o->ordered = o->on_thread = TRUE;
      o->sent = &sent;
      gasync_test_latch_init (&o->ready);
      threads[i] = g_thread_new ("observer", observer_thread, o);
      g_assert_true (gasync_test_latch_wait (&o->ready, 30000));
    }

  for (guint v = 0; v < n_items; v++)
    g_assert_cmpuint (send_uint (bc, v), ==, G_N_ELEMENTS (observers));
  gasync_broadcast_close (bc);
  gasync_test_latch_open (&sent);

  for (guint i = 0; i < G_N_ELEMENTS (observers); i++)
    {
      Observer *o = &observers[i];

      g_thread_join (threads[i]);
      g_assert_true (o->ordered);
      g_assert_true (o->on_thread);
      g_assert_cmpuint (o->received + o->missed, ==, n_items);
      g_assert_cmpuint (o->next, ==, n_items);   /* the last item always arrives */
      g_assert_cmpuint (gasync_broadcast_receiver_get_missed (o->rx), ==, o->missed);
      if (o->way == BY_STALLED)
        g_assert_cmpuint (o->received, ==, 16);
      g_clear_object (&o->rx);
      gasync_test_latch_clear (&o->ready);
    }
  gasync_test_latch_clear (&sent);
}

/* Blocking is refused on async workers */

static GAsyncFuture *
recv_on_worker (GCancellable *cancellable,
                gpointer      data)
{
  GAsyncBroadcastReceiver *rx = data;
  GError *error = NULL;
  GValue value = G_VALUE_INIT;
  gboolean ok;

  ok = gasync_broadcast_receiver_recv (rx, NULL, &value, NULL, &error);
  return blocking_outcome (ok, &value, error);
}

static void
test_would_deadlock (void)
{
  g_autoptr(GAsyncBroadcast) bc = gasync_broadcast_new (G_TYPE_UINT, 2);
  g_autoptr(GAsyncBroadcastReceiver) rx = gasync_broadcast_subscribe (bc);

  g_test_summary ("The blocking receive fails with WOULD_DEADLOCK on an async "
                  "runtime worker, even with an item ready");

  g_assert_cmpuint (send_uint (bc, 1), ==, 1);
  assert_would_deadlock_on_worker (recv_on_worker, rx);
  g_assert_cmpuint (recv_uint (rx, NULL), ==, 1);   /* nothing taken */
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/broadcast/basic", test_basic);
  g_test_add_func ("/broadcast/lagged", test_lagged);
  g_test_add_func ("/broadcast/cancel/keeps-item", test_cancel_keeps_item);
  g_test_add_func ("/broadcast/close", test_close);
  g_test_add_func ("/broadcast/type-mismatch", test_type_mismatch);
  g_test_add_func ("/broadcast/counted-items", test_counted_items);
  g_test_add_func ("/broadcast/attach", test_attach);
  g_test_add_func ("/broadcast/threads/loss-exact", test_loss_exact_threads);
  g_test_add_func ("/broadcast/would-deadlock", test_would_deadlock);

  return g_test_run ();
}
