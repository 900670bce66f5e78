/* gasync-gio-bridge-private.h: one GIO `_async()` call as a future
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gasync-future.h"

G_BEGIN_DECLS

/* The skeleton shared by the GIO futures (gasync-gio-*.c): a promise whose
 * cancellable is given to the GIO call, and a GAsyncReadyCallback that
 * finishes the call into a value and settles the promise with it. Each
 * wrapper keeps its own argument checks, its own `_async()` call and its
 * own finish function:
 *
 *   call = _gasync_gio_call_new (wait_finish, &future);
 *   g_subprocess_wait_async (subprocess, _gasync_gio_call_get_cancellable (call),
 *                            _gasync_gio_call_done, call);
 *   return future;
 *
 * A GAsyncGioCall is touched only on the context the call was started on
 * (GIO completes there), and is freed by _gasync_gio_call_done(). */
typedef struct _GAsyncGioCall GAsyncGioCall;

/* Finishes the GIO call of @result with its `_finish()` function: returns
 * FALSE with @error set, or TRUE. On TRUE, @value (G_VALUE_INIT on entry)
 * holds the result, or stays unset for a call whose result is only
 * success: the future then resolves with TRUE (G_TYPE_BOOLEAN). */
typedef gboolean (*GAsyncGioFinishFunc) (GObject       *source,
                                         GAsyncResult  *result,
                                         GValue        *value,
                                         GError       **error);

/* A new call settled through @finish; *@future receives a new reference
 * on the future it settles, for the wrapper to return. */
GAsyncGioCall *_gasync_gio_call_new              (GAsyncGioFinishFunc  finish,
                                                  GAsyncFuture       **future);
/* @data lives until the call settled its future: @destroy runs on it
 * after that (a buffer GIO reads from, a channel to close at the end). */
void           _gasync_gio_call_set_data         (GAsyncGioCall       *call,
                                                  gpointer             data,
                                                  GDestroyNotify       destroy);
/* The cancellable to start the GIO call with: cancelling the future
 * cancels it. */
GCancellable  *_gasync_gio_call_get_cancellable  (GAsyncGioCall       *call);
/* The GAsyncReadyCallback to start the GIO call with, @call as its data. */
void           _gasync_gio_call_done             (GObject             *source,
                                                  GAsyncResult        *result,
                                                  gpointer             call);

G_END_DECLS
