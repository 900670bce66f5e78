/* gasync-context-job.c: work run on the registering context once a future settles
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A GAsyncContextJob is first a GAsyncNotify on a future and then, once
 * the future settled, a GAsyncDispatchItem queued on the dispatcher of the
 * context that was thread-default when the job was made. Continuations,
 * wait_async(), the GIO bridge and the runtime build on it; it only needs
 * the state machine's notify list and the dispatcher.
 */

#include "config.h"

#include "gasync-future-private.h"

static void
context_job_notify (GAsyncNotify *notify,
                    GAsyncFuture *completed)
{
  GAsyncContextJob *job = (GAsyncContextJob *) notify;
  GAsyncDispatchFunc func = (GAsyncDispatchFunc) job->completed;

  /* Until now the completed slot held the dispatch function, to keep the
   * job small; swap in the future and reuse the node as a dispatch item. */
  job->completed = g_object_ref (completed);
  job->node.item.next = NULL;
  job->node.item.func = func;
  _gasync_dispatcher_push (job->dispatcher, &job->node.item);
}

void
_gasync_context_job_init (GAsyncContextJob   *job,
                          GAsyncDispatchFunc  func)
{
  _gasync_context_job_init_for_context (job, g_main_context_ref_thread_default (), func);
}

void
_gasync_context_job_init_for_context (GAsyncContextJob   *job,
                                      GMainContext       *context,
                                      GAsyncDispatchFunc  func)
{
  job->node.notify.next = NULL;
  job->node.notify.func = context_job_notify;
  job->dispatcher = _gasync_dispatcher_for_context (context);
  job->completed = (GAsyncFuture *) (gpointer) func;
}

GMainContext *
_gasync_context_job_get_context (GAsyncContextJob *job)
{
  return _gasync_dispatcher_get_context (job->dispatcher);
}

void
_gasync_context_job_clear (GAsyncContextJob *job)
{
  g_clear_object (&job->completed);
  g_main_context_unref (_gasync_dispatcher_get_context (job->dispatcher));
  job->dispatcher = NULL;
}
