/* gasync-sender.c: the sending end of a channel
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-channel.h"
#include "gasync-channel-ends-private.h"
#include "gasync-error.h"
#include "gasync-i18n-private.h"

/**
 * GAsyncSender:
 *
 * The sending end of a channel made by gasync_channel_new().
 *
 * A channel carries items of one #GType from any number of senders to one
 * receiver (a #GAsyncReceiver), across threads and main contexts, in
 * order, with back-pressure, and without ever losing an item. It is what
 * connects worker threads to each other and to a GTK main loop:
 *
 * |[<!-- language="C" -->
 * static gpointer
 * worker (gpointer data)
 * {
 *   g_autoptr(GAsyncSender) tx = data;
 *
 *   for (guint i = 0; i < 100; i++)
 *     {
 *       g_auto(GValue) progress = G_VALUE_INIT;
 *
 *       g_value_init (&progress, G_TYPE_UINT);
 *       g_value_set_uint (&progress, i);
 *       // Blocks while the channel is full: the UI is never flooded.
 *       if (!gasync_sender_send (tx, &progress, NULL, NULL))
 *         break;   // the receiver went away
 *     }
 *   return NULL;   // dropping the last sender closes the channel
 * }
 *
 * static gboolean
 * on_progress (GAsyncReceiver *rx,
 *              const GValue   *item,
 *              gpointer        user_data)
 * {
 *   if (item == NULL)   // every sender is gone and everything was delivered
 *     gtk_window_destroy (GTK_WINDOW (user_data));
 *   else
 *     update_progress_bar (user_data, g_value_get_uint (item));
 *   return G_SOURCE_CONTINUE;
 * }
 *
 * g_autoptr(GAsyncSender) tx = NULL;
 * g_autoptr(GAsyncReceiver) rx = NULL;
 *
 * gasync_channel_new (G_TYPE_UINT, 64, &tx, &rx);
 * g_thread_unref (g_thread_new ("worker", worker, g_steal_pointer (&tx)));
 * gasync_receiver_attach (rx, NULL, on_progress, window, NULL);
 * ]|
 *
 * ## Item types
 *
 * The item type is fixed when the channel is made, like a #GListStore's.
 * Items are stored unboxed, eight bytes each, with no #GValue, future or
 * #GSource allocated per item: a %G_TYPE_POINTER item is the pointer
 * itself (freed with the item free function given to
 * gasync_channel_new_full() if it is never received), an object is a
 * reference, a string, boxed value, #GVariant or #GParamSpec is an owned
 * copy or reference, and an integer, boolean, enum, flags or floating
 * point item is the number itself. Other types fall back to one #GValue
 * per item. %NULL items are refused, so a function returning a pointer
 * item returns %NULL only with its error set.
 *
 * Items go in and out in three ways: as a #GValue (gasync_sender_send(),
 * gasync_receiver_recv(); converted with g_value_transform() where the
 * types differ, so a JavaScript number can be sent on a %G_TYPE_INT
 * channel), as a pointer (gasync_sender_send_pointer(),
 * gasync_receiver_recv_pointer(), gasync_receiver_recv_many(); the C fast
 * path, for every pointer-like item type, transferring ownership). A
 * %G_TYPE_POINTER channel carries small integers on the fast path too,
 * with GINT_TO_POINTER() and GPOINTER_TO_INT() (0 excepted: items are
 * never %NULL).
 *
 * ## Back-pressure
 *
 * A channel made with a capacity holds at most that many items. When it is
 * full, gasync_sender_send() blocks (it takes a #GCancellable; to give up
 * after a while, wait for gasync_sender_send_future() bounded by
 * gasync_future_with_timeout() instead),
 * gasync_sender_try_send() fails with %GASYNC_ERROR_FULL, and
 * gasync_sender_send_future() / gasync_sender_send_async() wait without
 * blocking and complete once the item is queued. A capacity of 0 makes an
 * unbounded channel, where sending never waits.
 *
 * ## Closing: nothing is lost
 *
 * Every item sent is either received exactly once, or handed back to its
 * sender, or freed exactly once. In detail:
 *
 * - When every sender is closed (gasync_sender_close(), or the last
 *   reference dropped), the receiver still gets every item queued, then
 *   %GASYNC_ERROR_CLOSED. Sends started with gasync_sender_send_future()
 *   before that still complete.
 * - When the receiver is closed (gasync_receiver_close(), or its last
 *   reference dropped), senders blocked in gasync_sender_send() and every
 *   later send fail with %GASYNC_ERROR_CLOSED and keep their item: a C
 *   caller of gasync_sender_send_pointer() still owns it; a #GValue sent is
 *   only ever copied. Items still queued are freed, each exactly once.
 * - Cancelling a blocked send or receive, or the future of a pending one
 *   (gasync_future_cancel()), takes nothing: the item stays with its
 *   sender, or in the channel for the next receive.
 *
 * Items from one sender arrive in the order they were sent; items from
 * different senders interleave.
 *
 * ## What releases a parked send or receive
 *
 * A send future (gasync_sender_send_future()) parked on a full channel, or
 * a receive future (gasync_receiver_recv_future()) waiting on an empty
 * one, is held by the channel until one of these settles it; nothing else
 * does, so a program that gives up on one must use one of them:
 *
 * - It completes: the item is queued (the send future resolves with
 *   %TRUE) or received (the receive future resolves with it).
 * - gasync_future_cancel() on the future itself, or on a future derived
 *   from it that cancels what it waits on:
 *   gasync_future_with_timeout() when time is up; gasync_future_race(),
 *   gasync_future_any() and gasync_future_all() for the inputs they no
 *   longer need; the `_async` forms when their #GCancellable fires. The
 *   operation is withdrawn at once: the future rejects with
 *   %G_IO_ERROR_CANCELLED, a send's item is never queued (the channel
 *   frees its copy, or hands a %G_TYPE_POINTER item back to the caller),
 *   a receive takes nothing, and the channel no longer counts a withdrawn
 *   send as pending (it no longer keeps the channel open for the
 *   receiver). If the item moved just before, the future keeps that
 *   result instead: read it.
 * - The receiver closed (gasync_receiver_close(), or its last reference
 *   dropped): every parked send rejects with %GASYNC_ERROR_CLOSED, its
 *   item freed or handed back exactly once as above, and every waiting
 *   receive future rejects with %GASYNC_ERROR_CLOSED.
 * - Every sender closed (gasync_sender_close(), or the last reference
 *   dropped) and every parked send settled: once the queue is drained,
 *   every waiting receive future rejects with %GASYNC_ERROR_CLOSED.
 *
 * Closing a sender does not withdraw the sends it already parked: they
 * still complete (or are released as above). Dropping your reference to
 * a pending future does not release it either: the channel holds its own
 * until it settles, and a receive future settled then with a
 * %G_TYPE_POINTER item nobody reads leaks that item. Cancel it instead.
 *
 * ## Receiving on a main loop
 *
 * gasync_receiver_attach() delivers items to a handler on the thread that
 * iterates a #GMainContext, in batches: a sender wakes the context only
 * when the channel goes from empty to non-empty, and one dispatch then
 * delivers everything queued. gasync_receiver_recv_future() and
 * gasync_receiver_recv_async() receive one item without blocking.
 *
 * ## Oneshot channels
 *
 * A channel for exactly one value is a #GAsyncPromise: the producer
 * settles it (with a value or an error) from any thread, the consumer
 * waits for it as a #GAsyncFuture, with its callbacks run on its own
 * context:
 *
 * |[<!-- language="C" -->
 * static gpointer
 * compute (gpointer data)
 * {
 *   g_autoptr(GAsyncPromise) promise = data;
 *
 *   gasync_promise_resolve_int (promise, 6 * 7);
 *   return NULL;
 * }
 *
 * GAsyncPromise *promise = gasync_promise_new ();
 * g_auto(GValue) value = G_VALUE_INIT;
 * g_autoptr(GError) error = NULL;
 *
 * g_thread_unref (g_thread_new ("compute", compute, g_object_ref (promise)));
 * // Blocks this thread without iterating any context; or use
 * // gasync_future_and_then() to continue on this thread's main loop.
 * if (gasync_future_wait (GASYNC_FUTURE (promise), NULL, &value, &error))
 *   g_print ("%d\n", g_value_get_int (&value));
 * ]|
 *
 * If the producer drops the promise without settling it, the consumer
 * gets %GASYNC_ERROR_DROPPED instead of waiting forever.
 *
 * ## Thread safety and contexts
 *
 * Senders and the receiver may be used from any thread. A sender may be
 * cloned (gasync_sender_clone()) and the clones used from several threads
 * at once; the receiver is meant for one consumer at a time.
 *
 * The blocking forms (gasync_sender_send(), gasync_sender_send_pointer(),
 * gasync_sender_send_many(), gasync_receiver_recv(),
 * gasync_receiver_recv_value(), gasync_receiver_recv_pointer(),
 * gasync_receiver_recv_many()) are refused on an async worker thread of a
 * #GAsyncRuntime (a function run by gasync_spawn()): they fail there with
 * %GASYNC_ERROR_WOULD_DEADLOCK every time, even when there is room or an
 * item is ready, and move nothing, so that the mistake shows on the first
 * run and not only under load (tokio's blocking_send() behaves the same).
 * On a worker, use the `try_` forms, the futures or the `_async` forms;
 * block in gasync_spawn_blocking() work or a thread of your own.
 *
 * Callbacks (the attach handler, `_async` callbacks, continuations of the
 * futures) run on the #GMainContext they were registered from, never
 * inside the send or receive call that made them ready. Item free
 * functions run, with no lock held, in the thread that closes or
 * finalizes the receiver.
 *
 * Since: 0.1
 */


struct _GAsyncSender
{
  GObject         parent_instance;

  GAsyncChannel  *channel;   /* owned, immutable */
  gboolean        closed;    /* protected by channel->mutex */
};

G_DEFINE_FINAL_TYPE (GAsyncSender, gasync_sender, G_TYPE_OBJECT)

static void
gasync_sender_finalize (GObject *object)
{
  GAsyncSender *self = GASYNC_SENDER (object);

  channel_close_sender (self->channel, &self->closed);
  g_clear_pointer (&self->channel, channel_unref);

  G_OBJECT_CLASS (gasync_sender_parent_class)->finalize (object);
}

static void
gasync_sender_class_init (GAsyncSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gasync_sender_finalize;
}

static void
gasync_sender_init (GAsyncSender *self)
{
}

GAsyncSender *
_gasync_sender_new_for_channel (GAsyncChannel *chan)
{
  GAsyncSender *self = g_object_new (GASYNC_TYPE_SENDER, NULL);

  self->channel = channel_ref (chan);
  return self;
}

/**
 * gasync_sender_clone:
 * @sender: a #GAsyncSender
 *
 * Creates another sender for the same channel, for another producer. The
 * channel stays open for the receiver until every sender is closed. A
 * clone of a closed sender is closed.
 *
 * Returns: (transfer full): a new sender
 *
 * Since: 0.1
 */
GAsyncSender *
gasync_sender_clone (GAsyncSender *sender)
{
  GAsyncChannel *chan;
  GAsyncSender *clone;

  g_return_val_if_fail (GASYNC_IS_SENDER (sender), NULL);

  chan = sender->channel;
  clone = _gasync_sender_new_for_channel (chan);
  clone->closed = channel_add_producer (chan, &sender->closed);

  return clone;
}

/**
 * gasync_sender_close:
 * @sender: a #GAsyncSender
 *
 * Closes @sender: its sends fail with %GASYNC_ERROR_CLOSED from now on,
 * including any blocked in gasync_sender_send() (sends already parked by
 * gasync_sender_send_future() still complete). Once every sender of the
 * channel is closed, the receiver gets what is queued, then
 * %GASYNC_ERROR_CLOSED. Dropping the last reference to a sender closes it.
 * Closing twice does nothing.
 *
 * Since: 0.1
 */
void
gasync_sender_close (GAsyncSender *sender)
{
  g_return_if_fail (GASYNC_IS_SENDER (sender));

  channel_close_sender (sender->channel, &sender->closed);
}

/**
 * gasync_sender_is_closed:
 * @sender: a #GAsyncSender
 *
 * Checks whether sending on @sender can no longer succeed: it was closed,
 * or the receiver was. A producer can use it to stop early.
 *
 * Returns: %TRUE if @sender or the receiver is closed
 *
 * Since: 0.1
 */
gboolean
gasync_sender_is_closed (GAsyncSender *sender)
{
  g_return_val_if_fail (GASYNC_IS_SENDER (sender), TRUE);

  return channel_is_closed_for (sender->channel, &sender->closed);
}

/**
 * gasync_sender_get_item_type:
 * @sender: a #GAsyncSender
 *
 * Gets the type of the items of @sender's channel.
 *
 * Returns: the item type
 *
 * Since: 0.1
 */
GType
gasync_sender_get_item_type (GAsyncSender *sender)
{
  g_return_val_if_fail (GASYNC_IS_SENDER (sender), G_TYPE_INVALID);

  CHANNEL_CALL_DONE (sender->channel);
  return sender->channel->type.type;
}

static gboolean
sender_send_value (GAsyncSender  *sender,
                   const GValue  *item,
                   SendMode       mode,
                   GCancellable  *cancellable,
                   GError       **error)
{
  GAsyncChannel *chan = sender->channel;
  Slot slot;

  if (mode == SEND_BLOCK && !channel_check_may_block ("gasync_sender_send()", error))
    return FALSE;

  if (!slot_from_value (&chan->type, item, &slot, error))
    return FALSE;

  if (channel_send (chan, &sender->closed, slot, mode, cancellable, NULL, error))
    return TRUE;

  slot_drop_original (&chan->type, slot);
  CHANNEL_CALL_DONE (chan);
  return FALSE;
}

/**
 * gasync_sender_send:
 * @sender: a #GAsyncSender
 * @item: the item; it is copied (converted to the item type if needed)
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * Sends a copy of @item, blocking while the channel is full.
 *
 * Fails with %GASYNC_ERROR_CLOSED if @sender or the receiver is closed
 * (also while blocked), with %G_IO_ERROR_CANCELLED if @cancellable is
 * cancelled while blocked, with %GASYNC_ERROR_TYPE_MISMATCH if @item does
 * not convert to the item type, and with %GASYNC_ERROR_INVALID_ARGUMENT
 * for a %NULL pointer, string, object or other boxed item. Nothing is
 * queued when it fails.
 *
 * It is a blocking call: on an async worker thread of a #GAsyncRuntime (a
 * function run by gasync_spawn()) it always fails with
 * %GASYNC_ERROR_WOULD_DEADLOCK, even when there is room, so that the
 * mistake shows at once and not only under load. Use
 * gasync_sender_try_send(), gasync_sender_send_future() or
 * gasync_sender_send_async() there.
 *
 * For a %G_TYPE_POINTER item, the channel takes over the pointer when this
 * succeeds (see gasync_channel_new_full()).
 *
 * Returns: (skip): %TRUE if the item was queued
 *
 * Since: 0.1
 */
gboolean
gasync_sender_send (GAsyncSender  *sender,
                    const GValue  *item,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_SENDER (sender), FALSE);
  g_return_val_if_fail (G_IS_VALUE (item), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return sender_send_value (sender, item, SEND_BLOCK, cancellable, error);
}

/**
 * gasync_sender_try_send:
 * @sender: a #GAsyncSender
 * @item: the item; it is copied (converted to the item type if needed)
 * @error: return location for an error
 *
 * Sends a copy of @item if there is room now. Fails with
 * %GASYNC_ERROR_FULL if the channel is full (or earlier sends still wait
 * for room), and otherwise as gasync_sender_send(). It never blocks, so
 * unlike gasync_sender_send() it works on an async runtime worker.
 *
 * Returns: (skip): %TRUE if the item was queued
 *
 * Since: 0.1
 */
gboolean
gasync_sender_try_send (GAsyncSender  *sender,
                        const GValue  *item,
                        GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_SENDER (sender), FALSE);
  g_return_val_if_fail (G_IS_VALUE (item), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return sender_send_value (sender, item, SEND_TRY, NULL, error);
}

/**
 * gasync_sender_send_future:
 * @sender: a #GAsyncSender
 * @item: the item; it is copied (converted to the item type if needed)
 *
 * Sends a copy of @item without blocking: if the channel is full, the item
 * waits (in order, ahead of any later send of any sender) until there is
 * room. This is asynchronous back-pressure: a producer on a main loop
 * continues from the returned future instead of blocking.
 *
 * The future resolves with %TRUE once the item is queued, or is rejected
 * as gasync_sender_send() fails (at once, or with %GASYNC_ERROR_CLOSED if
 * the receiver closes while the item waits). Cancelling the future with
 * gasync_future_cancel() withdraws the item if it is still waiting: a
 * cancelled send is never queued. So does a timeout of
 * gasync_future_with_timeout() on it, which cancels it, and closing the
 * receiver (the future then rejects with %GASYNC_ERROR_CLOSED). Closing
 * @sender does not withdraw it, nor does dropping the returned reference:
 * the channel keeps the send until one of these settles it (see
 * #GAsyncSender, "What releases a parked send or receive").
 *
 * It never blocks, so unlike gasync_sender_send() it works on an async
 * runtime worker.
 *
 * For a %G_TYPE_POINTER item, the channel takes over the pointer only if
 * the future resolves.
 *
 * Returns: (transfer full): a future of the send
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_sender_send_future (GAsyncSender *sender,
                           const GValue *item)
{
  GAsyncChannel *chan;
  GAsyncFuture *parked = NULL;
  GError *error = NULL;
  Slot slot;

  g_return_val_if_fail (GASYNC_IS_SENDER (sender), NULL);
  g_return_val_if_fail (G_IS_VALUE (item), NULL);

  chan = sender->channel;

  if (!slot_from_value (&chan->type, item, &slot, &error))
    return gasync_future_new_for_error (error);

  if (!channel_send (chan, &sender->closed, slot, SEND_PARK, NULL, &parked, &error))
    {
      slot_drop_original (&chan->type, slot);
      CHANNEL_CALL_DONE (chan);
      return gasync_future_new_for_error (error);
    }

  if (parked != NULL)
    return parked;

  return gasync_future_new_for_boolean (TRUE);
}

/**
 * gasync_sender_send_async:
 * @sender: a #GAsyncSender
 * @item: the item; it is copied (converted to the item type if needed)
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async) (closure user_data): called once the item is
 *   queued, or the send failed
 * @user_data: data for @callback
 *
 * Sends a copy of @item without blocking, the GIO way: @callback runs on
 * the caller's thread-default #GMainContext once the item is queued (at
 * once if there is room, otherwise when the receiver makes room), and
 * gets the result with gasync_sender_send_finish(). Cancelling
 * @cancellable withdraws the item if it is still waiting for room. It
 * never blocks, so unlike gasync_sender_send() it works on an async
 * runtime worker. See gasync_sender_send_future().
 *
 * Since: 0.1
 */
void
gasync_sender_send_async (GAsyncSender        *sender,
                          const GValue        *item,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GAsyncFuture) future = NULL;

  g_return_if_fail (GASYNC_IS_SENDER (sender));
  g_return_if_fail (G_IS_VALUE (item));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (g_cancellable_is_cancelled (cancellable))
    future = gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("Operation was cancelled"));
  else
    future = gasync_sender_send_future (sender, item);
  channel_return_to_task (sender, gasync_sender_send_async, "[gasync] gasync_sender_send_async",
                          future, cancellable, callback, user_data);
}

/**
 * gasync_sender_send_finish:
 * @sender: a #GAsyncSender
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes gasync_sender_send_async().
 *
 * Returns: (skip): %TRUE if the item was queued
 *
 * Since: 0.1
 */
gboolean
gasync_sender_send_finish (GAsyncSender  *sender,
                           GAsyncResult  *result,
                           GError       **error)
{
  GValue value = G_VALUE_INIT;

  g_return_val_if_fail (GASYNC_IS_SENDER (sender), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, sender), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gasync_sender_send_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_task_propagate_value (G_TASK (result), &value, error))
    return FALSE;
  g_value_unset (&value);
  return TRUE;
}

static gboolean
pointer_item_is_valid (GAsyncChannel *chan,
                       gpointer       item)
{
  if (item == NULL)
    return FALSE;
  if (chan->type.kind == KIND_OBJECT)
    return G_TYPE_CHECK_INSTANCE_TYPE (item, chan->type.type);
  return TRUE;
}

/**
 * gasync_sender_send_pointer: (skip)
 * @sender: a #GAsyncSender
 * @item: (transfer full): the item, not %NULL
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * The C fast path of gasync_sender_send() for pointer-like item types
 * (pointers, strings, objects, boxed types, variants, param specs): sends
 * @item itself, with no copy and no #GValue, blocking while the channel is
 * full. On success the channel owns @item (for an object or a variant, the
 * caller's reference); on failure (see gasync_sender_send()) the caller
 * still does. Like gasync_sender_send(), it always fails with
 * %GASYNC_ERROR_WOULD_DEADLOCK on an async runtime worker, even when there
 * is room: use gasync_sender_try_send_pointer() there.
 *
 * Returns: %TRUE if the item was queued
 *
 * Since: 0.1
 */
gboolean
gasync_sender_send_pointer (GAsyncSender  *sender,
                            gpointer       item,
                            GCancellable  *cancellable,
                            GError       **error)
{
  GAsyncChannel *chan;

  g_return_val_if_fail (GASYNC_IS_SENDER (sender), FALSE);
  chan = sender->channel;
  g_return_val_if_fail (item_kind_is_pointer_like (chan->type.kind), FALSE);
  g_return_val_if_fail (pointer_item_is_valid (chan, item), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!channel_check_may_block ("gasync_sender_send_pointer()", error))
    return FALSE;

  return channel_send (chan, &sender->closed, slot_from_pointer (&chan->type, item), SEND_BLOCK,
                       cancellable, NULL, error);
}

/**
 * gasync_sender_try_send_pointer: (skip)
 * @sender: a #GAsyncSender
 * @item: (transfer full): the item, not %NULL
 * @error: return location for an error
 *
 * Like gasync_sender_send_pointer(), but fails with %GASYNC_ERROR_FULL
 * instead of blocking (the caller then still owns @item). It works on an
 * async runtime worker.
 *
 * Returns: %TRUE if the item was queued
 *
 * Since: 0.1
 */
gboolean
gasync_sender_try_send_pointer (GAsyncSender  *sender,
                                gpointer       item,
                                GError       **error)
{
  GAsyncChannel *chan;

  g_return_val_if_fail (GASYNC_IS_SENDER (sender), FALSE);
  chan = sender->channel;
  g_return_val_if_fail (item_kind_is_pointer_like (chan->type.kind), FALSE);
  g_return_val_if_fail (pointer_item_is_valid (chan, item), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return channel_send (chan, &sender->closed, slot_from_pointer (&chan->type, item), SEND_TRY, NULL, NULL, error);
}

/**
 * gasync_sender_send_many: (skip)
 * @sender: a #GAsyncSender
 * @items: (array length=n_items) (transfer full): the items, none %NULL
 * @n_items: the number of @items
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * Sends a batch of pointer-like items in order, taking one lock for as
 * many as fit and waking the receiver once, blocking while the channel is
 * full. On failure (see gasync_sender_send_pointer()) the items from the
 * returned index on still belong to the caller. On an async runtime
 * worker it always fails with %GASYNC_ERROR_WOULD_DEADLOCK and sends
 * nothing, even when there is room.
 *
 * Returns: how many items (from the first) were queued; @n_items on
 *   success, less with @error set
 *
 * Since: 0.1
 */
guint
gasync_sender_send_many (GAsyncSender  *sender,
                         gpointer      *items,
                         guint          n_items,
                         GCancellable  *cancellable,
                         GError       **error)
{
  GAsyncChannel *chan;

  g_return_val_if_fail (GASYNC_IS_SENDER (sender), 0);
  chan = sender->channel;
  g_return_val_if_fail (item_kind_is_pointer_like (chan->type.kind), 0);
  g_return_val_if_fail (items != NULL || n_items == 0, 0);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);
  for (guint i = 0; i < n_items; i++)
    g_return_val_if_fail (pointer_item_is_valid (chan, items[i]), 0);

  if (!channel_check_may_block ("gasync_sender_send_many()", error))
    return 0;

  return channel_send_pointers (chan, &sender->closed, items, n_items, cancellable, error);
}
