/* gasync-watch-private.h: the shared state of a watch channel and its receivers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-watch.h"
#include "gasync-future-private.h"
#include "gasync-subscriber-hub-private.h"
#include "gasync-subscriber-source-private.h"
#include "gasync-value-box-private.h"

G_BEGIN_DECLS

/* A watch is three layers: gasync-watch-core.c (the value, its version and
 * the receivers' cursors), gasync-watch-source.c (attached receivers) on
 * top of it, and gasync-watch.c (the GObjects and public API) on both. */

typedef struct _WatchCore WatchCore;

typedef struct
{
  gint                  ref_count;   /* atomic */
  WatchCore            *core;        /* owned, immutable */

  /* protected by core->hub.mutex: */
  guint64               seen;        /* the version this receiver saw last */
  GSList               *waiters;     /* owned GAsyncPromise: parked changed() futures */
  gboolean              delivering;  /* a thread is settling waiters without the lock */
  GAsyncSubscriberSlot  slot;        /* the attached source; its mutex is the core's */
} WatchCursor;

struct _WatchCore
{
  gint                 ref_count;   /* atomic */
  GType                type;        /* immutable */
  /* Its mutex protects the rest; its cursors are WatchCursors, its
   * blocked threads in gasync_watch_receiver_wait_changed(). */
  GAsyncSubscriberHub  hub;

  /* protected by hub.mutex: */
  GAsyncValueBox      *current;     /* owned */
  guint64              version;
};

/* gasync-watch-core.c */
gboolean        watch_check_out_value     (GType                 type,
                                           const GValue         *value,
                                           GError              **error);

WatchCore      *watch_core_new            (GAsyncValueBox       *initial);
WatchCore      *watch_core_ref            (WatchCore            *core);
void            watch_core_unref          (WatchCore            *core);
gboolean        watch_core_set            (WatchCore            *core,
                                           GAsyncValueBox       *box);
GAsyncValueBox *watch_core_ref_current    (WatchCore            *core);
void            watch_core_close          (WatchCore            *core);

extern const GAsyncSubscriberHubOps watch_hub_ops;

WatchCursor    *watch_cursor_new          (WatchCore            *core);
WatchCursor    *watch_cursor_ref          (WatchCursor          *c);
void            watch_cursor_unref        (WatchCursor          *c);
void            watch_cursor_unsubscribe  (WatchCursor          *c);
GAsyncValueBox *watch_cursor_take_locked  (WatchCursor          *c);
GSList         *watch_cursor_prune_locked (WatchCursor          *c);
GAsyncValueBox *watch_cursor_wait         (WatchCursor          *c,
                                           GCancellable         *cancellable,
                                           GError              **error);
void            watch_waiters_reject      (GSList               *batch,
                                           const char           *message);

/* gasync-watch-source.c */
guint           watch_source_attach       (GAsyncWatchReceiver  *receiver,
                                           WatchCursor          *c,
                                           GMainContext         *context,
                                           GAsyncWatchFunc       func,
                                           gpointer              user_data,
                                           GDestroyNotify        destroy);

G_END_DECLS
