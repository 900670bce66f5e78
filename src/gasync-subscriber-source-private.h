/* gasync-subscriber-source-private.h: attaching a subscriber to a main context
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "gasync-subscriber-hub-private.h"

G_BEGIN_DECLS

/* What watch and broadcast receivers share when they are attached to a
 * main context: a GSource with no file descriptor, whose ready time the
 * sending side makes 0 (wake) and whose dispatch sets back to -1 (sleep)
 * once it took what there was, both under the channel's lock. Each
 * receiver's cursor embeds a slot; the kind of channel supplies how a
 * dispatch takes and delivers (GAsyncSubscriberOps). */

/* Embedded in a cursor. Protected by *mutex (the channel's). */
typedef struct
{
  GMutex   *mutex;          /* not owned, immutable: the channel's lock */
  GSource  *source;         /* owned reference while attached, or NULL */
  gboolean  woken;          /* its ready time is 0 */
} GAsyncSubscriberSlot;

typedef struct _GAsyncSubscriberSource GAsyncSubscriberSource;

typedef struct
{
  const char *source_name;   /* static: the GSource's name */
  const char *attach_func;   /* the public function, for the critical */
  const char *stall_kind;    /* static: what runs, for GASYNC_DEBUG=stalls */
  /* Delivers what there is to @func (a GAsyncWatchFunc, a
   * GAsyncBroadcastFunc), called with no lock held; returns
   * G_SOURCE_CONTINUE or G_SOURCE_REMOVE. */
  gboolean  (*dispatch)      (GAsyncSubscriberSource *self,
                              GCallback               func,
                              gpointer                user_data);
  /* With the lock held, as the source is attached: is something there
   * already (a value not seen, an item, the close)? */
  gboolean  (*has_news_locked) (gpointer cursor);
  /* The core's, for the cursor's references. */
  const GAsyncSubscriberHubOps *hub;
} GAsyncSubscriberOps;

struct _GAsyncSubscriberSource
{
  GSource                    source;
  const GAsyncSubscriberOps *ops;        /* static */
  GObject                   *receiver;   /* owned: an attached receiver stays subscribed */
  gpointer                   cursor;     /* owned: the receiver's */
  GAsyncSubscriberSlot      *slot;       /* in cursor */
};

/* Attaches a source that delivers @cursor's news (@receiver's cursor, on
 * which it holds a reference, with its @slot) to @func on @context (NULL:
 * the thread-default one). Returns the source's ID, or 0 if a source is
 * attached already (a programming error, reported here; @destroy is then
 * not called). */
guint _gasync_subscriber_source_attach (const GAsyncSubscriberOps *ops,
                                        GObject                   *receiver,
                                        gpointer                   cursor,
                                        GAsyncSubscriberSlot      *slot,
                                        GMainContext              *context,
                                        GCallback                  func,
                                        gpointer                   user_data,
                                        GDestroyNotify             destroy);

/* With the lock held: makes an attached, sleeping source ready. */
void  _gasync_subscriber_slot_wake_locked  (GAsyncSubscriberSlot *slot);
/* With the lock held, from a dispatch that took everything: the source
 * sleeps until the next wake. */
void  _gasync_subscriber_slot_sleep_locked (GAsyncSubscriberSlot *slot);

G_END_DECLS
