/* gasync-future-type-private.h: whether an instance is a future, answered fast
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-future.h"

G_BEGIN_DECLS

/* GASYNC_IS_FUTURE() answers inline only for an instance of exactly
 * GAsyncFuture; for a task's handle or a promise GObject walks the type
 * tree (~140 instructions), on every public call that takes a future. The
 * types gasync makes futures of are added here as their classes are made
 * (class_init, before any instance exists), so gasync's own checks find
 * them in a short array and ask GObject only about other types. */
#define GASYNC_FUTURE_N_TYPES 3

extern gpointer _gasync_future_types[GASYNC_FUTURE_N_TYPES];   /* GTypes */

void _gasync_future_type_add (GType type);

static inline gboolean
_gasync_is_future (gconstpointer instance)
{
  const GTypeInstance *inst = instance;
  GType type;

  if (inst == NULL || inst->g_class == NULL)
    return FALSE;
  type = inst->g_class->g_type;
  for (guint i = 0; i < GASYNC_FUTURE_N_TYPES; i++)
    {
      if ((GType) g_atomic_pointer_get (&_gasync_future_types[i]) == type)
        return TRUE;
    }
  return g_type_check_instance_is_a ((GTypeInstance *) inst, GASYNC_TYPE_FUTURE);
}

/* Every gasync file that includes this header checks the fast way; a
 * failed g_return_if_fail() still prints the check as written. */
#undef GASYNC_IS_FUTURE
#define GASYNC_IS_FUTURE(instance) _gasync_is_future (instance)

G_END_DECLS
