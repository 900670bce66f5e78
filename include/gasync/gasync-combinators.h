/* gasync-combinators.h: waiting for several futures, timeouts, cancellation
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
#error "Only <gasync/gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-future.h"
#include "gasync-version-macros.h"

G_BEGIN_DECLS

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_future_all                  (GAsyncFuture  **futures,
                                                  guint           n_futures) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_future_all_settled          (GAsyncFuture  **futures,
                                                  guint           n_futures) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_future_any                  (GAsyncFuture  **futures,
                                                  guint           n_futures) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_future_race                 (GAsyncFuture  **futures,
                                                  guint           n_futures) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_join                        (GAsyncFuture   *first,
                                                  ...) G_GNUC_NULL_TERMINATED G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_timeout_new                 (guint           msec) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_future_with_timeout         (GAsyncFuture   *future,
                                                  guint           msec) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_future_new_for_cancellable  (GCancellable   *cancellable) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
