/* join.c: wait for several asynchronous results at once
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The C port of the seed's second program:
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
 * Here two calls are joined, one that succeeds and one that fails, to show
 * both arms of the match. gasync_join() waits for both, like join!, and
 * never fails itself: each result is read from its own future.
 */

#include <gasync/gasync.h>

static GAsyncFuture *
finish (GAsyncFuture *slept,
        gpointer      user_data)
{
  gboolean fail = GPOINTER_TO_INT (user_data);

  if (fail)
    return gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                "Something went wrong");
  return gasync_future_new_for_int (42);
}

/* Sleeps 100 ms on a worker, then succeeds or fails. */
static GAsyncFuture *
my_async_function (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_autoptr(GAsyncFuture) sleep = gasync_timeout_new (100);

  return gasync_future_and_then (sleep, finish, user_data, NULL);
}

static GAsyncFuture *
main_async (GCancellable *cancellable,
            gpointer      user_data)
{
  GAsyncRuntime *runtime = user_data;
  g_autoptr(GAsyncFuture) ok = gasync_runtime_spawn (runtime, my_async_function,
                                                     GINT_TO_POINTER (FALSE), NULL);
  g_autoptr(GAsyncFuture) bad = gasync_runtime_spawn (runtime, my_async_function,
                                                      GINT_TO_POINTER (TRUE), NULL);

  /* Both run at once on the workers: this takes 100 ms, not 200. */
  return gasync_join (ok, bad, NULL);
}

static void
report (GAsyncFuture *result)
{
  g_autoptr(GError) error = NULL;
  int value = gasync_future_get_int (result, &error);

  if (error == NULL)
    g_print ("Async function returned: %d\n", value);
  else
    g_print ("Async function failed: %s\n", error->message);
}

int
main (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (0);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GListModel *results;

  if (!gasync_block_on (main_async, runtime, NULL, &value, &error))
    {
      g_printerr ("join: %s\n", error->message);
      return 1;
    }

  /* The joined futures, in order, each resolved or rejected. */
  results = g_value_get_object (&value);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(GAsyncFuture) result = g_list_model_get_item (results, i);

      report (result);
    }

  return gasync_runtime_shutdown (runtime, NULL, NULL) ? 0 : 1;
}
