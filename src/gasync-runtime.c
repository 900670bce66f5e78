/* gasync-runtime.c: GAsyncRuntime, worker threads that run spawned tasks
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"
#include "gasync-runtime.h"
#include "gasync-runtime-private.h"
#include "gasync-tsan-private.h"

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

/* How many tasks a worker takes from the shared queue per lock, and how
 * many it runs per dispatch before letting its context's other sources
 * (GIO completions) run. */
#define BATCH_SIZE         32
#define MAX_PER_DISPATCH   256

/* Idle blocking threads exit after this long. */
#define BLOCKING_KEEP_ALIVE_USEC (10 * G_USEC_PER_SEC)

/* The blocking pool grows at once, when a task finds no idle thread, up to
 * this many threads (or the number of processors, if more); beyond it, by
 * one thread whenever the oldest queued task has waited this long. */
#define BLOCKING_EAGER_THREADS   4
#define BLOCKING_STARVED_MSEC    1

typedef struct _RtCore         RtCore;
typedef struct _Worker         Worker;
typedef struct _BlockingThread BlockingThread;

typedef enum {
  TASK_ASYNC,
  TASK_BLOCKING,
  TASK_LOCAL,
} TaskKind;

typedef enum {
  STATE_RUNNING,
  STATE_CLOSED,      /* no new tasks; draining */
  STATE_STOPPED,     /* every task finished; threads told to exit */
} RtState;

/* The handle of a spawned task, and the task itself: one allocation. */
#define GASYNC_TYPE_TASK_FUTURE (gasync_task_future_get_type ())
G_DECLARE_FINAL_TYPE (GAsyncTaskFuture, gasync_task_future, GASYNC, TASK_FUTURE, GAsyncFuture)

struct _GAsyncTaskFuture
{
  GAsyncFuture       parent_instance;

  /* Written before the task is queued and read by the thread that runs
   * it; the queue's lock (or the dispatcher's) orders the two. */
  RtCore            *core;            /* NULL for gasync_spawn_local() */
  TaskKind           kind;
  union {
    GAsyncFunc       async;
    GAsyncThreadFunc blocking;
  } func;
  gpointer           user_data;
  GDestroyNotify     destroy;
  GMainContext      *local_context;   /* owned, gasync_spawn_local() only */
  gint64             queued_at;       /* blocking tasks: when they were queued */

  /* An async function returned a pending future: this job finishes the
   * task on the context that ran it. gasync_spawn_local() first uses the
   * job's node as the dispatch item that reaches its context. */
  GAsyncContextJob   job;

  /* protected by core->lock: linked in core->pending while the job waits */
  GAsyncTaskFuture  *pending_prev;
  GAsyncTaskFuture  *pending_next;
};

G_DEFINE_FINAL_TYPE (GAsyncTaskFuture, gasync_task_future, GASYNC_TYPE_FUTURE)

/* A task is its handle: no checked cast on the hot paths. */
#define TASK_HANDLE(task) ((GAsyncFuture *) (task))

typedef struct
{
  GAsyncTaskFuture **items;
  guint              capacity;   /* a power of two, or 0 */
  guint              head;
  guint              len;
} TaskRing;

struct _Worker
{
  RtCore       *core;
  GThread      *thread;        /* owned until joined or detached */
  GMainContext *context;       /* owned by the core */
  GSource      *source;        /* owned by the core; attached to context */

  /* protected by core->lock */
  Worker       *next_idle;
  gboolean      idle;          /* parked, in core->idle */
  gint          woken;         /* atomic reads; written under core->lock */

  /* the worker thread only */
  gboolean      quit;
  GCancellable *spare;         /* a cancellable to give the next task */
};

struct _BlockingThread
{
  RtCore           *core;
  GCond             cond;      /* with bl_lock: this thread is woken */

  /* protected by bl_lock */
  GThread          *thread;    /* owned until joined or detached */
  GAsyncTaskFuture *current;   /* the task running now */
  BlockingThread   *next;      /* in core->bl_threads */
  BlockingThread   *next_idle; /* in core->bl_idle */
  gboolean          idle;      /* waiting, in core->bl_idle */
  gboolean          woken;     /* told to look at the queue */
  gboolean          exited;

  /* the thread only */
  GCancellable     *spare;     /* a cancellable to give the next task */
};

struct _RtCore
{
  gint              ref_count;     /* atomic: the runtime object, each thread */
  guint             n_workers;     /* immutable */
  guint             max_blocking;  /* immutable */
  Worker           *workers;       /* immutable array of n_workers */

  /* Spawned tasks that have not finished (their handle may have settled
   * early by cancellation). Atomic; incremented under lock. */
  gint              outstanding;
  /* Atomic mirrors of fields below, for lock-free peeks. */
  gint              queue_len;
  gint              stop;
  gint              aborting;

  GMutex            lock;
  GCond             cond;          /* state changes, for shutdown */
  /* protected by lock: */
  TaskRing          queue;         /* async tasks not started */
  Worker           *idle;          /* parked workers, a stack */
  guint             n_waking;      /* woken workers that have not looked yet */
  GAsyncTaskFuture *pending;       /* async tasks whose future is pending */
  RtState           state;
  gboolean          joining;       /* a shutdown is joining the threads */
  gboolean          joined;        /* threads joined or detached */

  guint             bl_eager;      /* immutable: threads started without waiting */
  GMutex            bl_lock;
  /* protected by bl_lock: */
  TaskRing          bl_queue;
  BlockingThread   *bl_threads;    /* every thread not joined, alive or exited */
  BlockingThread   *bl_idle;       /* waiting threads, a stack (the warmest on top) */
  guint             bl_n_alive;
  guint             bl_n_waking;   /* woken or starting, not looking at the queue yet */
  gboolean          bl_monitored;  /* a starvation monitor is ticking */
};

/* The runtime whose thread this is (worker or blocking), if any. */
static GPrivate current_core;

/* Every thread of every runtime, for tests: see _gasync_runtime_wait_threads_exited(). */
static GMutex live_threads_lock;
static GCond  live_threads_cond;
static guint  live_threads;

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

static void rt_core_release  (RtCore *core);
static void rt_core_unref    (RtCore *core);
static void rt_core_wake_all (RtCore *core);

/* The task future type */

static void
gasync_task_future_class_init (GAsyncTaskFutureClass *klass)
{
}

static void
gasync_task_future_init (GAsyncTaskFuture *self)
{
}

/* Task rings */

static void
ring_push (TaskRing         *ring,
           GAsyncTaskFuture *task)
{
  if G_UNLIKELY (ring->len == ring->capacity)
    {
      guint capacity = MAX (16, ring->capacity * 2);
      GAsyncTaskFuture **items = g_new (GAsyncTaskFuture *, capacity);

      for (guint i = 0; i < ring->len; i++)
        items[i] = ring->items[(ring->head + i) & (ring->capacity - 1)];
      g_free (ring->items);
      ring->items = items;
      ring->capacity = capacity;
      ring->head = 0;
    }

  ring->items[(ring->head + ring->len) & (ring->capacity - 1)] = task;
  ring->len++;
}

static guint
ring_pop_many (TaskRing          *ring,
               GAsyncTaskFuture **out,
               guint              max)
{
  guint n = MIN (max, ring->len);

  for (guint i = 0; i < n; i++)
    out[i] = ring->items[(ring->head + i) & (ring->capacity - 1)];
  ring->head = (ring->head + n) & (ring->capacity - 1);
  ring->len -= n;

  /* Give back the memory of a big burst once it has drained. */
  if (ring->len == 0 && ring->capacity > 4096)
    {
      g_clear_pointer (&ring->items, g_free);
      ring->capacity = 0;
      ring->head = 0;
    }

  return n;
}

/* Takes everything; the caller frees the returned array. */
static GAsyncTaskFuture **
ring_steal_all (TaskRing *ring,
                guint    *n_out)
{
  GAsyncTaskFuture **out = g_new (GAsyncTaskFuture *, MAX (ring->len, 1));

  *n_out = ring_pop_many (ring, out, ring->len);
  return out;
}

/* Tasks */

static GAsyncTaskFuture *
task_new (RtCore         *core,
          TaskKind        kind,
          gpointer        func,
          gpointer        user_data,
          GDestroyNotify  destroy)
{
  GAsyncTaskFuture *task = g_object_new (GASYNC_TYPE_TASK_FUTURE, NULL);

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
static void
task_release_data (GAsyncTaskFuture *task)
{
  GDestroyNotify destroy = g_steal_pointer (&task->destroy);
  gpointer user_data = g_steal_pointer (&task->user_data);

  if (destroy != NULL)
    destroy (user_data);
}

/* @n tasks of @core finished: the last one out lets a closed runtime stop. */
static void
core_tasks_finished (RtCore *core,
                     gint    n)
{
  gboolean stopped = FALSE;

  if (n == 0 || g_atomic_int_add (&core->outstanding, -n) != n)
    return;

  gasync_mutex_lock (&core->lock);
  if (core->state == STATE_CLOSED && g_atomic_int_get (&core->outstanding) == 0)
    {
      core->state = STATE_STOPPED;
      g_atomic_int_set (&core->stop, TRUE);
      stopped = TRUE;
    }
  g_cond_broadcast (&core->cond);
  gasync_mutex_unlock (&core->lock);

  if (stopped)
    rt_core_wake_all (core);
}

/* The task is done with its data: release it and stop counting it, and
 * only then settle the handle, so that whoever sees the handle settled
 * may rely on both (a runtime dropped after its last handle settled is
 * idle, and joins its threads at once). */
static void
task_done (GAsyncTaskFuture *task)
{
  task_release_data (task);
  if (task->core != NULL)
    core_tasks_finished (task->core, 1);
}

/* A task that never ran: reject its handle and drop the queue's reference. */
static void
task_discard (GAsyncTaskFuture *task,
              GError           *error)
{
  task_done (task);
  _gasync_future_reject (TASK_HANDLE (task), error);
  g_object_unref (task);
}

static GError *
not_started_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              _("The runtime was shut down before the task started"));
}

static void
pending_link (RtCore           *core,
              GAsyncTaskFuture *task)
{
  task->pending_prev = NULL;
  task->pending_next = core->pending;
  if (core->pending != NULL)
    core->pending->pending_prev = task;
  core->pending = task;
}

static void
pending_unlink (RtCore           *core,
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
      pending_unlink (core, task);
      gasync_mutex_unlock (&core->lock);
    }

  task_done (task);
  _gasync_future_settle_like (TASK_HANDLE (task), task->job.completed);
  _gasync_context_job_clear (&task->job);
  g_object_unref (task);
}

/* Every task gets a GCancellable for gasync_future_cancel() on its handle
 * to cancel. Creating and finalizing one costs about as much as the rest
 * of a trivial task, so each thread keeps the one its last task got if
 * that task settled its handle itself and left nothing behind on it: no
 * other reference (a GIO call still running with it), no handler, not
 * cancelled. Cancelling the handle afterwards does not touch it (only a
 * pending future's cancellable is cancelled). */
static guint cancelled_signal_id;

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

  if G_UNLIKELY (g_atomic_int_get (&cancelled_signal_id) == 0)
    g_atomic_int_set (&cancelled_signal_id, g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE));

  if (g_atomic_int_get (&G_OBJECT (cancellable)->ref_count) == 1 &&
      !g_cancellable_is_cancelled (cancellable) &&
      !g_signal_has_handler_pending (cancellable, g_atomic_int_get (&cancelled_signal_id), 0, TRUE))
    *spare = cancellable;
  else
    g_object_unref (cancellable);
}

static const char *
spawn_function_name (GAsyncTaskFuture *task)
{
  return task->kind == TASK_LOCAL ? "gasync_spawn_local()" : "gasync_runtime_spawn()";
}

/* Runs an async task on the current thread, whose thread-default context
 * is the one it should use, and consumes the queue's reference. @spare is
 * the thread's spare cancellable, if it keeps one. */
static void
task_run_async (GAsyncTaskFuture  *task,
                GCancellable     **spare)
{
  GAsyncFuture *handle = TASK_HANDLE (task);
  RtCore *core = task->core;
  GCancellable *cancellable;
  GAsyncFuture *future;
  gboolean aborting = FALSE;

  /* Cancelled before it started: it never runs. */
  if (gasync_future_get_state (handle) != GASYNC_FUTURE_PENDING)
    {
      task_done (task);
      g_object_unref (task);
      return;
    }

  if (core != NULL && g_atomic_int_get (&core->aborting))
    {
      task_discard (task, not_started_error ());
      return;
    }

  cancellable = task_give_cancellable (task, spare);
  future = task->func.async (cancellable, task->user_data);

  if G_UNLIKELY (future == NULL || !GASYNC_IS_FUTURE (future))
    {
      if (future != NULL)
        g_critical ("The function given to %s returned something that is not a GAsyncFuture",
                    spawn_function_name (task));
      task_discard (task, g_error_new (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                       _("The function given to %s returned no future"),
                                       spawn_function_name (task)));
      return;
    }

  if (gasync_future_get_state (future) != GASYNC_FUTURE_PENDING)
    {
      task_done (task);
      /* Settled by us, not cancelled: nobody else will use the cancellable. */
      if (_gasync_future_settle_like (handle, future))
        task_recycle_cancellable (task, spare);
      g_object_unref (future);
      g_object_unref (task);
      return;
    }

  /* Wait for it on this context. We keep the task, not the future:
   * whatever settles the future holds it, and if nothing does, it is
   * dropped and rejects with DROPPED. */
  _gasync_context_job_init (&task->job, task_async_settled);
  if (core != NULL)
    {
      gasync_mutex_lock (&core->lock);
      pending_link (core, task);
      aborting = core->aborting;
      gasync_mutex_unlock (&core->lock);
    }
  _gasync_future_add_notify (future, &task->job.node.notify);
  g_object_unref (future);

  /* A shutdown that is cancelling tasks started after this one had begun
   * to run, and could not see it. */
  if (aborting)
    gasync_future_cancel (handle);
}

/* Runs a blocking task; the caller keeps its reference. */
static void
task_run_blocking (GAsyncTaskFuture  *task,
                   GCancellable     **spare)
{
  GAsyncFuture *handle = TASK_HANDLE (task);
  GValue result = G_VALUE_INIT;
  GError *error = NULL;
  gboolean ok;

  if (gasync_future_get_state (handle) != GASYNC_FUTURE_PENDING)
    {
      task_done (task);
      return;
    }

  if (g_atomic_int_get (&task->core->aborting))
    {
      task_done (task);
      _gasync_future_reject (handle, not_started_error ());
      return;
    }

  ok = task->func.blocking (task_give_cancellable (task, spare), &result,
                            task->user_data, &error);
  task_done (task);

  if (ok)
    {
      if (error != NULL)
        {
          g_critical ("A GAsyncThreadFunc returned TRUE but set an error: %s", error->message);
          g_clear_error (&error);
        }
      if (G_VALUE_TYPE (&result) == G_TYPE_INVALID)
        g_value_init (&result, G_TYPE_POINTER);
      if (_gasync_future_resolve_steal (handle, &result))
        task_recycle_cancellable (task, spare);
    }
  else
    {
      if (G_VALUE_TYPE (&result) != G_TYPE_INVALID)
        g_value_unset (&result);
      if (error == NULL)
        {
          g_critical ("A GAsyncThreadFunc returned FALSE without setting an error");
          error = g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED,
                                       _("The blocking task failed without saying why"));
        }
      _gasync_future_reject (handle, error);
    }
}

/* Async workers */

typedef struct
{
  GSource  source;
  Worker  *worker;
} RunSource;

static Worker *
core_wake_one_locked (RtCore *core)
{
  Worker *worker = core->idle;

  if (worker == NULL || core->n_waking > 0)
    return NULL;

  core->idle = worker->next_idle;
  worker->next_idle = NULL;
  worker->idle = FALSE;
  g_atomic_int_set (&worker->woken, TRUE);
  core->n_waking++;
  return worker;
}

static void
worker_unpark_locked (Worker *worker)
{
  RtCore *core = worker->core;

  if (worker->idle)
    {
      Worker **link = &core->idle;

      while (*link != worker)
        link = &(*link)->next_idle;
      *link = worker->next_idle;
      worker->next_idle = NULL;
      worker->idle = FALSE;
    }

  if (g_atomic_int_get (&worker->woken))
    {
      g_atomic_int_set (&worker->woken, FALSE);
      core->n_waking--;
    }
}

static gboolean
worker_has_work (Worker *worker)
{
  RtCore *core = worker->core;

  return g_atomic_int_get (&core->queue_len) > 0 ||
         g_atomic_int_get (&worker->woken) ||
         g_atomic_int_get (&core->stop);
}

static gboolean
run_source_prepare (GSource *source,
                    gint    *timeout)
{
  Worker *worker = ((RunSource *) source)->worker;
  RtCore *core = worker->core;
  gboolean ready;

  *timeout = -1;
  if (worker_has_work (worker))
    return TRUE;

  /* Park: from now on, a spawn wakes us. Checked again under the lock so
   * that a task pushed meanwhile is not missed. */
  gasync_mutex_lock (&core->lock);
  ready = core->queue.len > 0 || worker->woken || core->state == STATE_STOPPED;
  if (!ready && !worker->idle)
    {
      worker->idle = TRUE;
      worker->next_idle = core->idle;
      core->idle = worker;
    }
  gasync_mutex_unlock (&core->lock);

  return ready;
}

static gboolean
run_source_check (GSource *source)
{
  return worker_has_work (((RunSource *) source)->worker);
}

static gboolean
run_source_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  Worker *worker = ((RunSource *) source)->worker;
  RtCore *core = worker->core;
  GAsyncTaskFuture *batch[BATCH_SIZE];
  guint ran = 0;

  gasync_mutex_lock (&core->lock);
  worker_unpark_locked (worker);

  while (ran < MAX_PER_DISPATCH)
    {
      /* A fair share, so that a woken worker finds some left. */
      guint share = (core->queue.len + core->n_workers - 1) / core->n_workers;
      guint n = ring_pop_many (&core->queue, batch, CLAMP (share, 1, BATCH_SIZE));
      Worker *other = NULL;

      g_atomic_int_set (&core->queue_len, core->queue.len);
      if (n == 0)
        break;
      if (core->queue.len > 0)
        other = core_wake_one_locked (core);
      gasync_mutex_unlock (&core->lock);

      if (other != NULL)
        g_main_context_wakeup (other->context);

      /* User code runs here, with no lock held. */
      for (guint i = 0; i < n; i++)
        task_run_async (batch[i], &worker->spare);
      ran += n;

      gasync_mutex_lock (&core->lock);
    }

  if (core->state == STATE_STOPPED)
    worker->quit = TRUE;
  gasync_mutex_unlock (&core->lock);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs run_source_funcs = {
  .prepare = run_source_prepare,
  .check = run_source_check,
  .dispatch = run_source_dispatch,
};

static void
live_threads_add (gint delta)
{
  gasync_mutex_lock (&live_threads_lock);
  live_threads += delta;
  g_cond_broadcast (&live_threads_cond);
  gasync_mutex_unlock (&live_threads_lock);
}

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;
  RtCore *core = worker->core;

  g_private_set (&current_core, core);
  _gasync_thread_set_async_worker (TRUE);
  g_main_context_push_thread_default (worker->context);

  while (!worker->quit)
    g_main_context_iteration (worker->context, TRUE);

  g_clear_object (&worker->spare);
  g_main_context_pop_thread_default (worker->context);
  _gasync_thread_set_async_worker (FALSE);
  g_private_set (&current_core, NULL);

  rt_core_unref (core);
  live_threads_add (-1);
  return NULL;
}

/* The blocking pool */

static void
bl_wake_locked (RtCore         *core,
                BlockingThread *bt)
{
  bt->woken = TRUE;
  core->bl_n_waking++;
  g_cond_signal (&bt->cond);
}

static void
bl_unpark_locked (RtCore         *core,
                  BlockingThread *self)
{
  BlockingThread **link = &core->bl_idle;

  while (*link != self)
    link = &(*link)->next_idle;
  *link = self->next_idle;
  self->next_idle = NULL;
  self->idle = FALSE;
}

static gpointer
blocking_main (gpointer data)
{
  BlockingThread *self = data;
  RtCore *core = self->core;

  g_private_set (&current_core, core);

  gasync_mutex_lock (&core->bl_lock);
  for (;;)
    {
      gint64 deadline;

      if (self->woken)
        {
          self->woken = FALSE;
          core->bl_n_waking--;
        }

      if (core->bl_queue.len > 0)
        {
          GAsyncTaskFuture *task;

          ring_pop_many (&core->bl_queue, &task, 1);
          self->current = task;
          gasync_mutex_unlock (&core->bl_lock);

          /* User code runs here, with no lock held. */
          task_run_blocking (task, &self->spare);

          gasync_mutex_lock (&core->bl_lock);
          self->current = NULL;
          gasync_mutex_unlock (&core->bl_lock);
          g_object_unref (task);
          gasync_mutex_lock (&core->bl_lock);
          continue;
        }

      if (g_atomic_int_get (&core->stop))
        break;

      /* Park on top of the idle stack until a spawn wakes us. */
      self->idle = TRUE;
      self->next_idle = core->bl_idle;
      core->bl_idle = self;
      deadline = g_get_monotonic_time () + BLOCKING_KEEP_ALIVE_USEC;
      while (!self->woken && !g_atomic_int_get (&core->stop))
        if (!gasync_cond_wait_until (&self->cond, &core->bl_lock, deadline))
          break;
      if (self->idle)
        bl_unpark_locked (core, self);

      /* Idle for the whole keep-alive: exit. */
      if (!self->woken && core->bl_queue.len == 0 && !g_atomic_int_get (&core->stop))
        break;
    }

  core->bl_n_alive--;
  self->exited = TRUE;
  gasync_mutex_unlock (&core->bl_lock);

  g_clear_object (&self->spare);
  g_private_set (&current_core, NULL);
  rt_core_unref (core);
  live_threads_add (-1);
  return NULL;
}

/* Unlinks the exited threads (to be joined by the caller, outside the lock). */
static BlockingThread *
bl_reap_exited_locked (RtCore *core)
{
  BlockingThread *reaped = NULL;
  BlockingThread **link = &core->bl_threads;

  while (*link != NULL)
    {
      BlockingThread *bt = *link;

      if (bt->exited)
        {
          *link = bt->next;
          bt->next = reaped;
          reaped = bt;
        }
      else
        link = &bt->next;
    }

  return reaped;
}

static void
bl_thread_free (BlockingThread *bt)
{
  if (bt->thread != NULL)
    g_thread_unref (bt->thread);
  g_cond_clear (&bt->cond);
  g_free (bt);
}

static void
bl_join_list (BlockingThread *list)
{
  while (list != NULL)
    {
      BlockingThread *next = list->next;

      if (list->thread != NULL)
        g_thread_join (g_steal_pointer (&list->thread));
      bl_thread_free (list);
      list = next;
    }
}

/* Starts a blocking thread, which looks at the queue as soon as it runs;
 * called with bl_lock held. Exited threads are unlinked into @reaped, to
 * be joined outside the lock. */
static gboolean
bl_start_thread_locked (RtCore          *core,
                        BlockingThread **reaped,
                        GError         **error)
{
  BlockingThread *bt = g_new0 (BlockingThread, 1);
  BlockingThread *exited = bl_reap_exited_locked (core);

  if (exited != NULL)
    {
      BlockingThread *last = exited;

      while (last->next != NULL)
        last = last->next;
      last->next = *reaped;
      *reaped = exited;
    }

  bt->core = core;
  g_cond_init (&bt->cond);
  bt->woken = TRUE;
  core->bl_n_waking++;
  g_atomic_int_inc (&core->ref_count);
  live_threads_add (1);
  /* Created under the lock: the new thread waits for it before it looks
   * at the queue, and bt->thread is set before anyone can join it. */
  bt->thread = g_thread_try_new ("gasync-blocking", blocking_main, bt, error);
  if (bt->thread == NULL)
    {
      core->bl_n_waking--;
      live_threads_add (-1);
      g_atomic_int_add (&core->ref_count, -1);
      bl_thread_free (bt);
      return FALSE;
    }

  bt->next = core->bl_threads;
  core->bl_threads = bt;
  core->bl_n_alive++;
  return TRUE;
}

/* Whether queued tasks wait with no thread on its way to them. */
static gboolean
bl_starved_locked (RtCore *core)
{
  return core->bl_queue.len > core->bl_n_waking && !g_atomic_int_get (&core->stop);
}

/* Runs on the first async worker, every BLOCKING_STARVED_MSEC while the
 * pool is saturated: a task that waited that long gets a new thread, so
 * tasks that wait for each other cannot starve the pool. */
static gboolean
bl_monitor_tick (gpointer data)
{
  RtCore *core = data;
  BlockingThread *reaped = NULL;
  gboolean keep;

  gasync_mutex_lock (&core->bl_lock);
  keep = bl_starved_locked (core) && core->bl_n_alive < core->max_blocking;
  if (keep)
    {
      GAsyncTaskFuture *oldest = core->bl_queue.items[core->bl_queue.head];

      if (g_get_monotonic_time () - oldest->queued_at >= BLOCKING_STARVED_MSEC * G_TIME_SPAN_MILLISECOND)
        bl_start_thread_locked (core, &reaped, NULL);
    }
  else
    core->bl_monitored = FALSE;
  gasync_mutex_unlock (&core->bl_lock);

  bl_join_list (reaped);

  return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
bl_start_monitor (RtCore *core)
{
  GSource *source = g_timeout_source_new (BLOCKING_STARVED_MSEC);

  /* The worker's context lives as long as the core, which outlives it. */
  g_source_set_static_name (source, "[gasync] blocking pool monitor");
  g_source_set_callback (source, bl_monitor_tick, core, NULL);
  g_source_attach (source, core->workers[0].context);
  g_source_unref (source);
}

/* The core */

static RtCore *
rt_core_new (guint n_workers,
             guint max_blocking)
{
  RtCore *core = g_new0 (RtCore, 1);

  core->ref_count = 1;
  core->n_workers = n_workers;
  core->max_blocking = max_blocking;
  g_mutex_init (&core->lock);
  g_cond_init (&core->cond);
  core->bl_eager = MIN (max_blocking, MAX (BLOCKING_EAGER_THREADS, g_get_num_processors ()));
  g_mutex_init (&core->bl_lock);
  core->state = STATE_RUNNING;

  core->workers = g_new0 (Worker, n_workers);
  for (guint i = 0; i < n_workers; i++)
    {
      Worker *worker = &core->workers[i];
      RunSource *source;

      worker->core = core;
      worker->context = g_main_context_new ();
      source = (RunSource *) g_source_new (&run_source_funcs, sizeof (RunSource));
      source->worker = worker;
      g_source_set_static_name ((GSource *) source, "[gasync] runtime worker queue");
      g_source_set_priority ((GSource *) source, G_PRIORITY_DEFAULT);
      g_source_attach ((GSource *) source, worker->context);
      worker->source = (GSource *) source;
    }

  for (guint i = 0; i < n_workers; i++)
    {
      Worker *worker = &core->workers[i];
      char name[16];

      g_snprintf (name, sizeof name, "gasync-worker%u", i);
      g_atomic_int_inc (&core->ref_count);
      live_threads_add (1);
      worker->thread = g_thread_new (name, worker_main, worker);
    }

  return core;
}

static void
rt_core_unref (RtCore *core)
{
  if (!g_atomic_int_dec_and_test (&core->ref_count))
    return;

  /* The last thread has gone; everything it did happened before. */
  GASYNC_TSAN_ACQUIRE (&core->lock);
  GASYNC_TSAN_ACQUIRE (&core->bl_lock);

  g_warn_if_fail (core->queue.len == 0 && core->bl_queue.len == 0);
  g_warn_if_fail (core->pending == NULL);

  for (guint i = 0; i < core->n_workers; i++)
    {
      Worker *worker = &core->workers[i];

      g_source_destroy (worker->source);
      g_source_unref (worker->source);
      g_main_context_unref (worker->context);
      if (worker->thread != NULL)
        g_thread_unref (worker->thread);
    }
  g_free (core->workers);

  while (core->bl_threads != NULL)
    {
      BlockingThread *bt = core->bl_threads;

      core->bl_threads = bt->next;
      bl_thread_free (bt);
    }

  g_free (core->queue.items);
  g_free (core->bl_queue.items);
  g_mutex_clear (&core->lock);
  g_cond_clear (&core->cond);
  g_mutex_clear (&core->bl_lock);
  g_free (core);
}

/* Closes the runtime; called with core->lock held. */
static void
rt_core_close_locked (RtCore *core)
{
  if (core->state != STATE_RUNNING)
    return;

  core->state = STATE_CLOSED;
  if (g_atomic_int_get (&core->outstanding) == 0)
    {
      core->state = STATE_STOPPED;
      g_atomic_int_set (&core->stop, TRUE);
    }
  g_cond_broadcast (&core->cond);
}

static void
rt_core_wake_all (RtCore *core)
{
  for (guint i = 0; i < core->n_workers; i++)
    g_main_context_wakeup (core->workers[i].context);
  gasync_mutex_lock (&core->bl_lock);
  for (BlockingThread *bt = core->bl_threads; bt != NULL; bt = bt->next)
    g_cond_signal (&bt->cond);
  gasync_mutex_unlock (&core->bl_lock);
}

/* Cancel mode: discard what has not started, cancel what runs. */
static void
rt_core_abort (RtCore *core)
{
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_object_unref);
  GAsyncTaskFuture **queued, **bl_queued;
  guint n_queued, n_bl_queued;

  gasync_mutex_lock (&core->lock);
  g_atomic_int_set (&core->aborting, TRUE);
  queued = ring_steal_all (&core->queue, &n_queued);
  g_atomic_int_set (&core->queue_len, 0);
  for (GAsyncTaskFuture *t = core->pending; t != NULL; t = t->pending_next)
    g_ptr_array_add (running, g_object_ref (t));
  gasync_mutex_unlock (&core->lock);

  gasync_mutex_lock (&core->bl_lock);
  bl_queued = ring_steal_all (&core->bl_queue, &n_bl_queued);
  for (BlockingThread *bt = core->bl_threads; bt != NULL; bt = bt->next)
    if (bt->current != NULL)
      g_ptr_array_add (running, g_object_ref (bt->current));
  gasync_mutex_unlock (&core->bl_lock);

  for (guint i = 0; i < n_queued; i++)
    task_discard (queued[i], not_started_error ());
  for (guint i = 0; i < n_bl_queued; i++)
    task_discard (bl_queued[i], not_started_error ());
  g_free (queued);
  g_free (bl_queued);

  for (guint i = 0; i < running->len; i++)
    gasync_future_cancel (g_ptr_array_index (running, i));
}

/* Joins every thread; the runtime must be stopped, and this is not one of
 * its threads. */
static void
rt_core_join (RtCore *core)
{
  BlockingThread *threads;

  gasync_mutex_lock (&core->bl_lock);
  threads = g_steal_pointer (&core->bl_threads);
  gasync_mutex_unlock (&core->bl_lock);

  for (guint i = 0; i < core->n_workers; i++)
    g_thread_join (g_steal_pointer (&core->workers[i].thread));
  bl_join_list (threads);
}

/* Lets every thread exit on its own: nobody will join them. */
static void
rt_core_detach (RtCore *core)
{
  for (guint i = 0; i < core->n_workers; i++)
    g_clear_pointer (&core->workers[i].thread, g_thread_unref);

  gasync_mutex_lock (&core->bl_lock);
  for (BlockingThread *bt = core->bl_threads; bt != NULL; bt = bt->next)
    g_clear_pointer (&bt->thread, g_thread_unref);
  gasync_mutex_unlock (&core->bl_lock);
}

/* The runtime object's reference is going: close without blocking. */
static void
rt_core_release (RtCore *core)
{
  gboolean join = FALSE;
  gboolean detach = FALSE;

  gasync_mutex_lock (&core->lock);
  rt_core_close_locked (core);
  if (!core->joined && !core->joining)
    {
      core->joined = TRUE;
      /* Nothing runs: the threads exit at once, join them. Otherwise they
       * exit when the last task finishes; detach them. */
      if (core->state == STATE_STOPPED && g_private_get (&current_core) != core)
        join = TRUE;
      else
        detach = TRUE;
    }
  gasync_mutex_unlock (&core->lock);

  rt_core_wake_all (core);

  if (join)
    rt_core_join (core);
  else if (detach)
    rt_core_detach (core);
}

/* GAsyncRuntime */

static void
gasync_runtime_dispose (GObject *object)
{
  GAsyncRuntime *self = GASYNC_RUNTIME (object);

  if (self->core != NULL)
    {
      rt_core_release (self->core);
      g_clear_pointer (&self->core, rt_core_unref);
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

  self->core = rt_core_new (self->n_workers, self->max_blocking);
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
  task_release_data (task);
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
  task = task_new (core, TASK_ASYNC, func, user_data, destroy);

  gasync_mutex_lock (&core->lock);
  if G_UNLIKELY (core->state != STATE_RUNNING)
    {
      gasync_mutex_unlock (&core->lock);
      return reject_closed (task);
    }
  /* The queue's reference; the caller gets the one from task_new(). */
  ring_push (&core->queue, g_object_ref (task));
  g_atomic_int_set (&core->queue_len, core->queue.len);
  g_atomic_int_inc (&core->outstanding);
  worker = core_wake_one_locked (core);
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
  g_autoptr(GError) error = NULL;
  GAsyncTaskFuture *task;
  BlockingThread *reaped = NULL;
  gboolean failed = FALSE;
  gboolean monitor = FALSE;
  RtCore *core;

  g_return_val_if_fail (GASYNC_IS_RUNTIME (runtime), invalid_argument ("runtime"));
  g_return_val_if_fail (func != NULL, invalid_argument ("func"));

  core = runtime->core;
  task = task_new (core, TASK_BLOCKING, func, user_data, destroy);

  gasync_mutex_lock (&core->lock);
  if G_UNLIKELY (core->state != STATE_RUNNING)
    {
      gasync_mutex_unlock (&core->lock);
      return reject_closed (task);
    }
  g_atomic_int_inc (&core->outstanding);
  gasync_mutex_unlock (&core->lock);

  task->queued_at = g_get_monotonic_time ();

  gasync_mutex_lock (&core->bl_lock);
  ring_push (&core->bl_queue, g_object_ref (task));
  /* Only when no thread already on its way will take it: a thread that
   * is busy picks the next task up without sleeping. */
  if (bl_starved_locked (core))
    {
      if (core->bl_idle != NULL)
        {
          BlockingThread *bt = core->bl_idle;

          bl_unpark_locked (core, bt);
          bl_wake_locked (core, bt);
        }
      else if (core->bl_n_alive < core->bl_eager)
        {
          if (!bl_start_thread_locked (core, &reaped, &error) && core->bl_n_alive == 0)
            {
              /* Nothing could ever run it: take it back. */
              core->bl_queue.len--;
              failed = TRUE;
            }
        }
      else if (core->bl_n_alive < core->max_blocking && !core->bl_monitored)
        {
          core->bl_monitored = TRUE;
          monitor = TRUE;
        }
    }
  gasync_mutex_unlock (&core->bl_lock);

  bl_join_list (reaped);
  if (monitor)
    bl_start_monitor (core);

  /* The queue's reference goes with it. */
  if G_UNLIKELY (failed)
    {
      task_discard (task, g_error_new (GASYNC_ERROR, GASYNC_ERROR_FAILED,
                                       _("Could not start a blocking thread: %s"),
                                       error->message));
    }

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
  gboolean cancelled = FALSE;
  gboolean join = FALSE;

  g_return_val_if_fail (GASYNC_IS_RUNTIME (runtime), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  core = runtime->core;

  if (!_gasync_check_may_block ("gasync_runtime_shutdown()", error))
    return FALSE;
  if (g_private_get (&current_core) == core)
    {
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK,
                           _("gasync_runtime_shutdown() was called on one of the runtime’s own "
                             "threads, which it would have to join"));
      return FALSE;
    }

  if (cancellable != NULL)
    {
      GASYNC_TSAN_RELEASE (cancellable);
      handler = g_cancellable_connect (cancellable, G_CALLBACK (shutdown_cancelled), core, NULL);
    }

  gasync_mutex_lock (&core->lock);
  rt_core_close_locked (core);
  while (core->state != STATE_STOPPED)
    {
      if (!cancelled && g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          gasync_mutex_unlock (&core->lock);
          rt_core_abort (core);
          gasync_mutex_lock (&core->lock);
          continue;
        }
      gasync_cond_wait (&core->cond, &core->lock);
    }
  if (!core->joined && !core->joining)
    {
      core->joining = TRUE;
      join = TRUE;
    }
  gasync_mutex_unlock (&core->lock);

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  rt_core_wake_all (core);

  if (join)
    {
      rt_core_join (core);
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

  if (cancelled)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The shutdown was cancelled; queued tasks were discarded"));
      return FALSE;
    }

  return TRUE;
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

static void
local_run (GAsyncDispatchItem *item)
{
  GAsyncTaskFuture *task = (GAsyncTaskFuture *) ((char *) item - G_STRUCT_OFFSET (GAsyncTaskFuture, job.node.item));
  GMainContext *context = g_steal_pointer (&task->local_context);

  g_main_context_push_thread_default (context);
  task_run_async (task, NULL);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
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

  task = task_new (NULL, TASK_LOCAL, func, user_data, destroy);
  task->local_context = g_main_context_ref (context);
  task->job.node.item.func = local_run;
  /* The dispatcher's reference; local_run() hands it on. */
  g_object_ref (task);
  _gasync_dispatcher_push (_gasync_dispatcher_for_context (context), &task->job.node.item);

  return TASK_HANDLE (task);
}

/* Private, for tests */

guint
_gasync_runtime_count_live_threads (void)
{
  guint n;

  gasync_mutex_lock (&live_threads_lock);
  n = live_threads;
  gasync_mutex_unlock (&live_threads_lock);
  return n;
}

gboolean
_gasync_runtime_wait_live_threads (guint n,
                                   guint timeout_msec)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_msec * G_TIME_SPAN_MILLISECOND;
  gboolean ok;

  gasync_mutex_lock (&live_threads_lock);
  while (live_threads != n)
    if (!gasync_cond_wait_until (&live_threads_cond, &live_threads_lock, deadline))
      break;
  ok = live_threads == n;
  gasync_mutex_unlock (&live_threads_lock);
  return ok;
}
