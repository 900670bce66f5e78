/* gasync-deadline.h: deadlines on futures, and intervals
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
#error "Only <gasync/gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-channel.h"
#include "gasync-future.h"
#include "gasync-version-macros.h"

G_BEGIN_DECLS

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture   *gasync_future_with_deadline  (GAsyncFuture *future,
                                              gint64        monotonic_usec) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_ALL
GAsyncReceiver *gasync_interval_new          (guint         period_msec) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
