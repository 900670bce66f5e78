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

static gdouble
spawn_join (guint64 n)
{
  return n / gasync_bench_spawn_join (n, gasync_bench_spawn_trivial, NULL, "spawn+join") / 1e6;
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
  printf ("spawn+join, trivial tasks (M/s)\t%g\n", spawn_join (n_spawn));
  printf ("channel 1 -> 1, unbounded (M msg/s)\t%g\n", channel (1, n_msg));
  printf ("channel 4 -> 1, unbounded (M msg/s)\t%g\n", channel (4, n_msg));
  return 0;
}
