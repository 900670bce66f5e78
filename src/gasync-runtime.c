/* gasync-runtime.c: GAsyncRuntime: new, default, spawn*, shutdown
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The top layer of the runtime, over the workers, the blocking pool, the
 * task future and the core (see gasync-runtime-core-private.h).
 */

#include "config.h"

#include "gasync-blocking-pool-private.h"
#include "gasync-debug-private.h"
#include "gasync-error.h"
#include "gasync-i18n-private.h"
#include "gasync-runtime.h"
#include "gasync-runtime-worker-private.h"
#include "gasync-task-private.h"

/**
 * GAsyncRuntime:
 *
 * Threads that run spawned tasks: async workers, each iterating its own
 * #GMainContext, and a separate pool of threads for blocking work.
 *
 * gasync_runtime_spawn() (or gasync_spawn(), on the default runtime) runs
 * a #GAsyncFunc on one of the async workers and returns at once with a
 * #GAsyncFuture, the task's *handle*, which settles like the future the
 * function returned. gasync_runtime_spawn_blocking() runs a
 * #GAsyncThreadFunc, which may block, on the blocking pool.
 * gasync_spawn_local() runs a #GAsyncFunc on a #GMainContext of your
 * choosing (the GTK main context, say) instead of a worker.
 *
 * |[<!-- language="C" -->
 * static GAsyncFuture *
 * fetch (GCancellable *cancellable,
 *        gpointer      user_data)
 * {
 *   GFile *file = user_data;
 *   GAsyncPromise *promise = gasync_promise_new ();
 *
 *   // Runs on a worker with the worker's context as thread-default, so
 *   // the operation completes on that worker, not on the caller's loop.
 *   g_file_load_contents_async (file, cancellable,
 *                               gasync_promise_gio_callback,
 *                               g_object_ref (promise));
 *   return GASYNC_FUTURE (promise);
 * }
 *
 * g_autoptr(GAsyncFuture) handle = NULL;
 *
 * handle = gasync_spawn (fetch, g_object_ref (file), g_object_unref);
 * // … the caller goes on; later, on its own context:
 * g_autoptr(GAsyncFuture) done = gasync_future_and_then (handle, on_loaded, self, NULL);
 * ]|
 *
 * ## The handle
 *
 * The handle is the task's join handle and its only link to the caller:
 *
 * - dropping it *detaches* the task: it still runs to completion (fire
 *   and forget);
 * - gasync_future_cancel() on it rejects it at once with
 *   %G_IO_ERROR_CANCELLED and cancels the #GCancellable the function was
 *   given. A task cancelled before it started never runs;
 * - the function's result, or its error, reaches it; a function that
 *   returns %NULL rejects it with %GASYNC_ERROR_INVALID_ARGUMENT;
 * - continuations registered on it run on the context of whoever
 *   registered them, never on a worker (unless registered from one).
 *
 * ## Where things run
 *
 * A spawned #GAsyncFunc runs on an async worker, with the worker's
 * #GMainContext pushed as thread-default: GIO operations it starts, and
 * continuations it registers, complete on that worker. Async workers must
 * never block: gasync_block_on() and gasync_future_wait() called on one
 * fail at once with %GASYNC_ERROR_WOULD_DEADLOCK. Use
 * gasync_runtime_spawn_blocking() for blocking calls.
 *
 * The #GDestroyNotify of a task's data runs exactly once, on the thread
 * that ran the function, once the task no longer needs the data: right
 * after a #GAsyncThreadFunc returns, or when the future a #GAsyncFunc
 * returned settles (on the same worker). It runs before the handle
 * settles, so code that sees the handle settled may rely on it having
 * run. If the function never runs (the task was cancelled before it
 * started, or the runtime was shut down), it runs on the thread that
 * discarded the task.
 *
 * Work reaches the workers through one shared queue. A worker that finds
 * it empty parks in its main context's poll; spawning wakes a parked
 * worker only when no other wake-up is already on its way, and a worker
 * that finds more work than it took wakes the next one, so a burst of
 * spawns while the workers are busy costs no system call per task.
 *
 * ## The blocking pool
 *
 * gasync_runtime_spawn_blocking() runs its function on a pool of threads
 * kept apart from the async workers, so blocking work never starves
 * them. The pool starts empty and grows on demand:
 *
 * - a task that finds no idle thread starts one at once, up to 4 threads
 *   (or the number of processors, if more);
 * - beyond that, whenever the oldest queued task has waited 1 ms, one more
 *   thread is started, up to #GAsyncRuntime:max-blocking-threads
 *   (%GASYNC_RUNTIME_DEFAULT_MAX_BLOCKING_THREADS by default). Past the
 *   cap, tasks wait in order for a thread.
 *
 * So a burst of short tasks is run by a few threads that take one task
 * after the other without sleeping, while tasks that block, or wait for
 * one another, get the threads they need: unlike #GTask's shared pool,
 * tasks that wait for one another do not livelock as long as they fit
 * under the cap. A spawn wakes an idle thread only when no thread already
 * on its way would take the task. Threads idle for 10 seconds exit.
 *
 * ## Shutdown and finalization
 *
 * gasync_runtime_shutdown() closes the runtime (later spawns reject with
 * %GASYNC_ERROR_CLOSED), *drains* it (tasks already queued still run, and
 * it waits until every task has finished) and joins all its threads. If
 * its cancellable is cancelled, it *cancels* instead: tasks not started
 * yet are rejected with %G_IO_ERROR_CANCELLED without running, running
 * tasks' handles are cancelled (which cancels the #GCancellable their
 * function got), and it then waits only for those to return before it
 * joins the threads. A task that ignores its cancellable delays that, as
 * it would delay g_thread_join().
 *
 * Dropping the last reference to a runtime that was not shut down closes
 * it without blocking: queued and running tasks finish (as detached
 * tasks do) and the threads then exit on their own; no thread is left
 * behind. If nothing is running, the threads are joined right away.
 *
 * ## The default runtime
 *
 * gasync_runtime_get_default() creates, on first use, a runtime that lives
 * for the rest of the process. Its number of async workers is the value
 * of the environment variable `GASYNC_WORKERS` if set, or
 * g_get_num_processors().
 *
 * ## Bindings
 *
 * Python functions may be spawned on workers. GJS cannot run JavaScript on
 * another thread: from GJS, use gasync_spawn_local() on the main context
 * and let the runtime's workers run C code.
 *
 * ## Thread safety
 *
 * Every function here may be called from any thread, including from
 * inside a task, except that gasync_runtime_shutdown() refuses (with
 * %GASYNC_ERROR_WOULD_DEADLOCK) to run on an async worker or on one of the
 * runtime's own blocking threads.
 *
 * Since: 0.1
 */

struct _GAsyncRuntime
{
  GObject   parent_instance;

  guint     n_workers;       /* construct-only */
  guint     max_blocking;    /* construct-only */
  RtCore   *core;            /* owned, set in constructed */
};

enum {
  PROP_0,
  PROP_N_WORKERS,
  PROP_MAX_BLOCKING_THREADS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (GAsyncRuntime, gasync_runtime, G_TYPE_OBJECT)

/* The core, from the top: the layers below never call up here (see
 * gasync-runtime-core-private.h). */

static RtCore *
runtime_core_new (guint n_workers,
                  guint max_blocking)
{
  RtCore *core = _gasync_rt_core_new (n_workers, max_blocking);

  _gasync_blocking_pool_init (core);
  _gasync_workers_start (core);
  return core;
}

/* Cancel mode: discard what has not started, cancel what runs. */
static void
runtime_core_abort (RtCore *core)
{
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_object_unref);
  GAsyncTaskFuture **queued, **bl_queued;
  guint n_queued, n_bl_queued;

  gasync_mutex_lock (&core->lock);
  g_atomic_int_set (&core->aborting, TRUE);
  queued = _gasync_workers_steal_queue_locked (core, &n_queued);
  for (GAsyncTaskFuture *t = core->pending; t != NULL; t = t->pending_next)
    g_ptr_array_add (running, g_object_ref (t));
  gasync_mutex_unlock (&core->lock);

  bl_queued = _gasync_blocking_pool_steal (core, running, &n_bl_queued);

  for (guint i = 0; i < n_queued; i++)
    _gasync_task_discard (queued[i], _gasync_task_not_started_error ());
  for (guint i = 0; i < n_bl_queued; i++)
    _gasync_task_discard (bl_queued[i], _gasync_task_not_started_error ());
  g_free (queued);
  g_free (bl_queued);

  for (guint i = 0; i < running->len; i++)
    gasync_future_cancel (g_ptr_array_index (running, i));
}

/* Joins every thread; the runtime must be stopped, and this is not one of
 * its threads. */
static void
runtime_core_join (RtCore *core)
{
  BlockingThread *threads = _gasync_blocking_pool_take_threads (core);

  _gasync_workers_join (core);
  _gasync_blocking_pool_join_threads (threads);
}

/* Lets every thread exit on its own: nobody will join them. */
static void
runtime_core_detach (RtCore *core)
{
  _gasync_workers_detach (core);
  _gasync_blocking_pool_detach (core);
}

/* The runtime object's reference is going: close without blocking. */
static void
runtime_core_release (RtCore *core)
{
  gboolean join = FALSE;
  gboolean detach = FALSE;

  gasync_mutex_lock (&core->lock);
  _gasync_rt_core_close_locked (core);
  if (!core->joined && !core->joining)
    {
      core->joined = TRUE;
      /* Nothing runs: the threads exit at once, join them. Otherwise they
       * exit when the last task finishes; detach them. */
      if (core->state == STATE_STOPPED && _gasync_rt_thread_get_core () != core)
        join = TRUE;
      else
        detach = TRUE;
    }
  gasync_mutex_unlock (&core->lock);

  _gasync_rt_core_wake_all (core);

  if (join)
    runtime_core_join (core);
  else if (detach)
    runtime_core_detach (core);
}

/* GAsyncRuntime */

static void
gasync_runtime_dispose (GObject *object)
{
  GAsyncRuntime *self = GASYNC_RUNTIME (object);

  if (self->core != NULL)
    {
      runtime_core_release (self->core);
      g_clear_pointer (&self->core, _gasync_rt_core_unref);
    }

  G_OBJECT_CLASS (gasync_runtime_parent_class)->dispose (object);
}

static void
gasync_runtime_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GAsyncRuntime *self = GASYNC_RUNTIME (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS:
      g_value_set_uint (value, self->n_workers);
      break;
    case PROP_MAX_BLOCKING_THREADS:
      g_value_set_uint (value, self->max_blocking);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_runtime_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GAsyncRuntime *self = GASYNC_RUNTIME (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS:
      self->n_workers = g_value_get_uint (value);
      break;
    case PROP_MAX_BLOCKING_THREADS:
      self->max_blocking = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static guint
default_n_workers (void)
{
  const char *env = g_getenv ("GASYNC_WORKERS");

  if (env != NULL && *env != '\0')
    {
      guint64 n;

      if (g_ascii_string_to_unsigned (env, 10, 1, 1024, &n, NULL))
        return (guint) n;
      g_warning ("Ignoring GASYNC_WORKERS=“%s”: expected a number from 1 to 1024", env);
    }

  return MAX (g_get_num_processors (), 1);
}

static void
gasync_runtime_constructed (GObject *object)
{
  GAsyncRuntime *self = GASYNC_RUNTIME (object);

  G_OBJECT_CLASS (gasync_runtime_parent_class)->constructed (object);

  if (self->n_workers == 0)
    self->n_workers = default_n_workers ();
  if (self->max_blocking == 0)
    self->max_blocking = GASYNC_RUNTIME_DEFAULT_MAX_BLOCKING_THREADS;

  self->core = runtime_core_new (self->n_workers, self->max_blocking);
}

static void
gasync_runtime_class_init (GAsyncRuntimeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = gasync_runtime_constructed;
  object_class->dispose = gasync_runtime_dispose;
  object_class->get_property = gasync_runtime_get_property;
  object_class->set_property = gasync_runtime_set_property;

  /**
   * GAsyncRuntime:n-workers:
   *
   * The number of async worker threads. 0 when constructing means the
   * default: the environment variable `GASYNC_WORKERS` if set, or
   * g_get_num_processors(); reading it gives the number actually used.
   *
   * Since: 0.1
   */
  properties[PROP_N_WORKERS] =
    g_param_spec_uint ("n-workers", NULL, NULL,
                       0, 1024, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GAsyncRuntime:max-blocking-threads:
   *
   * How many threads the blocking pool grows to at most. 0 when
   * constructing means %GASYNC_RUNTIME_DEFAULT_MAX_BLOCKING_THREADS.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_BLOCKING_THREADS] =
    g_param_spec_uint ("max-blocking-threads", NULL, NULL,
                       0, 65536, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gasync_runtime_init (GAsyncRuntime *self)
{
}

/**
 * gasync_runtime_new:
 * @n_workers: the number of async worker threads, or 0 for the default
 *   (see #GAsyncRuntime:n-workers)
 *
 * Creates a runtime and starts its async workers. Its blocking pool
 * starts empty and grows on demand.
 *
 * Returns: (transfer full): a new #GAsyncRuntime
 *
 * Since: 0.1
 */
GAsyncRuntime *
gasync_runtime_new (guint n_workers)
{
  g_return_val_if_fail (n_workers <= 1024, NULL);

  return g_object_new (GASYNC_TYPE_RUNTIME, "n-workers", n_workers, NULL);
}

/* Read without a lock on every gasync_spawn(); g_once() would do, but its
 * hand-off happens inside libglib, where ThreadSanitizer cannot see it. */
static GAsyncRuntime *default_runtime;   /* atomic */
static GMutex         default_runtime_lock;

/**
 * gasync_runtime_get_default:
 *
 * Gets the default runtime, used by gasync_spawn() and
 * gasync_spawn_blocking(), creating it on first use. It lives for the
 * rest of the process. Its number of workers is the environment variable
 * `GASYNC_WORKERS` if set, or the number of processors.
 *
 * Returns: (transfer none): the default #GAsyncRuntime
 *
 * Since: 0.1
 */
GAsyncRuntime *
gasync_runtime_get_default (void)
{
  GAsyncRuntime *runtime = g_atomic_pointer_get (&default_runtime);

  if G_LIKELY (runtime != NULL)
    return runtime;

  gasync_mutex_lock (&default_runtime_lock);
  runtime = g_atomic_pointer_get (&default_runtime);
  if (runtime == NULL)
    {
      runtime = gasync_runtime_new (0);
      g_atomic_pointer_set (&default_runtime, runtime);
    }
  gasync_mutex_unlock (&default_runtime_lock);

  return runtime;
}

/**
 * gasync_runtime_get_n_workers:
 * @runtime: a #GAsyncRuntime
 *
 * Gets the number of async worker threads of @runtime.
 *
 * Returns: the number of async workers
 *
 * Since: 0.1
 */
guint
gasync_runtime_get_n_workers (GAsyncRuntime *runtime)
{
  g_return_val_if_fail (GASYNC_IS_RUNTIME (runtime), 0);

  return runtime->n_workers;
}

/**
 * gasync_runtime_get_max_blocking_threads:
 * @runtime: a #GAsyncRuntime
 *
 * Gets how many threads the blocking pool of @runtime grows to at most.
 *
 * Returns: the blocking pool's cap
 *
 * Since: 0.1
 */
guint
gasync_runtime_get_max_blocking_threads (GAsyncRuntime *runtime)
{
  g_return_val_if_fail (GASYNC_IS_RUNTIME (runtime), 0);

  return runtime->max_blocking;
}

/**
 * gasync_runtime_is_closed:
 * @runtime: a #GAsyncRuntime
 *
 * Checks whether gasync_runtime_shutdown() was called on @runtime, after
 * which spawning rejects with %GASYNC_ERROR_CLOSED.
 *
 * Returns: %TRUE if @runtime no longer accepts tasks
 *
 * Since: 0.1
 */
gboolean
gasync_runtime_is_closed (GAsyncRuntime *runtime)
{
  gboolean closed;

  g_return_val_if_fail (GASYNC_IS_RUNTIME (runtime), TRUE);

  gasync_mutex_lock (&runtime->core->lock);
  closed = runtime->core->state != STATE_RUNNING;
  gasync_mutex_unlock (&runtime->core->lock);

  return closed;
}

static GAsyncFuture *
invalid_argument (const char *what)
{
  return gasync_future_new_for_error (g_error_new (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                   _("Invalid argument: %s"), what));
}

static GAsyncFuture *
reject_closed (GAsyncTaskFuture *task)
{
  _gasync_task_release_data (task);
  _gasync_future_reject (TASK_HANDLE (task),
                         g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                                              _("The runtime was shut down")));
  return TASK_HANDLE (task);
}

/**
 * gasync_runtime_spawn:
 * @runtime: a #GAsyncRuntime
 * @func: (scope notified) (closure user_data) (destroy destroy): starts the
 *   task's work and returns its future
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the task is done with it
 *
 * Runs @func on one of @runtime's async workers, with the worker's
 * #GMainContext pushed as thread-default, and returns the task's handle: a
 * future that settles like the one @func returns. @func gets a
 * #GCancellable that gasync_future_cancel() on the handle cancels.
 *
 * The call returns at once and never runs @func itself. Dropping the
 * handle detaches the task, which still runs. @destroy runs on the worker
 * after the future @func returned settled, before the handle settles (see
 * #GAsyncRuntime for the exact rules).
 *
 * May be called from any thread. Once @runtime is shut down, the handle is
 * already rejected with %GASYNC_ERROR_CLOSED (and @destroy has run).
 *
 * Returns: (transfer full): the task's handle
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_runtime_spawn (GAsyncRuntime  *runtime,
                      GAsyncFunc      func,
                      gpointer        user_data,
                      GDestroyNotify  destroy)
{
  GAsyncTaskFuture *task;
  RtCore *core;
  Worker *worker;

  g_return_val_if_fail (GASYNC_IS_RUNTIME (runtime), invalid_argument ("runtime"));
  g_return_val_if_fail (func != NULL, invalid_argument ("func"));

  core = runtime->core;
  task = _gasync_task_new (core, TASK_ASYNC, func, user_data, destroy);

  gasync_mutex_lock (&core->lock);
  if G_UNLIKELY (core->state != STATE_RUNNING)
    {
      gasync_mutex_unlock (&core->lock);
      return reject_closed (task);
    }
  g_atomic_int_inc (&core->outstanding);
  core->n_spawned++;
  /* The queue's reference; the caller gets the one from _gasync_task_new(). */
  worker = _gasync_workers_push_locked (core, g_object_ref (task));
  gasync_mutex_unlock (&core->lock);

  if (worker != NULL)
    g_main_context_wakeup (worker->context);

  return TASK_HANDLE (task);
}

/**
 * gasync_runtime_spawn_blocking:
 * @runtime: a #GAsyncRuntime
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   blocking work
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, right after @func returned
 *
 * Runs @func on @runtime's blocking pool and returns the task's handle,
 * which resolves with the value @func set (a %G_TYPE_POINTER %NULL if it
 * set none) or rejects with its error. The pool grows on demand up to
 * #GAsyncRuntime:max-blocking-threads (see #GAsyncRuntime for how).
 *
 * Otherwise as gasync_runtime_spawn(): the handle detaches when dropped,
 * cancelling it cancels the #GCancellable @func got, and @destroy runs on
 * the pool thread before the handle settles.
 *
 * Returns: (transfer full): the task's handle
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_runtime_spawn_blocking (GAsyncRuntime    *runtime,
                               GAsyncThreadFunc  func,
                               gpointer          user_data,
                               GDestroyNotify    destroy)
{
  GAsyncTaskFuture *task;
  RtCore *core;

  g_return_val_if_fail (GASYNC_IS_RUNTIME (runtime), invalid_argument ("runtime"));
  g_return_val_if_fail (func != NULL, invalid_argument ("func"));

  core = runtime->core;
  task = _gasync_task_new (core, TASK_BLOCKING, func, user_data, destroy);

  gasync_mutex_lock (&core->lock);
  if G_UNLIKELY (core->state != STATE_RUNNING)
    {
      gasync_mutex_unlock (&core->lock);
      return reject_closed (task);
    }
  g_atomic_int_inc (&core->outstanding);
  core->n_spawned++;
  gasync_mutex_unlock (&core->lock);

  /* The growth policy is the pool's: see bl_grow_locked(). */
  _gasync_blocking_pool_submit (core, task);

  return TASK_HANDLE (task);
}

static void
shutdown_cancelled (GCancellable *cancellable,
                    gpointer      data)
{
  RtCore *core = data;

  GASYNC_TSAN_ACQUIRE (cancellable);
  gasync_mutex_lock (&core->lock);
  g_cond_broadcast (&core->cond);
  gasync_mutex_unlock (&core->lock);
}

/* Shutdown blocks: refuse it where it could only deadlock. */
static gboolean
shutdown_may_block (RtCore  *core,
                    GError **error)
{
  if (!_gasync_check_may_block ("gasync_runtime_shutdown()", error))
    return FALSE;
  if (_gasync_rt_thread_get_core () == core)
    {
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK,
                           _("gasync_runtime_shutdown() was called on one of the runtime’s own "
                             "threads, which it would have to join"));
      return FALSE;
    }
  return TRUE;
}

/* Closes the runtime and waits until it stops, cancelling its tasks if
 * @cancellable is (or gets) cancelled. Returns with core->lock held, and
 * whether it cancelled. */
static gboolean
shutdown_drain_and_lock (RtCore       *core,
                         GCancellable *cancellable)
{
  gboolean cancelled = FALSE;

  gasync_mutex_lock (&core->lock);
  _gasync_rt_core_close_locked (core);
  while (core->state != STATE_STOPPED)
    {
      if (!cancelled && g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          gasync_mutex_unlock (&core->lock);
          runtime_core_abort (core);
          gasync_mutex_lock (&core->lock);
          continue;
        }
      gasync_cond_wait (&core->cond, &core->lock);
    }

  return cancelled;
}

/* Joins the threads if no other shutdown does (@join), or waits until the
 * one that does has. */
static void
shutdown_join (RtCore   *core,
               gboolean  join)
{
  if (join)
    {
      runtime_core_join (core);
      gasync_mutex_lock (&core->lock);
      core->joined = TRUE;
      g_cond_broadcast (&core->cond);
      gasync_mutex_unlock (&core->lock);
    }
  else
    {
      gasync_mutex_lock (&core->lock);
      while (!core->joined)
        gasync_cond_wait (&core->cond, &core->lock);
      gasync_mutex_unlock (&core->lock);
    }
}

/**
 * gasync_runtime_shutdown:
 * @runtime: a #GAsyncRuntime
 * @cancellable: (nullable): cancel it to stop draining and cancel the
 *   tasks instead
 * @error: return location for an error
 *
 * Shuts @runtime down: later spawns reject with %GASYNC_ERROR_CLOSED,
 * tasks already queued still run, and once every task has finished, all
 * of @runtime's threads are joined.
 *
 * If @cancellable is (or gets) cancelled, tasks that have not started are
 * rejected with %G_IO_ERROR_CANCELLED without running, the handles of
 * running tasks are cancelled (and so the #GCancellable their function
 * got), and the call then waits for the running functions to return
 * before it joins the threads and fails with %G_IO_ERROR_CANCELLED. So
 * passing an already cancelled @cancellable shuts down without draining.
 *
 * Calling it again, or from several threads, is allowed: every call
 * returns once the threads are joined. It blocks, so it fails at once with
 * %GASYNC_ERROR_WOULD_DEADLOCK on an async worker of any runtime or on a
 * blocking thread of @runtime itself.
 *
 * Returns: (skip): %TRUE if every task finished; %FALSE with @error set
 *   if the drain was cancelled (the runtime is shut down either way) or
 *   the call was refused
 *
 * Since: 0.1
 */
gboolean
gasync_runtime_shutdown (GAsyncRuntime  *runtime,
                         GCancellable   *cancellable,
                         GError        **error)
{
  RtCore *core;
  gulong handler = 0;
  gboolean cancelled;
  gboolean join = FALSE;

  g_return_val_if_fail (GASYNC_IS_RUNTIME (runtime), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  core = runtime->core;

  if (!shutdown_may_block (core, error))
    return FALSE;

  if (cancellable != NULL)
    {
      GASYNC_TSAN_RELEASE (cancellable);
      handler = g_cancellable_connect (cancellable, G_CALLBACK (shutdown_cancelled), core, NULL);
    }

  cancelled = shutdown_drain_and_lock (core, cancellable);
  if (!core->joined && !core->joining)
    {
      core->joining = TRUE;
      join = TRUE;
    }
  gasync_mutex_unlock (&core->lock);

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  _gasync_rt_core_wake_all (core);
  shutdown_join (core, join);

  if G_UNLIKELY (_gasync_debug_pending)
    _gasync_debug_pending_report ("gasync_runtime_shutdown()");

  if (cancelled)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The shutdown was cancelled; queued tasks were discarded"));
      return FALSE;
    }

  return TRUE;
}

static void
stats_add_uint (GVariantBuilder *builder,
                const char      *key,
                guint64          value)
{
  g_variant_builder_add (builder, "{sv}", key, g_variant_new_uint64 (value));
}

/**
 * gasync_runtime_get_stats:
 * @runtime: a #GAsyncRuntime
 *
 * Takes a snapshot of what @runtime is doing, for debugging and
 * monitoring, as a dictionary (`a{sv}`) of `uint64` values:
 *
 * - `tasks-spawned`: tasks accepted since @runtime was created
 *   (gasync_runtime_spawn() and gasync_runtime_spawn_blocking())
 * - `tasks-outstanding`: of those, the tasks not finished yet
 * - `tasks-queued`: of those, the tasks waiting for a worker or a
 *   blocking thread (`tasks-queued-async` and `tasks-queued-blocking`)
 * - `tasks-running`: the outstanding tasks that started: running now, or
 *   an async task whose future is still pending
 * - `async-workers`, `async-workers-idle`: the async workers, and those
 *   parked with nothing to do
 * - `blocking-threads`, `blocking-threads-idle`,
 *   `blocking-threads-max`: the blocking pool's live threads, those
 *   waiting for work, and the most it may start
 * - `channel-send-waiters`, `channel-recv-waiters`: in the whole process
 *   (channels belong to no runtime), the sends waiting for room in a full
 *   channel and the receives waiting for an item: threads blocked in
 *   gasync_sender_send() or gasync_receiver_recv(), and pending futures of
 *   gasync_sender_send_future() or gasync_receiver_recv_future()
 *
 * The counters are read one lock at a time, so they may disagree by a
 * task that moved in between.
 *
 * Returns: (transfer full): a new `a{sv}` #GVariant
 *
 * Since: 0.1
 */
GVariant *
gasync_runtime_get_stats (GAsyncRuntime *runtime)
{
  RtCore *core;
  GVariantBuilder builder;
  guint64 spawned, outstanding, queued, bl_queued, bl_alive, bl_idle = 0;
  guint workers_idle = 0;

  g_return_val_if_fail (GASYNC_IS_RUNTIME (runtime), NULL);

  core = runtime->core;
  gasync_mutex_lock (&core->lock);
  spawned = core->n_spawned;
  outstanding = (guint) g_atomic_int_get (&core->outstanding);
  queued = core->queue.len;
  for (Worker *w = core->idle; w != NULL; w = w->next_idle)
    workers_idle++;
  gasync_mutex_unlock (&core->lock);

  gasync_mutex_lock (&core->bl_lock);
  bl_queued = core->bl_queue.len;
  bl_alive = core->bl_n_alive;
  for (BlockingThread *bt = core->bl_idle; bt != NULL; bt = bt->next_idle)
    bl_idle++;
  gasync_mutex_unlock (&core->bl_lock);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  stats_add_uint (&builder, "tasks-spawned", spawned);
  stats_add_uint (&builder, "tasks-outstanding", outstanding);
  stats_add_uint (&builder, "tasks-queued", queued + bl_queued);
  stats_add_uint (&builder, "tasks-queued-async", queued);
  stats_add_uint (&builder, "tasks-queued-blocking", bl_queued);
  stats_add_uint (&builder, "tasks-running",
                  outstanding > queued + bl_queued ? outstanding - queued - bl_queued : 0);
  stats_add_uint (&builder, "async-workers", core->n_workers);
  stats_add_uint (&builder, "async-workers-idle", workers_idle);
  stats_add_uint (&builder, "blocking-threads", bl_alive);
  stats_add_uint (&builder, "blocking-threads-idle", bl_idle);
  stats_add_uint (&builder, "blocking-threads-max", core->max_blocking);
  /* Process-wide: channels belong to no runtime. */
  stats_add_uint (&builder, "channel-send-waiters",
                  (guint) g_atomic_int_get (&_gasync_debug_channel_waiters[GASYNC_DEBUG_SEND_WAITERS]));
  stats_add_uint (&builder, "channel-recv-waiters",
                  (guint) g_atomic_int_get (&_gasync_debug_channel_waiters[GASYNC_DEBUG_RECV_WAITERS]));

  return g_variant_builder_end (&builder);
}

/**
 * gasync_spawn:
 * @func: (scope notified) (closure user_data) (destroy destroy): starts the
 *   task's work and returns its future
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the task is done with it
 *
 * Runs @func on the default runtime's async workers; see
 * gasync_runtime_spawn().
 *
 * Returns: (transfer full): the task's handle
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_spawn (GAsyncFunc     func,
              gpointer       user_data,
              GDestroyNotify destroy)
{
  return gasync_runtime_spawn (gasync_runtime_get_default (), func, user_data, destroy);
}

/**
 * gasync_spawn_blocking:
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   blocking work
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, right after @func returned
 *
 * Runs @func on the default runtime's blocking pool; see
 * gasync_runtime_spawn_blocking().
 *
 * Returns: (transfer full): the task's handle
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_spawn_blocking (GAsyncThreadFunc func,
                       gpointer         user_data,
                       GDestroyNotify   destroy)
{
  return gasync_runtime_spawn_blocking (gasync_runtime_get_default (), func, user_data, destroy);
}

/**
 * gasync_spawn_local:
 * @context: (nullable): the #GMainContext to run on, or %NULL for the
 *   global default context
 * @func: (scope notified) (closure user_data) (destroy destroy): starts the
 *   task's work and returns its future
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the task is done with it
 *
 * Runs @func on @context, in a later iteration of it (never inside this
 * call), with @context pushed as thread-default, and returns the task's
 * handle. Use it to run work on a main loop you own, such as a GTK
 * application's, from any thread; it is also how GJS spawns tasks.
 *
 * The handle behaves as with gasync_runtime_spawn(), and @destroy runs on
 * @context's thread. @context must be iterated until the task has run.
 *
 * Returns: (transfer full): the task's handle
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_spawn_local (GMainContext   *context,
                    GAsyncFunc      func,
                    gpointer        user_data,
                    GDestroyNotify  destroy)
{
  GAsyncTaskFuture *task;

  g_return_val_if_fail (func != NULL, invalid_argument ("func"));

  if (context == NULL)
    context = g_main_context_default ();

  task = _gasync_task_new_local (context, func, user_data, destroy);
  /* The dispatcher's reference; the task's run hands it on. */
  g_object_ref (task);
  _gasync_dispatcher_push (_gasync_dispatcher_for_context (context), &task->job.node.item);

  return TASK_HANDLE (task);
}
