/* gasync-runtime-worker.c: a runtime's async workers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each async worker is a thread iterating its own GMainContext. Spawned
 * async tasks wait in one queue shared by the workers (core->queue), and
 * reach a worker through its run source: a worker that finds the queue
 * empty parks in its context's poll; spawning wakes a parked worker only
 * when no other wake-up is already on its way, and a worker that finds
 * more work than it took wakes the next one.
 */

#include "config.h"

#include "gasync-future-private.h"
#include "gasync-runtime-worker-private.h"
#include "gasync-task-private.h"

/* How many tasks a worker takes from the shared queue per lock, and how
 * many it runs per dispatch before letting its context's other sources
 * (GIO completions) run. */
#define BATCH_SIZE         32
#define MAX_PER_DISPATCH   256

typedef struct
{
  GSource  source;
  Worker  *worker;
} RunSource;

static Worker *
wake_one_locked (RtCore *core)
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

/* Takes a fair share of the queue, so that a woken worker finds some
 * left, and picks another worker to wake if some is left. */
static guint
worker_take_batch_locked (Worker            *worker,
                          GAsyncTaskFuture **batch,
                          Worker           **other)
{
  RtCore *core = worker->core;
  guint share = (core->queue.len + core->n_workers - 1) / core->n_workers;
  guint n = _gasync_rt_ring_pop_many (&core->queue, batch, CLAMP (share, 1, BATCH_SIZE));

  g_atomic_int_set (&core->queue_len, core->queue.len);
  if (n > 0 && core->queue.len > 0)
    *other = wake_one_locked (core);
  return n;
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
      Worker *other = NULL;
      guint n = worker_take_batch_locked (worker, batch, &other);

      if (n == 0)
        break;
      gasync_mutex_unlock (&core->lock);

      if (other != NULL)
        g_main_context_wakeup (other->context);

      /* User code runs here, with no lock held. */
      for (guint i = 0; i < n; i++)
        _gasync_task_run_async (batch[i], &worker->spare);
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

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;
  RtCore *core = worker->core;

  _gasync_rt_thread_enter (core);
  _gasync_thread_set_async_worker (TRUE);
  g_main_context_push_thread_default (worker->context);

  while (!worker->quit)
    g_main_context_iteration (worker->context, TRUE);

  g_clear_object (&worker->spare);
  g_main_context_pop_thread_default (worker->context);
  _gasync_thread_set_async_worker (FALSE);

  _gasync_rt_thread_exit (core);
  return NULL;
}

void
_gasync_workers_start (RtCore *core)
{
  for (guint i = 0; i < core->n_workers; i++)
    {
      Worker *worker = &core->workers[i];
      RunSource *source;

      worker->context = g_main_context_new ();
      source = (RunSource *) g_source_new (&run_source_funcs, sizeof (RunSource));
      source->worker = worker;
      g_source_set_static_name ((GSource *) source, "[gasync] runtime worker queue");
      g_source_set_priority ((GSource *) source, G_PRIORITY_DEFAULT);
      g_source_attach ((GSource *) source, worker->context);
      worker->source = (GSource *) source;
    }

  for (guint i = 0; i < core->n_workers; i++)
    {
      Worker *worker = &core->workers[i];
      char name[16];

      g_snprintf (name, sizeof name, "gasync-worker%u", i);
      _gasync_rt_thread_starting (core);
      worker->thread = g_thread_new (name, worker_main, worker);
    }
}

Worker *
_gasync_workers_push_locked (RtCore           *core,
                             GAsyncTaskFuture *task)
{
  _gasync_rt_ring_push (&core->queue, task);
  g_atomic_int_set (&core->queue_len, core->queue.len);
  return wake_one_locked (core);
}

GAsyncTaskFuture **
_gasync_workers_steal_queue_locked (RtCore *core,
                                    guint  *n_out)
{
  GAsyncTaskFuture **queued = _gasync_rt_ring_steal_all (&core->queue, n_out);

  g_atomic_int_set (&core->queue_len, 0);
  return queued;
}

void
_gasync_workers_join (RtCore *core)
{
  for (guint i = 0; i < core->n_workers; i++)
    g_thread_join (g_steal_pointer (&core->workers[i].thread));
}

void
_gasync_workers_detach (RtCore *core)
{
  for (guint i = 0; i < core->n_workers; i++)
    g_clear_pointer (&core->workers[i].thread, g_thread_unref);
}
