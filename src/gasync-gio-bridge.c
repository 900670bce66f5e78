/* gasync-gio-bridge.c: GIO's async pattern and futures, both ways
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gasync_promise_gio_callback() turns a GIO `_async()` call into a future
 * (a GAsyncReadyCallback that resolves a GAsyncPromise with the
 * GAsyncResult); gasync_future_return_to_task() turns a future into a
 * GTask, to implement an `_async()`/`_finish()` pair with futures. The
 * private GAsyncGioCall (gasync-gio-bridge-private.h) is the first
 * direction with the `_finish()` call included: the skeleton of every GIO
 * future of gasync-gio-*.c. Built on the promise (gasync-promise.c) and
 * the context jobs; nothing below calls into this file.
 */

#include "config.h"

#include "gasync-future-private.h"
#include "gasync-gio-bridge-private.h"
#include "gasync-promise.h"

/**
 * gasync_promise_gio_callback: (skip)
 * @source_object: (nullable): the source object of the operation
 * @result: the operation's result
 * @user_data: (transfer full): a #GAsyncPromise
 *
 * A #GAsyncReadyCallback that resolves the promise given as @user_data
 * with @result (whose source object is @source_object), and drops the
 * reference on it that the caller passed. The waiter then calls the
 * operation's `_finish()` function on the result.
 *
 * |[<!-- language="C" -->
 * g_subprocess_communicate_utf8_async (proc, NULL, cancellable,
 *                                      gasync_promise_gio_callback,
 *                                      g_object_ref (promise));
 * ]|
 *
 * Since: 0.1
 */
void
gasync_promise_gio_callback (GObject      *source_object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  GAsyncPromise *promise = user_data;

  g_return_if_fail (G_IS_ASYNC_RESULT (result));
  g_return_if_fail (GASYNC_IS_PROMISE (promise));

  gasync_promise_resolve_object (promise, result);
  g_object_unref (promise);
}

/* A GIO call as a future, with its `_finish()` call */

struct _GAsyncGioCall
{
  GAsyncPromise       *promise;  /* owned */
  GAsyncGioFinishFunc  finish;
  gpointer             data;     /* owned through @destroy, nullable */
  GDestroyNotify       destroy;
};

GAsyncGioCall *
_gasync_gio_call_new (GAsyncGioFinishFunc   finish,
                      GAsyncFuture        **future)
{
  GAsyncGioCall *call = g_new0 (GAsyncGioCall, 1);

  call->promise = gasync_promise_new ();
  call->finish = finish;
  *future = g_object_ref (GASYNC_FUTURE (call->promise));
  return call;
}

void
_gasync_gio_call_set_data (GAsyncGioCall  *call,
                           gpointer        data,
                           GDestroyNotify  destroy)
{
  call->data = data;
  call->destroy = destroy;
}

GCancellable *
_gasync_gio_call_get_cancellable (GAsyncGioCall *call)
{
  return gasync_promise_get_cancellable (call->promise);
}

/* A promise that was cancelled first stays rejected with CANCELLED:
 * settling it again does nothing. */
void
_gasync_gio_call_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GAsyncGioCall *call = user_data;
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  if (!call->finish (source, result, &value, &error))
    gasync_promise_reject (call->promise, error);
  else if (G_VALUE_TYPE (&value) != G_TYPE_INVALID)
    gasync_promise_resolve (call->promise, &value);
  else
    gasync_promise_resolve_boolean (call->promise, TRUE);

  if (G_VALUE_TYPE (&value) != G_TYPE_INVALID)
    g_value_unset (&value);
  if (call->destroy != NULL)
    call->destroy (call->data);
  g_object_unref (call->promise);
  g_free (call);
}

/* The reverse adapter: a GTask settled by a future */

typedef struct
{
  GAsyncContextJob  job;
  GTask            *task;         /* owned */
  GCancellable     *cancellable;  /* owned: the task's, if any */
  gulong            handler;
} ReturnToTask;

static void
return_to_task_cancelled (GCancellable *cancellable,
                          gpointer      future)
{
  GASYNC_TSAN_ACQUIRE (cancellable);
  /* Settles the future with CANCELLED unless it settled first, in which
   * case its outcome stands. */
  gasync_future_cancel (future);
}

/* Runs on the task's own context, from gasync's dispatcher: never inside
 * the call that settled the future (GTask would call back synchronously
 * if returned there from a later iteration on its own context). */
static void
return_to_task_run (GAsyncDispatchItem *item)
{
  ReturnToTask *rtt = (ReturnToTask *) item;

  _gasync_future_return_outcome_to_task (rtt->job.completed, rtt->task);

  /* On the task's context, never inside the handler: safe to disconnect. */
  if (rtt->handler != 0)
    g_cancellable_disconnect (rtt->cancellable, rtt->handler);
  g_clear_object (&rtt->cancellable);
  g_object_unref (rtt->task);
  _gasync_context_job_clear (&rtt->job);
  g_free (rtt);
}

/**
 * gasync_future_return_to_task:
 * @future: a #GAsyncFuture
 * @task: (transfer full): a #GTask that has not returned yet
 *
 * Returns @future's outcome on @task when @future settles: its value with
 * g_task_return_value(), or its error with g_task_return_error(). This lets
 * a library implement a classic `_async`/`_finish` pair with futures:
 *
 * |[<!-- language="C" -->
 * void
 * my_thing_frob_async (MyThing             *self,
 *                      GCancellable        *cancellable,
 *                      GAsyncReadyCallback  callback,
 *                      gpointer             user_data)
 * {
 *   g_autoptr(GAsyncFuture) future = my_thing_frob_future (self, cancellable);
 *   GTask *task = g_task_new (self, cancellable, callback, user_data);
 *
 *   g_task_set_source_tag (task, my_thing_frob_async);
 *   gasync_future_return_to_task (future, task);
 * }
 *
 * int
 * my_thing_frob_finish (MyThing       *self,
 *                       GAsyncResult  *result,
 *                       GError       **error)
 * {
 *   g_auto(GValue) value = G_VALUE_INIT;
 *
 *   if (!g_task_propagate_value (G_TASK (result), &value, error))
 *     return -1;
 *   return g_value_get_int (&value);
 * }
 * ]|
 *
 * If @task has a #GCancellable, cancelling it cancels @future
 * (gasync_future_cancel()), so the work stops and the task returns
 * %G_IO_ERROR_CANCELLED; a future that settled first keeps its outcome
 * (pair it with g_task_set_check_cancellable (task, FALSE) if that
 * outcome must win, as for a receive that already took an item).
 *
 * The function does not take a reference on @future: whatever settles it
 * keeps it alive (and, while @task has a cancellable, so does the
 * handler that cancels it). The task is returned on its own context (the one that
 * was thread-default when it was created), in a later iteration, so its
 * callback never runs inside the call that settled @future.
 *
 * Since: 0.1
 */
void
gasync_future_return_to_task (GAsyncFuture *future,
                              GTask        *task)
{
  ReturnToTask *rtt;
  GCancellable *cancellable;

  g_return_if_fail (GASYNC_IS_FUTURE (future));
  g_return_if_fail (G_IS_TASK (task));

  rtt = g_new0 (ReturnToTask, 1);
  rtt->task = task;
  cancellable = g_task_get_cancellable (task);
  _gasync_context_job_init_for_context (&rtt->job, g_main_context_ref (g_task_get_context (task)),
                                        return_to_task_run);
  _gasync_future_add_dependent (future, &rtt->job.node.notify);

  /* After the notify, so that an already-cancelled cancellable (whose
   * handler runs inside g_cancellable_connect()) settles a future we
   * already wait for. The handler keeps the future alive while it waits. */
  if (cancellable != NULL)
    {
      rtt->cancellable = g_object_ref (cancellable);
      GASYNC_TSAN_RELEASE (cancellable);
      rtt->handler = g_cancellable_connect (cancellable, G_CALLBACK (return_to_task_cancelled),
                                            g_object_ref (future), g_object_unref);
    }
}
