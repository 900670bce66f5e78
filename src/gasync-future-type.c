/* gasync-future-type.c: whether an instance is a future, answered fast
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See gasync-future-type-private.h.
 */

#include "config.h"

#include "gasync-future-type-private.h"

gpointer _gasync_future_types[GASYNC_FUTURE_N_TYPES];   /* GTypes, atomic */

/* Called from the class_init of each future type gasync defines. */
void
_gasync_future_type_add (GType type)
{
  for (guint i = 0; i < GASYNC_FUTURE_N_TYPES; i++)
    {
      if (g_atomic_pointer_compare_and_exchange (&_gasync_future_types[i], NULL, (gpointer) type))
        return;
    }
  g_critical ("gasync defines more future types than _gasync_is_future() remembers");
}
