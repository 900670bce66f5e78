/* gasync-future-name.c: names for futures, for debugging
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A name is not stored in the future (the hottest object stays its size):
 * gasync-debug.c keeps it in a side table, and a flag in the future's
 * state word tells its finalize to remove it. A spawned task without a
 * name is named after its function, found only when asked.
 */

#include "config.h"

#include "gasync-debug-private.h"
#include "gasync-future-private.h"

/**
 * gasync_future_set_name:
 * @future: a #GAsyncFuture
 * @name: (nullable): a name for @future, or %NULL to remove it
 *
 * Names @future for debugging: gasync_future_get_name() returns the name,
 * `GASYNC_DEBUG=pending` lists a future still pending at exit by it, and
 * `GASYNC_DEBUG=stalls` names by it a slow continuation that settles it.
 * The name is interned (kept for the life of the process), so name
 * futures after what they do, not with a counter. May be called from any
 * thread.
 *
 * Since: 0.1
 */
void
gasync_future_set_name (GAsyncFuture *future,
                        const char   *name)
{
  g_return_if_fail (GASYNC_IS_FUTURE (future));

  /* The entry first, then the flag: whoever sees the flag finds the entry. */
  _gasync_debug_set_name (future, name);
  if (name != NULL)
    _gasync_future_mark_debug (future);
}

/**
 * gasync_future_get_name:
 * @future: a #GAsyncFuture
 *
 * Gets the name given with gasync_future_set_name(). A spawned task
 * without one is named after its function: the function's symbol if it
 * is exported (link with `-rdynamic` to export an executable's), else
 * "task" and its address. May be called from any thread.
 *
 * Returns: (nullable) (transfer none): the name, a string that lives as
 *   long as the process, or %NULL if @future has none
 *
 * Since: 0.1
 */
const char *
gasync_future_get_name (GAsyncFuture *future)
{
  const char *name = NULL;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);

  if (_gasync_future_has_debug (future))
    name = _gasync_debug_lookup_name (future);
  if (name == NULL)
    name = _gasync_debug_default_name (future);

  return name;
}
