/* gasync-value.c: storing and clearing the GValues futures hand out
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The GValue helpers of gasync-future-private.h that every layer uses
 * (futures, channels, broadcast): they know nothing of futures.
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"

void
_gasync_value_init_for_error (GValue *value)
{
  if (value != NULL && G_VALUE_TYPE (value) == G_TYPE_INVALID)
    g_value_init (value, G_TYPE_POINTER);
}

gboolean
_gasync_value_store (GValue        *dest,
                     const GValue  *src,
                     GError       **error)
{
  GType want = G_VALUE_TYPE (dest);
  GType have = G_VALUE_TYPE (src);

  if (want == G_TYPE_INVALID || want == have)
    {
      if (want == have)
        g_value_unset (dest);
      _gasync_value_init_copy (dest, src);
      return TRUE;
    }

  if (g_value_type_compatible (have, want))
    {
      g_value_reset (dest);
      g_value_copy (src, dest);
      return TRUE;
    }

  if (g_value_type_transformable (have, want) && g_value_transform (src, dest))
    return TRUE;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH,
               _("The future holds a value of type “%s”, which cannot be converted to “%s”"),
               g_type_name (have), g_type_name (want));
  return FALSE;
}
