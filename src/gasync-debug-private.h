/* gasync-debug-private.h: future names, GASYNC_DEBUG=pending and =stalls
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

/* Written once, by _gasync_debug_ensure_init(), before the first future
 * exists (from the future class's class_init) or a receiver is attached;
 * read without a lock after. */
extern gboolean _gasync_debug_pending;
/* GASYNC_DEBUG=stalls: the one branch the hooks cost when it is off. */
extern gboolean _gasync_debug_stalls;

/* Parked channel waiters, for gasync_runtime_get_stats(): atomic, indexed
 * by GASYNC_DEBUG_RECV_WAITERS and _SEND_WAITERS. The channel core counts
 * them where it links and unlinks a waiter. */
enum { GASYNC_DEBUG_RECV_WAITERS, GASYNC_DEBUG_SEND_WAITERS };
extern gint _gasync_debug_channel_waiters[2];

typedef gboolean    (*GAsyncDebugIsPendingFunc) (gpointer instance);
typedef const char *(*GAsyncDebugNameFunc)      (gpointer instance);

/* Parses GASYNC_DEBUG once. @is_pending tells the report which registered
 * instances are still pending. */
void        _gasync_debug_init                  (GAsyncDebugIsPendingFunc is_pending);
/* Parses GASYNC_DEBUG once, for users of the flags that need no future. */
void        _gasync_debug_ensure_init           (void);

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

/* GASYNC_DEBUG=stalls: a hook reads _gasync_debug_stalls, and only if it
 * is set takes g_get_monotonic_time() before the user code and calls this
 * after. Reports on stderr if it ran longer than the limit: @kind what
 * ran ("continuation"), named by @instance's name (a future, or NULL) or
 * else by @func's symbol, on @context (NULL: the global default). */
void        _gasync_debug_stall_check           (gint64        start,
                                                 const char   *kind,
                                                 gpointer      instance,
                                                 gpointer      func,
                                                 GMainContext *context);

G_END_DECLS
