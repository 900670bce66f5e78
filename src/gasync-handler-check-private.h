/* gasync-handler-check-private.h: whether an object gasync reuses has signal handlers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gasync-probe-private.h"

G_BEGIN_DECLS

/* Whether _gasync_object_may_have_handlers() can read GObject's record on
 * this GLib (probed at the first call). */
gboolean _gasync_handler_check_is_exact    (void);

/* Whether a thread may keep @cancellable for the next work it starts: it
 * is not cancelled, the caller holds its only reference (no GIO call still
 * runs with it), and no "cancelled" handler is left on it. */
gboolean _gasync_cancellable_is_reusable   (GCancellable *cancellable);

/* Where GObject keeps its per-object flags on 64-bit platforms (see
 * gasync-handler-check.c), and the "has had a signal handler" flag. */
#if GLIB_SIZEOF_VOID_P == 8
#define GASYNC_OBJECT_FLAGS_OFFSET (G_STRUCT_OFFSET (GObject, ref_count) + sizeof (guint))
#else
#define GASYNC_OBJECT_FLAGS_OFFSET 0
#endif
#define GASYNC_OBJECT_FLAG_HAS_HAD_HANDLER (1u << 1)

/* The probe's state (gasync-probe-private.h). */
extern gint _gasync_handler_check_exact;

/* Reads the flag where GLib 2.74 keeps it: the probe uses this to check
 * that it is there, _gasync_object_may_have_handlers() once it passed. */
static inline gboolean
_gasync_object_flag_has_had_handler (gpointer object)
{
  const char *base = object;
  const gint *flags = (const gint *) (gconstpointer) (base + GASYNC_OBJECT_FLAGS_OFFSET);

  return ((guint) g_atomic_int_get (flags) & GASYNC_OBJECT_FLAG_HAS_HAD_HANDLER) != 0;
}

/* FALSE only when @object has never had a signal handler connected, as
 * GObject itself records it; TRUE when it has, or when this GLib does not
 * let gasync read the record. Costs no lock, and inline no call: it is
 * asked three times per spawned task. @object must be of a type none of
 * whose interfaces has signals (gasync's futures, GCancellable): GObject
 * does not record a handler on an interface's signal. */
static inline gboolean
_gasync_object_may_have_handlers (gpointer object)
{
  if G_UNLIKELY (g_atomic_int_get (&_gasync_handler_check_exact) != GASYNC_PROBE_EXACT &&
                 !_gasync_handler_check_is_exact ())
    return TRUE;
  return _gasync_object_flag_has_had_handler (object);
}

G_END_DECLS
