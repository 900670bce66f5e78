/* gasync-runtime-core-private.h: the state a GAsyncRuntime's threads share
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The runtime is built in layers, each calling only the ones below it:
 *
 *   gasync-runtime.c          the GAsyncRuntime object: new, default,
 *                             spawn*, shutdown
 *   gasync-runtime-worker.c   the async workers and their run queue
 *   gasync-blocking-pool.c    the blocking pool and its growth policy
 *   gasync-task.c             the task future: running a task, its
 *                             cancellation, delivering its result
 *   gasync-runtime-core.c     this struct: its lifetime, its state, the
 *                             task rings, and which thread is whose
 *
 * The core owns the memory of the workers and blocking threads (so it can
 * free them when the last thread drops it); each layer above works on its
 * own part of the struct, as the comments on the fields say.
 */

#pragma once

#include <gio/gio.h>

#include "gasync-future.h"

G_BEGIN_DECLS

typedef struct _RtCore           RtCore;
typedef struct _Worker           Worker;
typedef struct _BlockingThread   BlockingThread;
typedef struct _GAsyncTaskFuture GAsyncTaskFuture;

typedef enum {
  STATE_RUNNING,
  STATE_CLOSED,      /* no new tasks; draining */
  STATE_STOPPED,     /* every task finished; threads told to exit */
} RtState;

/* A FIFO of tasks; the caller holds whatever lock protects it. */
typedef struct
{
  GAsyncTaskFuture **items;
  guint              capacity;   /* a power of two, or 0 */
  guint              head;
  guint              len;
} TaskRing;

/* An async worker: gasync-runtime-worker.c */
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

/* A thread of the blocking pool: gasync-blocking-pool.c */
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
  gint              closed;        /* state is no longer RUNNING */

  GMutex            lock;
  GCond             cond;          /* state changes, for shutdown */
  /* protected by lock: */
  TaskRing          queue;         /* async tasks not started (workers) */
  Worker           *idle;          /* parked workers, a stack */
  guint             n_waking;      /* woken workers that have not looked yet */
  GAsyncTaskFuture *pending;       /* async tasks whose future is pending (tasks) */
  guint64           n_spawned;     /* tasks accepted, ever (for get_stats) */
  RtState           state;
  gboolean          joining;       /* a shutdown is joining the threads */
  gboolean          joined;        /* threads joined or detached */

  guint             bl_eager;      /* immutable: threads started without waiting */
  GMutex            bl_lock;
  /* protected by bl_lock (the blocking pool): */
  TaskRing          bl_queue;
  BlockingThread   *bl_threads;    /* every thread not joined, alive or exited */
  BlockingThread   *bl_idle;       /* waiting threads, a stack (the warmest on top) */
  guint             bl_n_alive;
  guint             bl_n_waking;   /* woken or starting, not looking at the queue yet */
  gboolean          bl_monitored;  /* a starvation monitor is ticking */
};

/* Task rings */
void               _gasync_rt_ring_push         (TaskRing          *ring,
                                                 GAsyncTaskFuture  *task);
guint              _gasync_rt_ring_pop_many     (TaskRing          *ring,
                                                 GAsyncTaskFuture **out,
                                                 guint              max);
GAsyncTaskFuture **_gasync_rt_ring_steal_all    (TaskRing          *ring,
                                                 guint             *n_out);

/* Lifetime: a new core holds one reference, for the runtime object; each
 * thread holds one while it runs. The workers' contexts and threads are
 * started by gasync-runtime-worker.c. */
RtCore            *_gasync_rt_core_new          (guint              n_workers,
                                                 guint              max_blocking);
void               _gasync_rt_core_unref        (RtCore            *core);
void               _gasync_rt_core_free_blocking_thread (BlockingThread *bt);

/* State */
void               _gasync_rt_core_close_locked (RtCore            *core);
void               _gasync_rt_core_tasks_finished (RtCore          *core,
                                                 gint               n);
void               _gasync_rt_core_wake_all     (RtCore            *core);

/* The threads of every runtime: whoever starts one counts it first (and
 * takes its reference on the core), and uncounts it if it failed to
 * start; the thread itself enters and exits (which drops the reference). */
void               _gasync_rt_thread_starting     (RtCore          *core);
void               _gasync_rt_thread_start_failed (RtCore          *core);
void               _gasync_rt_thread_enter        (RtCore          *core);
void               _gasync_rt_thread_exit         (RtCore          *core);
/* The runtime whose thread this is (worker or blocking), if any. */
RtCore            *_gasync_rt_thread_get_core     (void);

G_END_DECLS
