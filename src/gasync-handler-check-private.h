/* gasync-handler-check-private.h: whether an object gasync reuses has signal handlers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* FALSE only when @object has never had a signal handler connected, as
 * GObject itself records it; TRUE when it has, or when this GLib does not
 * let gasync read the record. Costs no lock. @object must be of a type
 * none of whose interfaces has signals (gasync's futures, GCancellable):
 * GObject does not record a handler on an interface's signal. */
gboolean _gasync_object_may_have_handlers  (gpointer      object);

/* Whether a thread may keep @cancellable for the next work it starts: it
 * is not cancelled, the caller holds its only reference (no GIO call still
 * runs with it), and no "cancelled" handler is left on it. */
gboolean _gasync_cancellable_is_reusable   (GCancellable *cancellable);

/* Whether _gasync_object_may_have_handlers() can read GObject's record on
 * this GLib (for the tests). */
gboolean _gasync_handler_check_is_exact    (void);

G_END_DECLS
