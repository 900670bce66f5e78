/* gasync-broadcast.h: a bounded channel whose every receiver gets every item
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

#define GASYNC_TYPE_BROADCAST (gasync_broadcast_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GAsyncBroadcast, gasync_broadcast, GASYNC, BROADCAST, GObject)

#define GASYNC_TYPE_BROADCAST_RECEIVER (gasync_broadcast_receiver_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GAsyncBroadcastReceiver, gasync_broadcast_receiver, GASYNC, BROADCAST_RECEIVER, GObject)

/**
 * GAsyncBroadcastFunc:
 * @receiver: the receiver the item was delivered to
 * @item: (nullable): the item, or %NULL once the broadcast is closed and
 *   every item was delivered (the last call)
 * @missed: how many items @receiver skipped right before @item because it
 *   fell more than the capacity behind (0 normally)
 * @user_data: (closure): the data passed to gasync_broadcast_receiver_attach()
 *
 * Handles one item delivered by gasync_broadcast_receiver_attach(), on the
 * thread iterating the #GMainContext it was attached to.
 *
 * @item is lent for the duration of the call: copy what you keep.
 *
 * Returns: %G_SOURCE_CONTINUE to keep receiving, %G_SOURCE_REMOVE to
 *   detach (items not yet delivered stay for the next receive); ignored
 *   for the last call
 *
 * Since: 0.1
 */
typedef gboolean (*GAsyncBroadcastFunc) (GAsyncBroadcastReceiver *receiver,
                                         const GValue            *item,
                                         guint64                  missed,
                                         gpointer                 user_data);

GASYNC_AVAILABLE_IN_ALL
GAsyncBroadcast         *gasync_broadcast_new                 (GType                     item_type,
                                                               guint                     capacity) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GType                    gasync_broadcast_get_item_type       (GAsyncBroadcast          *broadcast);
GASYNC_AVAILABLE_IN_ALL
guint                    gasync_broadcast_send                (GAsyncBroadcast          *broadcast,
                                                               const GValue             *item);
GASYNC_AVAILABLE_IN_ALL
GAsyncBroadcastReceiver *gasync_broadcast_subscribe           (GAsyncBroadcast          *broadcast) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
void                     gasync_broadcast_close               (GAsyncBroadcast          *broadcast);

GASYNC_AVAILABLE_IN_ALL
gboolean                 gasync_broadcast_receiver_recv       (GAsyncBroadcastReceiver  *receiver,
                                                               GCancellable             *cancellable,
                                                               GValue                   *item,
                                                               guint64                  *missed,
                                                               GError                  **error);
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture            *gasync_broadcast_receiver_recv_future (GAsyncBroadcastReceiver *receiver) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
guint64                  gasync_broadcast_receiver_get_missed (GAsyncBroadcastReceiver  *receiver);
GASYNC_AVAILABLE_IN_ALL
guint                    gasync_broadcast_receiver_attach     (GAsyncBroadcastReceiver  *receiver,
                                                               GMainContext             *context,
                                                               GAsyncBroadcastFunc       func,
                                                               gpointer                  user_data,
                                                               GDestroyNotify            destroy);

G_END_DECLS
