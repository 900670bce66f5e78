/* gasync-qdata-check-private.h: whether an object gasync reuses holds qdata of anyone else
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Whether @object's qdata holds nothing but GObject's own notify queue (or
 * nothing at all): no user data, weak reference, GWeakRef, watched
 * closure or binding wrapper. The caller holds the only reference, so
 * nobody changes the qdata meanwhile. */
gboolean _gasync_qdata_is_only_notify_queue      (GObject *object);

/* Whether the datalist can be read directly on this GLib (probed at the
 * first call; otherwise it is walked with g_datalist_foreach()). */
gboolean _gasync_qdata_check_is_exact            (void);

/* The same answer from g_datalist_foreach(), GLib's public way. */
gboolean _gasync_qdata_walk_is_only_notify_queue (GObject *object);

G_END_DECLS
