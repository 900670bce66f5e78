/* gasync-dispatch-private.h: batched, coalesced delivery of work to a GMainContext
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GAsyncDispatchItem GAsyncDispatchItem;
typedef struct _GAsyncDispatcher   GAsyncDispatcher;

/* Runs on the thread iterating the dispatcher's context, with no gasync lock
 * held. It owns @item and must free it (or hand it on). */
typedef void (*GAsyncDispatchFunc) (GAsyncDispatchItem *item);

/* Embed this in the struct that carries the work: pushing allocates nothing. */
struct _GAsyncDispatchItem
{
  GAsyncDispatchItem *next;
  GAsyncDispatchFunc  func;
};

/* One per GMainContext, created on first use and attached to it. Returns a
 * borrowed pointer that stays valid for as long as the caller holds a
 * reference on @context (the source is attached to it until it dies). */
GAsyncDispatcher *_gasync_dispatcher_for_context  (GMainContext       *context);

GMainContext     *_gasync_dispatcher_get_context  (GAsyncDispatcher   *dispatcher);

/* Queues @item; it runs on the dispatcher's context in a later iteration,
 * never inside this call. Wakes the context only when the queue goes from
 * empty to non-empty while no dispatch is running, so a batch of items costs
 * one wakeup. Safe from any thread. */
void              _gasync_dispatcher_push         (GAsyncDispatcher   *dispatcher,
                                                   GAsyncDispatchItem *item);

G_END_DECLS
