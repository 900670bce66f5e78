/* gasync-channel-private.h: what the tests may observe of a channel
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-channel.h"

G_BEGIN_DECLS

/* A snapshot of a channel's state, taken under its lock. Tests use it to
 * wait until a thread is really blocked (instead of sleeping) and to check
 * how often an attached receiver was woken. */
typedef struct
{
  gsize   n_queued;          /* items in the queue */
  guint   n_send_blocked;    /* threads blocked in a send */
  guint   n_recv_blocked;    /* threads blocked in a receive */
  guint   n_send_parked;     /* sends waiting for room with a future */
  guint   n_recv_waiting;    /* receive futures waiting for an item */
  guint   n_producers;       /* open senders + parked sends */
  gboolean attached;         /* a receive handler is attached */
  guint64 n_source_wakeups;  /* times the attached source was made ready */
} GAsyncChannelStats;

void _gasync_receiver_get_stats (GAsyncReceiver     *receiver,
                                 GAsyncChannelStats *stats);

G_END_DECLS
