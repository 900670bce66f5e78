/* gasync-broadcast-core.c: the ring and receiver cursors of a broadcast channel
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-broadcast-private.h"
#include "gasync-error.h"
#include "gasync-i18n-private.h"

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
 * Announcing a send or the close (blocked threads, attached sources,
 * cursors to serve) is gasync-subscriber-hub.c's, which calls back here to
 * wake and serve a cursor.
 *
 * Lock order: the core (hub) mutex, then a GMainContext's lock (in
 * g_source_set_ready_time()).
 */

/* The core and the cursors */

BroadcastCore *
broadcast_core_ref (BroadcastCore *core)
{
  g_atomic_int_inc (&core->ref_count);
  return core;
}

void
broadcast_core_unref (BroadcastCore *core)
{
  if (!g_atomic_int_dec_and_test (&core->ref_count))
    return;

  /* Every cursor holds a reference, so none is left. */
  GASYNC_TSAN_ACQUIRE (core);
  _gasync_subscriber_hub_clear (&core->hub);
  for (guint i = 0; i < core->capacity; i++)
    _gasync_value_box_unref (core->ring[i].item);
  g_free (core->ring);
  g_free (core);
}

BroadcastCursor *
broadcast_cursor_ref (BroadcastCursor *c)
{
  g_atomic_int_inc (&c->ref_count);
  return c;
}

void
broadcast_cursor_unref (BroadcastCursor *c)
{
  if (!g_atomic_int_dec_and_test (&c->ref_count))
    return;

  GASYNC_TSAN_ACQUIRE (c);
  g_warn_if_fail (g_queue_is_empty (&c->waiters));
  g_warn_if_fail (c->slot.source == NULL);
  broadcast_core_unref (c->core);
  g_free (c);
}

/* The sequence number of the oldest item still in the ring. */
guint64
broadcast_core_oldest_locked (BroadcastCore *core)
{
  return core->tail > core->capacity ? core->tail - core->capacity : 0;
}

/* Finds the next item for @c, skipping (and counting in *@missed) what
 * was overwritten since @c last took one. Returns FALSE if there is none
 * yet; otherwise a reference on the item and its number, which
 * broadcast_cursor_commit_locked() moves @c past once it was delivered. */
gboolean
broadcast_cursor_take_locked (BroadcastCursor  *c,
                              GAsyncValueBox  **item,
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
  *item = _gasync_value_box_ref (slot->item);
  *seq = c->next;
  return TRUE;
}

/* Moves @c past item @seq, which it took. Returns the ring's reference on
 * the item if @c was the last receiver to take it (to drop without the
 * lock), or NULL. */
GAsyncValueBox *
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

void
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
                                     GAsyncValueBox  *item,
                                     guint64          seq)
{
  BroadcastCore *core = c->core;
  GAsyncFuture *future = g_queue_pop_head (&c->waiters);
  GAsyncValueBox *release = NULL;
  GValue value = G_VALUE_INIT;
  gboolean taken;

  c->delivering = TRUE;
  gasync_mutex_unlock (&core->hub.mutex);

  _gasync_value_box_copy_into (item, &value);
  taken = _gasync_future_resolve_steal (future, &value);
  g_object_unref (future);

  gasync_mutex_lock (&core->hub.mutex);
  c->delivering = FALSE;
  if (taken)
    release = broadcast_cursor_commit_locked (c, seq);
  gasync_mutex_unlock (&core->hub.mutex);

  _gasync_value_box_unref (item);
  _gasync_value_box_unref (release);
  gasync_mutex_lock (&core->hub.mutex);
}

/* Settles @c's parked futures, oldest first, while it has items for them
 * (and rejects them once the broadcast is closed and drained). Releases
 * the lock while it settles them; called and returns with it held. Then
 * wakes the other consumers of @c, which waited for the delivery. */
static void
broadcast_cursor_serve_locked (gpointer cursor)
{
  BroadcastCursor *c = cursor;
  BroadcastCore *core = c->core;
  gboolean served = FALSE;

  while (!g_queue_is_empty (&c->waiters) && !c->delivering)
    {
      GAsyncValueBox *item;
      guint64 seq, missed;

      served = TRUE;
      if (broadcast_cursor_take_locked (c, &item, &seq, &missed))
        broadcast_cursor_deliver_one_locked (c, item, seq);
      else if (core->hub.closed)
        {
          GList *batch = c->waiters.head;

          g_queue_init (&c->waiters);
          gasync_mutex_unlock (&core->hub.mutex);
          broadcast_waiters_reject (batch);
          gasync_mutex_lock (&core->hub.mutex);
        }
      else
        break;
    }

  if (served && !c->delivering)
    {
      if (core->hub.n_blocked > 0)
        g_cond_broadcast (&core->hub.changed);
      if (c->next != core->tail || core->hub.closed)
        _gasync_subscriber_slot_wake_locked (&c->slot);
    }
}

/* After a send or close: wakes @cursor's attached source; are its parked
 * futures to be served? */
static gboolean
broadcast_cursor_wake_locked (gpointer cursor)
{
  BroadcastCursor *c = cursor;

  if (c->delivering)
    return FALSE;   /* the delivering thread looks again before it stops */
  _gasync_subscriber_slot_wake_locked (&c->slot);
  return !g_queue_is_empty (&c->waiters);
}

static gpointer
broadcast_hub_cursor_ref (gpointer cursor)
{
  return broadcast_cursor_ref (cursor);
}

static void
broadcast_hub_cursor_unref (gpointer cursor)
{
  broadcast_cursor_unref (cursor);
}

const GAsyncSubscriberHubOps broadcast_hub_ops = {
  .cursor_ref = broadcast_hub_cursor_ref,
  .cursor_unref = broadcast_hub_cursor_unref,
  .wake_cursor_locked = broadcast_cursor_wake_locked,
  .serve_cursor_locked = broadcast_cursor_serve_locked,
};

void
broadcast_core_close (BroadcastCore *core)
{
  _gasync_subscriber_hub_close (&core->hub, &broadcast_hub_ops);
}

/* The receiver is gone: the items it did not take no longer wait for it.
 * Returns the ring references to drop without the lock. */
static GPtrArray *
broadcast_cursor_unsubscribe_locked (BroadcastCursor *c)
{
  BroadcastCore *core = c->core;
  GPtrArray *release = g_ptr_array_new ();

  core->hub.cursors = g_list_remove (core->hub.cursors, c);
  core->n_cursors--;
  for (guint64 seq = MAX (c->next, broadcast_core_oldest_locked (core)); seq < core->tail; seq++)
    {
      RingSlot *slot = &core->ring[seq % core->capacity];

      if (slot->item != NULL && slot->pos == seq && --slot->rem == 0)
        g_ptr_array_add (release, g_steal_pointer (&slot->item));
    }
  return release;
}

/* Waits, with the lock held, for the next item of @c and takes it. Returns
 * it (with, in *@release, the ring reference to drop), or NULL with @error
 * set. */
static GAsyncValueBox *
broadcast_cursor_wait_locked (BroadcastCursor  *c,
                              GCancellable     *cancellable,
                              guint64          *missed,
                              GAsyncValueBox  **release,
                              GError          **error)
{
  BroadcastCore *core = c->core;
  GAsyncValueBox *item;
  guint64 seq;

  for (;;)
    {
      if (!c->delivering && broadcast_cursor_take_locked (c, &item, &seq, missed))
        {
          *release = broadcast_cursor_commit_locked (c, seq);
          return item;
        }
      if (!c->delivering && core->hub.closed)
        {
          g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                               _("The broadcast is closed"));
          return NULL;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      _gasync_subscriber_hub_wait_locked (&core->hub);
    }
}

/* An out GValue must be zero-filled or hold a type the item converts to. */
gboolean
broadcast_check_out_value (GType          type,
                           const GValue  *value,
                           GError       **error)
{
  if (_gasync_value_box_out_accepts (type, value))
    return TRUE;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH,
               _("The broadcast carries items of type “%s”, which cannot be converted to “%s”"),
               g_type_name (type), g_type_name (G_VALUE_TYPE (value)));
  return FALSE;
}

/* Drops the parked futures that settled already (cancelled), so that
 * repeated timed-out receives do not pile up. Returns them, to be freed
 * without the lock. */
GList *
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
broadcast_future_new_for_item (GAsyncValueBox *item,
                               GAsyncValueBox *release)
{
  GValue value = G_VALUE_INIT;
  GAsyncFuture *ret;

  _gasync_value_box_copy_into (item, &value);
  ret = _gasync_future_new_settled (&value, NULL);
  _gasync_value_box_unref (item);
  _gasync_value_box_unref (release);
  return ret;
}

/* Takes an item for a new receive future if nothing is in line before it.
 * Returns the future (the lock released), or NULL with it held. */
GAsyncFuture *
broadcast_cursor_recv_now_locked (BroadcastCursor *c)
{
  BroadcastCore *core = c->core;
  GAsyncValueBox *item, *release;
  guint64 seq, missed;

  if (c->delivering || !g_queue_is_empty (&c->waiters))
    return NULL;

  if (broadcast_cursor_take_locked (c, &item, &seq, &missed))
    {
      release = broadcast_cursor_commit_locked (c, seq);
      gasync_mutex_unlock (&core->hub.mutex);
      return broadcast_future_new_for_item (item, release);
    }
  if (core->hub.closed)
    {
      gasync_mutex_unlock (&core->hub.mutex);
      return gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                                                  _("The broadcast is closed"));
    }
  return NULL;
}

/* Waits for the next item of @c and takes it: returns it (with, in
 * *@release, the ring reference to drop, and in *@missed how many were
 * skipped before it), or NULL with @error set if the broadcast closed and
 * @c took everything, or @cancellable was cancelled first. */
GAsyncValueBox *
broadcast_cursor_wait (BroadcastCursor  *c,
                       GCancellable     *cancellable,
                       guint64          *missed,
                       GAsyncValueBox  **release,
                       GError          **error)
{
  BroadcastCore *core = c->core;
  GAsyncValueBox *item;
  gulong handler;

  handler = _gasync_subscriber_hub_connect (&core->hub, cancellable);
  gasync_mutex_lock (&core->hub.mutex);
  item = broadcast_cursor_wait_locked (c, cancellable, missed, release, error);
  gasync_mutex_unlock (&core->hub.mutex);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  return item;
}

BroadcastCore *
broadcast_core_new (GType item_type,
                    guint capacity)
{
  BroadcastCore *core = g_new0 (BroadcastCore, 1);

  core->ref_count = 1;
  core->type = item_type;
  core->capacity = capacity;
  _gasync_subscriber_hub_init (&core->hub);
  core->ring = g_new0 (RingSlot, capacity);
  return core;
}

/* Puts @box in the ring for every cursor and wakes them. Returns how many
 * will get it, or 0 (dropping @box) if there is none or the broadcast is
 * closed. */
guint
broadcast_core_send (BroadcastCore  *core,
                     GAsyncValueBox *box)
{
  GAsyncValueBox *old;
  GPtrArray *serve;
  RingSlot *slot;
  guint n;

  gasync_mutex_lock (&core->hub.mutex);
  n = core->n_cursors;
  if (core->hub.closed || n == 0)
    {
      gasync_mutex_unlock (&core->hub.mutex);
      _gasync_value_box_unref (box);
      return 0;
    }
  slot = &core->ring[core->tail % core->capacity];
  old = slot->item;   /* skipped by the receivers that had not taken it */
  slot->item = box;
  slot->pos = core->tail++;
  slot->rem = n;
  serve = _gasync_subscriber_hub_wake_locked (&core->hub, &broadcast_hub_ops);
  gasync_mutex_unlock (&core->hub.mutex);

  _gasync_value_box_unref (old);
  _gasync_subscriber_hub_serve (&core->hub, &broadcast_hub_ops, serve);
  return n;
}

/* A cursor at the next item to be sent, in the core's list. */
BroadcastCursor *
broadcast_cursor_new (BroadcastCore *core)
{
  BroadcastCursor *c = g_new0 (BroadcastCursor, 1);

  c->ref_count = 2;   /* the caller's, the core list's */
  c->core = broadcast_core_ref (core);
  c->slot.mutex = &core->hub.mutex;
  g_queue_init (&c->waiters);

  gasync_mutex_lock (&core->hub.mutex);
  c->next = core->tail;
  core->hub.cursors = g_list_prepend (core->hub.cursors, c);
  core->n_cursors++;
  gasync_mutex_unlock (&core->hub.mutex);
  return c;
}

/* The receiver of @c is gone: takes @c out of the core's list, frees the
 * items only it still had to take, and rejects its parked futures (they
 * keep no reference on the receiver, so nothing can settle them now).
 * Drops the caller's reference. */
void
broadcast_cursor_unsubscribe (BroadcastCursor *c)
{
  BroadcastCore *core = c->core;
  GPtrArray *release;
  GList *batch;

  gasync_mutex_lock (&core->hub.mutex);
  release = broadcast_cursor_unsubscribe_locked (c);
  batch = c->waiters.head;
  g_queue_init (&c->waiters);
  gasync_mutex_unlock (&core->hub.mutex);

  for (guint i = 0; i < release->len; i++)
    _gasync_value_box_unref (release->pdata[i]);
  g_ptr_array_unref (release);
  broadcast_waiters_reject (batch);
  broadcast_cursor_unref (c);   /* the core list's */
  broadcast_cursor_unref (c);
}
