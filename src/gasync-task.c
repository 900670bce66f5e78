/* gasync-task.c: the task future, what spawning returns
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A spawned task and its handle are one object. This file runs a task
 * (async or blocking) on whatever thread its caller chose, gives it its
 * cancellable, and delivers its result or error to the handle; it knows
 * nothing of queues or threads, and tells the runtime core only that a
 * task is done (see gasync-runtime-core-private.h for the layers).
 */

#include "config.h"

#include <string.h>

#include "gasync-debug-private.h"
#include "gasync-error.h"
#include "gasync-handler-check-private.h"
#include "gasync-i18n-private.h"
#include "gasync-task-private.h"
#include "gasync-trace-private.h"

G_DEFINE_FINAL_TYPE (GAsyncTaskFuture, gasync_task_future, GASYNC_TYPE_FUTURE)

/* A task without a name is named after its function, only when asked. */
static const char *
task_default_name (gpointer instance)
{
  GAsyncTaskFuture *task = instance;

  if (task->kind == TASK_BLOCKING)
    return _gasync_debug_function_name ((gpointer) task->func.blocking);
  return _gasync_debug_function_name ((gpointer) task->func.async);
}

static void
gasync_task_future_class_init (GAsyncTaskFutureClass *klass)
{
  _gasync_debug_set_default_namer (GASYNC_TYPE_TASK_FUTURE, task_default_name);
  _gasync_future_type_add (G_TYPE_FROM_CLASS (klass));
}

static void
gasync_task_future_init (GAsyncTaskFuture *self)
{
}

/* The unchecked read: a task only ever looks at its own handle and at
 * futures its function returned, already type-checked. */
static inline gboolean
future_is_pending (GAsyncFuture *future)
{
  return _gasync_future_peek_state (future) == GASYNC_FUTURE_PENDING;
}

GAsyncTaskFuture *
_gasync_task_new (RtCore         *core,
                  TaskKind        kind,
                  gpointer        func,
                  gpointer        user_data,
                  GDestroyNotify  destroy)
{
  GAsyncTaskFuture *task = (GAsyncTaskFuture *) _gasync_future_pool_take (GASYNC_TYPE_TASK_FUTURE);

  if (task != NULL)
    /* A handle this thread dropped: its state machine is pending and
     * empty again, and what the task itself held was released when it
     * settled (see task_done() and task_async_settled()). */
    memset ((char *) task + sizeof (GAsyncFuture), 0, sizeof *task - sizeof (GAsyncFuture));
  else
    /* No properties: skip g_object_new()'s varargs walk. */
    task = (GAsyncTaskFuture *) g_object_new_with_properties (GASYNC_TYPE_TASK_FUTURE, 0, NULL, NULL);

  task->core = core;
  task->kind = kind;
  if (kind == TASK_BLOCKING)
    task->func.blocking = (GAsyncThreadFunc) func;
  else
    task->func.async = (GAsyncFunc) func;
  task->user_data = user_data;
  task->destroy = destroy;

  return task;
}

/* Runs the destroy notify of the task's data, once. */
void
_gasync_task_release_data (GAsyncTaskFuture *task)
{
  GDestroyNotify destroy = g_steal_pointer (&task->destroy);
  gpointer user_data = g_steal_pointer (&task->user_data);

  if (destroy != NULL)
    destroy (user_data);
}

/* The task is done with its data: release it and stop counting it, and
 * only then settle the handle, so that whoever sees the handle settled
 * may rely on both (a runtime dropped after its last handle settled is
 * idle, and joins its threads at once). */
static void
task_done (GAsyncTaskFuture *task)
{
  _gasync_task_release_data (task);
  if (task->core != NULL)
    _gasync_rt_core_tasks_finished (task->core, 1);
}

void
_gasync_task_discard (GAsyncTaskFuture *task,
                      GError           *error)
{
  task_done (task);
  _gasync_future_reject (TASK_HANDLE (task), error);
  g_object_unref (task);
}

GError *
_gasync_task_not_started_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              _("The runtime was shut down before the task started"));
}

/* The pending list of the core: a shutdown that cancels finds there the
 * async tasks whose future is still pending. */

static void
pending_link_locked (RtCore           *core,
                     GAsyncTaskFuture *task)
{
  task->pending_prev = NULL;
  task->pending_next = core->pending;
  if (core->pending != NULL)
    core->pending->pending_prev = task;
  core->pending = task;
}

static void
pending_unlink_locked (RtCore           *core,
                       GAsyncTaskFuture *task)
{
  if (task->pending_prev != NULL)
    task->pending_prev->pending_next = task->pending_next;
  else
    core->pending = task->pending_next;
  if (task->pending_next != NULL)
    task->pending_next->pending_prev = task->pending_prev;
  task->pending_prev = task->pending_next = NULL;
}

/* Every task gets a GCancellable for gasync_future_cancel() on its handle
 * to cancel. Creating and finalizing one costs about as much as the rest
 * of a trivial task, so each thread keeps the one its last task got if
 * that task settled its handle itself and left nothing behind on it (see
 * _gasync_cancellable_is_reusable()). Cancelling the handle afterwards
 * does not touch it (only a pending future's cancellable is cancelled). */
static GCancellable *
task_give_cancellable (GAsyncTaskFuture  *task,
                       GCancellable     **spare)
{
  GAsyncFuture *handle = TASK_HANDLE (task);

  if (spare == NULL)
    return _gasync_future_ensure_cancellable (handle);
  if (*spare == NULL)
    *spare = g_cancellable_new ();
  return _gasync_future_take_cancellable (handle, g_steal_pointer (spare));
}

static void
task_recycle_cancellable (GAsyncTaskFuture  *task,
                          GCancellable     **spare)
{
  GCancellable *cancellable;

  if (spare == NULL)
    return;

  cancellable = _gasync_future_steal_cancellable (TASK_HANDLE (task));
  if (cancellable == NULL)
    return;

  if (_gasync_cancellable_is_reusable (cancellable))
    *spare = cancellable;
  else
    g_object_unref (cancellable);
}

/* Async tasks */

static const char *
spawn_function_name (GAsyncTaskFuture *task)
{
  return task->kind == TASK_LOCAL ? "gasync_spawn_local()" : "gasync_runtime_spawn()";
}

/* The future an async function returned has settled: we run on the
 * context that ran the function. */
static void
task_async_settled (GAsyncDispatchItem *item)
{
  GAsyncTaskFuture *task = (GAsyncTaskFuture *) ((char *) item - G_STRUCT_OFFSET (GAsyncTaskFuture, job.node.item));
  RtCore *core = task->core;

  if (core != NULL)
    {
      gasync_mutex_lock (&core->lock);
      pending_unlink_locked (core, task);
      gasync_mutex_unlock (&core->lock);
    }

  task_done (task);
  _gasync_future_settle_like (TASK_HANDLE (task), task->job.completed);
  _gasync_context_job_clear (&task->job);
  g_object_unref (task);
}

/* Disposes of an async task that must not run: cancelled before it
 * started, or its runtime is cancelling its tasks. Returns FALSE if it
 * may run. */
static gboolean
task_async_drop_if_not_runnable (GAsyncTaskFuture *task)
{
  /* Cancelled before it started: it never runs. */
  if (!future_is_pending (TASK_HANDLE (task)))
    {
      task_done (task);
      g_object_unref (task);
      return TRUE;
    }

  if (task->core != NULL && g_atomic_int_get (&task->core->aborting))
    {
      _gasync_task_discard (task, _gasync_task_not_started_error ());
      return TRUE;
    }

  return FALSE;
}

/* Calls the async function and returns its future, or NULL after
 * rejecting (and discarding) the task if it returned none. */
static GAsyncFuture *
task_async_call (GAsyncTaskFuture  *task,
                 GCancellable     **spare)
{
  GCancellable *cancellable = task_give_cancellable (task, spare);
  gint64 span = _gasync_trace_begin ();
  GAsyncFuture *future = task->func.async (cancellable, task->user_data);

  _gasync_trace_task_end (span, task, spawn_function_name (task));

  if G_UNLIKELY (future == NULL || !GASYNC_IS_FUTURE (future))
    {
      if (future != NULL)
        g_critical ("The function given to %s returned something that is not a GAsyncFuture",
                    spawn_function_name (task));
      _gasync_task_discard (task, g_error_new (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                               _("The function given to %s returned no future"),
                                               spawn_function_name (task)));
      return NULL;
    }

  return future;
}

/* The function returned a future that has already settled. */
static void
task_async_finish_now (GAsyncTaskFuture  *task,
                       GAsyncFuture      *future,
                       GCancellable     **spare)
{
  task_done (task);
  /* Settled by us, not cancelled: nobody else will use the cancellable. */
  if (_gasync_future_settle_like (TASK_HANDLE (task), future))
    task_recycle_cancellable (task, spare);
  _gasync_future_release (future);
  g_object_unref (task);
}

/* The function returned a pending future: wait for it on this context.
 * We keep the task, not the future: whatever settles the future holds
 * it, and if nothing does, it is dropped and rejects with DROPPED. */
static void
task_async_wait (GAsyncTaskFuture *task,
                 GAsyncFuture     *future)
{
  RtCore *core = task->core;
  gboolean aborting = FALSE;

  _gasync_context_job_init (&task->job, task_async_settled);
  if (core != NULL)
    {
      gasync_mutex_lock (&core->lock);
      pending_link_locked (core, task);
      aborting = core->aborting;
      gasync_mutex_unlock (&core->lock);
    }
  _gasync_future_add_dependent (future, &task->job.node.notify);
  g_object_unref (future);

  /* A shutdown that is cancelling tasks started after this one had begun
   * to run, and could not see it. */
  if (aborting)
    gasync_future_cancel (TASK_HANDLE (task));
}

/* Runs an async task on the current thread, whose thread-default context
 * is the one it should use, and consumes the queue's reference. */
void
_gasync_task_run_async (GAsyncTaskFuture  *task,
                        GCancellable     **spare)
{
  GAsyncFuture *future;

  if (task_async_drop_if_not_runnable (task))
    return;

  future = task_async_call (task, spare);
  if (future == NULL)
    return;

  if (!future_is_pending (future))
    task_async_finish_now (task, future, spare);
  else
    task_async_wait (task, future);
}

/* Local tasks */

/* GASYNC_DEBUG=stalls: the run, timed; the run consumes a reference. */
static void
task_local_run_timed (GAsyncTaskFuture *task,
                      GMainContext     *context)
{
  gint64 start = g_get_monotonic_time ();

  g_object_ref (task);
  _gasync_task_run_async (task, NULL);
  _gasync_debug_stall_check (start, "gasync_spawn_local() task", task,
                             (gpointer) task->func.async, context);
  g_object_unref (task);
}

static void
task_local_run (GAsyncDispatchItem *item)
{
  GAsyncTaskFuture *task = (GAsyncTaskFuture *) ((char *) item - G_STRUCT_OFFSET (GAsyncTaskFuture, job.node.item));
  GMainContext *context = g_steal_pointer (&task->local_context);

  g_main_context_push_thread_default (context);
  if G_UNLIKELY (_gasync_debug_stalls)
    task_local_run_timed (task, context);
  else
    _gasync_task_run_async (task, NULL);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

GAsyncTaskFuture *
_gasync_task_new_local (GMainContext   *context,
                        GAsyncFunc      func,
                        gpointer        user_data,
                        GDestroyNotify  destroy)
{
  GAsyncTaskFuture *task = _gasync_task_new (NULL, TASK_LOCAL, func, user_data, destroy);

  task->local_context = g_main_context_ref (context);
  task->job.node.item.func = task_local_run;
  return task;
}

/* Blocking tasks */

/* Settles the handle with what the blocking function returned. */
static void
task_blocking_deliver (GAsyncTaskFuture  *task,
                       gboolean           ok,
                       GValue            *result,
                       GError            *error,
                       GCancellable     **spare)
{
  GAsyncFuture *handle = TASK_HANDLE (task);

  if (ok)
    {
      if (error != NULL)
        {
          g_critical ("A GAsyncThreadFunc returned TRUE but set an error: %s", error->message);
          g_clear_error (&error);
        }
      if (G_VALUE_TYPE (result) == G_TYPE_INVALID)
        g_value_init (result, G_TYPE_POINTER);
      if (_gasync_future_resolve_steal (handle, result))
        task_recycle_cancellable (task, spare);
    }
  else
    {
      if (G_VALUE_TYPE (result) != G_TYPE_INVALID)
        g_value_unset (result);
      if (error == NULL)
        {
          g_critical ("A GAsyncThreadFunc returned FALSE without setting an error");
          error = g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED,
                                       _("The blocking task failed without saying why"));
        }
      _gasync_future_reject (handle, error);
    }
}

/* The cancellable of the blocking job this thread runs, or NULL: how
 * gasync_await() on a blocking-pool thread returns when the job's handle
 * is cancelled, as it does in a fiber. */
static _Thread_local GCancellable *current_blocking_cancellable
  __attribute__ ((tls_model ("initial-exec")));

GCancellable *
_gasync_task_get_blocking_cancellable (void)
{
  return current_blocking_cancellable;
}

/* Runs a blocking task; the caller keeps its reference. */
void
_gasync_task_run_blocking (GAsyncTaskFuture  *task,
                           GCancellable     **spare)
{
  GAsyncFuture *handle = TASK_HANDLE (task);
  GValue result = G_VALUE_INIT;
  GError *error = NULL;
  gboolean ok;
  gint64 span;

  if (!future_is_pending (handle))
    {
      task_done (task);
      return;
    }

  if (g_atomic_int_get (&task->core->aborting))
    {
      task_done (task);
      _gasync_future_reject (handle, _gasync_task_not_started_error ());
      return;
    }

  span = _gasync_trace_begin ();
  current_blocking_cancellable = task_give_cancellable (task, spare);
  ok = task->func.blocking (current_blocking_cancellable, &result,
                            task->user_data, &error);
  current_blocking_cancellable = NULL;
  _gasync_trace_task_end (span, task, "gasync_runtime_spawn_blocking()");
  task_done (task);
  task_blocking_deliver (task, ok, &result, error, spare);
}
