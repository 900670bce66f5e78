/* gasync-blocking-pool-private.h: a runtime's pool of blocking threads
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-runtime-core-private.h"

G_BEGIN_DECLS

/* Sets up the pool's part of a new core (it starts with no thread). */
void            _gasync_blocking_pool_init         (RtCore           *core);
/* Queues @task (the pool takes a reference of its own) and grows the pool
 * as its policy says. If no thread could ever run it, rejects it. */
void            _gasync_blocking_pool_submit       (RtCore           *core,
                                                    GAsyncTaskFuture *task);
/* For a shutdown that cancels: takes every queued task (the caller frees
 * the array and owns the queue's references) and adds a reference to
 * each running one to @running. */
GAsyncTaskFuture **_gasync_blocking_pool_steal     (RtCore           *core,
                                                    GPtrArray        *running,
                                                    guint            *n_queued);
/* Takes every thread out of the pool, to be joined with
 * _gasync_blocking_pool_join_threads(). */
BlockingThread *_gasync_blocking_pool_take_threads (RtCore           *core);
void            _gasync_blocking_pool_join_threads (BlockingThread   *list);
/* Lets the threads exit on their own: nobody will join them. */
void            _gasync_blocking_pool_detach       (RtCore           *core);

G_END_DECLS
