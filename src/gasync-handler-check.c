/* gasync-handler-check.c: whether an object gasync reuses has signal handlers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gasync reuses a settled future, and the GCancellable a finished task or
 * block_on had, only when nothing is left on it, signal handlers included.
 * GLib answers "has this instance handlers?" (g_signal_has_handler_pending,
 * g_signal_handlers_destroy) under GObject's one process-wide signal lock.
 * Asked three times per spawned task, by the spawning thread and the
 * workers at once, that lock was what bounded spawn + join (see "What
 * bounds spawn + join" in bench/README.md).
 *
 * GObject keeps the answer without a lock. On 64-bit platforms GLib 2.74
 * stores per-object flags in the four bytes between GObject's reference
 * count and its qdata, and each of the three calls that add a handler
 * (g_signal_connect_data, g_signal_connect_closure and
 * g_signal_connect_closure_by_id, which every other connect goes through)
 * sets the "has had a signal handler" flag there for any signal of an
 * object type. Signal emission relies on it: an emission on an object
 * without the flag skips the handler lookup. The flag is never cleared.
 *
 * Those bytes are not public API, so gasync reads them only after it has
 * seen GLib behave so on this run: at first use it checks that a new
 * GObject and a new GCancellable have the flag clear and that connecting
 * "notify" and "cancelled" sets it. If anything differs (another layout, a
 * 32-bit platform, a GLib that moved the flag), every answer is "may have
 * handlers", and the callers take GLib's lock as before.
 */

#include "config.h"

#include "gasync-handler-check-private.h"
#include "gasync-probe-private.h"

#if GLIB_SIZEOF_VOID_P == 8
G_STATIC_ASSERT (GASYNC_OBJECT_FLAGS_OFFSET + sizeof (guint) == G_STRUCT_OFFSET (GObject, qdata));
#define HAVE_FLAGS_WORD TRUE
#else
#define HAVE_FLAGS_WORD FALSE
#endif

gint _gasync_handler_check_exact = GASYNC_PROBE_NOT_RUN;   /* atomic */
static guint cancelled_signal_id;

static void
probe_handler (void)
{
}

/* Whether @object had the flag clear, and connecting @signal set it. */
static gboolean
probe_one (gpointer    object,
           const char *signal)
{
  gboolean clear_before = !_gasync_object_flag_has_had_handler (object);
  gulong id = g_signal_connect (object, signal, G_CALLBACK (probe_handler), NULL);
  gboolean set_after = _gasync_object_flag_has_had_handler (object);

  g_signal_handler_disconnect (object, id);
  return clear_before && set_after;
}

static gboolean
probe (void)
{
  GObject *object;
  GCancellable *cancellable;
  gboolean exact;

  if (!HAVE_FLAGS_WORD)
    return FALSE;

  object = g_object_new (G_TYPE_OBJECT, NULL);
  cancellable = g_cancellable_new ();
  exact = probe_one (object, "notify") && probe_one (cancellable, "cancelled");
  g_object_unref (cancellable);
  g_object_unref (object);

  return exact;
}

gboolean
_gasync_handler_check_is_exact (void)
{
  return _gasync_probe_once (&_gasync_handler_check_exact, probe);
}

gboolean
_gasync_cancellable_is_reusable (GCancellable *cancellable)
{
  if (g_atomic_int_get (&G_OBJECT (cancellable)->ref_count) != 1 ||
      g_cancellable_is_cancelled (cancellable))
    return FALSE;
  if (!_gasync_object_may_have_handlers (cancellable))
    return TRUE;

  /* It has had a handler: ask GLib, under its lock, whether one is left. */
  if G_UNLIKELY (g_atomic_int_get (&cancelled_signal_id) == 0)
    g_atomic_int_set (&cancelled_signal_id, g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE));
  return !g_signal_has_handler_pending (cancellable, g_atomic_int_get (&cancelled_signal_id), 0, TRUE);
}
