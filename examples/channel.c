/* channel.c: an async function sends its result to synchronous code
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The C port of the seed's third program:
 *
 *   async fn my_async_function(tx: mpsc::Sender<Result<i32, String>>) {
 *       tokio::time::sleep(Duration::from_millis(100)).await;
 *       let result = Ok(42); // Or Err("Something went wrong")
 *       tx.send(result).await.unwrap();
 *   }
 *
 *   fn main() {
 *       let rt = Runtime::new().unwrap();
 *       let (tx, mut rx) = mpsc::channel(1);
 *       rt.spawn(async move { my_async_function(tx).await; });
 *       let result = rt.block_on(async { rx.recv().await.unwrap() });
 *       match result {
 *           Ok(value) => println!("Async function returned: {}", value),
 *           Err(error) => println!("Async function failed: {}", error),
 *       }
 *   }
 *
 * The item is a Result<i32, String>. In gasync a settled GAsyncFuture is
 * exactly that, resolved with a value or rejected with a GError, so the
 * channel carries futures. The async function runs on a runtime worker;
 * the synchronous main() receives the result when it is ready.
 */

#include <gasync/gasync.h>

/* What the task owns, as `async move` moves tx into it: dropping the
 * last sender when the task is done closes the channel. */
typedef struct
{
  GAsyncSender *tx;   /* owned */
} Task;

static void
task_free (gpointer data)
{
  Task *task = data;

  g_clear_object (&task->tx);
  g_free (task);
}

/* tx.send(result).await: the returned future resolves once the result is
 * queued. The channel holds one item; were it full, this would wait for
 * room without blocking the worker. */
static GAsyncFuture *
send_result (GAsyncFuture *slept,
             gpointer      user_data)
{
  Task *task = user_data;
  g_autoptr(GAsyncFuture) result = gasync_future_new_for_int (42);   /* Ok(42) */
  /* Or: gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
   *                                          "Something went wrong"); */
  g_auto(GValue) item = G_VALUE_INIT;

  g_value_init (&item, GASYNC_TYPE_FUTURE);
  g_value_set_object (&item, result);
  return gasync_sender_send_future (task->tx, &item);
}

static GAsyncFuture *
my_async_function (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_autoptr(GAsyncFuture) sleep = gasync_timeout_new (100);

  /* The runtime frees the task (and so drops tx) only once the future
   * returned here settled, after send_result() ran. */
  return gasync_future_and_then (sleep, send_result, user_data, NULL);
}

static GAsyncFuture *
recv_result (GCancellable *cancellable,
             gpointer      user_data)
{
  GAsyncReceiver *rx = user_data;

  return gasync_receiver_recv_future (rx);
}

int
main (void)
{
  g_autoptr(GAsyncRuntime) rt = gasync_runtime_new (0);
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) handle = NULL;
  g_autoptr(GAsyncFuture) received = NULL;
  g_autoptr(GAsyncFuture) result = NULL;
  g_autoptr(GError) error = NULL;
  Task *task;
  int value;

  gasync_channel_new (GASYNC_TYPE_FUTURE, 1, &tx, &rx);

  task = g_new0 (Task, 1);
  task->tx = g_steal_pointer (&tx);
  handle = gasync_runtime_spawn (rt, my_async_function, task, task_free);

  /* rt.block_on(rx.recv()).unwrap(): this thread waits for the item,
   * dispatching none of the application's sources meanwhile.
   * gasync_receiver_recv() would block just the same. */
  received = gasync_block_on_future (recv_result, rx, 0, NULL);
  result = gasync_future_dup_object (received, &error);
  if (result == NULL)
    {
      g_printerr ("rx.recv() failed: %s\n", error->message);
      return 1;
    }

  value = gasync_future_get_int (result, &error);
  if (error == NULL)
    g_print ("Async function returned: %d\n", value);
  else
    g_print ("Async function failed: %s\n", error->message);

  return gasync_runtime_shutdown (rt, NULL, NULL) ? 0 : 1;
}
