/* workers-to-main.c: worker threads stream progress and results to a main loop
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Four worker threads count the primes below 1,000,000, a quarter each,
 * and report through one channel: progress every tenth of their range,
 * then their result. The main thread runs a GMainLoop (a GTK application's
 * would do) and receives every item there with gasync_receiver_attach(),
 * so it may touch its widgets directly. The channel holds four items: a
 * worker that gets ahead of the main loop waits for room (back-pressure)
 * instead of flooding it. When the last worker drops its sender, the
 * handler gets a last call with no item, and the loop quits.
 */

#include <gasync/gasync.h>

#define N_WORKERS 4
#define LIMIT     1000000u
#define N_STEPS   10

typedef struct
{
  GAsyncSender *tx;   /* owned: each worker has its own clone */
  guint         worker;
} Worker;

/* The primes p with lo <= p < hi, by a sieve of the range. */
static guint
count_primes (guint lo,
              guint hi)
{
  guint8 *composite = g_malloc0 (hi - lo);
  guint count = 0;

  for (guint64 p = 2; p * p < hi; p++)
    for (guint64 m = MAX (p * p, (lo + p - 1) / p * p); m < hi; m += p)
      composite[m - lo] = 1;
  for (guint n = MAX (lo, 2); n < hi; n++)
    count += !composite[n - lo];

  g_free (composite);
  return count;
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  guint span = LIMIT / N_WORKERS;
  guint lo = w->worker * span;
  guint count = 0;

  for (guint step = 1; step <= N_STEPS; step++)
    {
      /* (worker, percent done, primes so far): 100 % is the result. */
      GVariant *item;

      count += count_primes (lo + (step - 1) * span / N_STEPS, lo + step * span / N_STEPS);
      item = g_variant_new ("(uuu)", w->worker, step * 100 / N_STEPS, count);

      /* Blocks while the channel is full. The channel takes the item. */
      if (!gasync_sender_send_pointer (w->tx, item, NULL, NULL))
        {
          g_variant_unref (item);   /* not taken: the receiver went away */
          break;
        }
    }

  g_object_unref (w->tx);   /* the last one closes the channel */
  g_free (w);
  return NULL;
}

typedef struct
{
  GMainLoop *loop;
  GThread   *main_thread;
  guint      results[N_WORKERS];
  guint      n_items;
  guint      n_on_main_thread;
} Report;

static gboolean
on_item (GAsyncReceiver *rx,
         const GValue   *item,
         gpointer        user_data)
{
  Report *report = user_data;
  guint worker, percent, count;

  if (item == NULL)
    {
      /* Every worker is done and every item was delivered. */
      g_main_loop_quit (report->loop);
      return G_SOURCE_REMOVE;
    }

  report->n_items++;
  if (g_thread_self () == report->main_thread)
    report->n_on_main_thread++;

  g_variant_get (g_value_get_variant (item), "(uuu)", &worker, &percent, &count);
  if (percent < 100)
    g_print ("  worker %u: %u%%\n", worker, percent);
  else
    report->results[worker] = count;

  return G_SOURCE_CONTINUE;
}

int
main (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GThread *threads[N_WORKERS];
  Report report = { loop, g_thread_self (), { 0, }, 0, 0 };
  guint total = 0;

  g_print ("%u workers count the primes below %u and report to the main loop\n",
           N_WORKERS, LIMIT);

  gasync_channel_new (G_TYPE_VARIANT, 4, &tx, &rx);
  gasync_receiver_attach (rx, NULL, on_item, &report, NULL);

  for (guint i = 0; i < N_WORKERS; i++)
    {
      Worker *w = g_new0 (Worker, 1);

      w->tx = gasync_sender_clone (tx);
      w->worker = i;
      threads[i] = g_thread_new ("worker", worker_main, w);
    }
  /* Only the workers' clones keep the channel open now. */
  g_clear_object (&tx);

  g_main_loop_run (loop);

  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_thread_join (threads[i]);
      g_print ("worker %u: %u primes in [%u, %u)\n", i, report.results[i],
               i * (LIMIT / N_WORKERS), (i + 1) * (LIMIT / N_WORKERS));
      total += report.results[i];
    }
  g_print ("total: %u primes; %u items, %s\n", total, report.n_items,
           report.n_on_main_thread == report.n_items ?
           "every one handled on the main thread" : "SOME ON ANOTHER THREAD");

  return 0;
}
