/* fire-and-forget.c: spawn work and carry on without waiting for it
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The C port of the seed's first program:
 *
 *   async fn my_async_function() {
 *       tokio::time::sleep(Duration::from_millis(100)).await;
 *       println!("Async function completed.");
 *   }
 *
 *   runtime.block_on(async {
 *       tokio::spawn(async { my_async_function().await; });
 *       println!("Main function continues execution.");
 *   });
 *
 * The task is spawned on a runtime's worker and its handle dropped at
 * once; the caller goes on. One difference is deliberate: dropping a tokio
 * runtime cancels the tasks still running, so the Rust program never
 * prints the second line, while gasync_runtime_shutdown() drains the
 * runtime, so the detached task finishes first.
 *
 * The Rust program relies on its 100 ms sleep to print its lines in that
 * order, which a loaded machine does not promise: here the task also
 * waits for a promise that main resolves once its own line is out.
 */

#include <gasync/gasync.h>

static GAsyncFuture *
print_completed (GAsyncFuture *slept,
                 gpointer      user_data)
{
  g_print ("Async function completed.\n");
  return NULL;
}

/* Runs on a worker: the sleep and what follows it complete there. It
 * prints once it has slept and main has printed (@user_data resolved). */
static GAsyncFuture *
my_async_function (GCancellable *cancellable,
                   gpointer      user_data)
{
  GAsyncFuture *main_printed = user_data;
  g_autoptr(GAsyncFuture) sleep = gasync_timeout_new (100);
  g_autoptr(GAsyncFuture) both = gasync_join (sleep, main_printed, NULL);

  return gasync_future_and_then (both, print_completed, NULL, NULL);
}

static GAsyncFuture *
main_async (GCancellable *cancellable,
            gpointer      user_data)
{
  GAsyncRuntime *runtime = user_data;
  g_autoptr(GAsyncPromise) printed = gasync_promise_new ();

  /* Fire and forget: dropping the handle detaches the task. */
  g_object_unref (gasync_runtime_spawn (runtime, my_async_function,
                                        g_object_ref (printed), g_object_unref));
  g_print ("Main function continues execution.\n");
  gasync_promise_resolve_boolean (printed, TRUE);

  return gasync_future_new_for_boolean (TRUE);
}

int
main (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (0);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  if (!gasync_block_on (main_async, runtime, NULL, &value, &error) ||
      !gasync_runtime_shutdown (runtime, NULL, &error))
    {
      g_printerr ("fire-and-forget: %s\n", error->message);
      return 1;
    }

  return 0;
}
