/* gasync-debug-private.h: future names and the GASYNC_DEBUG=pending registry
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gasync-debug.c knows nothing of futures: it keeps side tables keyed by
 * instance pointer, so that no future grows by a byte. The future layer
 * registers every future from its constructor when _gasync_debug_pending
 * is set, and calls _gasync_debug_forget() from finalize for a future
 * flagged as having an entry; the task layer gives it a default namer.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Written once, by _gasync_debug_init(), before the first future exists
 * (from the future class's class_init); read without a lock after. */
extern gboolean _gasync_debug_pending;

typedef gboolean    (*GAsyncDebugIsPendingFunc) (gpointer instance);
typedef const char *(*GAsyncDebugNameFunc)      (gpointer instance);

/* Parses GASYNC_DEBUG once. @is_pending tells the report which registered
 * instances are still pending. */
void        _gasync_debug_init                  (GAsyncDebugIsPendingFunc is_pending);

/* Explicit names: pinned (interned) strings, so get never dangles. */
void        _gasync_debug_set_name              (gpointer     instance,
                                                 const char  *name);
const char *_gasync_debug_lookup_name           (gpointer     instance);
/* Removes @instance from every table (its name, its pending record). */
void        _gasync_debug_forget                (gpointer     instance);

/* Default names: instances of @type (and subtypes) without an explicit
 * name are named by @func, asked only when somebody wants the name. */
void        _gasync_debug_set_default_namer     (GType               type,
                                                 GAsyncDebugNameFunc func);
const char *_gasync_debug_default_name          (gpointer     instance);
/* The pinned name of a function: its dynamic symbol, or "task 0x…". */
const char *_gasync_debug_function_name         (gpointer     func);

/* GASYNC_DEBUG=pending: callers check _gasync_debug_pending first. */
/* @constructor: the return address of the instance init that registers. */
void        _gasync_debug_pending_register      (gpointer     instance,
                                                 gpointer     constructor);
/* Prints the instances still pending to stderr; @when says why. */
void        _gasync_debug_pending_report        (const char  *when);

G_END_DECLS
