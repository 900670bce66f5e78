/* gasync-task-private.h: the task future, what spawning returns
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-future-private.h"
#include "gasync-runtime.h"
#include "gasync-runtime-core-private.h"

G_BEGIN_DECLS

typedef enum {
  TASK_ASYNC,
  TASK_BLOCKING,
  TASK_LOCAL,
} TaskKind;

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

/* A task is its handle: no checked cast on the hot paths. */
#define TASK_HANDLE(task) ((GAsyncFuture *) (task))

/* A new task of @core (NULL for a local one), not queued yet. */
GAsyncTaskFuture *_gasync_task_new            (RtCore            *core,
                                               TaskKind           kind,
                                               gpointer           func,
                                               gpointer           user_data,
                                               GDestroyNotify     destroy);
/* A local task for @context: push its job.node.item, with a reference,
 * to @context's dispatcher, and it runs there. */
GAsyncTaskFuture *_gasync_task_new_local      (GMainContext      *context,
                                               GAsyncFunc         func,
                                               gpointer           user_data,
                                               GDestroyNotify     destroy);
void              _gasync_task_release_data   (GAsyncTaskFuture  *task);
/* A task that never ran: reject its handle and drop the queue's reference. */
void              _gasync_task_discard        (GAsyncTaskFuture  *task,
                                               GError            *error);
GError           *_gasync_task_not_started_error (void);

/* Run a task on the current thread, with no lock held: user code runs.
 * @spare is the thread's spare cancellable, if it keeps one. The async
 * form consumes the queue's reference; the blocking one does not. */
void              _gasync_task_run_async      (GAsyncTaskFuture  *task,
                                               GCancellable     **spare);
void              _gasync_task_run_blocking   (GAsyncTaskFuture  *task,
                                               GCancellable     **spare);
/* Inside a blocking task's function: the cancellable it was given (which
 * cancelling its handle cancels); elsewhere NULL. */
GCancellable     *_gasync_task_get_blocking_cancellable (void);

G_END_DECLS
