/* subscriber-test-util.c: helpers shared by the watch and broadcast tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "subscriber-test-util.h"

guint
future_uint (GAsyncFuture *future)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gasync_future_get_state (future), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_true (gasync_future_get_value (future, &value, &error));
  g_assert_no_error (error);
  return g_value_get_uint (&value);
}

GAsyncFuture *
blocking_outcome (gboolean      ok,
                  const GValue *value,
                  GError       *error)
{
  if (ok)
    return gasync_future_new_for_boolean (TRUE);
  g_assert_cmpuint (G_VALUE_TYPE (value), ==, G_TYPE_POINTER);
  return gasync_future_new_for_error (error);
}

void
assert_would_deadlock_on_worker (GAsyncFunc func,
                                 gpointer   data)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) future = NULL;
  g_autoptr(GAsyncFuture) bounded = NULL;
  g_autoptr(GError) error = NULL;

  future = gasync_runtime_spawn (runtime, func, data, NULL);
  bounded = gasync_future_with_timeout (future, 30000);
  g_assert_false (gasync_future_wait (bounded, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);
  g_clear_error (&error);
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, &error));
  g_assert_no_error (error);
}
