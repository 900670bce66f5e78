/* gasync-future-wait.c: waiting for a future, asynchronously or blocking
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gasync_future_wait_async()/_finish() return a GTask from the waiter's
 * context; gasync_future_wait() blocks on a condition variable and
 * iterates nothing. Both are notifies on the state machine
 * (gasync-future.c). The per-thread "async worker" flag, under which
 * every blocking call of gasync is refused, lives here too.
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"

/* Async worker threads */

/* A plain thread-local rather than a GPrivate: the inline reader in
 * gasync-future-private.h is one load instead of two calls into libglib
 * and libpthread. Only the thread itself reads or writes it. */
_Thread_local gboolean _gasync_async_worker_flag
  __attribute__ ((tls_model ("initial-exec")));

void
_gasync_thread_set_async_worker (gboolean is_worker)
{
  _gasync_async_worker_flag = is_worker;
}

gboolean
_gasync_check_may_block (const char  *what,
                         GError     **error)
{
  if G_LIKELY (!_gasync_thread_is_async_worker ())
    return TRUE;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK,
               /* TRANSLATORS: %s is a function name, such as gasync_block_on() */
               _("%s was called on an async runtime worker thread, where blocking "
                 "could deadlock the work queued behind it; use "
                 "gasync_spawn_blocking() or a continuation instead"),
               what);
  return FALSE;
}

/* wait_async: a GTask returned from the registering context */

typedef struct
{
  GAsyncContextJob  job;
  GTask            *task;         /* owned until claimed */
  GCancellable     *cancellable;  /* owned */
  gulong            handler;
  gint              claimed;      /* atomic: who returns the task */
  gint              ref_count;    /* atomic: the job, the cancellable handler */
} WaitAsync;

static void
wait_async_unref (gpointer data)
{
  WaitAsync *wait = data;

  if (!g_atomic_int_dec_and_test (&wait->ref_count))
    return;

  g_clear_object (&wait->task);
  g_clear_object (&wait->cancellable);
  g_free (wait);
}

static void
wait_async_cancelled (GCancellable *cancellable,
                      gpointer      data)
{
  WaitAsync *wait = data;
  GTask *task;

  GASYNC_TSAN_ACQUIRE (cancellable);

  if (g_atomic_int_compare_and_exchange (&wait->claimed, FALSE, TRUE))
    {
      /* Returning drops our hold on the task (and so on the future). */
      task = g_steal_pointer (&wait->task);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "%s", _("Operation was cancelled"));
      g_object_unref (task);
    }

  /* wait_async_run() frees @wait after the disconnect waited for us. */
  GASYNC_TSAN_RELEASE (&wait->handler);
}

static void
wait_async_run (GAsyncDispatchItem *item)
{
  WaitAsync *wait = (WaitAsync *) item;
  GAsyncFuture *completed = wait->job.completed;

  if (g_atomic_int_compare_and_exchange (&wait->claimed, FALSE, TRUE))
    {
      GTask *task = g_steal_pointer (&wait->task);

      _gasync_future_return_outcome_to_task (completed, task);
      g_object_unref (task);
    }

  /* We run on the registering context, never inside the handler. */
  if (wait->handler != 0)
    g_cancellable_disconnect (wait->cancellable, wait->handler);
  /* Tell TSan about that wait (GLib's locks): the handler is done with @wait. */
  GASYNC_TSAN_ACQUIRE (&wait->handler);

  _gasync_context_job_clear (&wait->job);
  wait_async_unref (wait);
}

/**
 * gasync_future_wait_async:
 * @future: a #GAsyncFuture
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async) (closure user_data): called when @future settles
 *   or @cancellable is cancelled
 * @user_data: data for @callback
 *
 * Waits for @future to settle, the GIO way: @callback runs on the
 * thread-default #GMainContext of the caller, and gets the value with
 * gasync_future_wait_finish(). It runs in a later iteration, never inside
 * this call nor inside the call that settles @future. Cancelling
 * @cancellable stops the wait (not @future) with %G_IO_ERROR_CANCELLED.
 *
 * As with any GIO asynchronous call, @future is kept alive until
 * @callback has run.
 *
 * Since: 0.1
 */
void
gasync_future_wait_async (GAsyncFuture        *future,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  WaitAsync *wait;

  g_return_if_fail (GASYNC_IS_FUTURE (future));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  wait = g_new0 (WaitAsync, 1);
  wait->task = g_task_new (future, cancellable, callback, user_data);
  g_task_set_source_tag (wait->task, gasync_future_wait_async);
  g_task_set_name (wait->task, "[gasync] gasync_future_wait_async");
  wait->ref_count = 1;
  _gasync_context_job_init (&wait->job, wait_async_run);

  if (cancellable != NULL)
    {
      wait->cancellable = g_object_ref (cancellable);
      g_atomic_int_inc (&wait->ref_count);
      GASYNC_TSAN_RELEASE (cancellable);
      wait->handler = g_cancellable_connect (cancellable,
                                             G_CALLBACK (wait_async_cancelled),
                                             wait, wait_async_unref);
    }

  _gasync_future_add_dependent (future, &wait->job.node.notify);
}

/**
 * gasync_future_wait_finish:
 * @future: a #GAsyncFuture
 * @result: the #GAsyncResult given to the callback
 * @value: (out caller-allocates) (optional): a zero-filled #GValue for the
 *   value, or one initialized with a type the value converts to; or %NULL
 *   if only the outcome matters
 * @error: return location for an error
 *
 * Finishes gasync_future_wait_async(). On failure a zero-filled @value is
 * initialized to %G_TYPE_POINTER, %NULL.
 *
 * Returns: (skip): %TRUE if @future resolved (and @value, if given, was
 *   set); %FALSE with @error set if it was rejected or the wait was
 *   cancelled
 *
 * Since: 0.1
 */
gboolean
gasync_future_wait_finish (GAsyncFuture  *future,
                           GAsyncResult  *result,
                           GValue        *value,
                           GError       **error)
{
  GValue tmp = G_VALUE_INIT;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, future), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gasync_future_wait_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_task_propagate_value (G_TASK (result), &tmp, error))
    {
      gboolean ok = value == NULL || _gasync_value_store (value, &tmp, error);

      g_value_unset (&tmp);
      if (ok)
        return TRUE;
    }

  _gasync_value_init_for_error (value);
  return FALSE;
}

/* Blocking wait: a condition variable, no main context involved */

typedef struct
{
  GAsyncNotify  notify;
  GMutex        mutex;
  GCond         cond;
  gboolean      done;        /* protected by mutex */
  gint          ref_count;   /* atomic: the waiter, the notify */
} BlockingWait;

static void
blocking_wait_unref (BlockingWait *wait)
{
  if (!g_atomic_int_dec_and_test (&wait->ref_count))
    return;

  g_mutex_clear (&wait->mutex);
  g_cond_clear (&wait->cond);
  g_free (wait);
}

static void
blocking_wait_wake (BlockingWait *wait)
{
  gasync_mutex_lock (&wait->mutex);
  wait->done = TRUE;
  g_cond_broadcast (&wait->cond);
  gasync_mutex_unlock (&wait->mutex);
}

static void
blocking_wait_notify (GAsyncNotify *notify,
                      GAsyncFuture *completed)
{
  BlockingWait *wait = (BlockingWait *) notify;

  blocking_wait_wake (wait);
  blocking_wait_unref (wait);
}

static void
blocking_wait_cancelled (GCancellable *cancellable,
                         gpointer      data)
{
  GASYNC_TSAN_ACQUIRE (cancellable);
  blocking_wait_wake (data);
}

/* Blocks until @future settles or @cancellable is cancelled. The caller
 * holds a reference on @future for the duration. */
static void
blocking_wait_until_woken (GAsyncFuture *future,
                           GCancellable *cancellable)
{
  BlockingWait *wait = g_new0 (BlockingWait, 1);
  gulong handler = 0;

  g_mutex_init (&wait->mutex);
  g_cond_init (&wait->cond);
  wait->notify.func = blocking_wait_notify;
  wait->ref_count = 2;
  _gasync_future_add_dependent (future, &wait->notify);

  if (cancellable != NULL)
    {
      GASYNC_TSAN_RELEASE (cancellable);
      handler = g_cancellable_connect (cancellable, G_CALLBACK (blocking_wait_cancelled), wait, NULL);
    }

  gasync_mutex_lock (&wait->mutex);
  while (!wait->done)
    gasync_cond_wait (&wait->cond, &wait->mutex);
  gasync_mutex_unlock (&wait->mutex);

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  /* The disconnect waited (with GLib's locks) for the handler's unlock. */
  GASYNC_TSAN_ACQUIRE (&wait->mutex);
  /* Woken by the cancellable: we no longer depend on @future (which is
   * not cancelled: only the wait stops). */
  if (_gasync_future_withdraw (future, &wait->notify, FALSE))
    blocking_wait_unref (wait);
  blocking_wait_unref (wait);
}

/**
 * gasync_future_wait:
 * @future: a #GAsyncFuture
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @value: (out caller-allocates) (optional): a zero-filled #GValue for the
 *   value, or one initialized with a type the value converts to; or %NULL
 *   if only the outcome matters
 * @error: return location for an error
 *
 * Blocks the calling thread until @future settles, without iterating any
 * #GMainContext. Use it for futures settled by other threads (a runtime
 * task, a channel); to drive GIO work from synchronous code use
 * gasync_block_on() instead, which iterates a private context.
 *
 * Fails at once with %GASYNC_ERROR_WOULD_DEADLOCK on an async worker
 * thread of a #GAsyncRuntime, even when @future has already settled (read
 * a settled future with gasync_future_get_value() there). Cancelling @cancellable stops the wait (not
 * @future) with %G_IO_ERROR_CANCELLED. On failure a zero-filled @value is
 * initialized to %G_TYPE_POINTER, %NULL.
 *
 * The wait holds a reference on @future until it returns, as GIO's
 * calls hold their source object: the caller may lend its pointer to a
 * waiting thread and to a resolving thread without a reference of their
 * own. So the wait never reports %GASYNC_ERROR_DROPPED for a future that
 * can still be settled; but a future that nobody will ever settle (its
 * promise's owner lost it) makes it wait until @cancellable is cancelled,
 * so pass one, or bound the wait as below, where that can happen. A
 * future whose last reference is dropped does reject with
 * %GASYNC_ERROR_DROPPED, which wakes the waiters of its continuations and
 * gasync_block_on().
 *
 * To bound the wait in time, wait for gasync_future_with_timeout() of
 * @future instead: it rejects with %GASYNC_ERROR_TIMED_OUT after the
 * deadline, and then also cancels @future so that its producer stops.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (future, 500);
 *
 * if (!gasync_future_wait (bounded, NULL, &value, &error))
 *   return FALSE;
 * ]|
 *
 * Returns: (skip): %TRUE if @future resolved (and @value, if given, was
 *   set)
 *
 * Since: 0.1
 */
gboolean
gasync_future_wait (GAsyncFuture  *future,
                    GCancellable  *cancellable,
                    GValue        *value,
                    GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (future), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Refused on an async worker even when @future is already settled, so
   * that the mistake shows on the first run, not only under load. */
  if (!_gasync_check_may_block ("gasync_future_wait()", error))
    goto fail;

  if (_gasync_future_peek_state (future) != GASYNC_FUTURE_PENDING)
    return gasync_future_get_value (future, value, error);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  /* Our own reference for as long as we wait, as a GIO call keeps its
   * source object: the caller may lend us a pointer that only it holds. */
  g_object_ref (future);
  blocking_wait_until_woken (future, cancellable);
  if (_gasync_future_peek_state (future) != GASYNC_FUTURE_PENDING)
    {
      gboolean ret = gasync_future_get_value (future, value, error);

      g_object_unref (future);
      return ret;
    }
  g_object_unref (future);

  /* Still pending: only the cancellable wakes the wait early. */
  g_cancellable_set_error_if_cancelled (cancellable, error);

fail:
  _gasync_value_init_for_error (value);
  return FALSE;
}
