/* channel-test-util.c: helpers shared by the channel tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "channel-test-util.h"

Item *
item_new (gint  *freed,
          guint  id)
{
  Item *item = g_new0 (Item, 1);

  item->freed = freed;
  item->id = id;
  return item;
}

void
item_free (gpointer data)
{
  Item *item = data;

  g_atomic_int_inc (item->freed);
  g_free (item);
}


/* Waits for @future for at most @msec milliseconds, the way a blocking
 * send or receive is bounded: gasync_future_with_timeout() cancels
 * @future (which withdraws a pending send or receive) when time is up.
 * The item may have moved just before that, so @future's own result
 * decides: a receive that took an item returns it. */
gboolean
wait_bounded (GAsyncFuture  *future,
              guint          msec,
              GValue        *value,
              GError       **error)
{
  g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (future, msec);
  GError *local = NULL;

  if (gasync_future_wait (bounded, NULL, value, &local))
    return TRUE;

  if (g_error_matches (local, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT))
    {
      g_clear_error (&local);
      g_value_unset (value);
      /* Settles soon: it is resolved, or being cancelled. */
      if (gasync_future_wait (future, NULL, value, &local))
        return TRUE;
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&local);
          g_set_error_literal (&local, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT, "Timed out");
        }
    }

  g_propagate_error (error, local);
  return FALSE;
}

/* A pointer send or receive bounded as the removed _with_timeout forms
 * were: the future form with a deadline. */
gboolean
send_pointer_bounded (GAsyncSender  *tx,
                      gpointer       item,
                      guint          msec,
                      GError       **error)
{
  g_autoptr(GAsyncFuture) f = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) queued = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, item);
  f = gasync_sender_send_future (tx, &value);
  return wait_bounded (f, msec, &queued, error);
}

gpointer
recv_pointer_bounded (GAsyncReceiver  *rx,
                      guint            msec,
                      GError         **error)
{
  g_autoptr(GAsyncFuture) f = gasync_receiver_recv_future (rx);
  g_auto(GValue) value = G_VALUE_INIT;

  if (!wait_bounded (f, msec, &value, error))
    return NULL;
  return g_value_get_pointer (&value);
}

/* The GValue forms on a channel of an integer type, for tests that only
 * move numbers. */
gboolean
send_int (GAsyncSender  *tx,
          gint           item,
          GCancellable  *cancellable,
          GError       **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, item);
  return gasync_sender_send (tx, &value, cancellable, error);
}

gboolean
recv_int (GAsyncReceiver  *rx,
          gint64          *item,
          GCancellable    *cancellable,
          GError         **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT64);
  if (!gasync_receiver_recv (rx, cancellable, &value, error))
    return FALSE;
  *item = g_value_get_int64 (&value);
  return TRUE;
}

gboolean
try_recv_int (GAsyncReceiver  *rx,
              gint64          *item,
              GError         **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT64);
  if (!gasync_receiver_try_recv (rx, &value, error))
    return FALSE;
  *item = g_value_get_int64 (&value);
  return TRUE;
}

/* A blocking pointer send on a thread of its own. */
gpointer
send_job_thread (gpointer data)
{
  SendJob *job = data;

  job->ok = gasync_sender_send_pointer (job->tx, job->item, job->cancellable, &job->error);
  return NULL;
}

static GThread *
start_until_blocked (GThreadFunc     func,
                     gpointer        job,
                     GAsyncReceiver *rx,
                     gboolean        sending)
{
  GThread *thread = g_thread_new (sending ? "sender" : "receiver", func, job);
  GAsyncChannelStats st;

  WAIT_FOR_STATS (rx, st, (sending ? st.n_send_blocked : st.n_recv_blocked) == 1);
  return thread;
}

GThread *
start_sender_until_blocked (GThreadFunc     func,
                            gpointer        job,
                            GAsyncReceiver *rx)
{
  return start_until_blocked (func, job, rx, TRUE);
}

GThread *
start_receiver_until_blocked (GThreadFunc     func,
                              gpointer        job,
                              GAsyncReceiver *rx)
{
  return start_until_blocked (func, job, rx, FALSE);
}

void
assert_send_job_failed (GThread *thread,
                        SendJob *job,
                        GQuark   domain,
                        gint     code)
{
  g_thread_join (thread);
  g_assert_false (job->ok);
  g_assert_error (job->error, domain, code);
  send_job_free (job);
}

SendJob *
send_job_new (GAsyncSender *tx,
              gpointer      item,
              GCancellable *cancellable)
{
  SendJob *job = g_new0 (SendJob, 1);

  job->tx = g_object_ref (tx);
  job->item = item;
  job->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  return job;
}

void
send_job_free (SendJob *job)
{
  g_clear_object (&job->tx);
  g_clear_object (&job->cancellable);
  g_clear_error (&job->error);
  g_free (job);
}

/* Sends the integer 42 on @data (a GAsyncSender, whose reference it takes). */
gpointer
send_42_thread (gpointer data)
{
  GAsyncSender *tx = data;

  g_assert_true (send_int (tx, 42, NULL, NULL));
  g_object_unref (tx);
  return NULL;
}

void
assert_try_recv_pointer_empty (GAsyncReceiver *rx)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (gasync_receiver_try_recv_pointer (rx, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
}

void
assert_try_recv_int_empty (GAsyncReceiver *rx)
{
  g_autoptr(GError) error = NULL;
  gint64 item = 0;

  g_assert_false (try_recv_int (rx, &item, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
}

/* The outcome of a _async call, on the thread that started it. */
void
async_data_clear (AsyncData *data)
{
  if (G_IS_VALUE (&data->value))
    g_value_unset (&data->value);
  g_clear_error (&data->error);
  memset (data, 0, sizeof *data);
  data->thread = g_thread_self ();
}

void
recv_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncData *data = user_data;

  g_assert_true (g_thread_self () == data->thread);
  data->ok = gasync_receiver_recv_finish (GASYNC_RECEIVER (source), result, &data->value, &data->error);
  data->done = TRUE;
}

void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncData *data = user_data;

  g_assert_true (g_thread_self () == data->thread);
  data->ok = gasync_sender_send_finish (GASYNC_SENDER (source), result, &data->error);
  data->done = TRUE;
}
