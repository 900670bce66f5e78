/* gasync-promise.h: GAsyncPromise, a future completed by its owner
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

#define GASYNC_TYPE_PROMISE (gasync_promise_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GAsyncPromise, gasync_promise, GASYNC, PROMISE, GAsyncFuture)

GASYNC_AVAILABLE_IN_ALL
GAsyncPromise *gasync_promise_new              (void) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture  *gasync_promise_get_future       (GAsyncPromise  *promise);
GASYNC_AVAILABLE_IN_ALL
GCancellable  *gasync_promise_get_cancellable  (GAsyncPromise  *promise);
GASYNC_AVAILABLE_IN_ALL
void           gasync_promise_resolve          (GAsyncPromise  *promise,
                                                const GValue   *value);
GASYNC_AVAILABLE_IN_ALL
void           gasync_promise_reject           (GAsyncPromise  *promise,
                                                GError         *error);
GASYNC_AVAILABLE_IN_ALL
void           gasync_promise_reject_literal   (GAsyncPromise  *promise,
                                                GQuark          domain,
                                                gint            code,
                                                const char     *message);
GASYNC_AVAILABLE_IN_ALL
void           gasync_promise_resolve_boolean  (GAsyncPromise  *promise,
                                                gboolean        v_boolean);
GASYNC_AVAILABLE_IN_ALL
void           gasync_promise_resolve_int      (GAsyncPromise  *promise,
                                                gint            v_int);
GASYNC_AVAILABLE_IN_ALL
void           gasync_promise_resolve_string   (GAsyncPromise  *promise,
                                                const char     *v_string);
GASYNC_AVAILABLE_IN_ALL
void           gasync_promise_resolve_object   (GAsyncPromise  *promise,
                                                gpointer        v_object);
GASYNC_AVAILABLE_IN_ALL
void           gasync_promise_resolve_variant  (GAsyncPromise  *promise,
                                                GVariant       *v_variant);
GASYNC_AVAILABLE_IN_ALL
void           gasync_promise_resolve_pointer  (GAsyncPromise  *promise,
                                                gpointer        v_pointer,
                                                GDestroyNotify  destroy);

GASYNC_AVAILABLE_IN_ALL
void           gasync_promise_gio_callback     (GObject        *source_object,
                                                GAsyncResult   *result,
                                                gpointer        user_data);

G_END_DECLS
