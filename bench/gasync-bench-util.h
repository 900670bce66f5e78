/* gasync-bench-util.h: interleaved, same-run comparisons for gasync's benchmarks
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gasync/gasync.h>

G_BEGIN_DECLS

/* Runs @n operations and returns the elapsed time in seconds (measure with
 * gasync_bench_now() around the part that counts; set-up may stay
 * outside). It must check that the work was really done and call
 * g_error() on a mismatch. */
typedef gdouble (*GAsyncBenchFunc) (guint64  n,
                                    gpointer data);

typedef enum {
  GASYNC_BENCH_TIME_PER_OP,   /* printed as ns/op, lower is better */
  GASYNC_BENCH_OPS_PER_SEC,   /* printed as M/s, higher is better */
} GAsyncBenchUnit;

/* Parses --quick (tiny N, one round: only proves the program works) and
 * --rounds N (default 5). Prints the header. */
void     gasync_bench_init     (int          *argc,
                                char       ***argv,
                                const char   *title);
gboolean gasync_bench_is_quick (void);
/* @full normally, @quick under --quick. */
guint64  gasync_bench_n        (guint64       full,
                                guint64       quick);
/* Monotonic time in seconds, nanosecond resolution. */
gdouble  gasync_bench_now      (void);

/* One row: a warm-up of each, then rounds interleaved A B A B …; prints
 * the median (min..max) of each side in @unit, and the median of the
 * per-round ratios gasync/baseline (for OPS_PER_SEC: gasync/baseline
 * throughput; for TIME_PER_OP: gasync/baseline time). Returns that
 * median ratio. */
gdouble  gasync_bench_compare  (const char      *row,
                                GAsyncBenchUnit  unit,
                                guint64          n,
                                GAsyncBenchFunc  ours,
                                gpointer         ours_data,
                                const char      *baseline_name,
                                GAsyncBenchFunc  baseline,
                                gpointer         baseline_data);

/* Whether the row @name (or its baseline @other, if not NULL) was asked
 * for: `--only SUBSTRING` runs the rows whose name contains it. */
gboolean gasync_bench_wants   (const char      *name,
                               const char      *other);
/* gasync_bench_compare(), for a row that `--only` may leave out. */
void     gasync_bench_compare_wanted (const char      *row,
                                      GAsyncBenchUnit  unit,
                                      guint64          n,
                                      GAsyncBenchFunc  ours,
                                      gpointer         ours_data,
                                      const char      *baseline_name,
                                      GAsyncBenchFunc  baseline,
                                      gpointer         baseline_data);

/* A row with no baseline (a size, a latency); @values has @n_values
 * samples and the median (min..max) is printed with @unit_label. */
void     gasync_bench_report   (const char      *row,
                                const char      *unit_label,
                                gdouble         *values,
                                guint            n_values);

/* Median of @values (sorted in place). */
gdouble  gasync_bench_median   (gdouble         *values,
                                guint            n_values);

/* Spawn rows spawn and join tasks in windows of this many, as a program
 * that fans work out and collects it does; it also bounds their memory. */
#define GASYNC_BENCH_WINDOW 4096

/* The int task @i of a spawn row returns. */
gint     gasync_bench_task_value  (guint64        i);
/* Fails the run if @sum is not the sum of the first @n task values. */
void     gasync_bench_check_sum   (const char    *what,
                                   gint64         sum,
                                   guint64        n);
/* Waits for each of the @n handles, drops it and returns the sum of
 * their int values; fails the run, naming @what, if one failed. */
gint64   gasync_bench_join_window (GAsyncFuture **handles,
                                   guint          n,
                                   const char    *what);

/* The trivial work of the spawn rows: a GAsyncFunc and a GAsyncThreadFunc
 * whose result is the int GPOINTER_TO_INT (@data), and a
 * GAsyncBenchSpawnFunc that gasync_spawn()s the first (@data unused). */
GAsyncFuture *gasync_bench_trivial_task     (GCancellable  *cancellable,
                                             gpointer       data);
gboolean      gasync_bench_trivial_blocking (GCancellable  *cancellable,
                                             GValue        *result,
                                             gpointer       data,
                                             GError       **error);
GAsyncFuture *gasync_bench_spawn_trivial    (gint           value,
                                             gpointer       data);

/* Starts the task that returns @value (a spawn of some kind); @data is
 * the row's. */
typedef GAsyncFuture *(*GAsyncBenchSpawnFunc) (gint     value,
                                               gpointer data);

/* Joins a window of handles, as gasync_bench_join_window() does. */
typedef gint64 (*GAsyncBenchJoinFunc) (GAsyncFuture **handles,
                                       guint          n,
                                       const char    *what);

/* Spawns @n tasks with @spawn and joins them with @join, a window at a
 * time; returns the sum of their values (for gasync_bench_check_sum()). */
gint64   gasync_bench_spawn_join_windows (guint64               n,
                                          GAsyncBenchSpawnFunc  spawn,
                                          gpointer              data,
                                          GAsyncBenchJoinFunc   join,
                                          const char           *what);
/* The same, joined with gasync_bench_join_window(); checks the sum and
 * returns the elapsed seconds. */
gdouble  gasync_bench_spawn_join  (guint64               n,
                                   GAsyncBenchSpawnFunc  spawn,
                                   gpointer              data,
                                   const char           *what);

G_END_DECLS
