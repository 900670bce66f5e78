/* gasync-limiter.h: GAsyncLimiter, an asynchronous counting semaphore
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

#define GASYNC_TYPE_LIMITER (gasync_limiter_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GAsyncLimiter, gasync_limiter, GASYNC, LIMITER, GObject)

GASYNC_AVAILABLE_IN_ALL
GAsyncLimiter *gasync_limiter_new           (guint           permits) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
guint          gasync_limiter_get_permits   (GAsyncLimiter  *limiter);
GASYNC_AVAILABLE_IN_ALL
guint          gasync_limiter_get_available (GAsyncLimiter  *limiter);
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture  *gasync_limiter_acquire       (GAsyncLimiter  *limiter) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
gboolean       gasync_limiter_try_acquire   (GAsyncLimiter  *limiter);
GASYNC_AVAILABLE_IN_ALL
void           gasync_limiter_release       (GAsyncLimiter  *limiter);
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture  *gasync_limiter_run           (GAsyncLimiter  *limiter,
                                             GAsyncFunc      func,
                                             gpointer        user_data,
                                             GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
