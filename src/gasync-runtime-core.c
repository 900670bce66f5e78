/* gasync-runtime-core.c: the state a GAsyncRuntime's threads share
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The bottom layer of the runtime (see gasync-runtime-core-private.h): it
 * calls nothing in the other runtime files.
 */

#include "config.h"

#include "gasync-runtime-core-private.h"
#include "gasync-runtime-private.h"
#include "gasync-tsan-private.h"

/* The runtime whose thread this is (worker or blocking), if any. */
static GPrivate current_core;

/* Every thread of every runtime, for tests: see _gasync_runtime_wait_live_threads(). */
static GMutex live_threads_lock;
static GCond  live_threads_cond;
static guint  live_threads;

/* Task rings */

void
_gasync_rt_ring_push (TaskRing         *ring,
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

guint
_gasync_rt_ring_pop_many (TaskRing          *ring,
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
GAsyncTaskFuture **
_gasync_rt_ring_steal_all (TaskRing *ring,
                           guint    *n_out)
{
  GAsyncTaskFuture **out = g_new (GAsyncTaskFuture *, MAX (ring->len, 1));

  *n_out = _gasync_rt_ring_pop_many (ring, out, ring->len);
  return out;
}

/* Lifetime */

/* The workers (gasync-runtime-worker.c) and the blocking pool
 * (gasync-blocking-pool.c) set up their own parts afterwards. */
RtCore *
_gasync_rt_core_new (guint n_workers,
                     guint max_blocking)
{
  RtCore *core = g_new0 (RtCore, 1);

  core->ref_count = 1;
  core->n_workers = n_workers;
  core->max_blocking = max_blocking;
  g_mutex_init (&core->lock);
  g_cond_init (&core->cond);
  g_mutex_init (&core->bl_lock);
  core->state = STATE_RUNNING;

  core->workers = g_new0 (Worker, n_workers);
  for (guint i = 0; i < n_workers; i++)
    core->workers[i].core = core;

  return core;
}

void
_gasync_rt_core_free_blocking_thread (BlockingThread *bt)
{
  if (bt->thread != NULL)
    g_thread_unref (bt->thread);
  g_cond_clear (&bt->cond);
  g_free (bt);
}

void
_gasync_rt_core_unref (RtCore *core)
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

      if (worker->source != NULL)
        {
          g_source_destroy (worker->source);
          g_source_unref (worker->source);
        }
      g_clear_pointer (&worker->context, g_main_context_unref);
      if (worker->thread != NULL)
        g_thread_unref (worker->thread);
    }
  g_free (core->workers);

  while (core->bl_threads != NULL)
    {
      BlockingThread *bt = core->bl_threads;

      core->bl_threads = bt->next;
      _gasync_rt_core_free_blocking_thread (bt);
    }

  g_free (core->queue.items);
  g_free (core->bl_queue.items);
  g_mutex_clear (&core->lock);
  g_cond_clear (&core->cond);
  g_mutex_clear (&core->bl_lock);
  g_free (core);
}

/* State */

/* Closes the runtime; called with core->lock held. */
void
_gasync_rt_core_close_locked (RtCore *core)
{
  if (core->state != STATE_RUNNING)
    return;

  core->state = STATE_CLOSED;
  g_atomic_int_set (&core->closed, TRUE);
  if (g_atomic_int_get (&core->outstanding) == 0)
    {
      core->state = STATE_STOPPED;
      g_atomic_int_set (&core->stop, TRUE);
    }
  g_cond_broadcast (&core->cond);
}

/* @n tasks of @core finished: the last one out lets a closed runtime stop.
 * A running runtime's count reaches 0 whenever its workers catch up, and
 * nothing waits for that: only a closed one is looked at, under the lock.
 * The close sets core->closed before it reads the count, and we read
 * core->closed after we lowered it (both atomic): at least one of us sees
 * the other, and whoever does stops the runtime. */
void
_gasync_rt_core_tasks_finished (RtCore *core,
                                gint    n)
{
  gboolean stopped = FALSE;

  if (n == 0 || g_atomic_int_add (&core->outstanding, -n) != n ||
      !g_atomic_int_get (&core->closed))
    return;

  gasync_mutex_lock (&core->lock);
  if (core->state == STATE_CLOSED && g_atomic_int_get (&core->outstanding) == 0)
    {
      core->state = STATE_STOPPED;
      g_atomic_int_set (&core->stop, TRUE);
      stopped = TRUE;
      g_cond_broadcast (&core->cond);
    }
  gasync_mutex_unlock (&core->lock);

  if (stopped)
    _gasync_rt_core_wake_all (core);
}

/* Wakes every worker and blocking thread, to look at the state. */
void
_gasync_rt_core_wake_all (RtCore *core)
{
  for (guint i = 0; i < core->n_workers; i++)
    g_main_context_wakeup (core->workers[i].context);
  gasync_mutex_lock (&core->bl_lock);
  for (BlockingThread *bt = core->bl_threads; bt != NULL; bt = bt->next)
    g_cond_signal (&bt->cond);
  gasync_mutex_unlock (&core->bl_lock);
}

/* Threads */

static void
live_threads_add (gint delta)
{
  gasync_mutex_lock (&live_threads_lock);
  live_threads += delta;
  g_cond_broadcast (&live_threads_cond);
  gasync_mutex_unlock (&live_threads_lock);
}

void
_gasync_rt_thread_starting (RtCore *core)
{
  g_atomic_int_inc (&core->ref_count);
  live_threads_add (1);
}

void
_gasync_rt_thread_start_failed (RtCore *core)
{
  live_threads_add (-1);
  g_atomic_int_add (&core->ref_count, -1);
}

void
_gasync_rt_thread_enter (RtCore *core)
{
  g_private_set (&current_core, core);
}

void
_gasync_rt_thread_exit (RtCore *core)
{
  g_private_set (&current_core, NULL);
  _gasync_rt_core_unref (core);
  live_threads_add (-1);
}

RtCore *
_gasync_rt_thread_get_core (void)
{
  return g_private_get (&current_core);
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
