/* bench-core.c: futures and block_on next to the raw GLib way
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gasync-bench-util.h"

/* block_on of ready work vs the push-context-and-iterate idiom */

static void
task_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gint *out = user_data;

  *out = (gint) g_task_propagate_int (G_TASK (result), NULL);
}

/* The hand-written idiom every GLib program reinvents: push a context,
 * start the operation (here one that completes at once, as a GTask
 * returning immediately does), iterate until the callback ran, pop. */
static gint
idiom_once (GMainContext *context)
{
  gint result = -1;
  GTask *task;

  g_main_context_push_thread_default (context);
  task = g_task_new (NULL, NULL, task_done, &result);
  g_task_return_int (task, 7);
  g_object_unref (task);
  while (result == -1)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return result;
}

static gdouble
bench_idiom_fresh (guint64  n,
                   gpointer data)
{
  gdouble start = gasync_bench_now ();
  gint64 sum = 0;

  for (guint64 i = 0; i < n; i++)
    {
      GMainContext *context = g_main_context_new ();

      sum += idiom_once (context);
      g_main_context_unref (context);
    }
  if (sum != 7 * (gint64) n)
    g_error ("idiom: wrong sum");
  return gasync_bench_now () - start;
}

static gdouble
bench_idiom_reused (guint64  n,
                    gpointer data)
{
  GMainContext *context = g_main_context_new ();
  gdouble start = gasync_bench_now ();
  gint64 sum = 0;
  gdouble elapsed;

  for (guint64 i = 0; i < n; i++)
    sum += idiom_once (context);
  elapsed = gasync_bench_now () - start;
  g_main_context_unref (context);
  if (sum != 7 * (gint64) n)
    g_error ("idiom: wrong sum");
  return elapsed;
}

static GAsyncFuture *
start_ready (GCancellable *cancellable,
             gpointer      user_data)
{
  return gasync_future_new_for_int (7);
}

static gdouble
bench_block_on_ready (guint64  n,
                      gpointer data)
{
  gdouble start = gasync_bench_now ();
  gint64 sum = 0;

  for (guint64 i = 0; i < n; i++)
    {
      GAsyncFuture *settled = gasync_block_on_future (start_ready, NULL, 0, NULL);

      sum += gasync_future_get_int (settled, NULL);
      g_object_unref (settled);
    }
  if (sum != 7 * (gint64) n)
    g_error ("block_on: wrong sum");
  return gasync_bench_now () - start;
}

/* The row of issue 13: gasync_block_on() with a GValue, as a C caller
 * writes it, whose start function creates its ready future, next to the
 * idiom with the cheapest ready work GLib has: push a reused context,
 * attach an idle source that sets the result, iterate until it ran, pop. */
static gdouble
bench_block_on_value_ready (guint64  n,
                            gpointer data)
{
  gdouble start = gasync_bench_now ();
  gint64 sum = 0;

  for (guint64 i = 0; i < n; i++)
    {
      GValue value = G_VALUE_INIT;

      if (!gasync_block_on (start_ready, NULL, NULL, &value, NULL))
        g_error ("block_on: failed");
      sum += g_value_get_int (&value);
      g_value_unset (&value);
    }
  if (sum != 7 * (gint64) n)
    g_error ("block_on: wrong sum");
  return gasync_bench_now () - start;
}

static gboolean
idle_set_result (gpointer user_data)
{
  gint *out = user_data;

  *out = 7;
  return G_SOURCE_REMOVE;
}

static gdouble
bench_idiom_idle_reused (guint64  n,
                         gpointer data)
{
  GMainContext *context = g_main_context_new ();
  gdouble start = gasync_bench_now ();
  gdouble elapsed;
  gint64 sum = 0;

  for (guint64 i = 0; i < n; i++)
    {
      gint result = -1;
      GSource *source;

      g_main_context_push_thread_default (context);
      source = g_idle_source_new ();
      g_source_set_callback (source, idle_set_result, &result, NULL);
      g_source_attach (source, context);
      g_source_unref (source);
      while (result == -1)
        g_main_context_iteration (context, TRUE);
      g_main_context_pop_thread_default (context);
      sum += result;
    }
  elapsed = gasync_bench_now () - start;
  g_main_context_unref (context);
  if (sum != 7 * (gint64) n)
    g_error ("idle idiom: wrong sum");
  return elapsed;
}

/* The same ready GTask as the idiom, bridged with gasync_promise_gio_callback:
 * here block_on has to iterate its context once. */
static GAsyncFuture *
start_ready_task (GCancellable *cancellable,
                  gpointer      user_data)
{
  GAsyncPromise *promise = gasync_promise_new ();
  GTask *task = g_task_new (NULL, NULL, gasync_promise_gio_callback, g_object_ref (promise));

  g_task_return_int (task, 7);
  g_object_unref (task);
  return GASYNC_FUTURE (promise);
}

static gdouble
bench_block_on_task (guint64  n,
                     gpointer data)
{
  gdouble start = gasync_bench_now ();
  gint64 sum = 0;

  for (guint64 i = 0; i < n; i++)
    {
      GAsyncFuture *settled = gasync_block_on_future (start_ready_task, NULL, 0, NULL);
      GAsyncResult *result = gasync_future_dup_object (settled, NULL);

      sum += g_task_propagate_int (G_TASK (result), NULL);
      g_object_unref (result);
      g_object_unref (settled);
    }
  if (sum != 7 * (gint64) n)
    g_error ("block_on task: wrong sum");
  return gasync_bench_now () - start;
}

/* Create + resolve + continuation dispatched, same thread */

typedef struct
{
  gint64 sum;
  guint64 count;
} Tally;

static GAsyncFuture *
tally_cb (GAsyncFuture *completed,
          gpointer      user_data)
{
  Tally *tally = user_data;

  tally->sum += gasync_future_get_int (completed, NULL);
  tally->count++;
  return NULL;
}

#define BATCH 1024

static gdouble
bench_future_same_thread (guint64  n,
                          gpointer data)
{
  GAsyncPromise *promises[BATCH];
  GAsyncFuture *derived[BATCH];
  Tally tally = { 0 };
  gdouble start = gasync_bench_now ();

  /* In batches, as a program does: several operations complete, then the
   * loop dispatches their continuations together. */
  for (guint64 done = 0; done < n; done += BATCH)
    {
      guint m = MIN (BATCH, n - done);

      for (guint i = 0; i < m; i++)
        {
          promises[i] = gasync_promise_new ();
          derived[i] = gasync_future_and_then (GASYNC_FUTURE (promises[i]), tally_cb, &tally, NULL);
        }
      for (guint i = 0; i < m; i++)
        gasync_promise_resolve_int (promises[i], 1);
      while (tally.count < done + m)
        g_main_context_iteration (NULL, TRUE);
      for (guint i = 0; i < m; i++)
        {
          g_object_unref (promises[i]);
          g_object_unref (derived[i]);
        }
    }
  if (tally.count != n || tally.sum != (gint64) n)
    g_error ("future same thread: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT, tally.count, n);
  return gasync_bench_now () - start;
}

static void
tally_task_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Tally *tally = user_data;

  tally->sum += g_task_propagate_int (G_TASK (result), NULL);
  tally->count++;
}

/* The raw GLib way: a GTask per operation, returned, its callback
 * dispatched from the context. */
static gdouble
bench_gtask_same_thread (guint64  n,
                         gpointer data)
{
  GTask *tasks[BATCH];
  Tally tally = { 0 };
  gdouble start = gasync_bench_now ();

  for (guint64 done = 0; done < n; done += BATCH)
    {
      guint m = MIN (BATCH, n - done);

      for (guint i = 0; i < m; i++)
        tasks[i] = g_task_new (NULL, NULL, tally_task_done, &tally);
      for (guint i = 0; i < m; i++)
        {
          g_task_return_int (tasks[i], 1);
          g_object_unref (tasks[i]);
        }
      while (tally.count < done + m)
        g_main_context_iteration (NULL, TRUE);
    }
  if (tally.count != n || tally.sum != (gint64) n)
    g_error ("gtask same thread: wrong count");
  return gasync_bench_now () - start;
}

/* The same, completed from another thread */

typedef struct
{
  gpointer *items;
  guint     n;
  gboolean  gtask;
} Completer;

static gpointer
complete_all (gpointer data)
{
  Completer *c = data;

  for (guint i = 0; i < c->n; i++)
    {
      if (c->gtask)
        {
          g_task_return_int (c->items[i], 1);
          g_object_unref (c->items[i]);
        }
      else
        {
          gasync_promise_resolve_int (c->items[i], 1);
          g_object_unref (c->items[i]);
        }
    }
  return NULL;
}

static gdouble
bench_future_cross_thread (guint64  n,
                           gpointer data)
{
  gpointer items[BATCH];
  GAsyncFuture *derived[BATCH];
  Tally tally = { 0 };
  gdouble start = gasync_bench_now ();

  for (guint64 done = 0; done < n; done += BATCH)
    {
      guint m = MIN (BATCH, n - done);
      Completer c = { items, m, FALSE };
      GThread *thread;

      for (guint i = 0; i < m; i++)
        {
          items[i] = gasync_promise_new ();
          derived[i] = gasync_future_and_then (items[i], tally_cb, &tally, NULL);
        }
      thread = g_thread_new ("completer", complete_all, &c);
      while (tally.count < done + m)
        g_main_context_iteration (NULL, TRUE);
      g_thread_join (thread);
      for (guint i = 0; i < m; i++)
        g_object_unref (derived[i]);
    }
  if (tally.count != n || tally.sum != (gint64) n)
    g_error ("future cross thread: wrong count");
  return gasync_bench_now () - start;
}

static gdouble
bench_gtask_cross_thread (guint64  n,
                          gpointer data)
{
  gpointer items[BATCH];
  Tally tally = { 0 };
  gdouble start = gasync_bench_now ();

  for (guint64 done = 0; done < n; done += BATCH)
    {
      guint m = MIN (BATCH, n - done);
      Completer c = { items, m, TRUE };
      GThread *thread;

      for (guint i = 0; i < m; i++)
        items[i] = g_task_new (NULL, NULL, tally_task_done, &tally);
      thread = g_thread_new ("completer", complete_all, &c);
      while (tally.count < done + m)
        g_main_context_iteration (NULL, TRUE);
      g_thread_join (thread);
    }
  if (tally.count != n || tally.sum != (gint64) n)
    g_error ("gtask cross thread: wrong count");
  return gasync_bench_now () - start;
}

/* The floor: one GObject life cycle */

static gdouble
bench_promise_new_unref (guint64  n,
                         gpointer data)
{
  gdouble start = gasync_bench_now ();

  for (guint64 i = 0; i < n; i++)
    {
      GAsyncPromise *p = gasync_promise_new ();

      gasync_promise_resolve_int (p, 1);
      if (gasync_future_get_int (GASYNC_FUTURE (p), NULL) != 1)
        g_error ("promise: wrong value");
      g_object_unref (p);
    }
  return gasync_bench_now () - start;
}

static gdouble
bench_gobject_new_unref (guint64  n,
                         gpointer data)
{
  gdouble start = gasync_bench_now ();

  for (guint64 i = 0; i < n; i++)
    {
      GObject *o = g_object_new (G_TYPE_OBJECT, NULL);

      if (o == NULL)
        g_error ("no object");
      g_object_unref (o);
    }
  return gasync_bench_now () - start;
}

/* Memory per pending future with one continuation */

static gdouble
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return (gdouble) info.uordblks;
}

static GAsyncFuture *
noop_cb (GAsyncFuture *completed,
         gpointer      user_data)
{
  return NULL;
}

/* The size of a pending future, as allocated: its instance and private
 * structs. */
static void
report_future_size (void)
{
  GTypeClass *klass = g_type_class_ref (GASYNC_TYPE_FUTURE);
  GTypeQuery query;
  gdouble size;

  g_type_query (GASYNC_TYPE_FUTURE, &query);
  size = (gdouble) query.instance_size - g_type_class_get_instance_private_offset (klass);
  gasync_bench_report ("bytes per future (instance + private)", "bytes", &size, 1);
  g_type_class_unref (klass);
}

typedef struct
{
  guint           n;
  GAsyncPromise **promises;
  GAsyncFuture  **derived;
  gdouble         bytes;
} MemoryRound;

/* One round of ours, on a thread of its own: gasync keeps settled futures
 * and continuation records of the thread that dropped them for its next
 * ones, and reusing those would hide allocations from mallinfo2(). It
 * iterates the global default context, which the main thread leaves alone
 * meanwhile. */
static gpointer
measure_ours_thread (gpointer data)
{
  MemoryRound *r = data;
  gdouble before = heap_in_use ();

  for (guint i = 0; i < r->n; i++)
    {
      r->promises[i] = gasync_promise_new ();
      r->derived[i] = gasync_future_and_then (GASYNC_FUTURE (r->promises[i]), noop_cb, NULL, NULL);
    }
  r->bytes = (heap_in_use () - before) / r->n;
  for (guint i = 0; i < r->n; i++)
    gasync_promise_resolve_int (r->promises[i], 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint i = 0; i < r->n; i++)
    {
      g_object_unref (r->promises[i]);
      g_object_unref (r->derived[i]);
    }
  return NULL;
}

static void
measure_memory (guint n)
{
  GAsyncPromise **promises = g_new (GAsyncPromise *, n);
  GAsyncFuture **derived = g_new (GAsyncFuture *, n);
  GTask **tasks = g_new (GTask *, n);
  gdouble ours[3], theirs[3];
  Tally tally = { 0 };

  for (guint round = 0; round < G_N_ELEMENTS (ours); round++)
    {
      MemoryRound r = { n, promises, derived, 0 };
      gdouble before;

      g_thread_join (g_thread_new ("memory", measure_ours_thread, &r));
      ours[round] = r.bytes;

      before = heap_in_use ();
      for (guint i = 0; i < n; i++)
        tasks[i] = g_task_new (NULL, NULL, tally_task_done, &tally);
      theirs[round] = (heap_in_use () - before) / n;
      for (guint i = 0; i < n; i++)
        {
          g_task_return_boolean (tasks[i], TRUE);
          g_object_unref (tasks[i]);
        }
      while (tally.count < (guint64) (round + 1) * n)
        g_main_context_iteration (NULL, TRUE);
    }

  gasync_bench_report ("bytes per pending future + continuation", "bytes (promise + and_then + derived future)", ours, G_N_ELEMENTS (ours));
  gasync_bench_report ("bytes per pending GTask (baseline)", "bytes", theirs, G_N_ELEMENTS (theirs));
  g_free (promises);
  g_free (derived);
  g_free (tasks);
}

int
main (int   argc,
      char *argv[])
{
  guint64 n;
  gdouble ratio;

  /* GSlice keeps freed blocks in magazines, which hides allocations from
   * mallinfo2(); measure with plain malloc (as GLib ≥ 2.76 always does). */
  if (g_strcmp0 (g_getenv ("G_SLICE"), "always-malloc") != 0)
    {
      g_setenv ("G_SLICE", "always-malloc", TRUE);
      execv ("/proc/self/exe", argv);
      g_error ("could not re-execute with G_SLICE=always-malloc");
    }

  gasync_bench_init (&argc, &argv, "gasync core: futures and block_on");

  n = gasync_bench_n (200000, 2000);
  gasync_bench_compare ("block_on, ready future vs idiom (reused ctx)", GASYNC_BENCH_TIME_PER_OP, n,
                        bench_block_on_ready, NULL, "push+iterate, reused ctx", bench_idiom_reused, NULL);
  ratio = gasync_bench_compare ("block_on (GValue), start fn makes ready future", GASYNC_BENCH_TIME_PER_OP, n,
                                bench_block_on_value_ready, NULL, "push+idle+iterate, reused ctx",
                                bench_idiom_idle_reused, NULL);
  printf ("#   target: <= 0.6x push+idle+iterate on a reused context; got %.2fx\n", ratio);
  gasync_bench_compare ("block_on, ready future vs idiom (fresh ctx)", GASYNC_BENCH_TIME_PER_OP, n,
                        bench_block_on_ready, NULL, "push+iterate, fresh ctx", bench_idiom_fresh, NULL);
  gasync_bench_compare ("block_on, ready GTask vs idiom (reused ctx)", GASYNC_BENCH_TIME_PER_OP, n,
                        bench_block_on_task, NULL, "push+iterate, reused ctx", bench_idiom_reused, NULL);

  n = gasync_bench_n (500000, 4096);
  gasync_bench_compare_wanted ("promise new+resolve+get+unref (the floor)", GASYNC_BENCH_TIME_PER_OP, n,
                               bench_promise_new_unref, NULL, "bare GObject new+unref", bench_gobject_new_unref, NULL);
  gasync_bench_compare_wanted ("future create+resolve+then, same thread", GASYNC_BENCH_TIME_PER_OP, n,
                               bench_future_same_thread, NULL, "GTask new+return+callback", bench_gtask_same_thread, NULL);
  gasync_bench_compare_wanted ("future create+resolve+then, other thread", GASYNC_BENCH_TIME_PER_OP, n,
                               bench_future_cross_thread, NULL, "GTask returned from thread", bench_gtask_cross_thread, NULL);

  if (gasync_bench_wants ("bytes per pending future", NULL))
    {
      report_future_size ();
      measure_memory ((guint) gasync_bench_n (100000, 1000));
    }

  return 0;
}
