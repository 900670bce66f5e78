/* gasync-bench-util.c: interleaved, same-run comparisons for gasync's benchmarks
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gasync-bench-util.h"

static gboolean quick;
static guint rounds = 5;
static const char *only;    /* --only SUBSTRING, or NULL */

void
gasync_bench_init (int          *argc,
                   char       ***argv,
                   const char   *title)
{
  for (int i = 1; i < *argc; i++)
    {
      if (strcmp ((*argv)[i], "--quick") == 0)
        quick = TRUE;
      else if (strcmp ((*argv)[i], "--only") == 0 && i + 1 < *argc)
        only = (*argv)[++i];
      else if (strcmp ((*argv)[i], "--rounds") == 0 && i + 1 < *argc)
        {
          /* Not inside MAX (), which would evaluate ++i twice. */
          int n = atoi ((*argv)[++i]);

          rounds = MAX (1, n);
        }
    }
  if (quick)
    rounds = 1;

  printf ("# %s (%s, %u round%s after a warm-up, interleaved; medians with min..max)\n",
          title, quick ? "quick mode: proves it runs, figures mean nothing" : "full",
          rounds, rounds == 1 ? "" : "s");
  printf ("%-44s %-30s %-42s %s\n", "# row", "gasync", "baseline", "ratio");
  fflush (stdout);
}

gboolean
gasync_bench_is_quick (void)
{
  return quick;
}

guint64
gasync_bench_n (guint64 full,
                guint64 quick_n)
{
  return quick ? quick_n : full;
}

gdouble
gasync_bench_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

gdouble
gasync_bench_median (gdouble *values,
                     guint    n_values)
{
  qsort (values, n_values, sizeof (gdouble), compare_doubles);
  if (n_values % 2 == 1)
    return values[n_values / 2];
  return (values[n_values / 2 - 1] + values[n_values / 2]) / 2;
}

static gdouble
figure (GAsyncBenchUnit unit,
        gdouble         seconds,
        guint64         n)
{
  if (unit == GASYNC_BENCH_TIME_PER_OP)
    return seconds * 1e9 / n;
  return n / seconds / 1e6;
}

static void
format_side (char            *buf,
             gsize            size,
             const char      *name,
             GAsyncBenchUnit  unit,
             gdouble         *values,
             guint            n)
{
  gdouble lo, hi, med;

  med = gasync_bench_median (values, n);   /* sorts */
  lo = values[0];
  hi = values[n - 1];
  g_snprintf (buf, size, "%s%s%.3g %s (%.3g..%.3g)",
              name != NULL ? name : "", name != NULL ? ": " : "",
              med, unit == GASYNC_BENCH_TIME_PER_OP ? "ns/op" : "M/s", lo, hi);
}

gdouble
gasync_bench_compare (const char      *row,
                      GAsyncBenchUnit  unit,
                      guint64          n,
                      GAsyncBenchFunc  ours,
                      gpointer         ours_data,
                      const char      *baseline_name,
                      GAsyncBenchFunc  baseline,
                      gpointer         baseline_data)
{
  gdouble a[64], b[64], ratio[64];
  char abuf[128], bbuf[128];
  gdouble med;

  g_assert (rounds <= G_N_ELEMENTS (a));

  /* Warm-up: caches, thread pools, lazily created contexts. */
  ours (MAX (n / 10, 1), ours_data);
  baseline (MAX (n / 10, 1), baseline_data);

  for (guint r = 0; r < rounds; r++)
    {
      a[r] = figure (unit, ours (n, ours_data), n);
      b[r] = figure (unit, baseline (n, baseline_data), n);
      ratio[r] = a[r] / b[r];
    }

  format_side (abuf, sizeof abuf, NULL, unit, a, rounds);
  format_side (bbuf, sizeof bbuf, baseline_name, unit, b, rounds);
  med = gasync_bench_median (ratio, rounds);
  printf ("%-44s %-30s %-42s %.2fx (%.2f..%.2f)\n", row, abuf, bbuf, med, ratio[0], ratio[rounds - 1]);
  fflush (stdout);

  return med;
}

void
gasync_bench_report (const char *row,
                     const char *unit_label,
                     gdouble    *values,
                     guint       n_values)
{
  gdouble med = gasync_bench_median (values, n_values);

  printf ("%-44s %.4g %s (%.4g..%.4g)\n", row, med, unit_label, values[0], values[n_values - 1]);
  fflush (stdout);
}

gint
gasync_bench_task_value (guint64 i)
{
  return (gint) (i & 0xff);
}

void
gasync_bench_check_sum (const char *what,
                        gint64      sum,
                        guint64     n)
{
  gint64 expected = 0;

  for (guint64 i = 0; i < n; i++)
    expected += gasync_bench_task_value (i);
  if (sum != expected)
    g_error ("%s: wrong sum %" G_GINT64_FORMAT " for %" G_GUINT64_FORMAT " tasks", what, sum, n);
}

gint64
gasync_bench_join_window (GAsyncFuture **handles,
                          guint          n,
                          const char    *what)
{
  gint64 sum = 0;

  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      if (!gasync_future_wait (handles[i], NULL, &value, NULL))
        g_error ("%s: a task failed", what);
      sum += g_value_get_int (&value);
      g_object_unref (handles[i]);
    }
  return sum;
}

gint64
gasync_bench_spawn_join_windows (guint64               n,
                                 GAsyncBenchSpawnFunc  spawn,
                                 gpointer              data,
                                 GAsyncBenchJoinFunc   join,
                                 const char           *what)
{
  GAsyncFuture **handles = g_new (GAsyncFuture *, GASYNC_BENCH_WINDOW);
  gint64 sum = 0;

  for (guint64 base = 0; base < n; base += GASYNC_BENCH_WINDOW)
    {
      guint w = (guint) MIN (GASYNC_BENCH_WINDOW, n - base);

      for (guint i = 0; i < w; i++)
        handles[i] = spawn (gasync_bench_task_value (base + i), data);
      sum += join (handles, w, what);
    }

  g_free (handles);
  return sum;
}

gdouble
gasync_bench_spawn_join (guint64               n,
                         GAsyncBenchSpawnFunc  spawn,
                         gpointer              data,
                         const char           *what)
{
  gdouble start = gasync_bench_now ();
  gint64 sum = gasync_bench_spawn_join_windows (n, spawn, data, gasync_bench_join_window, what);
  gdouble elapsed = gasync_bench_now () - start;

  gasync_bench_check_sum (what, sum, n);
  return elapsed;
}

gboolean
gasync_bench_wants (const char *name,
                    const char *other)
{
  return only == NULL || strstr (name, only) != NULL ||
         (other != NULL && strstr (other, only) != NULL);
}

void
gasync_bench_compare_wanted (const char      *row,
                             GAsyncBenchUnit  unit,
                             guint64          n,
                             GAsyncBenchFunc  ours,
                             gpointer         ours_data,
                             const char      *baseline_name,
                             GAsyncBenchFunc  baseline,
                             gpointer         baseline_data)
{
  if (gasync_bench_wants (row, baseline_name))
    gasync_bench_compare (row, unit, n, ours, ours_data, baseline_name, baseline, baseline_data);
}

GAsyncFuture *
gasync_bench_trivial_task (GCancellable *cancellable,
                           gpointer      data)
{
  return gasync_future_new_for_int (GPOINTER_TO_INT (data));
}

gboolean
gasync_bench_trivial_blocking (GCancellable  *cancellable,
                               GValue        *result,
                               gpointer       data,
                               GError       **error)
{
  g_value_init (result, G_TYPE_INT);
  g_value_set_int (result, GPOINTER_TO_INT (data));
  return TRUE;
}

GAsyncFuture *
gasync_bench_spawn_trivial (gint     value,
                            gpointer data)
{
  return gasync_spawn (gasync_bench_trivial_task, GINT_TO_POINTER (value), NULL);
}
