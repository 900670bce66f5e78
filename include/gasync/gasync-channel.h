/* gasync-channel.h: multi-producer, single-consumer channels
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

#define GASYNC_TYPE_SENDER (gasync_sender_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GAsyncSender, gasync_sender, GASYNC, SENDER, GObject)

#define GASYNC_TYPE_RECEIVER (gasync_receiver_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GAsyncReceiver, gasync_receiver, GASYNC, RECEIVER, GObject)

/**
 * GAsyncReceiveFunc:
 * @receiver: the receiver the item was taken from
 * @item: (nullable): the item, or %NULL once every sender has closed and
 *   every item was delivered (the last call)
 * @user_data: (closure): the data passed to gasync_receiver_attach()
 *
 * Handles one item delivered by gasync_receiver_attach(), on the thread
 * iterating the #GMainContext it was attached to.
 *
 * @item is lent for the duration of the call: copy what you keep
 * (g_value_dup_object(), g_value_dup_string(), …). A %G_TYPE_POINTER
 * value does not own what it points to, so a pointer item is handed over
 * to the handler, which frees it.
 *
 * Returns: %G_SOURCE_CONTINUE to keep receiving, %G_SOURCE_REMOVE to
 *   detach (items not yet delivered stay queued); ignored for the last
 *   call
 *
 * Since: 0.1
 */
typedef gboolean (*GAsyncReceiveFunc) (GAsyncReceiver *receiver,
                                       const GValue   *item,
                                       gpointer        user_data);

GASYNC_AVAILABLE_IN_ALL
void            gasync_channel_new                     (GType            item_type,
                                                        guint            capacity,
                                                        GAsyncSender   **sender,
                                                        GAsyncReceiver **receiver);
GASYNC_AVAILABLE_IN_ALL
void            gasync_channel_new_full                (GType            item_type,
                                                        guint            capacity,
                                                        GDestroyNotify   item_free,
                                                        GAsyncSender   **sender,
                                                        GAsyncReceiver **receiver);

/* Senders */

GASYNC_AVAILABLE_IN_ALL
GAsyncSender   *gasync_sender_clone                    (GAsyncSender    *sender) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
void            gasync_sender_close                    (GAsyncSender    *sender);
GASYNC_AVAILABLE_IN_ALL
gboolean        gasync_sender_is_closed                (GAsyncSender    *sender);
GASYNC_AVAILABLE_IN_ALL
GType           gasync_sender_get_item_type            (GAsyncSender    *sender);

GASYNC_AVAILABLE_IN_ALL
gboolean        gasync_sender_send                     (GAsyncSender    *sender,
                                                        const GValue    *item,
                                                        GCancellable    *cancellable,
                                                        GError         **error);
GASYNC_AVAILABLE_IN_ALL
gboolean        gasync_sender_try_send                 (GAsyncSender    *sender,
                                                        const GValue    *item,
                                                        GError         **error);
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture   *gasync_sender_send_future              (GAsyncSender    *sender,
                                                        const GValue    *item) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
void            gasync_sender_send_async               (GAsyncSender    *sender,
                                                        const GValue    *item,
                                                        GCancellable    *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer         user_data);
GASYNC_AVAILABLE_IN_ALL
gboolean        gasync_sender_send_finish              (GAsyncSender    *sender,
                                                        GAsyncResult    *result,
                                                        GError         **error);

GASYNC_AVAILABLE_IN_ALL
gboolean        gasync_sender_send_pointer             (GAsyncSender    *sender,
                                                        gpointer         item,
                                                        GCancellable    *cancellable,
                                                        GError         **error);
GASYNC_AVAILABLE_IN_ALL
gboolean        gasync_sender_try_send_pointer         (GAsyncSender    *sender,
                                                        gpointer         item,
                                                        GError         **error);
GASYNC_AVAILABLE_IN_ALL
guint           gasync_sender_send_many                (GAsyncSender    *sender,
                                                        gpointer        *items,
                                                        guint            n_items,
                                                        GCancellable    *cancellable,
                                                        GError         **error);

/* Receivers */

GASYNC_AVAILABLE_IN_ALL
void            gasync_receiver_close                  (GAsyncReceiver  *receiver);
GASYNC_AVAILABLE_IN_ALL
GType           gasync_receiver_get_item_type          (GAsyncReceiver  *receiver);

GASYNC_AVAILABLE_IN_ALL
gboolean        gasync_receiver_recv                   (GAsyncReceiver  *receiver,
                                                        GCancellable    *cancellable,
                                                        GValue          *item,
                                                        GError         **error);
GASYNC_AVAILABLE_IN_ALL
gboolean        gasync_receiver_try_recv               (GAsyncReceiver  *receiver,
                                                        GValue          *item,
                                                        GError         **error);
GASYNC_AVAILABLE_IN_ALL
GValue         *gasync_receiver_recv_value             (GAsyncReceiver  *receiver,
                                                        GCancellable    *cancellable,
                                                        GError         **error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GValue         *gasync_receiver_try_recv_value         (GAsyncReceiver  *receiver,
                                                        GError         **error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture   *gasync_receiver_recv_future            (GAsyncReceiver  *receiver) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
void            gasync_receiver_recv_async             (GAsyncReceiver  *receiver,
                                                        GCancellable    *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer         user_data);
GASYNC_AVAILABLE_IN_ALL
gboolean        gasync_receiver_recv_finish            (GAsyncReceiver  *receiver,
                                                        GAsyncResult    *result,
                                                        GValue          *item,
                                                        GError         **error);

GASYNC_AVAILABLE_IN_ALL
gpointer        gasync_receiver_recv_pointer           (GAsyncReceiver  *receiver,
                                                        GCancellable    *cancellable,
                                                        GError         **error);
GASYNC_AVAILABLE_IN_ALL
gpointer        gasync_receiver_try_recv_pointer       (GAsyncReceiver  *receiver,
                                                        GError         **error);
GASYNC_AVAILABLE_IN_ALL
guint           gasync_receiver_recv_many              (GAsyncReceiver  *receiver,
                                                        gpointer        *items,
                                                        guint            max_items,
                                                        GCancellable    *cancellable,
                                                        GError         **error);
GASYNC_AVAILABLE_IN_ALL
guint           gasync_receiver_try_recv_many          (GAsyncReceiver  *receiver,
                                                        gpointer        *items,
                                                        guint            max_items,
                                                        GError         **error);

GASYNC_AVAILABLE_IN_ALL
guint           gasync_receiver_attach                 (GAsyncReceiver  *receiver,
                                                        GMainContext    *context,
                                                        GAsyncReceiveFunc func,
                                                        gpointer         user_data,
                                                        GDestroyNotify   destroy);

G_END_DECLS
