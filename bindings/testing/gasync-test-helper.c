/* gasync-test-helper.c: C workers for the binding tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The Python and GJS suites must show that futures and channels settled
 * on threads that are not the binding's own (plain C threads, runtime
 * workers, the blocking pool) still run the binding's callbacks on its
 * own context. Neither binding can run its code on those threads, so this
 * small introspectable library (namespace GAsyncTest, built for the tests
 * only, never installed) does the C side.
 */

#include "gasync-test-helper.h"

static GThread *main_thread;

static void __attribute__ ((constructor))
remember_main_thread (void)
{
  main_thread = g_thread_self ();
}

typedef struct
{
  GAsyncSender *sender;   /* owned */
  guint         first;
  guint         n_items;
} Feed;

static gpointer
feed_thread (gpointer data)
{
  Feed *feed = data;

  for (guint i = 0; i < feed->n_items; i++)
    {
      g_auto(GValue) item = G_VALUE_INIT;

      g_value_init (&item, G_TYPE_INT);
      g_value_set_int (&item, (gint) (feed->first + i));
      if (!gasync_sender_send (feed->sender, &item, NULL, NULL))
        break;   /* the receiver went away */
    }

  g_object_unref (feed->sender);
  g_free (feed);
  return NULL;
}

/**
 * gasync_test_feed_channel:
 * @sender: the sender of a channel whose items are integers
 * @n_threads: how many C threads to start
 * @n_items: how many items each thread sends
 *
 * Starts @n_threads plain C threads. Thread k sends the integers
 * k × @n_items to (k + 1) × @n_items - 1, in order, with
 * gasync_sender_send() on its own clone of @sender (blocking while the
 * channel is full), then drops its clone. Returns at once; the channel
 * closes once the caller has closed @sender too and every thread is done.
 */
void
gasync_test_feed_channel (GAsyncSender *sender,
                          guint         n_threads,
                          guint         n_items)
{
  for (guint k = 0; k < n_threads; k++)
    {
      Feed *feed = g_new0 (Feed, 1);

      feed->sender = gasync_sender_clone (sender);
      feed->first = k * n_items;
      feed->n_items = n_items;
      g_thread_unref (g_thread_new ("gasync-test-feed", feed_thread, feed));
    }
}

typedef struct
{
  GAsyncPromise *promise;   /* owned */
  guint          delay_msec;
  gint           value;
  char          *message;   /* reject with this if not NULL */
} Later;

static gpointer
later_thread (gpointer data)
{
  Later *later = data;

  g_usleep (later->delay_msec * (gulong) 1000);
  if (later->message != NULL)
    gasync_promise_reject_literal (later->promise, G_IO_ERROR,
                                   G_IO_ERROR_FAILED, later->message);
  else
    gasync_promise_resolve_int (later->promise, later->value);

  /* Dropped here, on this thread: the waiter's callbacks must still run
   * on the waiter's own context. */
  g_object_unref (later->promise);
  g_free (later->message);
  g_free (later);
  return NULL;
}

static void
later_start (GAsyncPromise *promise,
             guint          delay_msec,
             gint           value,
             const char    *message)
{
  Later *later = g_new0 (Later, 1);

  later->promise = g_object_ref (promise);
  later->delay_msec = delay_msec;
  later->value = value;
  later->message = g_strdup (message);
  g_thread_unref (g_thread_new ("gasync-test-later", later_thread, later));
}

/**
 * gasync_test_resolve_later:
 * @promise: a pending promise
 * @delay_msec: how long to wait first
 * @value: the value
 *
 * Resolves @promise with the integer @value from a new C thread after
 * @delay_msec milliseconds.
 */
void
gasync_test_resolve_later (GAsyncPromise *promise,
                           guint          delay_msec,
                           gint           value)
{
  later_start (promise, delay_msec, value, NULL);
}

/**
 * gasync_test_reject_later:
 * @promise: a pending promise
 * @delay_msec: how long to wait first
 * @message: the error message
 *
 * Rejects @promise with %G_IO_ERROR_FAILED and @message from a new C
 * thread after @delay_msec milliseconds.
 */
void
gasync_test_reject_later (GAsyncPromise *promise,
                          guint          delay_msec,
                          const char    *message)
{
  g_return_if_fail (message != NULL);

  later_start (promise, delay_msec, 0, message);
}

static gboolean
sum_thread_func (GCancellable  *cancellable,
                 GValue        *result,
                 gpointer       user_data,
                 GError       **error)
{
  guint n = GPOINTER_TO_UINT (user_data);
  gint64 sum = 0;

  for (guint i = 0; i < n; i++)
    sum += i;
  g_usleep (2000);

  g_value_init (result, G_TYPE_INT64);
  g_value_set_int64 (result, sum);
  return TRUE;
}

/**
 * gasync_test_spawn_sum:
 * @runtime: (nullable): a runtime, or %NULL for the default one
 * @n: how many integers to add up
 *
 * Spawns a C #GAsyncThreadFunc on the blocking pool that adds up the
 * integers 0 to @n - 1, so that the handle settles on a pool thread.
 *
 * Returns: (transfer full): the task's handle, which resolves with a
 *   #gint64
 */
GAsyncFuture *
gasync_test_spawn_sum (GAsyncRuntime *runtime,
                       guint          n)
{
  if (runtime == NULL)
    runtime = gasync_runtime_get_default ();
  return gasync_runtime_spawn_blocking (runtime, sum_thread_func,
                                        GUINT_TO_POINTER (n), NULL);
}

static gboolean
sleep_thread_func (GCancellable  *cancellable,
                   GValue        *result,
                   gpointer       user_data,
                   GError       **error)
{
  gint64 deadline = g_get_monotonic_time () + GPOINTER_TO_UINT (user_data) * (gint64) 1000;

  while (g_get_monotonic_time () < deadline)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (1000);
    }
  g_value_init (result, G_TYPE_BOOLEAN);
  g_value_set_boolean (result, TRUE);
  return TRUE;
}

/**
 * gasync_test_spawn_blocking_sleep:
 * @runtime: (nullable): a runtime, or %NULL for the default one
 * @msec: how long to sleep
 *
 * Spawns a C #GAsyncThreadFunc on the blocking pool that sleeps for
 * @msec milliseconds, checking its cancellable every millisecond.
 *
 * Returns: (transfer full): the task's handle, which resolves with %TRUE
 *   or rejects with %G_IO_ERROR_CANCELLED
 */
GAsyncFuture *
gasync_test_spawn_blocking_sleep (GAsyncRuntime *runtime,
                                  guint          msec)
{
  if (runtime == NULL)
    runtime = gasync_runtime_get_default ();
  return gasync_runtime_spawn_blocking (runtime, sleep_thread_func,
                                        GUINT_TO_POINTER (msec), NULL);
}

typedef struct
{
  GAsyncPromise *promise;   /* owned */
  gint           value;
} Delayed;

static gboolean
delayed_fire (gpointer data)
{
  Delayed *delayed = data;

  gasync_promise_resolve_int (delayed->promise, delayed->value);
  return G_SOURCE_REMOVE;
}

static void
delayed_free (gpointer data)
{
  Delayed *delayed = data;

  g_object_unref (delayed->promise);
  g_free (delayed);
}

typedef struct
{
  guint delay_msec;
  gint  value;
} DelayedArgs;

static GAsyncFuture *
delayed_task (GCancellable *cancellable,
              gpointer      user_data)
{
  DelayedArgs *args = user_data;
  GAsyncPromise *promise = gasync_promise_new ();
  Delayed *delayed = g_new0 (Delayed, 1);
  GSource *source;

  delayed->promise = g_object_ref (promise);
  delayed->value = args->value;
  source = g_timeout_source_new (args->delay_msec);
  g_source_set_static_name (source, "[gasync-test] delayed");
  g_source_set_callback (source, delayed_fire, delayed, delayed_free);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
  return GASYNC_FUTURE (promise);
}

/**
 * gasync_test_spawn_delayed:
 * @runtime: (nullable): a runtime, or %NULL for the default one
 * @delay_msec: the delay
 * @value: the value
 *
 * Spawns a C #GAsyncFunc on an async worker that resolves with the
 * integer @value after a @delay_msec timeout on the worker's own context,
 * so that the handle settles on the worker.
 *
 * Returns: (transfer full): the task's handle
 */
GAsyncFuture *
gasync_test_spawn_delayed (GAsyncRuntime *runtime,
                           guint          delay_msec,
                           gint           value)
{
  DelayedArgs *args = g_new0 (DelayedArgs, 1);

  if (runtime == NULL)
    runtime = gasync_runtime_get_default ();
  args->delay_msec = delay_msec;
  args->value = value;
  return gasync_runtime_spawn (runtime, delayed_task, args, g_free);
}

/**
 * gasync_test_is_main_thread:
 *
 * Checks whether the caller runs on the thread that loaded this library
 * (the interpreter's main thread).
 *
 * Returns: %TRUE on the main thread
 */
gboolean
gasync_test_is_main_thread (void)
{
  return g_thread_self () == main_thread;
}
