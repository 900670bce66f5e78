/* gasync-error.c: the GASYNC_ERROR domain
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-error.h"

/**
 * gasync_error_quark:
 *
 * Gets the #GQuark of the %GASYNC_ERROR domain.
 *
 * Returns: the error domain
 *
 * Since: 0.1
 */
GQuark
gasync_error_quark (void)
{
  /* Not G_DEFINE_QUARK(): its plain static is written by whichever thread
   * first needs the domain and read by the others unsynchronized, which
   * ThreadSanitizer reports when the first errors are set on several
   * threads at once (a timer thread and a worker, say). */
  static gint quark = 0;   /* atomic */
  GQuark q = (GQuark) g_atomic_int_get (&quark);

  if G_UNLIKELY (q == 0)
    {
      q = g_quark_from_static_string ("gasync-error-quark");
      g_atomic_int_set (&quark, (gint) q);
    }
  return q;
}
