/* watch.c: tests of GAsyncWatch, the latest-value channel
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gasync/gasync.h>

#include "subscriber-test-util.h"

static GAsyncWatch *
watch_new_uint (guint v)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, v);
  return gasync_watch_new (&value);
}

static gboolean
watch_set_uint (GAsyncWatch *watch,
                guint        v)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, v);
  return gasync_watch_set (watch, &value);
}

static void
test_basic (void)
{
  g_autoptr(GAsyncWatch) watch = watch_new_uint (1);
  g_autoptr(GAsyncWatchReceiver) rx = gasync_watch_subscribe (watch);
  g_autoptr(GAsyncFuture) now = NULL;
  g_autoptr(GAsyncFuture) later = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GValue *dup;

  g_test_summary ("A receiver sees the changes made since it last looked, "
                  "several sets coalesced into one, with the last value");

  g_assert_cmpuint (gasync_watch_get_value_type (watch), ==, G_TYPE_UINT);
  gasync_watch_get_value (watch, &value);
  g_assert_cmpuint (g_value_get_uint (&value), ==, 1);
  g_assert_false (gasync_watch_receiver_has_changed (rx));

  g_assert_true (watch_set_uint (watch, 2));
  g_assert_true (watch_set_uint (watch, 3));
  g_assert_true (gasync_watch_receiver_has_changed (rx));
  now = gasync_watch_receiver_changed (rx);
  g_assert_cmpuint (future_uint (now), ==, 3);
  g_assert_false (gasync_watch_receiver_has_changed (rx));

  later = gasync_watch_receiver_changed (rx);
  g_assert_cmpint (gasync_future_get_state (later), ==, GASYNC_FUTURE_PENDING);
  g_assert_true (watch_set_uint (watch, 4));
  g_assert_cmpuint (future_uint (later), ==, 4);

  /* dup_value marks the value seen; the watch's getters do not. */
  g_assert_true (watch_set_uint (watch, 5));
  dup = gasync_watch_dup_value (watch);
  g_assert_cmpuint (g_value_get_uint (dup), ==, 5);
  g_boxed_free (G_TYPE_VALUE, dup);
  g_assert_true (gasync_watch_receiver_has_changed (rx));
  dup = gasync_watch_receiver_dup_value (rx);
  g_assert_cmpuint (g_value_get_uint (dup), ==, 5);
  g_boxed_free (G_TYPE_VALUE, dup);
  g_assert_false (gasync_watch_receiver_has_changed (rx));
}

static void
test_wait_changed (void)
{
  g_autoptr(GAsyncWatch) watch = watch_new_uint (0);
  g_autoptr(GAsyncWatchReceiver) rx = gasync_watch_subscribe (watch);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) as_string = G_VALUE_INIT;
  g_auto(GValue) as_object = G_VALUE_INIT;

  g_test_summary ("The blocking wait returns a change at once, accepts a NULL "
                  "or converting value, and stops on cancel or type mismatch");

  g_assert_true (watch_set_uint (watch, 7));
  g_assert_true (gasync_watch_receiver_wait_changed (rx, NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_value_get_uint (&value), ==, 7);

  g_assert_true (watch_set_uint (watch, 8));
  g_assert_true (gasync_watch_receiver_wait_changed (rx, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (watch_set_uint (watch, 9));
  g_value_init (&as_string, G_TYPE_STRING);
  g_assert_true (gasync_watch_receiver_wait_changed (rx, NULL, &as_string, &error));
  g_assert_cmpstr (g_value_get_string (&as_string), ==, "9");

  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_watch_receiver_wait_changed (rx, cancellable, &as_object, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (G_VALUE_TYPE (&as_object), ==, G_TYPE_POINTER);
  g_clear_error (&error);
  g_value_unset (&as_object);

  g_assert_true (watch_set_uint (watch, 10));
  g_value_init (&as_object, G_TYPE_OBJECT);
  g_assert_false (gasync_watch_receiver_wait_changed (rx, NULL, &as_object, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  g_assert_true (gasync_watch_receiver_has_changed (rx));   /* nothing taken */
}

static void
test_cancel_keeps_change (void)
{
  g_autoptr(GAsyncWatch) watch = watch_new_uint (0);
  g_autoptr(GAsyncWatchReceiver) rx = gasync_watch_subscribe (watch);
  g_autoptr(GAsyncFuture) cancelled = NULL;
  g_autoptr(GAsyncFuture) next = NULL;

  g_test_summary ("A cancelled changed() future takes no change: the next one gets it");

  cancelled = gasync_watch_receiver_changed (rx);
  gasync_future_cancel (cancelled);
  g_assert_cmpint (gasync_future_get_state (cancelled), ==, GASYNC_FUTURE_REJECTED);
  g_assert_true (watch_set_uint (watch, 1));
  g_assert_true (gasync_watch_receiver_has_changed (rx));
  next = gasync_watch_receiver_changed (rx);
  g_assert_cmpuint (future_uint (next), ==, 1);
}

static void
test_close (void)
{
  g_autoptr(GAsyncWatch) watch = watch_new_uint (0);
  g_autoptr(GAsyncWatchReceiver) idle = gasync_watch_subscribe (watch);
  g_autoptr(GAsyncWatchReceiver) behind = gasync_watch_subscribe (watch);
  g_autoptr(GAsyncWatchReceiver) late = NULL;
  g_autoptr(GAsyncFuture) parked = gasync_watch_receiver_changed (idle);
  g_autoptr(GAsyncFuture) last = NULL;
  g_autoptr(GAsyncFuture) closed = NULL;
  g_autoptr(GAsyncFuture) after = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("After close a receiver still gets the last value it did "
                  "not see, then CLOSED; sets fail");

  g_assert_true (watch_set_uint (watch, 1));   /* resolves parked */
  g_assert_cmpuint (future_uint (parked), ==, 1);
  g_clear_object (&parked);
  parked = gasync_watch_receiver_changed (idle);
  gasync_watch_close (watch);
  gasync_watch_close (watch);
  g_assert_false (watch_set_uint (watch, 2));
  g_assert_cmpint (gasync_future_get_state (parked), ==, GASYNC_FUTURE_REJECTED);
  g_assert_error (gasync_future_get_error (parked), GASYNC_ERROR, GASYNC_ERROR_CLOSED);

  last = gasync_watch_receiver_changed (behind);
  g_assert_cmpuint (future_uint (last), ==, 1);
  closed = gasync_watch_receiver_changed (behind);
  g_assert_error (gasync_future_get_error (closed), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_assert_false (gasync_watch_receiver_wait_changed (behind, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);

  late = gasync_watch_subscribe (watch);
  after = gasync_watch_receiver_changed (late);
  g_assert_error (gasync_future_get_error (after), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
}

static void
test_drop_closes (void)
{
  GAsyncWatch *watch = watch_new_uint (0);
  g_autoptr(GAsyncWatchReceiver) rx = gasync_watch_subscribe (watch);
  g_autoptr(GAsyncWatchReceiver) dropped = gasync_watch_subscribe (watch);
  g_autoptr(GAsyncFuture) parked = gasync_watch_receiver_changed (rx);
  g_autoptr(GAsyncFuture) orphan = gasync_watch_receiver_changed (dropped);

  g_test_summary ("Dropping the watch closes it; dropping a receiver rejects "
                  "its parked futures");

  g_clear_object (&dropped);
  g_assert_error (gasync_future_get_error (orphan), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_object_unref (watch);
  g_assert_error (gasync_future_get_error (parked), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
}

typedef struct
{
  GThread *thread;
  guint    calls;
  guint    last;
  gboolean on_thread;
  gint     done;
} AttachState;

static gboolean
record_change (GAsyncWatchReceiver *rx,
               const GValue        *value,
               gpointer             user_data)
{
  AttachState *state = user_data;

  state->on_thread &= g_thread_self () == state->thread;
  if (value == NULL)
    g_atomic_int_set (&state->done, TRUE);
  else
    {
      state->calls++;
      state->last = g_value_get_uint (value);
    }
  return G_SOURCE_CONTINUE;
}

static void
test_attach (void)
{
  g_autoptr(GAsyncWatch) watch = watch_new_uint (0);
  g_autoptr(GAsyncWatchReceiver) rx = gasync_watch_subscribe (watch);
  AttachState state = { g_thread_self (), 0, 0, TRUE, FALSE };
  guint id;

  g_test_summary ("An attached function runs on its context, never inside the "
                  "set, once per batch of changes, and last with NULL");

  id = gasync_watch_receiver_attach (rx, NULL, record_change, &state, NULL);
  g_assert_cmpuint (id, >, 0);
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*already attached*");
  g_assert_cmpuint (gasync_watch_receiver_attach (rx, NULL, record_change, &state, NULL), ==, 0);
  g_test_assert_expected_messages ();

  gasync_test_iterate_pending (NULL);
  g_assert_cmpuint (state.calls, ==, 0);
  for (guint i = 1; i <= 5; i++)
    g_assert_true (watch_set_uint (watch, i));
  g_assert_cmpuint (state.calls, ==, 0);   /* not inside the set */
  gasync_test_iterate_pending (NULL);
  g_assert_cmpuint (state.calls, ==, 1);
  g_assert_cmpuint (state.last, ==, 5);

  g_assert_true (watch_set_uint (watch, 6));
  gasync_watch_close (watch);
  gasync_test_iterate_until (NULL, &state.done, 5000);
  g_assert_cmpuint (state.calls, ==, 2);
  g_assert_cmpuint (state.last, ==, 6);
  g_assert_true (state.on_thread);
}

/* Racing setters: every receiver ends with the last value */

#define N_SETTERS 4

typedef struct
{
  GAsyncWatch      *watch;
  guint             setter;
  guint             n_sets;
  GAsyncTestLatch  *start;
} Setter;

/* Values are setter * n_sets + i + 1, so each setter's values increase. */
static gpointer
setter_thread (gpointer data)
{
  Setter *s = data;

  gasync_test_latch_wait (s->start, 30000);
  for (guint i = 0; i < s->n_sets; i++)
    g_assert_true (watch_set_uint (s->watch, s->setter * s->n_sets + i + 1));
  return NULL;
}

typedef enum { BY_ATTACH, BY_FUTURE, BY_WAIT, BY_CANCELLING } Way;

typedef struct
{
  GAsyncWatchReceiver *rx;
  Way                  way;
  guint                n_sets;
  guint                last[N_SETTERS];  /* per setter: the last value seen */
  guint                final;
  gboolean             ordered;
  gboolean             on_thread;
  GThread             *thread;
  gint                 done;
  GAsyncTestLatch     *ready;
} Observer;

static void
observe (Observer *o,
         guint     v)
{
  guint setter;

  o->on_thread &= g_thread_self () == o->thread;
  if (v == 0)
    return;
  setter = (v - 1) / o->n_sets;
  o->ordered &= v > o->last[setter];
  o->last[setter] = v;
  o->final = v;
}

static gboolean
observe_attached (GAsyncWatchReceiver *rx,
                  const GValue        *value,
                  gpointer             data)
{
  Observer *o = data;

  if (value == NULL)
    g_atomic_int_set (&o->done, TRUE);
  else
    observe (o, g_value_get_uint (value));
  return G_SOURCE_CONTINUE;
}

static GAsyncFuture *observe_settled (GAsyncFuture *completed,
                                      gpointer      data);

/* Waits for the next one with a continuation on this thread's context. */
static void
observe_next (Observer *o)
{
  g_autoptr(GAsyncFuture) next = gasync_watch_receiver_changed (o->rx);

  g_object_unref (gasync_future_on_settled (next, observe_settled, o, NULL));
}

static GAsyncFuture *
observe_settled (GAsyncFuture *completed,
                 gpointer      data)
{
  Observer *o = data;

  if (gasync_future_get_state (completed) == GASYNC_FUTURE_REJECTED)
    {
      g_assert_error (gasync_future_get_error (completed), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
      o->on_thread &= g_thread_self () == o->thread;
      g_atomic_int_set (&o->done, TRUE);
      return NULL;
    }
  observe (o, future_uint (completed));
  observe_next (o);
  return NULL;
}

static void
observer_run_waits (Observer *o)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  gasync_test_latch_open (o->ready);
  while (gasync_watch_receiver_wait_changed (o->rx, NULL, &value, &error))
    {
      observe (o, g_value_get_uint (&value));
      g_value_unset (&value);
    }
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
}

/* Waits for change futures, cancelling every other one at once (racing
 * the setters): a cancelled future must not hide the change it lost. */
static void
observer_run_cancelling (Observer *o)
{
  gasync_test_latch_open (o->ready);
  for (guint i = 0;; i++)
    {
      g_autoptr(GAsyncFuture) future = gasync_watch_receiver_changed (o->rx);
      g_autoptr(GError) error = NULL;
      GValue value = G_VALUE_INIT;

      if (i % 2 == 1)
        gasync_future_cancel (future);
      if (gasync_future_wait (future, NULL, &value, &error))
        {
          observe (o, g_value_get_uint (&value));
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
  if (o->way == BY_WAIT)
    observer_run_waits (o);
  else if (o->way == BY_CANCELLING)
    observer_run_cancelling (o);
  else
    {
      if (o->way == BY_ATTACH)
        gasync_watch_receiver_attach (o->rx, context, observe_attached, o, NULL);
      else
        observe_next (o);
      gasync_test_latch_open (o->ready);
      gasync_test_iterate_until (context, &o->done, 60000);
    }
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static void
test_last_value_racing_setters (void)
{
  g_autoptr(GAsyncWatch) watch = watch_new_uint (0);
  guint n_sets = gasync_test_size (2000, 50000);
  GAsyncTestLatch start, ready[8];
  Setter setters[N_SETTERS];
  Observer observers[8] = { { 0, } };
  GThread *threads[N_SETTERS + 8];
  GValue *last;
  guint final;

  g_test_summary ("With 4 setter threads racing, receivers on their own contexts "
                  "(attach, futures, blocking, cancelling) all end with the last value set, "
                  "and see each setter's values in order");

  gasync_test_latch_init (&start);
  for (guint i = 0; i < G_N_ELEMENTS (observers); i++)
    {
      Observer *o = &observers[i];

      gasync_test_latch_init (&ready[i]);
      o->rx = gasync_watch_subscribe (watch);
      o->way = i % 4;
      o->n_sets = n_sets;
      o->ordered = o->on_thread = TRUE;
      o->ready = &ready[i];
      threads[N_SETTERS + i] = g_thread_new ("observer", observer_thread, o);
      g_assert_true (gasync_test_latch_wait (&ready[i], 30000));
    }
  for (guint k = 0; k < N_SETTERS; k++)
    {
      setters[k] = (Setter) { watch, k, n_sets, &start };
      threads[k] = g_thread_new ("setter", setter_thread, &setters[k]);
    }
  gasync_test_latch_open (&start);
  for (guint k = 0; k < N_SETTERS; k++)
    g_thread_join (threads[k]);

  last = gasync_watch_dup_value (watch);
  final = g_value_get_uint (last);
  g_assert_cmpuint (final, >, 0);
  g_boxed_free (G_TYPE_VALUE, last);
  gasync_watch_close (watch);
  for (guint i = 0; i < G_N_ELEMENTS (observers); i++)
    {
      g_thread_join (threads[N_SETTERS + i]);
      g_assert_cmpuint (observers[i].final, ==, final);
      g_assert_true (observers[i].ordered);
      g_assert_true (observers[i].on_thread);
      g_clear_object (&observers[i].rx);
      gasync_test_latch_clear (&ready[i]);
    }
  gasync_test_latch_clear (&start);
}

/* Blocking is refused on async workers */

static GAsyncFuture *
wait_on_worker (GCancellable *cancellable,
                gpointer      data)
{
  GAsyncWatchReceiver *rx = data;
  GError *error = NULL;
  GValue value = G_VALUE_INIT;
  gboolean ok;

  /* Refused even though a change is there: every time, not only under load. */
  g_assert_true (gasync_watch_receiver_has_changed (rx));
  ok = gasync_watch_receiver_wait_changed (rx, NULL, &value, &error);
  return blocking_outcome (ok, &value, error);
}

static void
test_would_deadlock (void)
{
  g_autoptr(GAsyncWatch) watch = watch_new_uint (0);
  g_autoptr(GAsyncWatchReceiver) rx = gasync_watch_subscribe (watch);

  g_test_summary ("The blocking wait fails with WOULD_DEADLOCK on an async "
                  "runtime worker, even with a change ready");

  g_assert_true (watch_set_uint (watch, 1));
  assert_would_deadlock_on_worker (wait_on_worker, rx);
  g_assert_true (gasync_watch_receiver_has_changed (rx));   /* nothing taken */
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/watch/basic", test_basic);
  g_test_add_func ("/watch/wait-changed", test_wait_changed);
  g_test_add_func ("/watch/cancel/keeps-change", test_cancel_keeps_change);
  g_test_add_func ("/watch/close", test_close);
  g_test_add_func ("/watch/close/by-drop", test_drop_closes);
  g_test_add_func ("/watch/attach", test_attach);
  g_test_add_func ("/watch/threads/last-value", test_last_value_racing_setters);
  g_test_add_func ("/watch/would-deadlock", test_would_deadlock);

  return g_test_run ();
}
