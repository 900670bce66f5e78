/* gasync-probe-private.h: GLib internals read only once seen to behave
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where gasync reads a GLib record that is not public API (see
 * gasync-handler-check.c and gasync-qdata-check.c), it first checks, once
 * per process, that GLib behaves as the version gasync knows; the state
 * of such a probe is one of these, in an atomic gint. */
enum
{
  GASYNC_PROBE_NOT_RUN = 0,
  GASYNC_PROBE_EXACT,      /* the record may be read directly */
  GASYNC_PROBE_UNUSABLE,   /* use GLib's public calls instead */
};

/* Whether the probe that @state records passed, running @probe (which
 * returns whether GLib behaved as expected) the first time. Two threads
 * may both run it the first time: each on its own objects, with the
 * same answer. */
gboolean _gasync_probe_once (gint      *state,
                             gboolean (*probe) (void));

G_END_DECLS
