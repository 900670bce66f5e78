/* bench-vs-tokio.c: the gasync rows that bench/compare-tokio prints next
 * to tokio's
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The same jobs as bench/tokio/src/main.rs, one round per run,
 * printed as "row<TAB>value" (millions per second) for the script to
 * interleave with the tokio program's runs. Every row checks its work.
 */

#include <stdio.h>
#include <string.h>

#include "gasync-bench-util.h"

/* Spawned and joined from plain synchronous code: the main thread waits
 * for each handle (tokio: rt.spawn() and rt.block_on() of each). */
static gdouble
spawn_join_sync (guint64 n)
{
  return n / gasync_bench_spawn_join (n, gasync_bench_spawn_trivial, NULL, "spawn+join") / 1e6;
}

/* Spawned and joined from async code: a fiber on the runtime awaits each
 * handle (tokio: spawn and .await inside block_on()). */

static gint64
await_window (GAsyncFuture **handles,
              guint          n,
              const char    *what)
{
  gint64 sum = 0;

  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      if (!gasync_await (handles[i], &value, NULL))
        g_error ("%s: a task failed", what);
      sum += g_value_get_int (&value);
      g_object_unref (handles[i]);
    }
  return sum;
}

typedef struct
{
  guint64 n;
  gint64  sum;
} FiberJoin;

static gboolean
spawn_join_in_fiber (GCancellable  *cancellable,
                     GValue        *result,
                     gpointer       data,
                     GError       **error)
{
  FiberJoin *job = data;

  job->sum = gasync_bench_spawn_join_windows (job->n, gasync_bench_spawn_trivial, NULL,
                                              await_window, "spawn+join in a fiber");
  return TRUE;
}

static gdouble
spawn_join_async (guint64 n)
{
  FiberJoin job = { n, 0 };
  GError *error = NULL;
  gdouble start = gasync_bench_now ();
  g_autoptr(GAsyncFuture) fiber = gasync_fiber_spawn (spawn_join_in_fiber, &job, NULL);
  gdouble elapsed;

  if (!gasync_future_wait (fiber, NULL, NULL, &error))
    g_error ("spawn+join in a fiber: %s", error->message);
  elapsed = gasync_bench_now () - start;
  gasync_bench_check_sum ("spawn+join in a fiber", job.sum, n);
  return n / elapsed / 1e6;
}

/* Unbounded channel, pointer fast path: producer threads, the main
 * thread receives (tokio: producer tasks, the block_on thread receives). */

typedef struct
{
  GAsyncSender *tx;   /* owned */
  guint64       per;
} Producer;

static gpointer
producer_main (gpointer data)
{
  Producer *p = data;
  GError *error = NULL;

  for (guint64 i = 1; i <= p->per; i++)
    if G_UNLIKELY (!gasync_sender_send_pointer (p->tx, GSIZE_TO_POINTER (i), NULL, &error))
      g_error ("send: %s", error->message);
  g_clear_object (&p->tx);
  return NULL;
}

static gdouble
channel (guint   n_producers,
         guint64 n)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  Producer producers[4];
  GThread *threads[4];
  guint64 per = n / n_producers, count = 0, sum = 0;
  GError *error = NULL;
  gdouble start, elapsed;
  gpointer item;

  g_assert_cmpuint (n_producers, <=, G_N_ELEMENTS (producers));
  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);

  start = gasync_bench_now ();
  for (guint p = 0; p < n_producers; p++)
    {
      producers[p].tx = gasync_sender_clone (tx);
      producers[p].per = per;
      threads[p] = g_thread_new ("producer", producer_main, &producers[p]);
    }
  g_clear_object (&tx);

  while ((item = gasync_receiver_recv_pointer (rx, NULL, &error)) != NULL)
    {
      count++;
      sum += GPOINTER_TO_SIZE (item);
    }
  elapsed = gasync_bench_now () - start;

  if (!g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
    g_error ("receive: %s", error->message);
  g_clear_error (&error);
  for (guint p = 0; p < n_producers; p++)
    g_thread_join (threads[p]);
  if (count != per * n_producers || sum != n_producers * per * (per + 1) / 2)
    g_error ("channel: lost or wrong items");
  return count / elapsed / 1e6;
}

int
main (int   argc,
      char *argv[])
{
  gboolean quick = argc > 1 && strcmp (argv[1], "--quick") == 0;
  guint64 n_spawn = quick ? 2000 : 1000000;
  guint64 n_msg = quick ? 20000 : 4000000;

  printf ("# gasync, %u async workers (default runtime)\n",
          gasync_runtime_get_n_workers (gasync_runtime_get_default ()));
  printf ("spawn+join from sync code (M/s)\t%g\n", spawn_join_sync (n_spawn));
  printf ("spawn+join in async code (M/s)\t%g\n", spawn_join_async (n_spawn));
  printf ("channel 1 -> 1, unbounded (M msg/s)\t%g\n", channel (1, n_msg));
  printf ("channel 4 -> 1, unbounded (M msg/s)\t%g\n", channel (4, n_msg));
  return 0;
}
