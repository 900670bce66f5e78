/* gasync-receiver.c: the receiving end of a channel
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-channel.h"
#include "gasync-channel-ends-private.h"
#include "gasync-channel-private.h"
#include "gasync-error.h"
#include "gasync-i18n-private.h"
#include "gasync-receiver-source-private.h"

/**
 * GAsyncReceiver:
 *
 * The receiving end of a channel made by gasync_channel_new(). See
 * #GAsyncSender for how channels work.
 *
 * A receiver has one consumer at a time: a thread blocking in
 * gasync_receiver_recv(), a handler attached to a main context with
 * gasync_receiver_attach(), or pending futures from
 * gasync_receiver_recv_future(). Dropping the last reference closes the
 * channel for its senders (an attached handler holds one until it is
 * removed).
 *
 * A receive future waiting for an item is released only by an item, by
 * gasync_future_cancel() on it (directly, or through
 * gasync_future_with_timeout() or another combinator that cancels what it
 * no longer needs), by closing the receiver, or by every sender closing
 * once the queue is drained: see #GAsyncSender, "What releases a parked
 * send or receive". Closing the receiver or dropping its last reference
 * also releases every send parked on the channel.
 *
 * The blocking receives (gasync_receiver_recv(),
 * gasync_receiver_recv_value(), gasync_receiver_recv_pointer(),
 * gasync_receiver_recv_many()) fail with %GASYNC_ERROR_WOULD_DEADLOCK on
 * an async runtime worker every time, even when an item is ready; the
 * `try_` forms, gasync_receiver_recv_future(),
 * gasync_receiver_recv_async() and gasync_receiver_attach() work there.
 *
 * Since: 0.1
 */

struct _GAsyncReceiver
{
  GObject         parent_instance;

  GAsyncChannel  *channel;   /* owned, immutable */
};

G_DEFINE_FINAL_TYPE (GAsyncReceiver, gasync_receiver, G_TYPE_OBJECT)

static void
gasync_receiver_finalize (GObject *object)
{
  GAsyncReceiver *self = GASYNC_RECEIVER (object);

  channel_close_receiver (self->channel);
  g_clear_pointer (&self->channel, channel_unref);

  G_OBJECT_CLASS (gasync_receiver_parent_class)->finalize (object);
}

static void
gasync_receiver_class_init (GAsyncReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gasync_receiver_finalize;
}

static void
gasync_receiver_init (GAsyncReceiver *self)
{
}

GAsyncReceiver *
_gasync_receiver_new_for_channel (GAsyncChannel *chan)
{
  GAsyncReceiver *self = g_object_new (GASYNC_TYPE_RECEIVER, NULL);

  self->channel = channel_ref (chan);
  return self;
}

/**
 * gasync_receiver_close:
 * @receiver: a #GAsyncReceiver
 *
 * Closes @receiver: items still queued are freed (each exactly once, in
 * this thread), senders blocked for room, sends parked by
 * gasync_sender_send_future() and every later send fail with
 * %GASYNC_ERROR_CLOSED and keep their item (a parked send's copy is
 * freed, a %G_TYPE_POINTER item is handed back), pending receive futures
 * fail with %GASYNC_ERROR_CLOSED, and an attached handler is removed
 * (from its own context, without a last call). Dropping the last reference to a
 * receiver closes it. Closing twice does nothing.
 *
 * Since: 0.1
 */
void
gasync_receiver_close (GAsyncReceiver *receiver)
{
  g_return_if_fail (GASYNC_IS_RECEIVER (receiver));

  channel_close_receiver (receiver->channel);
}

/**
 * gasync_receiver_get_item_type:
 * @receiver: a #GAsyncReceiver
 *
 * Gets the type of the items of @receiver's channel.
 *
 * Returns: the item type
 *
 * Since: 0.1
 */
GType
gasync_receiver_get_item_type (GAsyncReceiver *receiver)
{
  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), G_TYPE_INVALID);

  CHANNEL_CALL_DONE (receiver->channel);
  return receiver->channel->type.type;
}

/* Receives one item into @item, or frees it if @item is %NULL. */
static gboolean
receiver_recv_value (GAsyncReceiver  *receiver,
                     RecvMode         mode,
                     GCancellable    *cancellable,
                     GValue          *item,
                     GError         **error)
{
  GAsyncChannel *chan = receiver->channel;
  Slot slot;

  if ((mode == RECV_TRY || channel_check_may_block ("gasync_receiver_recv()", error)) &&
      (item == NULL || item_check_out_value (&chan->type, item, error)) &&
      channel_recv (chan, &slot, 1, mode, cancellable, error) == 1)
    {
      if (item != NULL)
        item_store_into_value (&chan->type, slot, item);
      else
        slot_free (&chan->type, slot);
      CHANNEL_CALL_DONE (chan);
      return TRUE;
    }

  _gasync_value_init_for_error (item);
  return FALSE;
}

/**
 * gasync_receiver_recv: (skip)
 * @receiver: a #GAsyncReceiver
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @item: (out caller-allocates) (optional): a zero-filled #GValue for the
 *   item, or one initialized with a type the item type converts to, or
 *   %NULL to free the item received
 * @error: return location for an error
 *
 * Receives the next item, blocking while the channel is empty. The item
 * is moved into @item: the caller owns it (a %G_TYPE_POINTER item too).
 * With a %NULL @item, the item is taken and freed (a %G_TYPE_POINTER
 * item with the item free function given to gasync_channel_new_full()).
 *
 * Fails with %GASYNC_ERROR_CLOSED once every sender is closed and every
 * queued item was received, or if @receiver is closed; with
 * %G_IO_ERROR_CANCELLED if @cancellable is cancelled while blocked; and
 * with %GASYNC_ERROR_TYPE_MISMATCH (taking nothing) if @item cannot hold
 * the item type. On failure a zero-filled @item is initialized to
 * %G_TYPE_POINTER, %NULL.
 *
 * It is a blocking call: on an async worker thread of a #GAsyncRuntime (a
 * function run by gasync_spawn()) it always fails with
 * %GASYNC_ERROR_WOULD_DEADLOCK and takes nothing, even when an item is
 * ready, so that the mistake shows at once and not only under load. Use
 * gasync_receiver_try_recv(), gasync_receiver_recv_future() or
 * gasync_receiver_recv_async() there.
 *
 * Bindings call gasync_receiver_recv_value() under this name.
 *
 * Returns: %TRUE if an item was received
 *
 * Since: 0.1
 */
gboolean
gasync_receiver_recv (GAsyncReceiver  *receiver,
                      GCancellable    *cancellable,
                      GValue          *item,
                      GError         **error)
{
  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return receiver_recv_value (receiver, RECV_BLOCK, cancellable, item, error);
}

/**
 * gasync_receiver_try_recv: (skip)
 * @receiver: a #GAsyncReceiver
 * @item: (out caller-allocates) (optional): a zero-filled #GValue for the
 *   item, or one initialized with a type the item type converts to, or
 *   %NULL to free the item received
 * @error: return location for an error
 *
 * Receives the next item if there is one, without blocking: fails with
 * %GASYNC_ERROR_EMPTY if the channel is empty but open, and otherwise as
 * gasync_receiver_recv(). It never blocks, so unlike
 * gasync_receiver_recv() it works on an async runtime worker.
 *
 * Bindings call gasync_receiver_try_recv_value() under this name.
 *
 * Returns: %TRUE if an item was received
 *
 * Since: 0.1
 */
gboolean
gasync_receiver_try_recv (GAsyncReceiver  *receiver,
                          GValue          *item,
                          GError         **error)
{
  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return receiver_recv_value (receiver, RECV_TRY, NULL, item, error);
}

static GValue *
receiver_recv_new_value (GAsyncReceiver  *receiver,
                         RecvMode         mode,
                         GCancellable    *cancellable,
                         GError         **error)
{
  GAsyncChannel *chan = receiver->channel;
  GValue *value;
  Slot slot;

  if (mode == RECV_BLOCK && !channel_check_may_block ("gasync_receiver_recv_value()", error))
    return NULL;
  if (channel_recv (chan, &slot, 1, mode, cancellable, error) != 1)
    return NULL;

  value = g_new0 (GValue, 1);
  slot_into_value (&chan->type, slot, value);
  CHANNEL_CALL_DONE (chan);
  return value;
}

/**
 * gasync_receiver_recv_value: (rename-to gasync_receiver_recv)
 * @receiver: a #GAsyncReceiver
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * Receives the next item, blocking while the channel is empty, as
 * gasync_receiver_recv() does, and returns it as a new #GValue. Like
 * gasync_receiver_recv(), it always fails with
 * %GASYNC_ERROR_WOULD_DEADLOCK on an async runtime worker, even when an
 * item is ready.
 *
 * Returns: (transfer full) (nullable): the item, or %NULL with @error set
 *
 * Since: 0.1
 */
GValue *
gasync_receiver_recv_value (GAsyncReceiver  *receiver,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return receiver_recv_new_value (receiver, RECV_BLOCK, cancellable, error);
}

/**
 * gasync_receiver_try_recv_value: (rename-to gasync_receiver_try_recv)
 * @receiver: a #GAsyncReceiver
 * @error: return location for an error
 *
 * Receives the next item if there is one, as gasync_receiver_try_recv()
 * does, and returns it as a new #GValue.
 *
 * Returns: (transfer full) (nullable): the item, or %NULL with @error set
 *
 * Since: 0.1
 */
GValue *
gasync_receiver_try_recv_value (GAsyncReceiver  *receiver,
                                GError         **error)
{
  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return receiver_recv_new_value (receiver, RECV_TRY, NULL, error);
}

/**
 * gasync_receiver_recv_future:
 * @receiver: a #GAsyncReceiver
 *
 * Receives the next item without blocking: the returned future resolves
 * with the item (at once if one is queued), or is rejected with
 * %GASYNC_ERROR_CLOSED as gasync_receiver_recv() would fail. Futures
 * waiting at the same time are served in the order they were made.
 *
 * Cancelling the future with gasync_future_cancel() withdraws the receive:
 * it takes no item, which stays queued for the next receive. A timeout of
 * gasync_future_with_timeout() on it does the same (it cancels it).
 * Dropping the returned reference does not: the channel keeps the
 * receive until an item, a cancellation or a close settles it (see
 * #GAsyncSender, "What releases a parked send or receive"). A
 * %G_TYPE_POINTER item is handed over to whoever reads the future with
 * gasync_future_get_pointer() (the future does not free it); other items
 * are owned by the future and copied out by its getters.
 *
 * It never blocks, so unlike gasync_receiver_recv() it works on an async
 * runtime worker.
 *
 * Returns: (transfer full): a future of the item
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_receiver_recv_future (GAsyncReceiver *receiver)
{
  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), NULL);

  return channel_recv_future (receiver->channel);
}

/**
 * gasync_receiver_recv_async:
 * @receiver: a #GAsyncReceiver
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async) (closure user_data): called with the item, or
 *   the error
 * @user_data: data for @callback
 *
 * Receives the next item without blocking, the GIO way: @callback runs on
 * the caller's thread-default #GMainContext and gets the item with
 * gasync_receiver_recv_finish(). Cancelling @cancellable withdraws the
 * receive (no item is taken) unless an item was already taken for it, in
 * which case the callback gets the item. See gasync_receiver_recv_future().
 *
 * Since: 0.1
 */
void
gasync_receiver_recv_async (GAsyncReceiver      *receiver,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GAsyncFuture) future = NULL;

  g_return_if_fail (GASYNC_IS_RECEIVER (receiver));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (g_cancellable_is_cancelled (cancellable))
    future = gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("Operation was cancelled"));
  else
    future = gasync_receiver_recv_future (receiver);
  channel_return_to_task (receiver, gasync_receiver_recv_async, "[gasync] gasync_receiver_recv_async",
                          future, cancellable, callback, user_data);
}

/**
 * gasync_receiver_recv_finish:
 * @receiver: a #GAsyncReceiver
 * @result: the #GAsyncResult given to the callback
 * @item: (out caller-allocates) (optional): a zero-filled #GValue for the
 *   item, or one initialized with a type the item type converts to, or
 *   %NULL to free the item received
 * @error: return location for an error
 *
 * Finishes gasync_receiver_recv_async(). The caller owns the item (a
 * %G_TYPE_POINTER item too); with a %NULL @item it is freed here (a
 * %G_TYPE_POINTER item with the item free function given to
 * gasync_channel_new_full()). On failure a zero-filled @item is
 * initialized to %G_TYPE_POINTER, %NULL.
 *
 * Returns: (skip): %TRUE if an item was received
 *
 * Since: 0.1
 */
gboolean
gasync_receiver_recv_finish (GAsyncReceiver  *receiver,
                             GAsyncResult    *result,
                             GValue          *item,
                             GError         **error)
{
  GValue tmp = G_VALUE_INIT;
  gboolean ok;

  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, receiver), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gasync_receiver_recv_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_task_propagate_value (G_TASK (result), &tmp, error))
    {
      _gasync_value_init_for_error (item);
      return FALSE;
    }

  if (item == NULL)
    {
      item_discard_value (&receiver->channel->type, &tmp);
      return TRUE;
    }
  if (G_VALUE_TYPE (item) == G_TYPE_INVALID)
    {
      *item = tmp;
      return TRUE;
    }

  ok = _gasync_value_store (item, &tmp, error);
  g_value_unset (&tmp);
  if (!ok)
    _gasync_value_init_for_error (item);
  return ok;
}

/**
 * gasync_receiver_recv_pointer: (skip)
 * @receiver: a #GAsyncReceiver of a pointer-like item type
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * The C fast path of gasync_receiver_recv() for pointer-like item types:
 * returns the item itself, with no #GValue, blocking while the channel is
 * empty. The caller owns it (for an object or a variant, a reference).
 * Items are never %NULL, so %NULL means @error is set. Like
 * gasync_receiver_recv(), it always fails with
 * %GASYNC_ERROR_WOULD_DEADLOCK on an async runtime worker, even when an
 * item is ready: use gasync_receiver_try_recv_pointer() there.
 *
 * Returns: (transfer full) (nullable): the item, or %NULL with @error set
 *
 * Since: 0.1
 */
gpointer
gasync_receiver_recv_pointer (GAsyncReceiver  *receiver,
                              GCancellable    *cancellable,
                              GError         **error)
{
  Slot slot;

  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), NULL);
  g_return_val_if_fail (item_kind_is_pointer_like (receiver->channel->type.kind), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!channel_check_may_block ("gasync_receiver_recv_pointer()", error))
    return NULL;
  if (channel_recv (receiver->channel, &slot, 1, RECV_BLOCK, cancellable, error) != 1)
    return NULL;
  return slot.v_pointer;
}

/**
 * gasync_receiver_try_recv_pointer: (skip)
 * @receiver: a #GAsyncReceiver of a pointer-like item type
 * @error: return location for an error
 *
 * Like gasync_receiver_recv_pointer(), but fails with
 * %GASYNC_ERROR_EMPTY instead of blocking.
 *
 * Returns: (transfer full) (nullable): the item, or %NULL with @error set
 *
 * Since: 0.1
 */
gpointer
gasync_receiver_try_recv_pointer (GAsyncReceiver  *receiver,
                                  GError         **error)
{
  Slot slot;

  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), NULL);
  g_return_val_if_fail (item_kind_is_pointer_like (receiver->channel->type.kind), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (channel_recv (receiver->channel, &slot, 1, RECV_TRY, NULL, error) != 1)
    return NULL;
  return slot.v_pointer;
}

/* Takes up to @max_items pointer-like items straight into @items (a Slot
 * is a pointer wide on the usual ABIs; elsewhere through a bounce buffer). */
static guint
receiver_recv_pointers (GAsyncReceiver  *receiver,
                        gpointer        *items,
                        guint            max_items,
                        RecvMode         mode,
                        GCancellable    *cancellable,
                        GError         **error)
{
  Slot slots[64];
  guint n;

  if (sizeof (Slot) == sizeof (gpointer))
    return channel_recv (receiver->channel, (Slot *) items, max_items, mode, cancellable, error);

  n = channel_recv (receiver->channel, slots, MIN (max_items, G_N_ELEMENTS (slots)),
                    mode, cancellable, error);
  for (guint i = 0; i < n; i++)
    items[i] = slots[i].v_pointer;
  return n;
}

/**
 * gasync_receiver_recv_many: (skip)
 * @receiver: a #GAsyncReceiver of a pointer-like item type
 * @items: (array length=max_items) (out caller-allocates) (transfer full):
 *   room for @max_items items
 * @max_items: how many items to take at most, at least 1
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * Receives a batch: blocks until at least one item is queued, then takes
 * up to @max_items with one lock, in order. The caller owns them. Fails as
 * gasync_receiver_recv_pointer() does, so always with
 * %GASYNC_ERROR_WOULD_DEADLOCK on an async runtime worker (use
 * gasync_receiver_try_recv_many() there).
 *
 * Returns: the number of items stored in @items, or 0 with @error set
 *
 * Since: 0.1
 */
guint
gasync_receiver_recv_many (GAsyncReceiver  *receiver,
                           gpointer        *items,
                           guint            max_items,
                           GCancellable    *cancellable,
                           GError         **error)
{
  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), 0);
  g_return_val_if_fail (item_kind_is_pointer_like (receiver->channel->type.kind), 0);
  g_return_val_if_fail (items != NULL, 0);
  g_return_val_if_fail (max_items > 0, 0);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!channel_check_may_block ("gasync_receiver_recv_many()", error))
    return 0;
  return receiver_recv_pointers (receiver, items, max_items, RECV_BLOCK, cancellable, error);
}

/**
 * gasync_receiver_try_recv_many: (skip)
 * @receiver: a #GAsyncReceiver of a pointer-like item type
 * @items: (array length=max_items) (out caller-allocates) (transfer full):
 *   room for @max_items items
 * @max_items: how many items to take at most, at least 1
 * @error: return location for an error
 *
 * Like gasync_receiver_recv_many(), but fails with %GASYNC_ERROR_EMPTY
 * instead of blocking: takes everything queued (up to @max_items) with
 * one lock.
 *
 * Returns: the number of items stored in @items, or 0 with @error set
 *
 * Since: 0.1
 */
guint
gasync_receiver_try_recv_many (GAsyncReceiver  *receiver,
                               gpointer        *items,
                               guint            max_items,
                               GError         **error)
{
  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), 0);
  g_return_val_if_fail (item_kind_is_pointer_like (receiver->channel->type.kind), 0);
  g_return_val_if_fail (items != NULL, 0);
  g_return_val_if_fail (max_items > 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  return receiver_recv_pointers (receiver, items, max_items, RECV_TRY, NULL, error);
}

/* Receiving on a main context */

/**
 * gasync_receiver_attach:
 * @receiver: a #GAsyncReceiver
 * @context: (nullable): the #GMainContext to deliver on, or %NULL for the
 *   caller's thread-default context
 * @func: (scope notified) (closure user_data) (destroy destroy): called for
 *   each item, on the thread iterating @context
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func will not be called
 *   again
 *
 * Delivers the items of @receiver's channel to @func, on the thread that
 * iterates @context, in batches: a sender wakes @context only when the
 * channel goes from empty to non-empty, and one dispatch then delivers
 * everything queued (yielding to the context's other sources after a few
 * thousand items), taking the items a batch at a time with one lock. No
 * #GSource or #GValue is allocated per item.
 *
 * @func returns %G_SOURCE_REMOVE to stop; items it did not get stay
 * queued. Once every sender is closed and every item was delivered, @func
 * is called one last time with a %NULL item and the handler is removed.
 * Closing @receiver removes it too, without that last call. @destroy runs
 * when the handler is removed, on @context's thread.
 *
 * While attached, the handler holds a reference on @receiver, so the
 * caller may drop its own. A receiver has one consumer: attaching twice is
 * a programming error.
 *
 * Returns: the ID of the #GSource (for g_source_remove()), or 0 on a
 *   programming error
 *
 * Since: 0.1
 */
guint
gasync_receiver_attach (GAsyncReceiver    *receiver,
                        GMainContext      *context,
                        GAsyncReceiveFunc  func,
                        gpointer           user_data,
                        GDestroyNotify     destroy)
{
  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), 0);
  g_return_val_if_fail (func != NULL, 0);

  return receiver_source_attach (receiver->channel, receiver, context, func, user_data, destroy);
}

/* Tests */

void
_gasync_receiver_get_stats (GAsyncReceiver     *receiver,
                            GAsyncChannelStats *stats)
{
  channel_get_stats (receiver->channel, stats);
}
