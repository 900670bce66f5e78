/* channel-future.c: tests for the channel futures and _async forms, and abandoned waits
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "channel-test-util.h"

/* Futures and _async */

typedef struct
{
  GThread *thread;
  gint     value;
  gint     done;
} ThenData;

static GAsyncFuture *
check_then (GAsyncFuture *completed,
            gpointer      user_data)
{
  ThenData *data = user_data;
  GError *error = NULL;

  g_assert_true (g_thread_self () == data->thread);
  data->value = gasync_future_get_int (completed, &error);
  g_assert_no_error (error);
  data->done = TRUE;
  return NULL;
}

static void
test_recv_future (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) f = NULL;
  g_autoptr(GAsyncFuture) g = NULL;
  g_autoptr(GAsyncFuture) derived = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncChannelStats st;
  ThenData then = { g_thread_self (), 0, FALSE };
  GThread *thread;
  gint64 v = 0;

  g_test_summary ("A receive future resolves at once with a queued item or "
                  "later with a sent one (its continuations on the waiting "
                  "context); waiting futures are served in order; a cancelled "
                  "one takes nothing; closing rejects them with CLOSED");

  gasync_channel_new (G_TYPE_INT, 0, &tx, &rx);

  g_assert_true (send_int (tx, 1, NULL, NULL));
  f = gasync_receiver_recv_future (rx);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_cmpint (gasync_future_get_int (f, &error), ==, 1);
  g_clear_object (&f);

  /* Pending, then sent from another thread. */
  f = gasync_receiver_recv_future (rx);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_PENDING);
  derived = gasync_future_and_then (f, check_then, &then, NULL);
  thread = g_thread_new ("sender", send_42_thread, g_object_ref (tx));
  gasync_test_iterate_until (NULL, &then.done, 30000);
  g_thread_join (thread);
  g_assert_cmpint (then.value, ==, 42);
  g_clear_object (&f);
  g_clear_object (&derived);

  /* Two waiting: served in order. */
  f = gasync_receiver_recv_future (rx);
  g = gasync_receiver_recv_future (rx);
  WAIT_FOR_STATS (rx, st, st.n_recv_waiting == 2);
  g_assert_true (send_int (tx, 10, NULL, NULL));
  g_assert_true (send_int (tx, 11, NULL, NULL));
  g_assert_cmpint (gasync_future_get_int (f, &error), ==, 10);
  g_assert_cmpint (gasync_future_get_int (g, &error), ==, 11);
  g_assert_no_error (error);
  g_clear_object (&f);
  g_clear_object (&g);

  /* Cancelled: withdrawn at once, the next item stays queued. */
  f = gasync_receiver_recv_future (rx);
  gasync_future_cancel (f);
  g_assert_nonnull (gasync_future_get_error (f));
  g_assert_true (g_error_matches (gasync_future_get_error (f), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_recv_waiting, ==, 0);
  g_assert_true (send_int (tx, 12, NULL, NULL));
  g_assert_true (try_recv_int (rx, &v, &error));
  g_assert_cmpint (v, ==, 12);
  g_clear_object (&f);

  /* Every sender closed. */
  f = gasync_receiver_recv_future (rx);
  g_clear_object (&tx);
  g_assert_true (g_error_matches (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  g_clear_object (&f);
  f = gasync_receiver_recv_future (rx);
  g_assert_true (g_error_matches (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  g_clear_object (&f);
  g_clear_object (&rx);

  /* The receiver closed. */
  gasync_channel_new (G_TYPE_INT, 0, &tx, &rx);
  f = gasync_receiver_recv_future (rx);
  gasync_receiver_close (rx);
  g_assert_true (g_error_matches (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  gasync_test_iterate_pending (NULL);
}

static void
test_recv_future_pointer (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) f = NULL;
  g_autoptr(GError) error = NULL;
  gint freed = 0;
  Item *item;

  g_test_summary ("A pointer item received through a future is handed over "
                  "to whoever reads it, never freed by the channel or the future");

  gasync_channel_new_full (G_TYPE_POINTER, 0, item_free, &tx, &rx);
  f = gasync_receiver_recv_future (rx);
  g_assert_true (gasync_sender_send_pointer (tx, item_new (&freed, 9), NULL, NULL));
  item = gasync_future_get_pointer (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (item->id, ==, 9);
  g_clear_object (&f);
  g_clear_object (&rx);
  g_assert_cmpint (freed, ==, 0);
  item_free (item);
}

static gpointer
send_int_thread (gpointer data)
{
  SendJob *job = data;

  job->ok = send_int (job->tx, GPOINTER_TO_INT (job->item), job->cancellable, &job->error);
  return NULL;
}

static void
test_send_future (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) f = NULL;
  g_autoptr(GAsyncFuture) g = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GAsyncChannelStats st;
  SendJob *job;
  GThread *thread;
  gint64 v = 0;

  g_test_summary ("A send future resolves at once when there is room, or parks "
                  "its item ahead of later sends until the receiver makes room; "
                  "a cancelled one is never queued; a closed receiver rejects it");

  gasync_channel_new (G_TYPE_INT, 1, &tx, &rx);
  g_value_init (&value, G_TYPE_INT);

  g_value_set_int (&value, 1);
  f = gasync_sender_send_future (tx, &value);
  g_assert_true (gasync_future_get_boolean (f, &error));
  g_assert_no_error (error);
  g_clear_object (&f);

  /* Full: parked, and ahead of a later try_send and a later blocked send. */
  g_value_set_int (&value, 2);
  f = gasync_sender_send_future (tx, &value);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_PENDING);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, 1);
  g_value_set_int (&value, 3);
  g_assert_false (gasync_sender_try_send (tx, &value, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FULL);
  g_clear_error (&error);

  /* A blocking send from another thread queues behind the parked one. */
  job = send_job_new (tx, NULL, NULL);
  job->item = GINT_TO_POINTER (3);
  thread = start_sender_until_blocked (send_int_thread, job, rx);

  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, 1);
  g_assert_true (gasync_future_get_boolean (f, &error));
  g_assert_no_error (error);
  g_clear_object (&f);
  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, 2);
  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, 3);
  g_thread_join (thread);
  g_assert_true (job->ok);
  g_assert_no_error (job->error);
  send_job_free (job);

  /* Cancelled while parked: never queued. */
  g_value_set_int (&value, 4);
  g_assert_true (gasync_sender_try_send (tx, &value, &error));
  g_value_set_int (&value, 5);
  f = gasync_sender_send_future (tx, &value);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_PENDING);
  gasync_future_cancel (f);
  g_assert_true (g_error_matches (gasync_future_get_error (f), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, 0);
  g_assert_true (try_recv_int (rx, &v, &error));
  g_assert_cmpint (v, ==, 4);
  assert_try_recv_int_empty (rx);
  g_clear_object (&f);

  /* The only sender dropped with a parked send: it still completes, and
   * the receiver sees CLOSED only after it. */
  g_value_set_int (&value, 6);
  g_assert_true (gasync_sender_try_send (tx, &value, &error));
  g_value_set_int (&value, 7);
  f = gasync_sender_send_future (tx, &value);
  g_clear_object (&tx);
  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, 6);
  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, 7);
  g_assert_true (gasync_future_get_boolean (f, &error));
  g_assert_false (recv_int (rx, &v, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);
  g_clear_object (&f);
  g_clear_object (&rx);

  /* A closed receiver rejects a parked send. */
  gasync_channel_new (G_TYPE_INT, 1, &tx, &rx);
  g_value_set_int (&value, 8);
  g_assert_true (gasync_sender_try_send (tx, &value, &error));
  f = gasync_sender_send_future (tx, &value);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_PENDING);
  gasync_receiver_close (rx);
  g_assert_true (g_error_matches (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  g_clear_object (&f);
  f = gasync_sender_send_future (tx, &value);
  g_assert_true (g_error_matches (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_CLOSED));
}

static void
test_async (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  AsyncData data = { NULL, };
  GThread *thread;
  gint64 v = 0;

  g_test_summary ("recv_async and send_async complete on the caller's context, "
                  "never inside the call; cancelling them takes nothing");

  gasync_channel_new (G_TYPE_INT, 1, &tx, &rx);
  g_value_init (&value, G_TYPE_INT);

  /* An item is queued: still not synchronous. */
  async_data_clear (&data);
  g_assert_true (send_int (tx, 1, NULL, NULL));
  gasync_receiver_recv_async (rx, NULL, recv_done, &data);
  g_assert_false (data.done);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_cmpint (g_value_get_int (&data.value), ==, 1);

  /* Pending, then sent from another thread. */
  async_data_clear (&data);
  gasync_receiver_recv_async (rx, NULL, recv_done, &data);
  thread = g_thread_new ("sender", send_42_thread, g_object_ref (tx));
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_thread_join (thread);
  g_assert_true (data.ok);
  g_assert_cmpint (g_value_get_int (&data.value), ==, 42);

  /* Cancelled while pending: takes nothing. */
  async_data_clear (&data);
  cancellable = g_cancellable_new ();
  gasync_receiver_recv_async (rx, cancellable, recv_done, &data);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (G_VALUE_HOLDS_POINTER (&data.value));
  g_assert_true (send_int (tx, 5, NULL, NULL));

  /* Cancelled before it starts: fails, the queued item stays. */
  async_data_clear (&data);
  gasync_receiver_recv_async (rx, cancellable, recv_done, &data);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* send_async on a full channel completes once room is made. */
  async_data_clear (&data);
  g_value_set_int (&value, 6);
  gasync_sender_send_async (tx, &value, NULL, send_done, &data);
  gasync_test_iterate_pending (NULL);
  g_assert_false (data.done);
  g_assert_true (try_recv_int (rx, &v, &error));
  g_assert_cmpint (v, ==, 5);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);

  /* Cancelled while waiting for room: never queued. */
  async_data_clear (&data);
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  g_value_set_int (&value, 7);
  gasync_sender_send_async (tx, &value, cancellable, send_done, &data);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (try_recv_int (rx, &v, &error));
  g_assert_cmpint (v, ==, 6);
  assert_try_recv_int_empty (rx);

  /* Closed. */
  async_data_clear (&data);
  g_clear_object (&tx);
  gasync_receiver_recv_async (rx, NULL, recv_done, &data);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_error (data.error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  async_data_clear (&data);
}

static void
count_finalized (gpointer  data,
                 GObject  *where_the_object_was)
{
  g_atomic_int_inc ((gint *) data);
}

/* An object item whose finalization the test observes. */
static GObject *
watched_object_new (gint *finalized)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_weak_ref (object, count_finalized, finalized);
  return object;
}

/* Abandoning a parked send or receive releases it */

#define N_PARKED 1000

/* Sends @n watched objects with gasync_sender_send_future() (@objects
 * gets the caller's reference to each); returns the futures. */
static GAsyncFuture **
send_objects_future (GAsyncSender  *tx,
                     GObject      **objects,
                     guint          n,
                     gint          *finalized)
{
  GAsyncFuture **futures = g_new0 (GAsyncFuture *, n);
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_OBJECT);
  for (guint i = 0; i < n; i++)
    {
      objects[i] = watched_object_new (finalized);
      g_value_set_object (&value, objects[i]);
      futures[i] = gasync_sender_send_future (tx, &value);
    }
  return futures;
}

static void
futures_free (GAsyncFuture **futures,
              guint          n)
{
  for (guint i = 0; i < n; i++)
    g_object_unref (futures[i]);
  g_free (futures);
}

/* Drops the caller's reference to each of @objects, after checking that
 * none was finalized yet: each is finalized then if the channel holds no
 * reference to it any more, and was never freed twice. */
static void
objects_release (GObject **objects,
                 guint     n,
                 gint     *finalized)
{
  g_assert_cmpint (g_atomic_int_get (finalized), ==, 0);
  for (guint i = 0; i < n; i++)
    g_object_unref (objects[i]);
  g_assert_cmpint (g_atomic_int_get (finalized), ==, n);
}

static void
test_abandon_cancel (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) r = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncFuture **futures;
  GObject *objects[3];
  GAsyncChannelStats st;
  gint finalized = 0;
  GObject *got;

  g_test_summary ("Cancelling a parked send future withdraws it: never queued, "
                  "its item dropped by the channel exactly once, no longer "
                  "counted as a producer; a cancelled receive future takes "
                  "nothing");

  gasync_channel_new (G_TYPE_OBJECT, 1, &tx, &rx);
  futures = send_objects_future (tx, objects, 3, &finalized);
  g_assert_cmpint (gasync_future_get_state (futures[0]), ==, GASYNC_FUTURE_RESOLVED);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, 2);
  g_assert_cmpuint (st.n_producers, ==, 3);

  gasync_future_cancel (futures[1]);
  g_assert_true (g_error_matches (gasync_future_get_error (futures[1]), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  WAIT_FOR_STATS (rx, st, st.n_send_parked == 1);
  g_assert_cmpuint (st.n_producers, ==, 2);

  /* Room made: the send after the cancelled one goes in, never that one. */
  g_object_unref (gasync_receiver_recv_pointer (rx, NULL, &error));
  g_assert_true (gasync_future_get_boolean (futures[2], &error));
  r = gasync_receiver_recv_future (rx);
  got = gasync_future_dup_object (r, &error);
  g_assert_no_error (error);
  g_assert_true (got == objects[2]);
  g_object_unref (got);
  g_clear_object (&r);

  /* A cancelled receive future takes nothing. */
  r = gasync_receiver_recv_future (rx);
  gasync_future_cancel (r);
  g_assert_true (gasync_sender_try_send_pointer (tx, g_object_ref (objects[0]), &error));
  WAIT_FOR_STATS (rx, st, st.n_recv_waiting == 0 && st.n_queued == 1);

  g_clear_object (&rx);   /* frees the queued reference */
  futures_free (futures, 3);
  objects_release (objects, 3, &finalized);
}

/* Waits (bounded generously: it is known to settle) until @future is
 * rejected, and checks the error. */
static void
assert_rejects (GAsyncFuture *future,
                GQuark        domain,
                gint          code)
{
  g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (future, 30000);
  g_autoptr(GError) error = NULL;

  g_assert_false (gasync_future_wait (bounded, NULL, NULL, &error));
  g_assert_error (error, domain, code);
}

static void
test_abandon_timeout (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncFuture *bounded[N_PARKED];
  GObject *objects[N_PARKED + 1];
  GAsyncFuture **futures;
  GAsyncChannelStats st;
  gint finalized = 0;
  GObject *first;

  g_test_summary ("1,000 send futures parked on a full channel, each bounded "
                  "by gasync_future_with_timeout(), all reject with TIMED_OUT; "
                  "the timeout cancels each send, which is withdrawn: no "
                  "parked sender is left and every item is dropped exactly once");

  gasync_channel_new (G_TYPE_OBJECT, 1, &tx, &rx);
  futures = send_objects_future (tx, objects, N_PARKED + 1, &finalized);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, N_PARKED);

  for (guint i = 0; i < N_PARKED; i++)
    bounded[i] = gasync_future_with_timeout (futures[i + 1], 20);
  for (guint i = 0; i < N_PARKED; i++)
    {
      g_assert_false (gasync_future_wait (bounded[i], NULL, NULL, &error));
      g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
      g_clear_error (&error);
      assert_rejects (futures[i + 1], G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_object_unref (bounded[i]);
    }
  WAIT_FOR_STATS (rx, st, st.n_send_parked == 0);
  g_assert_cmpuint (st.n_producers, ==, 1);

  /* Only the first item was ever queued. */
  first = gasync_receiver_recv_pointer (rx, NULL, &error);
  g_assert_true (first == objects[0]);
  g_object_unref (first);
  assert_try_recv_pointer_empty (rx);

  futures_free (futures, N_PARKED + 1);
  objects_release (objects, N_PARKED + 1, &finalized);
}

static void
test_abandon_receiver_closed (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) late = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GAsyncFuture *futures[N_PARKED];
  Item *items[N_PARKED];
  GAsyncChannelStats st;
  gint freed = 0;

  g_test_summary ("Closing the receiver rejects each of 1,000 parked send "
                  "futures with CLOSED and hands each pointer item back to "
                  "its sender; the queued items are freed exactly once");

  gasync_channel_new_full (G_TYPE_POINTER, 2, item_free, &tx, &rx);
  for (guint i = 0; i < 2; i++)
    g_assert_true (gasync_sender_try_send_pointer (tx, item_new (&freed, i), &error));
  g_value_init (&value, G_TYPE_POINTER);
  for (guint i = 0; i < N_PARKED; i++)
    {
      items[i] = item_new (&freed, i + 2);
      g_value_set_pointer (&value, items[i]);
      futures[i] = gasync_sender_send_future (tx, &value);
    }
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, N_PARKED);

  gasync_receiver_close (rx);
  for (guint i = 0; i < N_PARKED; i++)
    assert_rejects (futures[i], GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, 0);
  g_assert_cmpuint (st.n_producers, ==, 1);
  g_assert_cmpint (freed, ==, 2);

  late = gasync_sender_send_future (tx, &value);
  assert_rejects (late, GASYNC_ERROR, GASYNC_ERROR_CLOSED);

  /* Handed back: ours to free, once. */
  for (guint i = 0; i < N_PARKED; i++)
    {
      item_free (items[i]);
      g_object_unref (futures[i]);
    }
  g_clear_object (&rx);
  g_assert_cmpint (freed, ==, N_PARKED + 2);
}

static void
test_abandon_receiver_dropped (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  GObject *objects[N_PARKED + 2];
  GAsyncFuture **futures;
  GAsyncChannelStats st;
  gint finalized = 0;

  g_test_summary ("Dropping the last reference to the receiver rejects each "
                  "of 1,000 parked send futures with CLOSED; the channel drops "
                  "every queued and parked item exactly once");

  gasync_channel_new (G_TYPE_OBJECT, 2, &tx, &rx);
  futures = send_objects_future (tx, objects, N_PARKED + 2, &finalized);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, N_PARKED);

  g_clear_object (&rx);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (gasync_future_get_state (futures[i]), ==, GASYNC_FUTURE_RESOLVED);
  for (guint i = 2; i < N_PARKED + 2; i++)
    assert_rejects (futures[i], GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_assert_true (gasync_sender_is_closed (tx));

  futures_free (futures, N_PARKED + 2);
  objects_release (objects, N_PARKED + 2, &finalized);
}

static void
run_senders_gone (gboolean by_unref)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncSender *clone;
  GAsyncFuture *futures[N_PARKED];
  GAsyncChannelStats st;

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  clone = gasync_sender_clone (tx);
  for (guint i = 0; i < N_PARKED; i++)
    futures[i] = gasync_receiver_recv_future (rx);
  g_assert_true (gasync_sender_try_send_pointer (tx, GUINT_TO_POINTER (1), &error));
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_future_get_pointer (futures[0], &error)), ==, 1);
  g_assert_no_error (error);

  /* One sender left: they keep waiting. */
  gasync_sender_close (tx);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_recv_waiting, ==, N_PARKED - 1);

  if (by_unref)
    g_object_unref (clone);
  else
    {
      gasync_sender_close (clone);
      g_object_unref (clone);
    }
  for (guint i = 1; i < N_PARKED; i++)
    assert_rejects (futures[i], GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_recv_waiting, ==, 0);
  g_assert_cmpuint (st.n_producers, ==, 0);

  for (guint i = 0; i < N_PARKED; i++)
    g_object_unref (futures[i]);
}

static void
test_abandon_senders_gone (void)
{
  g_test_summary ("Closing or dropping the last sender rejects each of 1,000 "
                  "receive futures waiting on the drained channel with CLOSED");

  run_senders_gone (FALSE);
  run_senders_gone (TRUE);
}

/* Sends two watched objects and a pointer item on fresh channels. */
static void
null_out_setup (GAsyncSender   **tx,
                GAsyncReceiver **rx,
                GAsyncSender   **ptx,
                GAsyncReceiver **prx,
                gint            *finalized,
                gint            *freed)
{
  gasync_channel_new (G_TYPE_OBJECT, 0, tx, rx);
  g_assert_true (gasync_sender_send_pointer (*tx, watched_object_new (&finalized[0]), NULL, NULL));
  g_assert_true (gasync_sender_send_pointer (*tx, watched_object_new (&finalized[1]), NULL, NULL));

  gasync_channel_new_full (G_TYPE_POINTER, 0, item_free, ptx, prx);
  g_assert_true (gasync_sender_send_pointer (*ptx, item_new (freed, 1), NULL, NULL));
  g_assert_true (gasync_sender_send_pointer (*ptx, item_new (freed, 2), NULL, NULL));
}

/* The first items were consumed and freed, exactly once; the second ones
 * are still queued and come next. */
static void
null_out_check (GAsyncReceiver *rx,
                GAsyncReceiver *prx,
                gint           *finalized,
                gint           *freed)
{
  g_autoptr(GError) error = NULL;
  GAsyncChannelStats st;
  GObject *second;
  Item *item;

  g_assert_cmpint (finalized[0], ==, 1);
  g_assert_cmpint (finalized[1], ==, 0);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_queued, ==, 1);
  second = gasync_receiver_try_recv_pointer (rx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (finalized[1], ==, 0);
  g_object_unref (second);
  g_assert_cmpint (finalized[1], ==, 1);

  g_assert_cmpint (*freed, ==, 1);
  item = gasync_receiver_try_recv_pointer (prx, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (item->id, ==, 2);
  item_free (item);
  g_assert_cmpint (*freed, ==, 2);
}

static void
test_null_out_recv (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncSender) ptx = NULL;
  g_autoptr(GAsyncReceiver) prx = NULL;
  g_autoptr(GError) error = NULL;
  gint finalized[2] = { 0, 0 };
  gint freed = 0;

  g_test_summary ("gasync_receiver_recv() with a NULL item takes one item and "
                  "frees it (an object's reference, a pointer item with item_free)");

  null_out_setup (&tx, &rx, &ptx, &prx, finalized, &freed);
  g_assert_true (gasync_receiver_recv (rx, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gasync_receiver_recv (prx, NULL, NULL, &error));
  g_assert_no_error (error);
  null_out_check (rx, prx, finalized, &freed);

  /* Failing with a NULL item is fine too. */
  g_clear_object (&tx);
  g_assert_false (gasync_receiver_recv (rx, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
}

static void
test_null_out_try_recv (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncSender) ptx = NULL;
  g_autoptr(GAsyncReceiver) prx = NULL;
  g_autoptr(GError) error = NULL;
  gint finalized[2] = { 0, 0 };
  gint freed = 0;

  g_test_summary ("gasync_receiver_try_recv() with a NULL item takes one item "
                  "and frees it");

  null_out_setup (&tx, &rx, &ptx, &prx, finalized, &freed);
  g_assert_true (gasync_receiver_try_recv (rx, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gasync_receiver_try_recv (prx, NULL, &error));
  g_assert_no_error (error);
  null_out_check (rx, prx, finalized, &freed);

  g_assert_false (gasync_receiver_try_recv (rx, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
}

typedef struct
{
  gint     done;
  gboolean ok;
  GError  *error;
} NullFinishData;

static void
recv_finish_null_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  NullFinishData *data = user_data;

  data->ok = gasync_receiver_recv_finish (GASYNC_RECEIVER (source), result, NULL, &data->error);
  data->done = TRUE;
}

static void
test_null_out_recv_finish (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncSender) ptx = NULL;
  g_autoptr(GAsyncReceiver) prx = NULL;
  NullFinishData data = { 0, };
  NullFinishData pdata = { 0, };
  gint finalized[2] = { 0, 0 };
  gint freed = 0;

  g_test_summary ("gasync_receiver_recv_finish() with a NULL item frees the "
                  "item received (a pointer item with item_free)");

  null_out_setup (&tx, &rx, &ptx, &prx, finalized, &freed);
  gasync_receiver_recv_async (rx, NULL, recv_finish_null_done, &data);
  gasync_receiver_recv_async (prx, NULL, recv_finish_null_done, &pdata);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  gasync_test_iterate_until (NULL, &pdata.done, 30000);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_no_error (pdata.error);
  g_assert_true (pdata.ok);
  /* The task and the future let go of the object once they are done. */
  gasync_test_iterate_until (NULL, &finalized[0], 30000);
  null_out_check (rx, prx, finalized, &freed);

  /* A failed receive with a NULL item. */
  data = (NullFinishData) { 0, };
  g_clear_object (&tx);
  gasync_receiver_recv_async (rx, NULL, recv_finish_null_done, &data);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_false (data.ok);
  g_assert_error (data.error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&data.error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel/future/recv", test_recv_future);
  g_test_add_func ("/channel/future/recv-pointer-handed-over", test_recv_future_pointer);
  g_test_add_func ("/channel/future/send", test_send_future);
  g_test_add_func ("/channel/async/send-and-recv", test_async);
  g_test_add_func ("/channel/abandon/cancel-withdraws", test_abandon_cancel);
  g_test_add_func ("/channel/abandon/timeout-withdraws-parked-sends", test_abandon_timeout);
  g_test_add_func ("/channel/abandon/receiver-closed-rejects-parked-sends", test_abandon_receiver_closed);
  g_test_add_func ("/channel/abandon/receiver-dropped-rejects-parked-sends", test_abandon_receiver_dropped);
  g_test_add_func ("/channel/abandon/senders-gone-reject-recv-futures", test_abandon_senders_gone);
  g_test_add_func ("/channel/null-out/recv", test_null_out_recv);
  g_test_add_func ("/channel/null-out/try-recv", test_null_out_try_recv);
  g_test_add_func ("/channel/null-out/recv-finish", test_null_out_recv_finish);

  return g_test_run ();
}
