/* gasync-broadcast.c: a bounded channel whose every receiver gets every item
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-broadcast-private.h"
#include "gasync-error.h"

/**
 * GAsyncBroadcast:
 *
 * A broadcast channel gives every item sent to every receiver subscribed
 * at the time: the channel for events that several parts of a program
 * react to (a file changed, a session ended). It is bounded without ever
 * blocking the sender: it keeps the last `capacity` items, and a receiver
 * that falls further behind skips the oldest ones and is told exactly how
 * many it missed (like `tokio::sync::broadcast`), so a slow receiver can
 * never stall the others or grow memory.
 *
 * Receivers are made with gasync_broadcast_subscribe() and see the items
 * sent after that, in order. A receiver takes items by blocking in
 * gasync_broadcast_receiver_recv(), with futures from
 * gasync_broadcast_receiver_recv_future(), or with a function attached to
 * a main context by gasync_broadcast_receiver_attach(). The blocking and
 * attached forms report how many items were skipped right before each
 * item; gasync_broadcast_receiver_get_missed() counts them all, so that
 * items received plus items missed is always the number sent since the
 * receiver subscribed.
 *
 * gasync_broadcast_close(), or dropping the last reference to the
 * broadcast, closes it: receivers still get every item sent before (that
 * they did not skip), then receives fail with %GASYNC_ERROR_CLOSED and an
 * attached function gets a last call with %NULL.
 *
 * Nothing is lost or freed twice: the broadcast keeps one copy of each
 * item, hands each receiver its own copy, and frees its copy exactly once,
 * as soon as every receiver took or skipped it (or a receiver that did not
 * is dropped), or when a newer item takes its place in the ring.
 * %G_TYPE_POINTER items are not owned: nothing frees them.
 *
 * |[<!-- language="C" -->
 * static gpointer
 * listen (gpointer data)
 * {
 *   g_autoptr(GAsyncBroadcastReceiver) rx = data;
 *   g_auto(GValue) event = G_VALUE_INIT;
 *   guint64 missed;
 *
 *   // Fails with GASYNC_ERROR_CLOSED once closed and drained.
 *   while (gasync_broadcast_receiver_recv (rx, NULL, &event, &missed, NULL))
 *     {
 *       if (missed > 0)
 *         g_print ("(%" G_GUINT64_FORMAT " events missed)\n", missed);
 *       g_print ("event: %s\n", g_value_get_string (&event));
 *       g_value_unset (&event);
 *     }
 *   return NULL;
 * }
 *
 * int
 * main (void)
 * {
 *   g_autoptr(GAsyncBroadcast) events = gasync_broadcast_new (G_TYPE_STRING, 16);
 *   GThread *listeners[2];
 *   g_auto(GValue) event = G_VALUE_INIT;
 *
 *   for (guint i = 0; i < G_N_ELEMENTS (listeners); i++)
 *     listeners[i] = g_thread_new ("listener", listen, gasync_broadcast_subscribe (events));
 *
 *   g_value_init (&event, G_TYPE_STRING);
 *   g_value_set_static_string (&event, "saved");
 *   gasync_broadcast_send (events, &event);   // returns 2: both get it
 *   gasync_broadcast_close (events);
 *
 *   for (guint i = 0; i < G_N_ELEMENTS (listeners); i++)
 *     g_thread_join (listeners[i]);
 *   return 0;
 * }
 * ]|
 *
 * ## Thread safety
 *
 * Every function of a broadcast and of its receivers may be called from
 * any thread. gasync_broadcast_send() never waits for a receiver; it runs
 * no user code besides the item type's copy and free functions, and never
 * with a lock held. Futures returned by
 * gasync_broadcast_receiver_recv_future() are settled on the thread that
 * sent the item (or closed the broadcast) and their continuations run, as
 * always, on the context they were registered from. An attached
 * #GAsyncBroadcastFunc and its #GDestroyNotify run on the thread iterating
 * the #GMainContext it was attached to, never inside
 * gasync_broadcast_send(). The blocking receive is refused on an async
 * worker thread of a #GAsyncRuntime.
 *
 * A receiver is one cursor in the stream, meant for one consumer; for
 * another consumer, subscribe another receiver.
 *
 * Since: 0.1
 */

/**
 * GAsyncBroadcastReceiver:
 *
 * One receiver of a #GAsyncBroadcast, made by gasync_broadcast_subscribe():
 * its position in the stream of items. See #GAsyncBroadcast.
 *
 * Since: 0.1
 */

struct _GAsyncBroadcast
{
  GObject         parent_instance;

  BroadcastCore  *core;      /* owned, immutable */
};

struct _GAsyncBroadcastReceiver
{
  GObject          parent_instance;

  BroadcastCursor *cursor;   /* owned, immutable */
};

G_DEFINE_FINAL_TYPE (GAsyncBroadcast, gasync_broadcast, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (GAsyncBroadcastReceiver, gasync_broadcast_receiver, G_TYPE_OBJECT)

/* GAsyncBroadcast */

static void
gasync_broadcast_finalize (GObject *object)
{
  GAsyncBroadcast *self = GASYNC_BROADCAST (object);

  broadcast_core_close (self->core);
  g_clear_pointer (&self->core, broadcast_core_unref);

  G_OBJECT_CLASS (gasync_broadcast_parent_class)->finalize (object);
}

static void
gasync_broadcast_class_init (GAsyncBroadcastClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gasync_broadcast_finalize;
}

static void
gasync_broadcast_init (GAsyncBroadcast *self)
{
}

/**
 * gasync_broadcast_new:
 * @item_type: the #GType of the items, a type a #GValue can hold
 * @capacity: how many items are kept for receivers that are behind, at
 *   least 1
 *
 * Makes a broadcast channel. Make receivers with
 * gasync_broadcast_subscribe(); dropping the last reference to the
 * broadcast closes it (see gasync_broadcast_close()).
 *
 * Returns: (transfer full): a new #GAsyncBroadcast
 *
 * Since: 0.1
 */
GAsyncBroadcast *
gasync_broadcast_new (GType item_type,
                      guint capacity)
{
  GAsyncBroadcast *self;

  g_return_val_if_fail (G_TYPE_IS_VALUE_TYPE (item_type), NULL);
  g_return_val_if_fail (capacity > 0, NULL);

  self = g_object_new (GASYNC_TYPE_BROADCAST, NULL);
  self->core = broadcast_core_new (item_type, capacity);
  return self;
}

/**
 * gasync_broadcast_get_item_type:
 * @broadcast: a #GAsyncBroadcast
 *
 * Gets the type of @broadcast's items.
 *
 * Returns: the item type
 *
 * Since: 0.1
 */
GType
gasync_broadcast_get_item_type (GAsyncBroadcast *broadcast)
{
  g_return_val_if_fail (GASYNC_IS_BROADCAST (broadcast), G_TYPE_INVALID);

  return broadcast->core->type;
}

/**
 * gasync_broadcast_send:
 * @broadcast: a #GAsyncBroadcast
 * @item: the item, of the item type or one that converts to it
 *
 * Sends a copy of @item to every receiver subscribed now. Never blocks:
 * if the ring is full, the oldest item makes room (receivers that had not
 * taken it yet will be told they missed it). Parked receive futures
 * resolve, blocked receives return and attached functions are scheduled
 * on their contexts. May be called from any thread.
 *
 * With no receiver, or once the broadcast is closed, the item is not kept
 * and this returns 0.
 *
 * Returns: the number of receivers that will get @item
 *
 * Since: 0.1
 */
guint
gasync_broadcast_send (GAsyncBroadcast *broadcast,
                       const GValue    *item)
{
  g_autoptr(GError) error = NULL;
  GAsyncValueBox *box;

  g_return_val_if_fail (GASYNC_IS_BROADCAST (broadcast), 0);
  g_return_val_if_fail (G_IS_VALUE (item), 0);

  box = _gasync_value_box_new (broadcast->core->type, item, &error);
  if (box == NULL)
    {
      g_critical ("%s: %s", G_STRFUNC, error->message);
      return 0;
    }
  return broadcast_core_send (broadcast->core, box);
}

/**
 * gasync_broadcast_subscribe:
 * @broadcast: a #GAsyncBroadcast
 *
 * Makes a receiver of the items sent from now on. Subscribing to a closed
 * broadcast works: the receiver reports it closed at once.
 *
 * Returns: (transfer full): a new #GAsyncBroadcastReceiver
 *
 * Since: 0.1
 */
GAsyncBroadcastReceiver *
gasync_broadcast_subscribe (GAsyncBroadcast *broadcast)
{
  GAsyncBroadcastReceiver *rx;

  g_return_val_if_fail (GASYNC_IS_BROADCAST (broadcast), NULL);

  rx = g_object_new (GASYNC_TYPE_BROADCAST_RECEIVER, NULL);
  rx->cursor = broadcast_cursor_new (broadcast->core);
  return rx;
}

/**
 * gasync_broadcast_close:
 * @broadcast: a #GAsyncBroadcast
 *
 * Closes @broadcast: later sends keep nothing and return 0. Receivers
 * still get every item sent before that they did not skip; after that
 * their receives fail with %GASYNC_ERROR_CLOSED (parked futures reject
 * with it) and an attached function is called one last time with %NULL.
 * Closing twice does nothing; dropping the last reference to @broadcast
 * closes it.
 *
 * Since: 0.1
 */
void
gasync_broadcast_close (GAsyncBroadcast *broadcast)
{
  g_return_if_fail (GASYNC_IS_BROADCAST (broadcast));

  broadcast_core_close (broadcast->core);
}

/* GAsyncBroadcastReceiver */

static void
gasync_broadcast_receiver_finalize (GObject *object)
{
  GAsyncBroadcastReceiver *self = GASYNC_BROADCAST_RECEIVER (object);

  /* An attached source holds a reference on us, so none is attached. */
  broadcast_cursor_unsubscribe (g_steal_pointer (&self->cursor));

  G_OBJECT_CLASS (gasync_broadcast_receiver_parent_class)->finalize (object);
}

static void
gasync_broadcast_receiver_class_init (GAsyncBroadcastReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gasync_broadcast_receiver_finalize;
}

static void
gasync_broadcast_receiver_init (GAsyncBroadcastReceiver *self)
{
}

/**
 * gasync_broadcast_receiver_get_missed:
 * @receiver: a #GAsyncBroadcastReceiver
 *
 * Gets how many items @receiver skipped in all because it fell more than
 * the capacity behind. Items received plus items missed is the number of
 * items sent since @receiver subscribed, once it has taken them all. For
 * receive futures, read it after a future settled to learn how many items
 * were skipped before the item it got.
 *
 * Returns: the number of items missed
 *
 * Since: 0.1
 */
guint64
gasync_broadcast_receiver_get_missed (GAsyncBroadcastReceiver *receiver)
{
  BroadcastCore *core;
  guint64 ret;

  g_return_val_if_fail (GASYNC_IS_BROADCAST_RECEIVER (receiver), 0);

  core = receiver->cursor->core;
  gasync_mutex_lock (&core->hub.mutex);
  ret = receiver->cursor->missed;
  gasync_mutex_unlock (&core->hub.mutex);
  return ret;
}

/**
 * gasync_broadcast_receiver_recv: (skip)
 * @receiver: a #GAsyncBroadcastReceiver
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @item: (out caller-allocates) (optional): a zero-filled #GValue for the
 *   item, or one initialized with a type the item type converts to, or
 *   %NULL
 * @missed: (out) (optional): return location for how many items were
 *   skipped right before this one, or %NULL
 * @error: return location for an error
 *
 * Receives the next item, blocking while there is none, without iterating
 * any main context. The caller owns the copy stored in @item. If
 * @receiver fell more than the capacity behind, the items it can no
 * longer get are skipped, @missed says how many, and the item is the
 * oldest one still kept.
 *
 * Fails with %GASYNC_ERROR_CLOSED once the broadcast is closed and
 * @receiver took every item left for it, with %G_IO_ERROR_CANCELLED if
 * @cancellable is cancelled first, with %GASYNC_ERROR_TYPE_MISMATCH
 * (taking nothing) if @item cannot hold the item type, and with
 * %GASYNC_ERROR_WOULD_DEADLOCK, every time, on an async worker thread of
 * a #GAsyncRuntime. On failure a zero-filled @item is initialized to
 * %G_TYPE_POINTER, %NULL, and @missed is 0.
 *
 * Bindings use gasync_broadcast_receiver_recv_future() and
 * gasync_broadcast_receiver_get_missed() instead.
 *
 * Returns: %TRUE if an item was received
 *
 * Since: 0.1
 */
gboolean
gasync_broadcast_receiver_recv (GAsyncBroadcastReceiver  *receiver,
                                GCancellable             *cancellable,
                                GValue                   *item,
                                guint64                  *missed,
                                GError                  **error)
{
  GAsyncValueBox *box, *release = NULL;
  guint64 skipped = 0;

  g_return_val_if_fail (GASYNC_IS_BROADCAST_RECEIVER (receiver), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  box = NULL;
  if (_gasync_check_may_block ("gasync_broadcast_receiver_recv()", error) &&
      broadcast_check_out_value (receiver->cursor->core->type, item, error))
    box = broadcast_cursor_wait (receiver->cursor, cancellable, &skipped, &release, error);

  if (missed != NULL)
    *missed = box != NULL ? skipped : 0;
  if (box == NULL)
    {
      _gasync_value_init_for_error (item);
      return FALSE;
    }
  if (item != NULL)
    _gasync_value_store (item, &box->value, NULL);
  _gasync_value_box_unref (box);
  _gasync_value_box_unref (release);
  return TRUE;
}

/**
 * gasync_broadcast_receiver_recv_future:
 * @receiver: a #GAsyncBroadcastReceiver
 *
 * Receives the next item without blocking: the returned future resolves
 * with a copy of it (at once if there is one), or rejects with
 * %GASYNC_ERROR_CLOSED as gasync_broadcast_receiver_recv() would fail.
 * Futures waiting at the same time get successive items, in the order
 * they were made. Items skipped before the item a future gets are counted
 * by gasync_broadcast_receiver_get_missed().
 *
 * Cancelling the future (for example through gasync_future_with_timeout())
 * withdraws the receive: it takes no item, which stays for the next one.
 *
 * Returns: (transfer full): a future of the item
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_broadcast_receiver_recv_future (GAsyncBroadcastReceiver *receiver)
{
  BroadcastCursor *c;
  BroadcastCore *core;
  GAsyncPromise *promise;
  GAsyncFuture *ret;
  GList *pruned;

  g_return_val_if_fail (GASYNC_IS_BROADCAST_RECEIVER (receiver), NULL);

  c = receiver->cursor;
  core = c->core;
  promise = gasync_promise_new ();

  gasync_mutex_lock (&core->hub.mutex);
  pruned = broadcast_cursor_prune_locked (c);
  ret = broadcast_cursor_recv_now_locked (c);
  if (ret != NULL)
    g_object_unref (promise);
  else
    {
      /* Served by the next send, the close, or the delivery under way. */
      g_queue_push_tail (&c->waiters, g_object_ref (promise));
      gasync_mutex_unlock (&core->hub.mutex);
      ret = GASYNC_FUTURE (promise);
    }

  g_list_free_full (pruned, g_object_unref);
  return ret;
}

/**
 * gasync_broadcast_receiver_attach:
 * @receiver: a #GAsyncBroadcastReceiver
 * @context: (nullable): the #GMainContext to deliver on, or %NULL for the
 *   caller's thread-default context
 * @func: (scope notified) (closure user_data) (destroy destroy): called for
 *   each item, on the thread iterating @context
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func will not be called
 *   again
 *
 * Delivers @receiver's items to @func on the thread that iterates
 * @context, in order, with how many items were skipped before each. A
 * send wakes @context once; one dispatch then delivers everything there is
 * (yielding to the context's other sources after a thousand items). No
 * #GSource is created per item.
 *
 * @func returns %G_SOURCE_REMOVE to stop; items it did not get stay for
 * the next receive. Once the broadcast is closed and every item was
 * delivered, @func is called one last time with a %NULL item and the
 * handler is removed. @destroy runs when the handler is removed, on
 * @context's thread.
 *
 * While attached, the handler holds a reference on @receiver, so the
 * caller may drop its own. A receiver has one handler: attaching twice is
 * a programming error.
 *
 * Returns: the ID of the #GSource (for g_source_remove()), or 0 on a
 *   programming error
 *
 * Since: 0.1
 */
guint
gasync_broadcast_receiver_attach (GAsyncBroadcastReceiver *receiver,
                                  GMainContext            *context,
                                  GAsyncBroadcastFunc      func,
                                  gpointer                 user_data,
                                  GDestroyNotify           destroy)
{
  g_return_val_if_fail (GASYNC_IS_BROADCAST_RECEIVER (receiver), 0);
  g_return_val_if_fail (func != NULL, 0);

  return broadcast_source_attach (receiver, receiver->cursor, context, func, user_data, destroy);
}
