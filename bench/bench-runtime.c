/* bench-runtime.c: spawning and combinators next to the raw GLib way
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>

#include "gasync-bench-util.h"

/* spawn + join: gasync */

static gdouble
bench_spawn_join (guint64  n,
                  gpointer data)
{
  return gasync_bench_spawn_join (n, gasync_bench_spawn_trivial, NULL, "spawn+join");
}

/* spawn + join: g_task_run_in_thread, results collected on the caller's
 * main context as GTask delivers them */

typedef struct
{
  gint64 sum;
  guint  done;
} Collect;

static void
gtask_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  g_task_return_int (task, GPOINTER_TO_INT (data));
}

static void
gtask_done (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Collect *c = data;

  c->sum += g_task_propagate_int (G_TASK (result), NULL);
  c->done++;
}

static gdouble
bench_gtask_run_in_thread (guint64  n,
                           gpointer data)
{
  GMainContext *context = g_main_context_new ();
  gdouble start, elapsed;
  Collect c = { 0 };

  g_main_context_push_thread_default (context);
  start = gasync_bench_now ();
  for (guint64 base = 0; base < n; base += GASYNC_BENCH_WINDOW)
    {
      guint w = (guint) MIN (GASYNC_BENCH_WINDOW, n - base);
      guint target = c.done + w;

      for (guint i = 0; i < w; i++)
        {
          GTask *task = g_task_new (NULL, NULL, gtask_done, &c);

          g_task_set_task_data (task, GINT_TO_POINTER (gasync_bench_task_value (base + i)), NULL);
          g_task_run_in_thread (task, gtask_thread);
          g_object_unref (task);
        }
      while (c.done < target)
        g_main_context_iteration (context, TRUE);
    }
  elapsed = gasync_bench_now () - start;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  gasync_bench_check_sum ("g_task_run_in_thread", c.sum, n);
  return elapsed;
}

/* spawn + join: bare GThreadPool pushes, each result added to a sum under a
 * lock and the window joined with a condition variable (the floor: no
 * handle, no per-task object) */

typedef struct
{
  GMutex  mutex;
  GCond   cond;
  gint64  sum;
  guint   done;
} PoolJoin;

static void
pool_task (gpointer item,
           gpointer data)
{
  PoolJoin *join = data;

  g_mutex_lock (&join->mutex);
  join->sum += GPOINTER_TO_INT (item) - 1;
  join->done++;
  g_cond_signal (&join->cond);
  g_mutex_unlock (&join->mutex);
}

static gdouble
bench_thread_pool (guint64  n,
                   gpointer data)
{
  PoolJoin join = { 0 };
  GThreadPool *pool;
  gdouble start, elapsed;

  g_mutex_init (&join.mutex);
  g_cond_init (&join.cond);
  pool = g_thread_pool_new (pool_task, &join, (gint) g_get_num_processors (), TRUE, NULL);

  start = gasync_bench_now ();
  for (guint64 base = 0; base < n; base += GASYNC_BENCH_WINDOW)
    {
      guint w = (guint) MIN (GASYNC_BENCH_WINDOW, n - base);
      guint target;

      for (guint i = 0; i < w; i++)
        g_thread_pool_push (pool, GINT_TO_POINTER (gasync_bench_task_value (base + i) + 1), NULL);

      g_mutex_lock (&join.mutex);
      target = (guint) (base + w);
      while (join.done < target)
        g_cond_wait (&join.cond, &join.mutex);
      g_mutex_unlock (&join.mutex);
    }
  elapsed = gasync_bench_now () - start;

  g_thread_pool_free (pool, FALSE, TRUE);
  g_mutex_clear (&join.mutex);
  g_cond_clear (&join.cond);
  gasync_bench_check_sum ("GThreadPool", join.sum, n);
  return elapsed;
}

/* spawn_blocking */

static GAsyncFuture *
spawn_trivial_blocking (gint     value,
                        gpointer data)
{
  return gasync_spawn_blocking (gasync_bench_trivial_blocking, GINT_TO_POINTER (value), NULL);
}

static gdouble
bench_spawn_blocking (guint64  n,
                      gpointer data)
{
  return gasync_bench_spawn_join (n, spawn_trivial_blocking, NULL, "spawn_blocking");
}

/* all() over ready futures */

typedef struct
{
  GAsyncFuture **futures;
  guint          n;
} Ready;

static gdouble
bench_all_ready (guint64  n,
                 gpointer data)
{
  Ready *r = data;
  gdouble start = gasync_bench_now ();
  gdouble elapsed;
  guint64 rounds = MAX (n / r->n, 1);
  guint items = 0;

  for (guint64 k = 0; k < rounds; k++)
    {
      GAsyncFuture *all = gasync_future_all (r->futures, r->n);
      GListModel *list = gasync_future_dup_object (all, NULL);

      if (list == NULL)
        g_error ("all: not resolved");
      items += g_list_model_get_n_items (list);
      g_object_unref (list);
      g_object_unref (all);
    }

  elapsed = gasync_bench_now () - start;
  if (items != rounds * r->n)
    g_error ("all: wrong number of items");
  /* Per future, whatever n the harness asked for. */
  return elapsed * n / (rounds * r->n);
}

/* The same result by hand: check each future and collect them into a list
 * store, with no waiting machinery at all. */
static gdouble
bench_all_by_hand (guint64  n,
                   gpointer data)
{
  Ready *r = data;
  gdouble start = gasync_bench_now ();
  gdouble elapsed;
  guint64 rounds = MAX (n / r->n, 1);
  guint items = 0;

  for (guint64 k = 0; k < rounds; k++)
    {
      GListStore *store = g_list_store_new (GASYNC_TYPE_FUTURE);

      for (guint i = 0; i < r->n; i++)
        if (gasync_future_get_state (r->futures[i]) != GASYNC_FUTURE_RESOLVED)
          g_error ("by hand: not resolved");
      g_list_store_splice (store, 0, 0, (gpointer *) r->futures, r->n);
      items += g_list_model_get_n_items (G_LIST_MODEL (store));
      g_object_unref (store);
    }

  elapsed = gasync_bench_now () - start;
  if (items != rounds * r->n)
    g_error ("by hand: wrong number of items");
  return elapsed * n / (rounds * r->n);
}

/* Spawn latency: spawn to task start, one at a time with idle workers */

typedef struct
{
  gint    started;   /* atomic */
  gdouble start_time;
} Latency;

static GAsyncFuture *
latency_task (GCancellable *cancellable,
              gpointer      data)
{
  Latency *l = data;

  l->start_time = gasync_bench_now ();
  return gasync_future_new_for_int (1);
}

static gdouble
bench_spawn_latency (guint64  n,
                     gpointer data)
{
  gdouble total = 0;

  for (guint64 i = 0; i < n; i++)
    {
      Latency l = { 0 };
      g_auto(GValue) value = G_VALUE_INIT;
      gdouble t0 = gasync_bench_now ();
      GAsyncFuture *handle = gasync_spawn (latency_task, &l, NULL);

      if (!gasync_future_wait (handle, NULL, &value, NULL))
        g_error ("latency: a task failed");
      total += l.start_time - t0;
      g_object_unref (handle);
    }

  return total;
}

typedef struct
{
  GMutex  mutex;
  GCond   cond;
  gdouble start_time;
  gboolean done;
} GTaskLatency;

static void
gtask_latency_thread (GTask        *task,
                      gpointer      source,
                      gpointer      data,
                      GCancellable *cancellable)
{
  GTaskLatency *l = data;

  g_mutex_lock (&l->mutex);
  l->start_time = gasync_bench_now ();
  l->done = TRUE;
  g_cond_signal (&l->cond);
  g_mutex_unlock (&l->mutex);
  g_task_return_boolean (task, TRUE);
}

static gdouble
bench_gtask_latency (guint64  n,
                     gpointer data)
{
  gdouble total = 0;

  for (guint64 i = 0; i < n; i++)
    {
      GTaskLatency l = { 0 };
      gdouble t0;
      GTask *task;

      g_mutex_init (&l.mutex);
      g_cond_init (&l.cond);
      t0 = gasync_bench_now ();
      task = g_task_new (NULL, NULL, NULL, NULL);
      g_task_set_task_data (task, &l, NULL);
      g_task_run_in_thread (task, gtask_latency_thread);
      g_mutex_lock (&l.mutex);
      while (!l.done)
        g_cond_wait (&l.cond, &l.mutex);
      g_mutex_unlock (&l.mutex);
      total += l.start_time - t0;
      g_object_unref (task);
      /* Let the task's own completion pass before the next one. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_mutex_clear (&l.mutex);
      g_cond_clear (&l.cond);
    }

  return total;
}

int
main (int   argc,
      char *argv[])
{
  Ready ready;
  guint64 n;
  gdouble ratio;

  gasync_bench_init (&argc, &argv, "gasync runtime: spawn, spawn_blocking, all(), latency");
  printf ("# %u async workers (default runtime), %u processors; windows of %u tasks\n",
          gasync_runtime_get_n_workers (gasync_runtime_get_default ()),
          g_get_num_processors (), GASYNC_BENCH_WINDOW);

  n = gasync_bench_n (1000000, 2000);
  ratio = gasync_bench_compare ("spawn+join, trivial tasks", GASYNC_BENCH_OPS_PER_SEC, n,
                                bench_spawn_join, NULL,
                                "g_task_run_in_thread", bench_gtask_run_in_thread, NULL);
  printf ("#   target: >= 4x g_task_run_in_thread; got %.2fx\n", ratio);
  gasync_bench_compare ("spawn+join, trivial tasks", GASYNC_BENCH_OPS_PER_SEC, n,
                        bench_spawn_join, NULL,
                        "bare GThreadPool push", bench_thread_pool, NULL);

  n = gasync_bench_n (200000, 2000);
  gasync_bench_compare ("spawn_blocking+join, trivial tasks", GASYNC_BENCH_OPS_PER_SEC, n,
                        bench_spawn_blocking, NULL,
                        "g_task_run_in_thread", bench_gtask_run_in_thread, NULL);

  ready.n = 10000;
  ready.futures = g_new (GAsyncFuture *, ready.n);
  for (guint i = 0; i < ready.n; i++)
    ready.futures[i] = gasync_future_new_for_int (i);
  n = gasync_bench_n (2000000, 10000);
  gasync_bench_compare ("all() over 10,000 ready futures, per future", GASYNC_BENCH_TIME_PER_OP, n,
                        bench_all_ready, &ready,
                        "check + GListStore splice", bench_all_by_hand, &ready);
  printf ("#   target: <= 200 ns per future\n");
  for (guint i = 0; i < ready.n; i++)
    g_object_unref (ready.futures[i]);
  g_free (ready.futures);

  n = gasync_bench_n (20000, 200);
  gasync_bench_compare ("spawn latency (spawn -> task start)", GASYNC_BENCH_TIME_PER_OP, n,
                        bench_spawn_latency, NULL,
                        "g_task_run_in_thread", bench_gtask_latency, NULL);

  return 0;
}
