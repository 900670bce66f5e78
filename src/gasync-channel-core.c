/* gasync-channel-core.c: the state shared by a channel's senders and receiver
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "gasync-channel-core-private.h"
#include "gasync-debug-private.h"
#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"

/* How it works
 *
 * A sender and a receiver share one GAsyncChannel: a reference-counted core
 * with one mutex, two condition variables and the queue. It keeps
 * GAsyncQueue's model (one lock, condition waits, _locked helpers) and adds
 * what GAsyncQueue cannot do, each measured in bench/bench-channel.c:
 *
 * - Items live in a segmented ring of 8-byte slots (ItemRing, in
 *   gasync-channel-items.c) instead of one GList node per item. Items are
 *   stored unboxed (the pointer, the reference, the 64-bit number); only
 *   types with no cheaper form get a GValue per item.
 * - A consumer takes a batch with one lock (recv_many, attach).
 * - Condition variables are signalled only when a thread waits on them,
 *   and then only on the empty→non-empty or full→not-full transition.
 * - An attached receiver is a GSource whose ready time a sender sets to 0
 *   on the empty→non-empty transition and whose dispatch sets it back to
 *   -1, both under the channel lock: one context wakeup per batch, no file
 *   descriptor of its own (compared with an eventfd source in the bench).
 * - Bounds: a full channel blocks senders, or parks their item with a
 *   promise (send_future); capacity, parked sends and sends being completed
 *   ("reserved") are accounted so that no later send overtakes a parked
 *   one, which keeps per-sender order.
 *
 * Futures are settled, item free functions and user callbacks run, only
 * with the channel mutex released (notifies of a future may take other
 * locks or run GTask callbacks). To make cancellation exact, the channel
 * settles a waiter's future first and moves the item only if that worked:
 * a receive future gets a copy of the item, and the original is dropped
 * only once the future took the copy; a parked send's item enters the
 * queue only once its future resolved. A future cancelled meanwhile takes
 * nothing.
 *
 * Lock order: channel mutex, then a GMainContext's lock (in
 * g_source_set_ready_time()). The only lock taken by callbacks under which
 * we call is the cancellable's, whose handlers we run without ours.
 */

/* Work that must wait until the channel lock is released. */
typedef struct
{
  ItemRing   free_queue;    /* items to free */
  Waiter    *reject;        /* waiters to reject with CLOSED, linked through next */
  gboolean   by_receiver;   /* the receiver closed (rather than every sender) */
} Deferred;

/* Waiter lists */

void
waiter_list_append (WaiterList *list,
                    Waiter     *w)
{
  w->next = NULL;
  w->prev = list->tail;
  if (list->tail != NULL)
    list->tail->next = w;
  else
    list->head = w;
  list->tail = w;
  w->queued = TRUE;
  g_atomic_int_inc (&_gasync_debug_channel_waiters[w->is_send ? GASYNC_DEBUG_SEND_WAITERS
                                                              : GASYNC_DEBUG_RECV_WAITERS]);
}

void
waiter_list_remove (WaiterList *list,
                    Waiter     *w)
{
  if (w->prev != NULL)
    w->prev->next = w->next;
  else
    list->head = w->next;
  if (w->next != NULL)
    w->next->prev = w->prev;
  else
    list->tail = w->prev;
  w->prev = w->next = NULL;
  w->queued = FALSE;
  g_atomic_int_add (&_gasync_debug_channel_waiters[w->is_send ? GASYNC_DEBUG_SEND_WAITERS
                                                              : GASYNC_DEBUG_RECV_WAITERS], -1);
}

Waiter *
waiter_list_pop_head (WaiterList *list)
{
  Waiter *w = list->head;

  if (w != NULL)
    waiter_list_remove (list, w);
  return w;
}

/* Moves every waiter of @list to the deferred rejections. */
static void
waiter_list_steal_for_reject (WaiterList *list,
                              Deferred   *deferred)
{
  Waiter *w;

  while ((w = waiter_list_pop_head (list)) != NULL)
    {
      w->next = deferred->reject;
      deferred->reject = w;
    }
}

static guint
waiter_list_count (WaiterList *list)
{
  guint n = 0;

  for (Waiter *w = list->head; w != NULL; w = w->next)
    n++;
  return n;
}

/* The channel's life */

GAsyncChannel *
channel_new (GType           item_type,
             guint           capacity,
             GDestroyNotify  item_free)
{
  GAsyncChannel *chan = g_new0 (GAsyncChannel, 1);

  chan->ref_count = 1;
  item_type_init (&chan->type, item_type, item_free);
  chan->capacity = capacity;
  item_ring_init (&chan->queue, capacity);
  chan->n_producers = 1;
  g_mutex_init (&chan->mutex);
  g_cond_init (&chan->not_empty);
  g_cond_init (&chan->not_full);

  return chan;
}

GAsyncChannel *
channel_ref (GAsyncChannel *chan)
{
  g_atomic_int_inc (&chan->ref_count);
  return chan;
}

void
channel_unref (GAsyncChannel *chan)
{
  if (!g_atomic_int_dec_and_test (&chan->ref_count))
    return;

  /* Whoever dropped the other references did so after its last locked
   * section; make that visible to TSan. */
  GASYNC_TSAN_ACQUIRE (&chan->mutex);

  /* The receiver closed the channel before it went away. */
  g_warn_if_fail (chan->queue.length == 0);
  g_warn_if_fail (chan->recv_waiters.head == NULL);
  g_warn_if_fail (chan->send_waiters.head == NULL);
  g_warn_if_fail (chan->source == NULL);

  item_ring_clear (&chan->queue, &chan->type);

  g_mutex_clear (&chan->mutex);
  g_cond_clear (&chan->not_empty);
  g_cond_clear (&chan->not_full);
  g_free (chan);
}

/* Accounting */

/* Every sender is closed and no parked send is left: the receiver drains
 * what is queued, then sees CLOSED. */
static void
channel_senders_gone_locked (GAsyncChannel *chan,
                             Deferred      *deferred)
{
  if (chan->n_recv_blocked > 0)
    g_cond_broadcast (&chan->not_empty);
  channel_wake_source_locked (chan);
  if (chan->queue.length == 0)
    waiter_list_steal_for_reject (&chan->recv_waiters, deferred);
}

static void
channel_producer_done_locked (GAsyncChannel *chan,
                              Deferred      *deferred)
{
  g_assert (chan->n_producers > 0);
  if (--chan->n_producers == 0)
    channel_senders_gone_locked (chan, deferred);
}

/* Waiters */

static void
waiter_unref (Waiter *w)
{
  if (!g_atomic_int_dec_and_test (&w->ref_count))
    return;

  channel_unref (w->channel);
  g_free (w);
}

/* The channel side is done with @w: drops the promise and its reference. */
void
waiter_finish (Waiter *w)
{
  g_clear_object (&w->promise);
  waiter_unref (w);
}

/* Runs, with no lock held, what was deferred. */
static void
deferred_run (GAsyncChannel *chan,
              Deferred      *deferred)
{
  while (deferred->reject != NULL)
    {
      Waiter *w = deferred->reject;

      deferred->reject = w->next;
      w->next = NULL;
      /* A parked send was not taken: its item stays with the sender. */
      if (w->is_send)
        slot_drop_original (&chan->type, w->item);
      _gasync_future_reject (GASYNC_FUTURE (w->promise),
                             g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                                                  !deferred->by_receiver ?
                                                  _("Every sender of the channel is closed") :
                                                  w->is_send ?
                                                  _("The receiver of the channel is closed") :
                                                  _("The receiver is closed")));
      waiter_finish (w);
    }

  item_ring_clear (&deferred->free_queue, &chan->type);
  CHANNEL_CALL_DONE (chan);
}

static void
channel_unlock_and_run (GAsyncChannel *chan,
                        Deferred      *deferred)
{
  gasync_mutex_unlock (&chan->mutex);
  deferred_run (chan, deferred);
}

/* The promise settled. If we did not settle it (it was cancelled) and it
 * still waits in a list, withdraw it: a cancelled receive takes nothing,
 * a cancelled parked send is never queued. */
static void
waiter_settled (GAsyncNotify *notify,
                GAsyncFuture *completed)
{
  Waiter *w = (Waiter *) notify;
  GAsyncChannel *chan = w->channel;
  Deferred deferred = { { 0, }, NULL };
  gboolean withdrawn = FALSE;

  gasync_mutex_lock (&chan->mutex);
  if (w->queued)
    {
      withdrawn = TRUE;
      if (w->is_send)
        {
          waiter_list_remove (&chan->send_waiters, w);
          /* Room may have been waiting behind this parked send. */
          if (chan->n_send_blocked > 0 && channel_has_room_locked (chan))
            g_cond_broadcast (&chan->not_full);
          channel_producer_done_locked (chan, &deferred);
        }
      else
        waiter_list_remove (&chan->recv_waiters, w);
    }
  channel_unlock_and_run (chan, &deferred);

  if (withdrawn)
    {
      if (w->is_send)
        slot_drop_original (&chan->type, w->item);
      /* The caller of the settling function holds a reference. */
      waiter_finish (w);
    }

  CHANNEL_CALL_DONE (chan);
  waiter_unref (w);
}

Waiter *
waiter_new (GAsyncChannel *chan,
            gboolean       is_send,
            Slot           item)
{
  Waiter *w = g_new0 (Waiter, 1);

  w->notify.func = waiter_settled;
  w->channel = channel_ref (chan);
  w->promise = gasync_promise_new ();
  w->item = item;
  w->is_send = is_send;
  w->ref_count = 2;
  /* Nobody else has the promise yet, so it is pending. */
  _gasync_future_add_notify (GASYNC_FUTURE (w->promise), &w->notify);

  return w;
}

/* Called without the lock, with @w taken off its list. Resolves @w's
 * receive future with a copy of @item. Returns TRUE if it took it (the
 * original is then dropped: a pointer item was handed over), FALSE if @w
 * had been cancelled meanwhile (@item is untouched). Finishes @w. */
gboolean
waiter_hand_off (GAsyncChannel *chan,
                 Waiter        *w,
                 Slot           item)
{
  GValue value = G_VALUE_INIT;
  gboolean taken;

  slot_copy_into_value (&chan->type, item, &value);
  taken = _gasync_future_resolve_steal (GASYNC_FUTURE (w->promise), &value);
  waiter_finish (w);

  if (taken)
    slot_drop_original (&chan->type, item);

  return taken;
}

/* Parked sends */

/* Delivers an item whose room was reserved: to the oldest receive future,
 * or into the queue. May release and retake the lock. Returns FALSE if the
 * receiver is closed (@item is then still the caller's). */
static gboolean
channel_deliver_reserved_locked (GAsyncChannel *chan,
                                 Slot           item)
{
  for (;;)
    {
      Waiter *w;
      gboolean taken;

      if (chan->receiver_closed)
        return FALSE;

      w = waiter_list_pop_head (&chan->recv_waiters);
      if (w == NULL)
        {
          channel_push_locked (chan, item);
          return TRUE;
        }

      gasync_mutex_unlock (&chan->mutex);
      taken = waiter_hand_off (chan, w, item);
      gasync_mutex_lock (&chan->mutex);
      if (taken)
        return TRUE;
    }
}

/* Completes the oldest parked send, which fits: resolves its future (@queued
 * is TRUE), then queues its item. Releases and retakes the lock; its room
 * stays reserved meanwhile. */
static void
channel_complete_one_parked_locked (GAsyncChannel *chan,
                                    const GValue  *queued,
                                    Deferred      *deferred)
{
  Waiter *w = waiter_list_pop_head (&chan->send_waiters);
  Slot item = w->item;
  gboolean resolved;

  chan->reserved++;
  gasync_mutex_unlock (&chan->mutex);

  resolved = _gasync_future_resolve_copy (GASYNC_FUTURE (w->promise), queued);
  waiter_finish (w);

  gasync_mutex_lock (&chan->mutex);
  chan->reserved--;

  if (!resolved || !channel_deliver_reserved_locked (chan, item))
    {
      gasync_mutex_unlock (&chan->mutex);
      if (resolved)
        slot_free (&chan->type, item);           /* queued, then the receiver closed */
      else
        slot_drop_original (&chan->type, item);  /* cancelled: still the sender's */
      gasync_mutex_lock (&chan->mutex);
    }

  channel_producer_done_locked (chan, deferred);
}

/* Completes the parked sends that now fit, oldest first. Called with the
 * lock held by a consumer that made room; releases it.
 *
 * Each send future is resolved before its item is queued, so a send
 * cancelled meanwhile is never queued. Its room is reserved while the lock
 * is released, which keeps every later send (a blocked one, or a new one
 * from the same sender) behind it. */
static void
channel_complete_parked_and_unlock (GAsyncChannel *chan,
                                    Deferred      *deferred)
{
  GValue queued = G_VALUE_INIT;

  /* Another consumer thread is at it; it re-checks the room each round. */
  if (chan->moving)
    {
      channel_unlock_and_run (chan, deferred);
      return;
    }
  chan->moving = TRUE;

  g_value_init (&queued, G_TYPE_BOOLEAN);
  g_value_set_boolean (&queued, TRUE);

  while (chan->send_waiters.head != NULL &&
         !chan->receiver_closed &&
         chan->queue.length + chan->reserved < chan->capacity)
    channel_complete_one_parked_locked (chan, &queued, deferred);

  chan->moving = FALSE;
  if (chan->n_send_blocked > 0 && channel_has_room_locked (chan))
    g_cond_broadcast (&chan->not_full);

  channel_unlock_and_run (chan, deferred);
  g_value_unset (&queued);
}

/* Called with the lock held after a consumer took @n_taken items;
 * releases it. Wakes blocked senders on the full→not-full transition
 * only, and completes parked sends that now fit. */
void
channel_after_take_and_unlock (GAsyncChannel *chan,
                               guint          n_taken)
{
  /* Several threads blocked in a receive: pass the turn on. */
  if G_UNLIKELY (chan->n_recv_blocked > 0 && chan->queue.length > 0)
    g_cond_signal (&chan->not_empty);

  if (chan->capacity != 0)
    {
      if G_UNLIKELY (chan->send_waiters.head != NULL)
        {
          Deferred deferred = { { 0, }, NULL };

          channel_complete_parked_and_unlock (chan, &deferred);
          return;
        }

      if (chan->n_send_blocked > 0 &&
          chan->queue.length + n_taken + chan->reserved >= chan->capacity)
        {
          if (n_taken > 1)
            g_cond_broadcast (&chan->not_full);
          else
            g_cond_signal (&chan->not_full);
        }
    }

  gasync_mutex_unlock (&chan->mutex);
}

/* A clone of a sender is made: counts it as a producer unless the sender
 * it clones is closed. Returns whether the clone is closed. */
gboolean
channel_add_producer (GAsyncChannel  *chan,
                      const gboolean *sender_closed)
{
  gboolean closed;

  gasync_mutex_lock (&chan->mutex);
  closed = *sender_closed;
  if (!closed)
    chan->n_producers++;
  gasync_mutex_unlock (&chan->mutex);

  return closed;
}

gboolean
channel_is_closed_for (GAsyncChannel  *chan,
                       const gboolean *sender_closed)
{
  gboolean closed;

  gasync_mutex_lock (&chan->mutex);
  closed = *sender_closed || chan->receiver_closed;
  gasync_mutex_unlock (&chan->mutex);

  return closed;
}

void
channel_close_sender (GAsyncChannel *chan,
                      gboolean      *sender_closed)
{
  Deferred deferred = { { 0, }, NULL };

  gasync_mutex_lock (&chan->mutex);
  if (!*sender_closed)
    {
      *sender_closed = TRUE;
      /* Its own blocked sends fail now. */
      if (chan->n_send_blocked > 0)
        g_cond_broadcast (&chan->not_full);
      channel_producer_done_locked (chan, &deferred);
    }
  channel_unlock_and_run (chan, &deferred);
}

void
channel_close_receiver (GAsyncChannel *chan)
{
  Deferred deferred = { { 0, }, NULL };

  gasync_mutex_lock (&chan->mutex);
  if (chan->receiver_closed)
    {
      gasync_mutex_unlock (&chan->mutex);
      return;
    }

  g_atomic_int_set (&chan->receiver_closed, TRUE);
  deferred.by_receiver = TRUE;

  /* Queued items are freed; parked sends and receive futures fail. */
  item_ring_steal (&chan->queue, &deferred.free_queue);
  chan->n_producers -= waiter_list_count (&chan->send_waiters);
  waiter_list_steal_for_reject (&chan->send_waiters, &deferred);
  waiter_list_steal_for_reject (&chan->recv_waiters, &deferred);

  if (chan->n_send_blocked > 0)
    g_cond_broadcast (&chan->not_full);
  if (chan->n_recv_blocked > 0)
    g_cond_broadcast (&chan->not_empty);
  channel_wake_source_locked (chan);

  channel_unlock_and_run (chan, &deferred);
}

void
channel_get_stats (GAsyncChannel      *chan,
                   GAsyncChannelStats *stats)
{
  memset (stats, 0, sizeof *stats);

  gasync_mutex_lock (&chan->mutex);
  stats->n_queued = chan->queue.length;
  stats->n_send_blocked = chan->n_send_blocked;
  stats->n_recv_blocked = chan->n_recv_blocked;
  stats->n_send_parked = waiter_list_count (&chan->send_waiters);
  stats->n_recv_waiting = waiter_list_count (&chan->recv_waiters);
  stats->n_producers = chan->n_producers;
  stats->attached = chan->source != NULL;
  stats->n_source_wakeups = chan->n_source_wakeups;
  gasync_mutex_unlock (&chan->mutex);
}

/* The receiver's main-context source */

/* Makes @source the channel's receive source and attaches it to @context.
 * Returns its ID, or 0 if another source is attached already. */
guint
channel_attach_source (GAsyncChannel *chan,
                       GSource       *source,
                       GMainContext  *context)
{
  guint id;

  gasync_mutex_lock (&chan->mutex);
  if G_UNLIKELY (chan->source != NULL)
    {
      gasync_mutex_unlock (&chan->mutex);
      return 0;
    }

  chan->source = g_source_ref (source);
  chan->source_woken = chan->queue.length > 0 || chan->n_producers == 0 || chan->receiver_closed;
  g_source_set_ready_time (source, chan->source_woken ? 0 : -1);
  /* Under our lock, so that no sender sets the ready time meanwhile. The
   * context's lock, which hands the source to the thread that dispatches
   * it, is invisible to TSan: release what we filled in. */
  GASYNC_TSAN_RELEASE (source);
  id = g_source_attach (source, context);
  gasync_mutex_unlock (&chan->mutex);

  return id;
}

/* @source is being destroyed: forgets it if it is the channel's receive
 * source. Returns TRUE if it was (the caller then owns the channel's
 * reference to it). */
gboolean
channel_detach_source (GAsyncChannel *chan,
                       GSource       *source)
{
  gboolean detached = FALSE;

  gasync_mutex_lock (&chan->mutex);
  if (chan->source == source)
    {
      chan->source = NULL;
      chan->source_woken = FALSE;
      detached = TRUE;
    }
  gasync_mutex_unlock (&chan->mutex);

  return detached;
}

/* Serves receive futures registered while a batch was out from the front
 * of the queue. Returns FALSE, with the lock released, if the receiver was
 * closed meanwhile. */
static gboolean
channel_serve_recv_waiters_locked (GAsyncChannel *chan)
{
  while (chan->recv_waiters.head != NULL && chan->queue.length > 0)
    {
      Waiter *w = waiter_list_pop_head (&chan->recv_waiters);
      Slot item = item_ring_pop_head (&chan->queue);

      gasync_mutex_unlock (&chan->mutex);
      if (waiter_hand_off (chan, w, item))
        gasync_mutex_lock (&chan->mutex);
      else
        {
          gasync_mutex_lock (&chan->mutex);
          if (chan->receiver_closed)
            {
              gasync_mutex_unlock (&chan->mutex);
              slot_free (&chan->type, item);
              return FALSE;
            }
          item_ring_push_head (&chan->queue, item);
        }
    }

  return TRUE;
}

/* Puts items a handler did not get to back in front, in order. */
void
channel_put_back (GAsyncChannel *chan,
                  Slot          *items,
                  guint          n_items)
{
  gasync_mutex_lock (&chan->mutex);

  if (chan->receiver_closed)
    {
      gasync_mutex_unlock (&chan->mutex);
      for (guint i = 0; i < n_items; i++)
        slot_free (&chan->type, items[i]);
      return;
    }

  for (guint i = n_items; i > 0; i--)
    item_ring_push_head (&chan->queue, items[i - 1]);

  if (!channel_serve_recv_waiters_locked (chan))
    return;

  if (chan->n_recv_blocked > 0 && chan->queue.length > 0)
    g_cond_signal (&chan->not_empty);

  gasync_mutex_unlock (&chan->mutex);
}

