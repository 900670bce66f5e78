/* gasync-probe.c: GLib internals read only once seen to behave
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See gasync-probe-private.h.
 */

#include "config.h"

#include "gasync-probe-private.h"

gboolean
_gasync_probe_once (gint      *state,
                    gboolean (*probe) (void))
{
  gint result = g_atomic_int_get (state);

  if G_UNLIKELY (result == GASYNC_PROBE_NOT_RUN)
    {
      result = probe () ? GASYNC_PROBE_EXACT : GASYNC_PROBE_UNUSABLE;
      g_atomic_int_set (state, result);
    }
  return result == GASYNC_PROBE_EXACT;
}
