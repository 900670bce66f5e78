/* gasync-broadcast.c: a bounded channel whose every receiver gets every item
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-broadcast.h"
#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"

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

/* How it works
 *
 * Items get sequence numbers; the core keeps a ring of `capacity` slots,
 * item n in slot n % capacity, each with the number of receivers that have
 * yet to take it (rem). A receiver's cursor is the number of the next item
 * it takes; one that points below the oldest item still in the ring has
 * lagged, and jumps to the oldest, counting the difference as missed.
 * Items live in reference-counted boxes so that a receiver takes a
 * reference under the lock and copies the value out without it (a boxed
 * type's copy function is user code). The ring's reference is dropped when
 * rem reaches 0 or the slot is reused.
 *
 * A cursor's parked futures are settled by one thread at a time (the
 * `delivering` flag), one item each, in order: the item is taken, the
 * future resolved without the lock, and the cursor moves past the item
 * only if the future took it (a cancelled future takes nothing). While a
 * delivery runs, the other consumers of the cursor wait for it.
 *
 * Lock order: the core mutex, then a GMainContext's lock (in
 * g_source_set_ready_time()).
 */

#define ATTACH_BUDGET 1024   /* items delivered per dispatch before yielding */

typedef struct
{
  gint    ref_count;   /* atomic */
  GValue  value;       /* immutable */
} BroadcastItem;

typedef struct
{
  BroadcastItem *item;   /* owned, or NULL once every receiver took it */
  guint64        pos;    /* the item's sequence number */
  guint          rem;    /* receivers that have yet to take it */
} RingSlot;

typedef struct _BroadcastCore BroadcastCore;

typedef struct
{
  gint            ref_count;     /* atomic */
  BroadcastCore  *core;          /* owned, immutable */

  /* protected by core->mutex: */
  guint64         next;          /* the sequence number it takes next */
  guint64         missed;        /* items skipped in all */
  GQueue          waiters;       /* owned GAsyncPromise: parked receive futures */
  gboolean        delivering;    /* a thread is settling a waiter without the lock */
  GSource        *source;        /* owned reference while attached, or NULL */
  gboolean        source_woken;  /* its ready time is 0 */
} BroadcastCursor;

struct _BroadcastCore
{
  gint         ref_count;    /* atomic */
  GType        type;         /* immutable */
  guint        capacity;     /* immutable */

  GMutex       mutex;
  GCond        changed;      /* signalled on a send, a close or the end of a
                              * delivery when n_blocked > 0 */

  /* protected by mutex: */
  RingSlot    *ring;         /* capacity slots */
  guint64      tail;         /* the sequence number of the next item sent */
  gboolean     closed;
  guint        n_blocked;    /* threads in gasync_broadcast_receiver_recv() */
  GList       *cursors;      /* owned BroadcastCursor references, one per receiver */
  guint        n_cursors;
};

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

/* Items */

/* Makes a box holding @value converted to @type, or returns NULL (with
 * @error set) if it does not convert. Runs the type's copy function. */
static BroadcastItem *
broadcast_item_new (GType          type,
                    const GValue  *value,
                    GError       **error)
{
  BroadcastItem *item = g_new0 (BroadcastItem, 1);

  item->ref_count = 1;
  g_value_init (&item->value, type);
  if (!_gasync_value_store (&item->value, value, error))
    {
      g_value_unset (&item->value);
      g_free (item);
      return NULL;
    }
  return item;
}

static BroadcastItem *
broadcast_item_ref (BroadcastItem *item)
{
  g_atomic_int_inc (&item->ref_count);
  return item;
}

/* Call without the lock: runs the type's free function. */
static void
broadcast_item_unref (BroadcastItem *item)
{
  if (item == NULL || !g_atomic_int_dec_and_test (&item->ref_count))
    return;

  g_value_unset (&item->value);
  g_free (item);
}

static void
broadcast_item_copy_into (BroadcastItem *item,
                          GValue        *dest)
{
  g_value_init (dest, G_VALUE_TYPE (&item->value));
  g_value_copy (&item->value, dest);
}

/* The core and the cursors */

static BroadcastCore *
broadcast_core_ref (BroadcastCore *core)
{
  g_atomic_int_inc (&core->ref_count);
  return core;
}

static void
broadcast_core_unref (BroadcastCore *core)
{
  if (!g_atomic_int_dec_and_test (&core->ref_count))
    return;

  /* Every cursor holds a reference, so none is left. */
  GASYNC_TSAN_ACQUIRE (core);
  g_warn_if_fail (core->cursors == NULL);
  for (guint i = 0; i < core->capacity; i++)
    broadcast_item_unref (core->ring[i].item);
  g_free (core->ring);
  g_cond_clear (&core->changed);
  g_mutex_clear (&core->mutex);
  g_free (core);
}

static BroadcastCursor *
broadcast_cursor_ref (BroadcastCursor *c)
{
  g_atomic_int_inc (&c->ref_count);
  return c;
}

static void
broadcast_cursor_unref (BroadcastCursor *c)
{
  if (!g_atomic_int_dec_and_test (&c->ref_count))
    return;

  GASYNC_TSAN_ACQUIRE (c);
  g_warn_if_fail (g_queue_is_empty (&c->waiters));
  g_warn_if_fail (c->source == NULL);
  broadcast_core_unref (c->core);
  g_free (c);
}

/* The sequence number of the oldest item still in the ring. */
static guint64
broadcast_core_oldest_locked (BroadcastCore *core)
{
  return core->tail > core->capacity ? core->tail - core->capacity : 0;
}

/* Finds the next item for @c, skipping (and counting in *@missed) what
 * was overwritten since @c last took one. Returns FALSE if there is none
 * yet; otherwise a reference on the item and its number, which
 * broadcast_cursor_commit_locked() moves @c past once it was delivered. */
static gboolean
broadcast_cursor_take_locked (BroadcastCursor  *c,
                              BroadcastItem   **item,
                              guint64          *seq,
                              guint64          *missed)
{
  BroadcastCore *core = c->core;
  guint64 oldest = broadcast_core_oldest_locked (core);
  RingSlot *slot;

  *missed = 0;
  if (c->next < oldest)
    {
      *missed = oldest - c->next;
      c->missed += *missed;
      c->next = oldest;
    }
  if (c->next == core->tail)
    return FALSE;

  slot = &core->ring[c->next % core->capacity];
  g_assert (slot->item != NULL && slot->pos == c->next);
  *item = broadcast_item_ref (slot->item);
  *seq = c->next;
  return TRUE;
}

/* Moves @c past item @seq, which it took. Returns the ring's reference on
 * the item if @c was the last receiver to take it (to drop without the
 * lock), or NULL. */
static BroadcastItem *
broadcast_cursor_commit_locked (BroadcastCursor *c,
                                guint64          seq)
{
  BroadcastCore *core = c->core;
  RingSlot *slot = &core->ring[seq % core->capacity];

  c->next = seq + 1;
  if (slot->item == NULL || slot->pos != seq || --slot->rem > 0)
    return NULL;   /* overwritten meanwhile, or others still to take it */
  return g_steal_pointer (&slot->item);
}

/* Settling parked futures */

static void
broadcast_waiters_reject (GList *batch)
{
  for (GList *l = batch; l != NULL; l = l->next)
    {
      GAsyncFuture *future = l->data;

      _gasync_future_reject (future, g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                                                          _("The broadcast is closed")));
      g_object_unref (future);
    }
  g_list_free (batch);
}

/* Hands one item to @c's oldest parked future; returns with the lock held. */
static void
broadcast_cursor_deliver_one_locked (BroadcastCursor *c,
                                     BroadcastItem   *item,
                                     guint64          seq)
{
  BroadcastCore *core = c->core;
  GAsyncFuture *future = g_queue_pop_head (&c->waiters);
  BroadcastItem *release = NULL;
  GValue value = G_VALUE_INIT;
  gboolean taken;

  c->delivering = TRUE;
  gasync_mutex_unlock (&core->mutex);

  broadcast_item_copy_into (item, &value);
  taken = _gasync_future_resolve_steal (future, &value);
  g_object_unref (future);

  gasync_mutex_lock (&core->mutex);
  c->delivering = FALSE;
  if (taken)
    release = broadcast_cursor_commit_locked (c, seq);
  gasync_mutex_unlock (&core->mutex);

  broadcast_item_unref (item);
  broadcast_item_unref (release);
  gasync_mutex_lock (&core->mutex);
}

/* Settles @c's parked futures, oldest first, while it has items for them
 * (and rejects them once the broadcast is closed and drained). Releases
 * the lock while it settles them; called and returns with it held. Then
 * wakes the other consumers of @c, which waited for the delivery. */
static void
broadcast_cursor_serve_locked (BroadcastCursor *c)
{
  BroadcastCore *core = c->core;
  gboolean served = FALSE;

  while (!g_queue_is_empty (&c->waiters) && !c->delivering)
    {
      BroadcastItem *item;
      guint64 seq, missed;

      served = TRUE;
      if (broadcast_cursor_take_locked (c, &item, &seq, &missed))
        broadcast_cursor_deliver_one_locked (c, item, seq);
      else if (core->closed)
        {
          GList *batch = c->waiters.head;

          g_queue_init (&c->waiters);
          gasync_mutex_unlock (&core->mutex);
          broadcast_waiters_reject (batch);
          gasync_mutex_lock (&core->mutex);
        }
      else
        break;
    }

  if (served && !c->delivering)
    {
      if (core->n_blocked > 0)
        g_cond_broadcast (&core->changed);
      if (c->source != NULL && !c->source_woken &&
          (c->next != core->tail || core->closed))
        {
          c->source_woken = TRUE;
          g_source_set_ready_time (c->source, 0);
        }
    }
}

/* After a send or close: wakes blocked threads and attached sources, and
 * returns the cursors whose parked futures are to be served (with a
 * reference each), or NULL. */
static GPtrArray *
broadcast_core_wake_locked (BroadcastCore *core)
{
  GPtrArray *serve = NULL;

  if (core->n_blocked > 0)
    g_cond_broadcast (&core->changed);

  for (GList *l = core->cursors; l != NULL; l = l->next)
    {
      BroadcastCursor *c = l->data;

      if (c->delivering)
        continue;   /* the delivering thread looks again before it stops */
      if (c->source != NULL && !c->source_woken)
        {
          c->source_woken = TRUE;
          g_source_set_ready_time (c->source, 0);
        }
      if (!g_queue_is_empty (&c->waiters))
        {
          if (serve == NULL)
            serve = g_ptr_array_new ();
          g_ptr_array_add (serve, broadcast_cursor_ref (c));
        }
    }

  return serve;
}

/* Serves, without the lock held on entry, what
 * broadcast_core_wake_locked() returned. */
static void
broadcast_core_serve (BroadcastCore *core,
                      GPtrArray     *serve)
{
  if (serve == NULL)
    return;

  for (guint i = 0; i < serve->len; i++)
    {
      BroadcastCursor *c = serve->pdata[i];

      gasync_mutex_lock (&core->mutex);
      broadcast_cursor_serve_locked (c);
      gasync_mutex_unlock (&core->mutex);
      broadcast_cursor_unref (c);
    }
  g_ptr_array_unref (serve);
}

static void
broadcast_core_close (BroadcastCore *core)
{
  GPtrArray *serve;

  gasync_mutex_lock (&core->mutex);
  if (core->closed)
    {
      gasync_mutex_unlock (&core->mutex);
      return;
    }
  core->closed = TRUE;
  serve = broadcast_core_wake_locked (core);
  gasync_mutex_unlock (&core->mutex);

  broadcast_core_serve (core, serve);
}

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
  BroadcastCore *core;

  g_return_val_if_fail (G_TYPE_IS_VALUE_TYPE (item_type), NULL);
  g_return_val_if_fail (capacity > 0, NULL);

  core = g_new0 (BroadcastCore, 1);
  core->ref_count = 1;
  core->type = item_type;
  core->capacity = capacity;
  g_mutex_init (&core->mutex);
  g_cond_init (&core->changed);
  core->ring = g_new0 (RingSlot, capacity);

  self = g_object_new (GASYNC_TYPE_BROADCAST, NULL);
  self->core = core;
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
  BroadcastCore *core;
  BroadcastItem *box, *old;
  GPtrArray *serve;
  RingSlot *slot;
  guint n;

  g_return_val_if_fail (GASYNC_IS_BROADCAST (broadcast), 0);
  g_return_val_if_fail (G_IS_VALUE (item), 0);

  core = broadcast->core;
  box = broadcast_item_new (core->type, item, &error);
  if (box == NULL)
    {
      g_critical ("%s: %s", G_STRFUNC, error->message);
      return 0;
    }

  gasync_mutex_lock (&core->mutex);
  n = core->n_cursors;
  if (core->closed || n == 0)
    {
      gasync_mutex_unlock (&core->mutex);
      broadcast_item_unref (box);
      return 0;
    }
  slot = &core->ring[core->tail % core->capacity];
  old = slot->item;   /* skipped by the receivers that had not taken it */
  slot->item = box;
  slot->pos = core->tail++;
  slot->rem = n;
  serve = broadcast_core_wake_locked (core);
  gasync_mutex_unlock (&core->mutex);

  broadcast_item_unref (old);
  broadcast_core_serve (core, serve);
  return n;
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
  BroadcastCore *core;
  BroadcastCursor *c;

  g_return_val_if_fail (GASYNC_IS_BROADCAST (broadcast), NULL);

  core = broadcast->core;
  c = g_new0 (BroadcastCursor, 1);
  c->ref_count = 2;   /* the receiver's, the core list's */
  c->core = broadcast_core_ref (core);
  g_queue_init (&c->waiters);

  gasync_mutex_lock (&core->mutex);
  c->next = core->tail;
  core->cursors = g_list_prepend (core->cursors, c);
  core->n_cursors++;
  gasync_mutex_unlock (&core->mutex);

  rx = g_object_new (GASYNC_TYPE_BROADCAST_RECEIVER, NULL);
  rx->cursor = c;
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

/* The receiver is gone: the items it did not take no longer wait for it.
 * Returns the ring references to drop without the lock. */
static GPtrArray *
broadcast_cursor_unsubscribe_locked (BroadcastCursor *c)
{
  BroadcastCore *core = c->core;
  GPtrArray *release = g_ptr_array_new ();

  core->cursors = g_list_remove (core->cursors, c);
  core->n_cursors--;
  for (guint64 seq = MAX (c->next, broadcast_core_oldest_locked (core)); seq < core->tail; seq++)
    {
      RingSlot *slot = &core->ring[seq % core->capacity];

      if (slot->item != NULL && slot->pos == seq && --slot->rem == 0)
        g_ptr_array_add (release, g_steal_pointer (&slot->item));
    }
  return release;
}

static void
gasync_broadcast_receiver_finalize (GObject *object)
{
  GAsyncBroadcastReceiver *self = GASYNC_BROADCAST_RECEIVER (object);
  BroadcastCursor *c = self->cursor;
  BroadcastCore *core = c->core;
  GPtrArray *release;
  GList *batch;

  /* An attached source holds a reference on us, so none is attached. */
  gasync_mutex_lock (&core->mutex);
  release = broadcast_cursor_unsubscribe_locked (c);
  batch = c->waiters.head;
  g_queue_init (&c->waiters);
  gasync_mutex_unlock (&core->mutex);

  for (guint i = 0; i < release->len; i++)
    broadcast_item_unref (release->pdata[i]);
  g_ptr_array_unref (release);
  /* Parked futures keep no reference on us: they cannot settle now. */
  broadcast_waiters_reject (batch);
  broadcast_cursor_unref (c);   /* the core list's */
  g_clear_pointer (&self->cursor, broadcast_cursor_unref);

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
  gasync_mutex_lock (&core->mutex);
  ret = receiver->cursor->missed;
  gasync_mutex_unlock (&core->mutex);
  return ret;
}

static void
broadcast_cancelled_cb (GCancellable  *cancellable,
                        BroadcastCore *core)
{
  /* Under the lock, so that a thread about to wait cannot miss it. */
  gasync_mutex_lock (&core->mutex);
  g_cond_broadcast (&core->changed);
  gasync_mutex_unlock (&core->mutex);
}

/* Waits, with the lock held, for the next item of @c and takes it. Returns
 * it (with, in *@release, the ring reference to drop), or NULL with @error
 * set. */
static BroadcastItem *
broadcast_cursor_wait_locked (BroadcastCursor  *c,
                              GCancellable     *cancellable,
                              guint64          *missed,
                              BroadcastItem   **release,
                              GError          **error)
{
  BroadcastCore *core = c->core;
  BroadcastItem *item;
  guint64 seq;

  for (;;)
    {
      if (!c->delivering && broadcast_cursor_take_locked (c, &item, &seq, missed))
        {
          *release = broadcast_cursor_commit_locked (c, seq);
          return item;
        }
      if (!c->delivering && core->closed)
        {
          g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                               _("The broadcast is closed"));
          return NULL;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      core->n_blocked++;
      gasync_cond_wait (&core->changed, &core->mutex);
      core->n_blocked--;
    }
}

/* An out GValue must be zero-filled or hold a type the item converts to. */
static gboolean
broadcast_check_out_value (GType          type,
                           const GValue  *value,
                           GError       **error)
{
  GType want;

  if (value == NULL || G_VALUE_TYPE (value) == G_TYPE_INVALID)
    return TRUE;

  want = G_VALUE_TYPE (value);
  if (g_value_type_compatible (type, want) || g_value_type_transformable (type, want))
    return TRUE;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH,
               _("The broadcast carries items of type “%s”, which cannot be converted to “%s”"),
               g_type_name (type), g_type_name (want));
  return FALSE;
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
  BroadcastCore *core;
  BroadcastItem *box, *release = NULL;
  guint64 skipped = 0;
  gulong handler = 0;

  g_return_val_if_fail (GASYNC_IS_BROADCAST_RECEIVER (receiver), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  core = receiver->cursor->core;
  box = NULL;
  if (_gasync_check_may_block ("gasync_broadcast_receiver_recv()", error) &&
      broadcast_check_out_value (core->type, item, error))
    {
      /* Connected without the lock: it runs at once if already cancelled. */
      if (cancellable != NULL)
        handler = g_cancellable_connect (cancellable, G_CALLBACK (broadcast_cancelled_cb), core, NULL);
      gasync_mutex_lock (&core->mutex);
      box = broadcast_cursor_wait_locked (receiver->cursor, cancellable, &skipped, &release, error);
      gasync_mutex_unlock (&core->mutex);
      if (handler != 0)
        g_cancellable_disconnect (cancellable, handler);
    }

  if (missed != NULL)
    *missed = box != NULL ? skipped : 0;
  if (box == NULL)
    {
      _gasync_value_init_for_error (item);
      return FALSE;
    }
  if (item != NULL)
    _gasync_value_store (item, &box->value, NULL);
  broadcast_item_unref (box);
  broadcast_item_unref (release);
  return TRUE;
}

/* Drops the parked futures that settled already (cancelled), so that
 * repeated timed-out receives do not pile up. Returns them, to be freed
 * without the lock. */
static GList *
broadcast_cursor_prune_locked (BroadcastCursor *c)
{
  GList *pruned = NULL;
  GList *l = c->waiters.head;

  while (l != NULL)
    {
      GList *next = l->next;

      if (_gasync_future_peek_state (l->data) != GASYNC_FUTURE_PENDING)
        {
          g_queue_unlink (&c->waiters, l);
          pruned = g_list_concat (l, pruned);
        }
      l = next;
    }
  return pruned;
}

/* A receive future for an item taken now; drops the references. */
static GAsyncFuture *
broadcast_future_new_for_item (BroadcastItem *item,
                               BroadcastItem *release)
{
  GAsyncFuture *ret = _gasync_future_new_pending ();
  GValue value = G_VALUE_INIT;

  broadcast_item_copy_into (item, &value);
  _gasync_future_resolve_steal (ret, &value);
  broadcast_item_unref (item);
  broadcast_item_unref (release);
  return ret;
}

/* Takes an item for a new receive future if nothing is in line before it.
 * Returns the future (the lock released), or NULL with it held. */
static GAsyncFuture *
broadcast_cursor_recv_now_locked (BroadcastCursor *c)
{
  BroadcastCore *core = c->core;
  BroadcastItem *item, *release;
  guint64 seq, missed;

  if (c->delivering || !g_queue_is_empty (&c->waiters))
    return NULL;

  if (broadcast_cursor_take_locked (c, &item, &seq, &missed))
    {
      release = broadcast_cursor_commit_locked (c, seq);
      gasync_mutex_unlock (&core->mutex);
      return broadcast_future_new_for_item (item, release);
    }
  if (core->closed)
    {
      gasync_mutex_unlock (&core->mutex);
      return gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                                                  _("The broadcast is closed"));
    }
  return NULL;
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

  gasync_mutex_lock (&core->mutex);
  pruned = broadcast_cursor_prune_locked (c);
  ret = broadcast_cursor_recv_now_locked (c);
  if (ret != NULL)
    g_object_unref (promise);
  else
    {
      /* Served by the next send, the close, or the delivery under way. */
      g_queue_push_tail (&c->waiters, g_object_ref (promise));
      gasync_mutex_unlock (&core->mutex);
      ret = GASYNC_FUTURE (promise);
    }

  g_list_free_full (pruned, g_object_unref);
  return ret;
}

/* Receiving on a main context */

typedef struct
{
  GSource                  source;
  GAsyncBroadcastReceiver *receiver;   /* owned: an attached receiver stays subscribed */
} BroadcastSource;

/* The callback data of a BroadcastSource, freed when the source is
 * destroyed (on the thread that destroys it), which is when we detach. */
typedef struct
{
  BroadcastSource     *source;         /* not owned */
  GAsyncBroadcastFunc  func;
  gpointer             user_data;
  GDestroyNotify       destroy;
} BroadcastAttach;

/* Takes the next item for the source, or returns NULL if there is none
 * (*@last is then set if the broadcast is closed and drained; otherwise
 * the source sleeps until the next send). */
static BroadcastItem *
broadcast_source_take (BroadcastSource  *self,
                       guint64          *missed,
                       BroadcastItem   **release,
                       gboolean         *last)
{
  BroadcastCursor *c = self->receiver->cursor;
  BroadcastCore *core = c->core;
  BroadcastItem *item = NULL;
  guint64 seq;

  *last = FALSE;
  gasync_mutex_lock (&core->mutex);
  if (!c->delivering && broadcast_cursor_take_locked (c, &item, &seq, missed))
    *release = broadcast_cursor_commit_locked (c, seq);
  else if (!c->delivering && core->closed)
    *last = TRUE;
  else
    {
      /* Woken by the next send, or by the delivery under way. */
      c->source_woken = FALSE;
      g_source_set_ready_time ((GSource *) self, -1);
    }
  gasync_mutex_unlock (&core->mutex);
  return item;
}

static gboolean
broadcast_source_dispatch (GSource     *source,
                           GSourceFunc  callback,
                           gpointer     user_data)
{
  BroadcastSource *self = (BroadcastSource *) source;
  BroadcastAttach *cb = user_data;

  if G_UNLIKELY (cb == NULL)
    return G_SOURCE_REMOVE;

  for (guint n = 0; n < ATTACH_BUDGET; n++)
    {
      BroadcastItem *item, *release = NULL;
      GValue value = G_VALUE_INIT;
      guint64 missed = 0;
      gboolean last, keep;

      item = broadcast_source_take (self, &missed, &release, &last);
      if (last)
        {
          cb->func (self->receiver, NULL, 0, cb->user_data);
          return G_SOURCE_REMOVE;
        }
      if (item == NULL)
        return G_SOURCE_CONTINUE;

      /* User code runs here, with no lock held. */
      broadcast_item_copy_into (item, &value);
      broadcast_item_unref (item);
      broadcast_item_unref (release);
      keep = cb->func (self->receiver, &value, missed, cb->user_data);
      g_value_unset (&value);
      if (!keep)
        return G_SOURCE_REMOVE;
    }

  /* Still busy: stay ready, but let the context's other sources run. */
  return G_SOURCE_CONTINUE;
}

static void
broadcast_source_finalize (GSource *source)
{
  BroadcastSource *self = (BroadcastSource *) source;

  g_clear_object (&self->receiver);
}

static GSourceFuncs broadcast_source_funcs = {
  .dispatch = broadcast_source_dispatch,
  .finalize = broadcast_source_finalize,
};

static gboolean
broadcast_attach_stub (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* The source is being destroyed: detach it from the cursor, then free the
 * handler's data, on the thread that destroys it (the context's own,
 * unless the application removes the source from elsewhere). */
static void
broadcast_attach_free (gpointer data)
{
  BroadcastAttach *cb = data;
  BroadcastSource *self = cb->source;
  gboolean detached = FALSE;

  /* NULL only for a source that was never attached (finalized first). */
  if (self->receiver != NULL)
    {
      BroadcastCursor *c = self->receiver->cursor;

      gasync_mutex_lock (&c->core->mutex);
      if (c->source == (GSource *) self)
        {
          c->source = NULL;
          c->source_woken = FALSE;
          detached = TRUE;
        }
      gasync_mutex_unlock (&c->core->mutex);
    }

  if (cb->destroy != NULL)
    cb->destroy (cb->user_data);
  g_free (cb);

  /* The context still holds its own reference while it destroys us. */
  if (detached)
    g_source_unref ((GSource *) self);
}

static BroadcastSource *
broadcast_source_new (GAsyncBroadcastReceiver  *receiver,
                      GAsyncBroadcastFunc       func,
                      gpointer                  user_data,
                      GDestroyNotify            destroy,
                      BroadcastAttach         **out_cb)
{
  BroadcastSource *self;
  BroadcastAttach *cb;

  self = (BroadcastSource *) g_source_new (&broadcast_source_funcs, sizeof (BroadcastSource));
  g_source_set_static_name ((GSource *) self, "[gasync] broadcast receiver");
  g_source_set_priority ((GSource *) self, G_PRIORITY_DEFAULT);
  g_source_set_ready_time ((GSource *) self, -1);
  self->receiver = g_object_ref (receiver);

  cb = g_new0 (BroadcastAttach, 1);
  cb->source = self;
  cb->func = func;
  cb->user_data = user_data;
  cb->destroy = destroy;
  g_source_set_callback ((GSource *) self, broadcast_attach_stub, cb, broadcast_attach_free);

  *out_cb = cb;
  return self;
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
  BroadcastCursor *c;
  BroadcastSource *self;
  BroadcastAttach *cb;
  guint id;

  g_return_val_if_fail (GASYNC_IS_BROADCAST_RECEIVER (receiver), 0);
  g_return_val_if_fail (func != NULL, 0);

  c = receiver->cursor;
  self = broadcast_source_new (receiver, func, user_data, destroy, &cb);

  gasync_mutex_lock (&c->core->mutex);
  if G_UNLIKELY (c->source != NULL)
    {
      gasync_mutex_unlock (&c->core->mutex);
      g_critical ("%s: the GAsyncBroadcastReceiver %p is already attached; subscribe "
                  "one receiver per handler", G_STRFUNC, receiver);
      cb->destroy = NULL;
      g_source_unref ((GSource *) self);
      return 0;
    }
  c->source = g_source_ref ((GSource *) self);
  c->source_woken = TRUE;   /* look once: items or the close may be there */
  g_source_set_ready_time ((GSource *) self, 0);
  gasync_mutex_unlock (&c->core->mutex);

  if (context != NULL)
    g_main_context_ref (context);
  else
    context = g_main_context_ref_thread_default ();
  id = g_source_attach ((GSource *) self, context);
  g_source_unref ((GSource *) self);
  g_main_context_unref (context);

  return id;
}
