/* gasync-subscriber-hub-private.h: the receivers' side of a watch or broadcast core
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the cores of watch and broadcast channels share: every receiver
 * has a cursor in the core, and a change (a set, a send, the close) is
 * announced to all of them the same way. Under the lock, threads blocked
 * in a receive are signalled and each cursor is woken (its attached
 * source made ready) and, if it has parked futures, picked to be served;
 * after the lock is dropped, each picked cursor settles its futures
 * (gasync-subscriber-source.c delivers to the attached sources). The kind
 * of channel supplies how a cursor is woken and served
 * (GAsyncSubscriberHubOps). Embedded in the core. */
typedef struct
{
  GMutex    mutex;
  GCond     changed;     /* signalled on news (a change, an item, the close,
                          * the end of a delivery) when n_blocked > 0 */

  /* protected by mutex: */
  gboolean  closed;
  guint     n_blocked;   /* threads blocked in a receiver's wait */
  GList    *cursors;     /* owned cursor references, one per receiver */
} GAsyncSubscriberHub;

typedef struct
{
  gpointer  (*cursor_ref)          (gpointer cursor);
  void      (*cursor_unref)        (gpointer cursor);
  /* With the lock held, after news: wakes @cursor's attached source if
   * it is to look, and returns TRUE if @cursor's parked futures are to be
   * served. */
  gboolean  (*wake_cursor_locked)  (gpointer cursor);
  /* Settles @cursor's parked futures while it has something for them;
   * releases the lock while it settles them; called and returns with it
   * held. */
  void      (*serve_cursor_locked) (gpointer cursor);
} GAsyncSubscriberHubOps;

void       _gasync_subscriber_hub_init         (GAsyncSubscriberHub          *hub);
void       _gasync_subscriber_hub_clear        (GAsyncSubscriberHub          *hub);

/* With the lock held, after news: signals the blocked threads, wakes
 * every cursor, and returns the cursors to serve (a reference each), or
 * NULL, for _gasync_subscriber_hub_serve(). */
GPtrArray *_gasync_subscriber_hub_wake_locked  (GAsyncSubscriberHub          *hub,
                                                const GAsyncSubscriberHubOps *ops);
/* Without the lock: serves what _gasync_subscriber_hub_wake_locked()
 * returned, and drops it. */
void       _gasync_subscriber_hub_serve        (GAsyncSubscriberHub          *hub,
                                                const GAsyncSubscriberHubOps *ops,
                                                GPtrArray                    *serve);
/* Closes @hub (once) and announces it. */
void       _gasync_subscriber_hub_close        (GAsyncSubscriberHub          *hub,
                                                const GAsyncSubscriberHubOps *ops);

/* With the lock held: blocks until the next news or cancellation (or a
 * spurious wakeup), counted in n_blocked. */
void       _gasync_subscriber_hub_wait_locked  (GAsyncSubscriberHub          *hub);
/* Without the lock: makes @cancellable's cancellation wake the blocked
 * threads of @hub. Returns the handler to disconnect, or 0. */
gulong     _gasync_subscriber_hub_connect      (GAsyncSubscriberHub          *hub,
                                                GCancellable                 *cancellable);

G_END_DECLS
