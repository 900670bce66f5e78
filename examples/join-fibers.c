/* join-fibers.c: the join! program, written with fibers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's second program, as join.c ports it, but sequential:
 *
 *   async fn my_async_function() -> Result<i32, String> {
 *       tokio::time::sleep(Duration::from_millis(100)).await;
 *       Ok(42) // Or return Err("Something went wrong")
 *   }
 *
 *   runtime.block_on(async {
 *       let (result,) = tokio::join!(my_async_function());
 *       match result {
 *           Ok(value) => println!("Async function returned: {}", value),
 *           Err(error) => println!("Async function failed: {}", error),
 *       }
 *   });
 *
 * Each async fn is a fiber: gasync_await() suspends it where Rust writes
 * .await, and the worker runs the other fiber meanwhile. The two calls
 * (one succeeds, one fails, to show both arms of the match) run at once,
 * so the program takes 100 ms, not 200.
 */

#include <gasync/gasync.h>

/* Sleeps 100 ms, then succeeds or fails. */
static gboolean
my_async_function (GCancellable  *cancellable,
                   GValue        *result,
                   gpointer       user_data,
                   GError       **error)
{
  gboolean fail = GPOINTER_TO_INT (user_data);
  g_autoptr(GAsyncFuture) sleep = gasync_timeout_new (100);

  if (!gasync_await (sleep, NULL, error))
    return FALSE;

  if (fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Something went wrong");
      return FALSE;
    }
  g_value_init (result, G_TYPE_INT);
  g_value_set_int (result, 42);
  return TRUE;
}

static void
report (GAsyncFuture *call)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  /* The match: each call's own outcome. */
  if (gasync_await (call, &value, &error))
    g_print ("Async function returned: %d\n", g_value_get_int (&value));
  else
    g_print ("Async function failed: %s\n", error->message);
}

/* The async block: start both calls, then wait for each (join!). */
static gboolean
main_fiber (GCancellable  *cancellable,
            GValue        *result,
            gpointer       user_data,
            GError       **error)
{
  GAsyncRuntime *runtime = user_data;
  g_autoptr(GAsyncFuture) ok = gasync_runtime_spawn_fiber (runtime, my_async_function,
                                                           GINT_TO_POINTER (FALSE), NULL);
  g_autoptr(GAsyncFuture) bad = gasync_runtime_spawn_fiber (runtime, my_async_function,
                                                            GINT_TO_POINTER (TRUE), NULL);

  report (ok);
  report (bad);
  return TRUE;
}

int
main (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (0);
  g_autoptr(GAsyncFuture) done = gasync_runtime_spawn_fiber (runtime, main_fiber, runtime, NULL);
  g_autoptr(GError) error = NULL;

  /* On the main thread gasync_await() blocks: the runtime's block_on. */
  if (!gasync_await (done, NULL, &error))
    {
      g_printerr ("join-fibers: %s\n", error->message);
      return 1;
    }

  return gasync_runtime_shutdown (runtime, NULL, NULL) ? 0 : 1;
}
