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

/* A row with no baseline (a size, a latency); @values has @n_values
 * samples and the median (min..max) is printed with @unit_label. */
void     gasync_bench_report   (const char      *row,
                                const char      *unit_label,
                                gdouble         *values,
                                guint            n_values);

/* Median of @values (sorted in place). */
gdouble  gasync_bench_median   (gdouble         *values,
                                guint            n_values);

G_END_DECLS
