/* gasync-channel-core-private.h: the state a channel's two ends share
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gasync-channel.h"
#include "gasync-channel-items-private.h"
#include "gasync-channel-private.h"
#include "gasync-future-private.h"
#include "gasync-tsan-private.h"

G_BEGIN_DECLS

/* The channel core: one mutex, two condition variables, the item ring and
 * the futures waiting on it. It knows nothing of GAsyncSender and
 * GAsyncReceiver objects, nor of the receiver's main-context source beyond
 * "a GSource whose ready time is set when items arrive": those files call
 * it, never the other way round. A sender's closed flag lives in the
 * sender but is protected by the channel mutex, so the core takes a
 * pointer to it. */

/* Marks the end of one call's use of @chan. A thread may read the channel's
 * immutable fields after its last unlock and then drop its sender or
 * receiver with g_object_unref(), whose atomic reference count
 * ThreadSanitizer cannot see; channel_unref() acquires what this releases.
 * Compiles to nothing outside TSan builds. */
#define CHANNEL_CALL_DONE(chan) GASYNC_TSAN_RELEASE (&(chan)->mutex)

typedef struct _GAsyncChannel GAsyncChannel;
typedef struct _Waiter        Waiter;

typedef struct
{
  Waiter *head;
  Waiter *tail;
} WaiterList;

struct _GAsyncChannel
{
  gint            ref_count;       /* atomic */

  /* Immutable after creation. */
  ItemType        type;
  guint           capacity;        /* 0: unbounded */

  GMutex          mutex;
  /* Everything below is protected by mutex. */
  ItemRing        queue;
  GCond           not_empty;       /* the receiver waits for items here */
  GCond           not_full;        /* senders wait for room here */
  guint           n_recv_blocked;  /* threads waiting on not_empty */
  guint           n_send_blocked;  /* threads waiting on not_full */
  guint           n_producers;     /* open senders + parked sends: 0 means closed for the receiver */
  guint           reserved;        /* parked sends being completed outside the lock */
  gboolean        moving;          /* a consumer is completing parked sends */
  gint            receiver_closed; /* written under mutex, may be read atomically without */
  WaiterList      recv_waiters;    /* receive futures; only while the queue is empty */
  WaiterList      send_waiters;    /* parked sends; only while the channel is full */
  GSource        *source;          /* the attached receive source, owned reference */
  gboolean        source_woken;    /* its ready time is 0 */
  guint64         n_source_wakeups;
};

/* A future waiting on the channel: a receive future waiting for an item,
 * or a send future whose item waits for room. */
struct _Waiter
{
  GAsyncNotify    notify;       /* on promise: withdraws us if it settles elsewhere */
  Waiter         *prev;         /* protected by channel->mutex */
  Waiter         *next;         /* protected by channel->mutex */
  GAsyncChannel  *channel;      /* owned */
  GAsyncPromise  *promise;      /* owned until finished */
  Slot            item;         /* send waiters: the owned item */
  gboolean        is_send;      /* immutable */
  gboolean        queued;       /* in a list; protected by channel->mutex */
  gint            ref_count;    /* atomic: the channel side, the notify */
};

typedef enum {
  SEND_TRY,     /* fail with FULL */
  SEND_BLOCK,   /* wait for room */
  SEND_PARK,    /* park the item with a promise */
} SendMode;

typedef enum {
  RECV_TRY,     /* fail with EMPTY */
  RECV_BLOCK,   /* wait for an item */
} RecvMode;

/* What channel_take_for_source() found. */
typedef enum {
  CHANNEL_TAKE_ITEMS,             /* items were taken */
  CHANNEL_TAKE_EMPTY,             /* none queued: the source sleeps until one is */
  CHANNEL_TAKE_SENDERS_GONE,      /* none queued and every sender is closed */
  CHANNEL_TAKE_RECEIVER_CLOSED,   /* the receiver is closed */
} ChannelTake;

/* gasync-channel-core.c: the channel's life, accounting and waiters */
GAsyncChannel *channel_new              (GType            item_type,
                                         guint            capacity,
                                         GDestroyNotify   item_free);
GAsyncChannel *channel_ref              (GAsyncChannel   *chan);
void           channel_unref            (GAsyncChannel   *chan);

void           waiter_list_append       (WaiterList      *list,
                                         Waiter          *w);
void           waiter_list_remove       (WaiterList      *list,
                                         Waiter          *w);
Waiter        *waiter_list_pop_head     (WaiterList      *list);
Waiter        *waiter_new               (GAsyncChannel   *chan,
                                         gboolean         is_send,
                                         Slot             item);
void           waiter_finish            (Waiter          *w);
gboolean       waiter_hand_off          (GAsyncChannel   *chan,
                                         Waiter          *w,
                                         Slot             item);
void           channel_after_take_and_unlock (GAsyncChannel *chan,
                                         guint            n_taken);

gboolean       channel_add_producer     (GAsyncChannel   *chan,
                                         const gboolean  *sender_closed);
gboolean       channel_is_closed_for    (GAsyncChannel   *chan,
                                         const gboolean  *sender_closed);
void           channel_close_sender     (GAsyncChannel   *chan,
                                         gboolean        *sender_closed);

void           channel_close_receiver   (GAsyncChannel   *chan);
void           channel_get_stats        (GAsyncChannel   *chan,
                                         GAsyncChannelStats *stats);

guint          channel_attach_source    (GAsyncChannel   *chan,
                                         GSource         *source,
                                         GMainContext    *context);
gboolean       channel_detach_source    (GAsyncChannel   *chan,
                                         GSource         *source);
void           channel_put_back         (GAsyncChannel   *chan,
                                         Slot            *items,
                                         guint            n_items);

static inline gboolean
channel_has_room_locked (GAsyncChannel *chan)
{
  /* Parked sends, and those being completed, go first. */
  return chan->capacity == 0 ||
         (chan->queue.length + chan->reserved < chan->capacity &&
          chan->send_waiters.head == NULL &&
          chan->reserved == 0);
}

static inline void
channel_wake_source_locked (GAsyncChannel *chan)
{
  if (chan->source != NULL && !chan->source_woken)
    {
      chan->source_woken = TRUE;
      chan->n_source_wakeups++;
      g_source_set_ready_time (chan->source, 0);
    }
}

/* Queues an admitted item and wakes the consumer on the empty→non-empty
 * transition only. */
static inline void
channel_push_locked (GAsyncChannel *chan,
                     Slot           item)
{
  item_ring_push_tail (&chan->queue, item);

  if (chan->queue.length == 1)
    {
      if (chan->n_recv_blocked > 0)
        g_cond_signal (&chan->not_empty);
      channel_wake_source_locked (chan);
    }
}

/* The blocking sends and receives are refused on an async runtime worker
 * every time, not only when they would have to wait (as tokio's
 * blocking_send() is): a mistake that shows only under load is found too
 * late. Called at the entry of each blocking form, before anything moves:
 * one thread-local read on the fast path. */
static inline gboolean
channel_check_may_block (const char  *what,
                         GError     **error)
{
  if G_LIKELY (!_gasync_thread_is_async_worker ())
    return TRUE;
  return _gasync_check_may_block (what, error);
}

/* gasync-channel-transfer.c: sending and receiving */
gboolean       channel_send             (GAsyncChannel   *chan,
                                         gboolean        *sender_closed,
                                         Slot             item,
                                         SendMode         mode,
                                         GCancellable    *cancellable,
                                         GAsyncFuture   **parked,
                                         GError         **error);
guint          channel_send_pointers    (GAsyncChannel   *chan,
                                         gboolean        *sender_closed,
                                         gpointer        *items,
                                         guint            n_items,
                                         GCancellable    *cancellable,
                                         GError         **error);
guint          channel_recv             (GAsyncChannel   *chan,
                                         Slot            *items,
                                         guint            max_items,
                                         RecvMode         mode,
                                         GCancellable    *cancellable,
                                         GError         **error);
GAsyncFuture  *channel_recv_future      (GAsyncChannel   *chan);
guint          channel_take_for_source  (GAsyncChannel   *chan,
                                         GSource         *source,
                                         Slot            *batch,
                                         guint            max_items,
                                         ChannelTake     *result);

static inline gboolean
channel_receiver_is_closed (GAsyncChannel *chan)
{
  return g_atomic_int_get (&chan->receiver_closed);
}

/* Both ends' _async forms */
void           channel_return_to_task   (gpointer             source_object,
                                         gpointer             source_tag,
                                         const char          *name,
                                         GAsyncFuture        *future,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);

G_END_DECLS
