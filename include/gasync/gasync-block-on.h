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
gboolean      gasync_block_on_boolean        (GAsyncFunc     func,
                                              gpointer       user_data,
                                              GCancellable  *cancellable,
                                              GError       **error);
GASYNC_AVAILABLE_IN_ALL
gint          gasync_block_on_int            (GAsyncFunc     func,
                                              gpointer       user_data,
                                              GCancellable  *cancellable,
                                              GError       **error);
GASYNC_AVAILABLE_IN_ALL
gint64        gasync_block_on_int64          (GAsyncFunc     func,
                                              gpointer       user_data,
                                              GCancellable  *cancellable,
                                              GError       **error);
GASYNC_AVAILABLE_IN_ALL
gdouble       gasync_block_on_double         (GAsyncFunc     func,
                                              gpointer       user_data,
                                              GCancellable  *cancellable,
                                              GError       **error);
GASYNC_AVAILABLE_IN_ALL
char         *gasync_block_on_string         (GAsyncFunc     func,
                                              gpointer       user_data,
                                              GCancellable  *cancellable,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
gpointer      gasync_block_on_object         (GAsyncFunc     func,
                                              gpointer       user_data,
                                              GCancellable  *cancellable,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
gpointer      gasync_block_on_pointer        (GAsyncFunc     func,
                                              gpointer       user_data,
                                              GCancellable  *cancellable,
                                              GError       **error);
GASYNC_AVAILABLE_IN_ALL
GVariant     *gasync_block_on_variant        (GAsyncFunc     func,
                                              gpointer       user_data,
                                              GCancellable  *cancellable,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
