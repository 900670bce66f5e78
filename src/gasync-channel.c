/* gasync-channel.c: making a channel
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-channel.h"
#include "gasync-channel-ends-private.h"

/* A channel is a GAsyncChannel core (gasync-channel-core.c, over the item
 * storage of gasync-channel-items.c) shared by GAsyncSender objects
 * (gasync-sender.c) and one GAsyncReceiver (gasync-receiver.c, which
 * delivers on a main context with gasync-receiver-source.c). This file,
 * the top layer, makes the first sender and the receiver. */

static void
channel_new_ends (GType            item_type,
                  guint            capacity,
                  GDestroyNotify   item_free,
                  GAsyncSender   **sender,
                  GAsyncReceiver **receiver)
{
  GAsyncChannel *chan = channel_new (item_type, capacity, item_free);

  *sender = _gasync_sender_new_for_channel (chan);
  *receiver = _gasync_receiver_new_for_channel (chan);
  channel_unref (chan);
}

/**
 * gasync_channel_new:
 * @item_type: the #GType of the items
 * @capacity: how many items the channel holds at most, or 0 for no limit
 * @sender: (out) (transfer full): return location for the first sender
 * @receiver: (out) (transfer full): return location for the receiver
 *
 * Creates a channel that carries items of @item_type from any number of
 * senders (clone @sender with gasync_sender_clone()) to @receiver. See
 * #GAsyncSender.
 *
 * For %G_TYPE_POINTER items, use gasync_channel_new_full() to give the
 * function that frees an item nobody received.
 *
 * Since: 0.1
 */
void
gasync_channel_new (GType            item_type,
                    guint            capacity,
                    GAsyncSender   **sender,
                    GAsyncReceiver **receiver)
{
  g_return_if_fail (G_TYPE_IS_VALUE_TYPE (item_type));
  g_return_if_fail (sender != NULL);
  g_return_if_fail (receiver != NULL);

  channel_new_ends (item_type, capacity, NULL, sender, receiver);
}

/**
 * gasync_channel_new_full: (skip)
 * @item_type: the #GType of the items
 * @capacity: how many items the channel holds at most, or 0 for no limit
 * @item_free: (nullable): frees a %G_TYPE_POINTER item that is never
 *   received; must be %NULL for other item types, which are freed the way
 *   #GValue frees them
 * @sender: (out) (transfer full): return location for the first sender
 * @receiver: (out) (transfer full): return location for the receiver
 *
 * Like gasync_channel_new(), for pointer items that own memory: every such
 * item is either received (the receiver then owns it) or freed with
 * @item_free exactly once, when the receiver closes with the item queued.
 *
 * Since: 0.1
 */
void
gasync_channel_new_full (GType            item_type,
                         guint            capacity,
                         GDestroyNotify   item_free,
                         GAsyncSender   **sender,
                         GAsyncReceiver **receiver)
{
  g_return_if_fail (G_TYPE_IS_VALUE_TYPE (item_type));
  g_return_if_fail (item_free == NULL || G_TYPE_FUNDAMENTAL (item_type) == G_TYPE_POINTER);
  g_return_if_fail (sender != NULL);
  g_return_if_fail (receiver != NULL);

  channel_new_ends (item_type, capacity, item_free, sender, receiver);
}
