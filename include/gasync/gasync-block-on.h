/* gasync-block-on.h: run asynchronous work to completion from synchronous code
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
gboolean      gasync_block_on                (GAsyncFunc     func,
                                              gpointer       user_data,
                                              GCancellable  *cancellable,
                                              GValue        *value,
                                              GError       **error);
GASYNC_AVAILABLE_IN_ALL
gboolean      gasync_block_on_with_timeout   (GAsyncFunc     func,
                                              gpointer       user_data,
                                              guint          timeout_msec,
                                              GCancellable  *cancellable,
                                              GValue        *value,
                                              GError       **error);
GASYNC_AVAILABLE_IN_ALL
GValue       *gasync_block_on_value          (GAsyncFunc     func,
                                              gpointer       user_data,
                                              guint          timeout_msec,
                                              GCancellable  *cancellable,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_block_on_future         (GAsyncFunc     func,
                                              gpointer       user_data,
                                              guint          timeout_msec,
                                              GCancellable  *cancellable) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
gboolean      gasync_block_on_drain          (guint          timeout_msec,
                                              GCancellable  *cancellable,
                                              GError       **error);

G_END_DECLS
