/* gasync-watch.h: a channel that holds the latest value and wakes receivers on change
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
#error "Only <gasync/gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-future.h"
#include "gasync-version-macros.h"

G_BEGIN_DECLS

#define GASYNC_TYPE_WATCH (gasync_watch_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GAsyncWatch, gasync_watch, GASYNC, WATCH, GObject)

#define GASYNC_TYPE_WATCH_RECEIVER (gasync_watch_receiver_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GAsyncWatchReceiver, gasync_watch_receiver, GASYNC, WATCH_RECEIVER, GObject)

/**
 * GAsyncWatchFunc:
 * @receiver: the receiver that saw the change
 * @value: (nullable): the latest value, or %NULL once the watch is closed
 *   and its last value was delivered (the last call)
 * @user_data: (closure): the data passed to gasync_watch_receiver_attach()
 *
 * Handles a change delivered by gasync_watch_receiver_attach(), on the
 * thread iterating the #GMainContext it was attached to. Several changes
 * made between two calls are delivered once, with the latest value.
 *
 * @value is lent for the duration of the call: copy what you keep.
 *
 * Returns: %G_SOURCE_CONTINUE to keep watching, %G_SOURCE_REMOVE to
 *   detach; ignored for the last call
 *
 * Since: 0.1
 */
typedef gboolean (*GAsyncWatchFunc) (GAsyncWatchReceiver *receiver,
                                     const GValue        *value,
                                     gpointer             user_data);

GASYNC_AVAILABLE_IN_ALL
GAsyncWatch         *gasync_watch_new                    (const GValue         *initial) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GType                gasync_watch_get_value_type         (GAsyncWatch          *watch);
GASYNC_AVAILABLE_IN_ALL
gboolean             gasync_watch_set                    (GAsyncWatch          *watch,
                                                          const GValue         *value);
GASYNC_AVAILABLE_IN_ALL
void                 gasync_watch_get_value              (GAsyncWatch          *watch,
                                                          GValue               *value);
GASYNC_AVAILABLE_IN_ALL
GValue              *gasync_watch_dup_value              (GAsyncWatch          *watch) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncWatchReceiver *gasync_watch_subscribe              (GAsyncWatch          *watch) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
void                 gasync_watch_close                  (GAsyncWatch          *watch);

GASYNC_AVAILABLE_IN_ALL
gboolean             gasync_watch_receiver_has_changed   (GAsyncWatchReceiver  *receiver);
GASYNC_AVAILABLE_IN_ALL
GValue              *gasync_watch_receiver_dup_value     (GAsyncWatchReceiver  *receiver) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture        *gasync_watch_receiver_changed       (GAsyncWatchReceiver  *receiver) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
gboolean             gasync_watch_receiver_wait_changed  (GAsyncWatchReceiver  *receiver,
                                                          GCancellable         *cancellable,
                                                          GValue               *value,
                                                          GError              **error);
GASYNC_AVAILABLE_IN_ALL
guint                gasync_watch_receiver_attach        (GAsyncWatchReceiver  *receiver,
                                                          GMainContext         *context,
                                                          GAsyncWatchFunc       func,
                                                          gpointer              user_data,
                                                          GDestroyNotify        destroy);

G_END_DECLS
