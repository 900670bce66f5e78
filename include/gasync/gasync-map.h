/* gasync-map.h: applying an asynchronous function to many items, bounded
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

/**
 * GAsyncMapFunc:
 * @item: the item to work on, lent for the duration of the call
 * @cancellable: a #GCancellable cancelled when the map gives up (an
 *   item failed, or the map's future was cancelled); the work should
 *   honour it
 * @user_data: (closure): the data passed to the map
 *
 * Starts the asynchronous work for one item of a bounded-concurrency map
 * (gasync_future_map() and friends) and returns its future. It is called
 * on the map's #GMainContext, with that context thread-default, so GIO
 * operations started inside it complete there.
 *
 * Returns: (transfer full): the future of the work on @item
 *
 * Since: 0.1
 */
typedef GAsyncFuture *(*GAsyncMapFunc) (const GValue *item,
                                        GCancellable *cancellable,
                                        gpointer      user_data);

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_future_map      (const GValue   *items,
                                      guint           n_items,
                                      guint           max_in_flight,
                                      GAsyncMapFunc   func,
                                      gpointer        user_data,
                                      GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_list_model_map  (GListModel     *model,
                                      guint           max_in_flight,
                                      GAsyncMapFunc   func,
                                      gpointer        user_data,
                                      GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_receiver_map    (GAsyncReceiver *receiver,
                                      guint           max_in_flight,
                                      GAsyncMapFunc   func,
                                      gpointer        user_data,
                                      GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
