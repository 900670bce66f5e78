/* gasync-value-box.c: a reference-counted, immutable GValue
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-future-private.h"
#include "gasync-value-box-private.h"

GAsyncValueBox *
_gasync_value_box_new (GType          type,
                       const GValue  *value,
                       GError       **error)
{
  GAsyncValueBox *box = g_new0 (GAsyncValueBox, 1);

  box->ref_count = 1;
  g_value_init (&box->value, type);
  if (!_gasync_value_store (&box->value, value, error))
    {
      g_value_unset (&box->value);
      g_free (box);
      return NULL;
    }
  return box;
}

GAsyncValueBox *
_gasync_value_box_ref (GAsyncValueBox *box)
{
  g_atomic_int_inc (&box->ref_count);
  return box;
}

void
_gasync_value_box_unref (GAsyncValueBox *box)
{
  if (box == NULL || !g_atomic_int_dec_and_test (&box->ref_count))
    return;

  g_value_unset (&box->value);
  g_free (box);
}

void
_gasync_value_box_copy_into (GAsyncValueBox *box,
                             GValue         *dest)
{
  g_value_init (dest, G_VALUE_TYPE (&box->value));
  g_value_copy (&box->value, dest);
}

gboolean
_gasync_value_box_out_accepts (GType         type,
                               const GValue *out)
{
  GType want;

  if (out == NULL || G_VALUE_TYPE (out) == G_TYPE_INVALID)
    return TRUE;

  want = G_VALUE_TYPE (out);
  return g_value_type_compatible (type, want) || g_value_type_transformable (type, want);
}
