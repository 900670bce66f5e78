/* gasync-broadcast-private.h: the shared state of a broadcast channel and its receivers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-broadcast.h"
#include "gasync-future-private.h"
#include "gasync-subscriber-hub-private.h"
#include "gasync-subscriber-source-private.h"
#include "gasync-value-box-private.h"

G_BEGIN_DECLS

/* A broadcast is three layers: gasync-broadcast-core.c (the ring and the
 * receivers' cursors), gasync-broadcast-source.c (attached receivers) on
 * top of it, and gasync-broadcast.c (the GObjects and public API) on both. */

typedef struct
{
  GAsyncValueBox *item;   /* owned, or NULL once every receiver took it */
  guint64        pos;    /* the item's sequence number */
  guint          rem;    /* receivers that have yet to take it */
} RingSlot;

typedef struct _BroadcastCore BroadcastCore;

typedef struct
{
  gint                  ref_count;   /* atomic */
  BroadcastCore        *core;        /* owned, immutable */

  /* protected by core->hub.mutex: */
  guint64               next;        /* the sequence number it takes next */
  guint64               missed;      /* items skipped in all */
  GQueue                waiters;     /* owned GAsyncPromise: parked receive futures */
  gboolean              delivering;  /* a thread is settling a waiter without the lock */
  GAsyncSubscriberSlot  slot;        /* the attached source; its mutex is the core's */
} BroadcastCursor;

struct _BroadcastCore
{
  gint                 ref_count;   /* atomic */
  GType                type;        /* immutable */
  guint                capacity;    /* immutable */
  /* Its mutex protects the rest; its cursors are BroadcastCursors, its
   * blocked threads in gasync_broadcast_receiver_recv(). */
  GAsyncSubscriberHub  hub;

  /* protected by hub.mutex: */
  RingSlot            *ring;        /* capacity slots */
  guint64              tail;        /* the sequence number of the next item sent */
  guint                n_cursors;
};

/* gasync-broadcast-core.c */
gboolean         broadcast_check_out_value        (GType                     type,
                                                   const GValue             *value,
                                                   GError                  **error);

BroadcastCore   *broadcast_core_new               (GType                     item_type,
                                                   guint                     capacity);
BroadcastCore   *broadcast_core_ref               (BroadcastCore            *core);
void             broadcast_core_unref             (BroadcastCore            *core);
guint            broadcast_core_send              (BroadcastCore            *core,
                                                   GAsyncValueBox           *box);
void             broadcast_core_close             (BroadcastCore            *core);
guint64          broadcast_core_oldest_locked     (BroadcastCore            *core);

extern const GAsyncSubscriberHubOps broadcast_hub_ops;

BroadcastCursor *broadcast_cursor_new             (BroadcastCore            *core);
BroadcastCursor *broadcast_cursor_ref             (BroadcastCursor          *c);
void             broadcast_cursor_unref           (BroadcastCursor          *c);
void             broadcast_cursor_unsubscribe     (BroadcastCursor          *c);
gboolean         broadcast_cursor_take_locked     (BroadcastCursor          *c,
                                                   GAsyncValueBox          **item,
                                                   guint64                  *seq,
                                                   guint64                  *missed);
GAsyncValueBox  *broadcast_cursor_commit_locked   (BroadcastCursor          *c,
                                                   guint64                   seq);
GAsyncValueBox  *broadcast_cursor_wait            (BroadcastCursor          *c,
                                                   GCancellable             *cancellable,
                                                   guint64                  *missed,
                                                   GAsyncValueBox          **release,
                                                   GError                  **error);
GList           *broadcast_cursor_prune_locked    (BroadcastCursor          *c);
GAsyncFuture    *broadcast_cursor_recv_now_locked (BroadcastCursor          *c);
void             broadcast_waiters_reject         (GList                    *batch);

/* gasync-broadcast-source.c */
guint            broadcast_source_attach          (GAsyncBroadcastReceiver  *receiver,
                                                   BroadcastCursor          *c,
                                                   GMainContext             *context,
                                                   GAsyncBroadcastFunc       func,
                                                   gpointer                  user_data,
                                                   GDestroyNotify            destroy);

G_END_DECLS
