/* gasync-runtime-worker-private.h: a runtime's async workers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-runtime-core-private.h"

G_BEGIN_DECLS

/* Gives each worker of @core its context and run source, and starts its
 * thread. */
void     _gasync_workers_start              (RtCore           *core);
/* Queues @task (taking the caller's reference) for the workers; returns
 * the worker the caller must wake with g_main_context_wakeup() once it
 * has dropped core->lock, if any. */
Worker  *_gasync_workers_push_locked        (RtCore           *core,
                                             GAsyncTaskFuture *task);
/* Takes every queued task (see _gasync_rt_ring_steal_all()). */
GAsyncTaskFuture **_gasync_workers_steal_queue_locked (RtCore *core,
                                             guint            *n_out);
/* The runtime is stopped and this is not one of its threads. */
void     _gasync_workers_join               (RtCore           *core);
/* Lets the worker threads exit on their own: nobody will join them. */
void     _gasync_workers_detach             (RtCore           *core);

G_END_DECLS
