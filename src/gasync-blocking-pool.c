/* gasync-blocking-pool.c: a runtime's pool of blocking threads
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads kept apart from the async workers, so that blocking work never
 * starves them. Every field used here is protected by core->bl_lock; see
 * bl_grow_locked() for when the pool grows, and blocking_main() for when
 * a thread exits.
 */

#include "config.h"

#include "gasync-blocking-pool-private.h"
#include "gasync-error.h"
#include "gasync-i18n-private.h"
#include "gasync-task-private.h"

/* Idle blocking threads exit after this long. */
#define BLOCKING_KEEP_ALIVE_USEC (10 * G_USEC_PER_SEC)

/* The blocking pool grows at once, when a task finds no idle thread, up to
 * this many threads (or the number of processors, if more); beyond it, by
 * one thread whenever the oldest queued task has waited this long. */
#define BLOCKING_EAGER_THREADS   4
#define BLOCKING_STARVED_MSEC    1

void
_gasync_blocking_pool_init (RtCore *core)
{
  core->bl_eager = MIN (core->max_blocking, MAX (BLOCKING_EAGER_THREADS, g_get_num_processors ()));
}

/* Threads */

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

/* Runs the oldest queued task; called and returns with bl_lock held. */
static void
bl_run_next_locked (BlockingThread *self)
{
  RtCore *core = self->core;
  GAsyncTaskFuture *task;

  _gasync_rt_ring_pop_many (&core->bl_queue, &task, 1);
  self->current = task;
  gasync_mutex_unlock (&core->bl_lock);

  /* User code runs here, with no lock held. */
  _gasync_task_run_blocking (task, &self->spare);

  gasync_mutex_lock (&core->bl_lock);
  self->current = NULL;
  gasync_mutex_unlock (&core->bl_lock);
  g_object_unref (task);
  gasync_mutex_lock (&core->bl_lock);
}

/* Parks on top of the idle stack until a spawn wakes us, the runtime
 * stops or the keep-alive runs out; called with bl_lock held. Returns
 * whether the thread should exit, idle for the whole keep-alive. */
static gboolean
bl_park_locked (BlockingThread *self)
{
  RtCore *core = self->core;
  gint64 deadline;

  self->idle = TRUE;
  self->next_idle = core->bl_idle;
  core->bl_idle = self;
  deadline = g_get_monotonic_time () + BLOCKING_KEEP_ALIVE_USEC;
  while (!self->woken && !g_atomic_int_get (&core->stop))
    if (!gasync_cond_wait_until (&self->cond, &core->bl_lock, deadline))
      break;
  if (self->idle)
    bl_unpark_locked (core, self);

  return !self->woken && core->bl_queue.len == 0 && !g_atomic_int_get (&core->stop);
}

static gpointer
blocking_main (gpointer data)
{
  BlockingThread *self = data;
  RtCore *core = self->core;

  _gasync_rt_thread_enter (core);

  gasync_mutex_lock (&core->bl_lock);
  for (;;)
    {
      if (self->woken)
        {
          self->woken = FALSE;
          core->bl_n_waking--;
        }

      if (core->bl_queue.len > 0)
        {
          bl_run_next_locked (self);
          continue;
        }

      if (g_atomic_int_get (&core->stop))
        break;

      if (bl_park_locked (self))
        break;
    }

  core->bl_n_alive--;
  self->exited = TRUE;
  gasync_mutex_unlock (&core->bl_lock);

  g_clear_object (&self->spare);
  _gasync_rt_thread_exit (core);
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

void
_gasync_blocking_pool_join_threads (BlockingThread *list)
{
  while (list != NULL)
    {
      BlockingThread *next = list->next;

      if (list->thread != NULL)
        g_thread_join (g_steal_pointer (&list->thread));
      _gasync_rt_core_free_blocking_thread (list);
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
  _gasync_rt_thread_starting (core);
  /* Created under the lock: the new thread waits for it before it looks
   * at the queue, and bt->thread is set before anyone can join it. */
  bt->thread = g_thread_try_new ("gasync-blocking", blocking_main, bt, error);
  if (bt->thread == NULL)
    {
      core->bl_n_waking--;
      _gasync_rt_thread_start_failed (core);
      _gasync_rt_core_free_blocking_thread (bt);
      return FALSE;
    }

  bt->next = core->bl_threads;
  core->bl_threads = bt;
  core->bl_n_alive++;
  return TRUE;
}

/* Growth */

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

  _gasync_blocking_pool_join_threads (reaped);

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

typedef enum {
  BL_GROWN,            /* nothing more to do */
  BL_GROW_MONITOR,     /* the caller starts the starvation monitor */
  BL_GROW_FAILED,      /* no thread can ever run the new task */
} BlGrowth;

/* The growth policy, applied when a task has just been queued; called
 * with bl_lock held:
 *
 * - if a thread already on its way (woken, or starting) will take the
 *   task, nothing happens: a busy thread picks the next task up without
 *   sleeping, so a burst of short tasks is run by a few threads;
 * - otherwise the idle thread on top of the stack (the warmest) is woken;
 * - if none is idle, a thread is started at once while fewer than
 *   bl_eager are alive (BLOCKING_EAGER_THREADS, or the number of
 *   processors if more, within max_blocking);
 * - beyond that, the starvation monitor (bl_monitor_tick()) is started if
 *   it is not ticking: it adds one thread whenever the oldest queued task
 *   has waited BLOCKING_STARVED_MSEC, up to max_blocking, so tasks that
 *   wait for one another get the threads they need. Past the cap, tasks
 *   wait in order for a thread.
 *
 * Exited threads found on the way are unlinked into @reaped. */
static BlGrowth
bl_grow_locked (RtCore          *core,
                BlockingThread **reaped,
                GError         **error)
{
  if (!bl_starved_locked (core))
    return BL_GROWN;

  if (core->bl_idle != NULL)
    {
      BlockingThread *bt = core->bl_idle;

      bl_unpark_locked (core, bt);
      bl_wake_locked (core, bt);
    }
  else if (core->bl_n_alive < core->bl_eager)
    {
      if (!bl_start_thread_locked (core, reaped, error) && core->bl_n_alive == 0)
        return BL_GROW_FAILED;
    }
  else if (core->bl_n_alive < core->max_blocking && !core->bl_monitored)
    {
      core->bl_monitored = TRUE;
      return BL_GROW_MONITOR;
    }

  return BL_GROWN;
}

/* The pool */

void
_gasync_blocking_pool_submit (RtCore           *core,
                              GAsyncTaskFuture *task)
{
  g_autoptr(GError) error = NULL;
  BlockingThread *reaped = NULL;
  BlGrowth growth;

  task->queued_at = g_get_monotonic_time ();

  gasync_mutex_lock (&core->bl_lock);
  _gasync_rt_ring_push (&core->bl_queue, g_object_ref (task));
  growth = bl_grow_locked (core, &reaped, &error);
  /* Nothing could ever run it: take it back. */
  if (growth == BL_GROW_FAILED)
    core->bl_queue.len--;
  gasync_mutex_unlock (&core->bl_lock);

  _gasync_blocking_pool_join_threads (reaped);
  if (growth == BL_GROW_MONITOR)
    bl_start_monitor (core);

  /* The queue's reference goes with it. */
  if G_UNLIKELY (growth == BL_GROW_FAILED)
    {
      _gasync_task_discard (task, g_error_new (GASYNC_ERROR, GASYNC_ERROR_FAILED,
                                               _("Could not start a blocking thread: %s"),
                                               error->message));
    }
}

GAsyncTaskFuture **
_gasync_blocking_pool_steal (RtCore    *core,
                             GPtrArray *running,
                             guint     *n_queued)
{
  GAsyncTaskFuture **queued;

  gasync_mutex_lock (&core->bl_lock);
  queued = _gasync_rt_ring_steal_all (&core->bl_queue, n_queued);
  for (BlockingThread *bt = core->bl_threads; bt != NULL; bt = bt->next)
    if (bt->current != NULL)
      g_ptr_array_add (running, g_object_ref (bt->current));
  gasync_mutex_unlock (&core->bl_lock);

  return queued;
}

BlockingThread *
_gasync_blocking_pool_take_threads (RtCore *core)
{
  BlockingThread *threads;

  gasync_mutex_lock (&core->bl_lock);
  threads = g_steal_pointer (&core->bl_threads);
  gasync_mutex_unlock (&core->bl_lock);

  return threads;
}

void
_gasync_blocking_pool_detach (RtCore *core)
{
  gasync_mutex_lock (&core->bl_lock);
  for (BlockingThread *bt = core->bl_threads; bt != NULL; bt = bt->next)
    g_clear_pointer (&bt->thread, g_thread_unref);
  gasync_mutex_unlock (&core->bl_lock);
}
