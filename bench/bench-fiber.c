/* bench-fiber.c: fibers next to the other ways of spawning and waiting
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * - spawn + join of a trivial function as a fiber, against the same
 *   GAsyncThreadFunc on the blocking pool and a GAsyncFunc spawned on the
 *   async workers;
 * - a suspend/resume round trip on one worker: two fibers that wake each
 *   other through promises, against two tasks doing the same with
 *   continuations (gasync_future_and_then());
 * - the resident memory of a parked fiber (/proc/self/statm around
 *   parking N fibers on one promise).
 */

#include <stdio.h>
#include <unistd.h>

#include "gasync-bench-util.h"
#include "gasync-fiber-switch-private.h"

typedef enum {
  SPAWN_FIBER,
  SPAWN_BLOCKING,
  SPAWN_ASYNC,
} SpawnKind;

/* @data: a SpawnKind, on the default runtime. */
static GAsyncFuture *
spawn_one (gint     value,
           gpointer data)
{
  GAsyncRuntime *runtime = gasync_runtime_get_default ();
  SpawnKind kind = GPOINTER_TO_INT (data);

  switch (kind)
    {
    case SPAWN_FIBER:
      return gasync_runtime_spawn_fiber (runtime, gasync_bench_trivial_blocking, GINT_TO_POINTER (value), NULL);
    case SPAWN_BLOCKING:
      return gasync_runtime_spawn_blocking (runtime, gasync_bench_trivial_blocking, GINT_TO_POINTER (value), NULL);
    case SPAWN_ASYNC:
    default:
      return gasync_runtime_spawn (runtime, gasync_bench_trivial_task, GINT_TO_POINTER (value), NULL);
    }
}

static gdouble
spawn_join (guint64   n,
            SpawnKind kind)
{
  return gasync_bench_spawn_join (n, spawn_one, GINT_TO_POINTER (kind), "spawn+join");
}

static gdouble
bench_fiber_spawn_join (guint64  n,
                        gpointer data)
{
  return spawn_join (n, SPAWN_FIBER);
}

static gdouble
bench_blocking_spawn_join (guint64  n,
                           gpointer data)
{
  return spawn_join (n, SPAWN_BLOCKING);
}

static gdouble
bench_async_spawn_join (guint64  n,
                        gpointer data)
{
  return spawn_join (n, SPAWN_ASYNC);
}

/* Round trip on one worker: A resolves ping[i] and waits for pong[i]; B
 * waits for ping[i] and resolves pong[i]. Each iteration is two waits
 * that suspend and are resumed. */

typedef struct
{
  GAsyncPromise **ping;
  GAsyncPromise **pong;
  guint64         n;
} PingPong;

static PingPong *
ping_pong_new (guint64 n)
{
  PingPong *pp = g_new0 (PingPong, 1);

  pp->n = n;
  pp->ping = g_new (GAsyncPromise *, n);
  pp->pong = g_new (GAsyncPromise *, n);
  for (guint64 i = 0; i < n; i++)
    {
      pp->ping[i] = gasync_promise_new ();
      pp->pong[i] = gasync_promise_new ();
    }
  return pp;
}

static void
ping_pong_free (PingPong *pp)
{
  for (guint64 i = 0; i < pp->n; i++)
    {
      g_object_unref (pp->ping[i]);
      g_object_unref (pp->pong[i]);
    }
  g_free (pp->ping);
  g_free (pp->pong);
  g_free (pp);
}

static gboolean
fiber_ping (GCancellable  *cancellable,
            GValue        *result,
            gpointer       user_data,
            GError       **error)
{
  PingPong *pp = user_data;

  for (guint64 i = 0; i < pp->n; i++)
    {
      gasync_promise_resolve_boolean (pp->ping[i], TRUE);
      if (!gasync_await (GASYNC_FUTURE (pp->pong[i]), NULL, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
fiber_pong (GCancellable  *cancellable,
            GValue        *result,
            gpointer       user_data,
            GError       **error)
{
  PingPong *pp = user_data;

  for (guint64 i = 0; i < pp->n; i++)
    {
      if (!gasync_await (GASYNC_FUTURE (pp->ping[i]), NULL, error))
        return FALSE;
      gasync_promise_resolve_boolean (pp->pong[i], TRUE);
    }
  return TRUE;
}

static void
join_two (GAsyncFuture *a,
          GAsyncFuture *b)
{
  if (!gasync_future_wait (a, NULL, NULL, NULL) || !gasync_future_wait (b, NULL, NULL, NULL))
    g_error ("round trip: a side failed");
  g_object_unref (a);
  g_object_unref (b);
}

static gdouble
bench_fiber_round_trip (guint64  n,
                        gpointer data)
{
  GAsyncRuntime *runtime = data;
  PingPong *pp = ping_pong_new (n);
  gdouble start = gasync_bench_now ();
  gdouble elapsed;

  join_two (gasync_runtime_spawn_fiber (runtime, fiber_pong, pp, NULL),
            gasync_runtime_spawn_fiber (runtime, fiber_ping, pp, NULL));
  elapsed = gasync_bench_now () - start;
  ping_pong_free (pp);
  /* Two round trips per iteration: report per round trip. */
  return elapsed / 2;
}

/* The continuation side keeps each step's derived future in an array
 * rather than returning it (which would chain N adoptions, settled
 * recursively at the end), and says it is done through a promise. */
typedef struct
{
  PingPong      *pp;
  guint64        i;
  GAsyncFuture **steps;
  GAsyncPromise *done;
} Side;

static GAsyncFuture *
side_finish (Side *side)
{
  gasync_promise_resolve_boolean (side->done, TRUE);
  return gasync_future_new_for_boolean (TRUE);
}

static GAsyncFuture *
cont_ping_next (GAsyncFuture *completed,
                gpointer      user_data)
{
  Side *side = user_data;
  PingPong *pp = side->pp;

  if (++side->i == pp->n)
    return side_finish (side);
  gasync_promise_resolve_boolean (pp->ping[side->i], TRUE);
  side->steps[side->i] = gasync_future_and_then (GASYNC_FUTURE (pp->pong[side->i]),
                                                 cont_ping_next, side, NULL);
  return gasync_future_new_for_boolean (TRUE);
}

static GAsyncFuture *
task_ping (GCancellable *cancellable,
           gpointer      user_data)
{
  Side *side = user_data;
  PingPong *pp = side->pp;

  gasync_promise_resolve_boolean (pp->ping[0], TRUE);
  side->steps[0] = gasync_future_and_then (GASYNC_FUTURE (pp->pong[0]), cont_ping_next, side, NULL);
  return g_object_ref (GASYNC_FUTURE (side->done));
}

static GAsyncFuture *
cont_pong_next (GAsyncFuture *completed,
                gpointer      user_data)
{
  Side *side = user_data;
  PingPong *pp = side->pp;

  gasync_promise_resolve_boolean (pp->pong[side->i], TRUE);
  if (++side->i == pp->n)
    return side_finish (side);
  side->steps[side->i] = gasync_future_and_then (GASYNC_FUTURE (pp->ping[side->i]),
                                                 cont_pong_next, side, NULL);
  return gasync_future_new_for_boolean (TRUE);
}

static GAsyncFuture *
task_pong (GCancellable *cancellable,
           gpointer      user_data)
{
  Side *side = user_data;

  side->steps[0] = gasync_future_and_then (GASYNC_FUTURE (side->pp->ping[0]), cont_pong_next, side, NULL);
  return g_object_ref (GASYNC_FUTURE (side->done));
}

static void
side_init (Side     *side,
           PingPong *pp)
{
  side->pp = pp;
  side->i = 0;
  side->steps = g_new0 (GAsyncFuture *, pp->n);
  side->done = gasync_promise_new ();
}

static void
side_clear (Side *side)
{
  for (guint64 i = 0; i < side->pp->n; i++)
    g_clear_object (&side->steps[i]);
  g_free (side->steps);
  g_object_unref (side->done);
}

static gdouble
bench_continuation_round_trip (guint64  n,
                               gpointer data)
{
  GAsyncRuntime *runtime = data;
  PingPong *pp = ping_pong_new (n);
  Side a, b;
  gdouble start, elapsed;

  side_init (&a, pp);
  side_init (&b, pp);
  start = gasync_bench_now ();
  join_two (gasync_runtime_spawn (runtime, task_pong, &b, NULL),
            gasync_runtime_spawn (runtime, task_ping, &a, NULL));
  elapsed = gasync_bench_now () - start;
  side_clear (&a);
  side_clear (&b);
  ping_pong_free (pp);
  return elapsed / 2;
}

/* Resident memory per parked fiber */

static gboolean
park (GCancellable  *cancellable,
      GValue        *result,
      gpointer       user_data,
      GError       **error)
{
  return gasync_await (GASYNC_FUTURE (user_data), NULL, error);
}

static GAsyncFuture *
marker_task (GCancellable *cancellable,
             gpointer      user_data)
{
  return gasync_future_new_for_boolean (TRUE);
}

static gdouble
resident_bytes (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL) ||
      sscanf (text, "%lu %lu", &size, &resident) != 2)
    return 0;
  return (gdouble) resident * (gdouble) sysconf (_SC_PAGESIZE);
}

static gdouble
parked_fiber_bytes (GAsyncRuntime *runtime,
                    guint          n)
{
  g_autoptr(GAsyncPromise) gate = gasync_promise_new ();
  g_autoptr(GAsyncFuture) marker = NULL;
  GAsyncFuture **handles = g_new (GAsyncFuture *, n);
  gdouble before, after;

  before = resident_bytes ();
  for (guint i = 0; i < n; i++)
    handles[i] = gasync_runtime_spawn_fiber (runtime, park, gate, NULL);
  /* Every fiber has parked once a task queued after them all has run:
   * one worker takes its queue in order. */
  marker = gasync_runtime_spawn (runtime, marker_task, NULL, NULL);
  gasync_future_wait (marker, NULL, NULL, NULL);
  after = resident_bytes ();

  gasync_promise_resolve_boolean (gate, TRUE);
  for (guint i = 0; i < n; i++)
    {
      if (!gasync_future_wait (handles[i], NULL, NULL, NULL))
        g_error ("a parked fiber failed");
      g_object_unref (handles[i]);
    }
  g_free (handles);
  return (after - before) / n;
}

static void
report_parked_fiber_memory (guint rounds)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  guint n = (guint) gasync_bench_n (20000, 1000);
  g_autofree gdouble *kib = g_new (gdouble, rounds);
  g_autofree char *row = g_strdup_printf ("resident memory per parked fiber (%u parked)", n);

  for (guint r = 0; r < rounds; r++)
    kib[r] = parked_fiber_bytes (runtime, n) / 1024;
  gasync_bench_report (row, "KiB", kib, rounds);
  gasync_runtime_shutdown (runtime, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncRuntime) one_worker = NULL;
  guint64 n_spawn, n_trips;
  g_autofree char *row = NULL;

  gasync_bench_init (&argc, &argv, "Fibers");
  n_spawn = gasync_bench_n (500000, 2000);
  n_trips = gasync_bench_n (200000, 1000);
  one_worker = gasync_runtime_new (1);

  gasync_bench_compare ("fiber spawn+join, trivial function", GASYNC_BENCH_OPS_PER_SEC, n_spawn,
                        bench_fiber_spawn_join, NULL,
                        "spawn_blocking", bench_blocking_spawn_join, NULL);
  gasync_bench_compare ("fiber spawn+join, trivial function", GASYNC_BENCH_OPS_PER_SEC, n_spawn,
                        bench_fiber_spawn_join, NULL,
                        "spawn (GAsyncFunc)", bench_async_spawn_join, NULL);

  row = g_strdup_printf ("suspend/resume round trip, one worker (%s switch)",
                         _gasync_fiber_switch_method ());
  gasync_bench_compare (row, GASYNC_BENCH_TIME_PER_OP, n_trips,
                        bench_fiber_round_trip, one_worker,
                        "and_then continuations", bench_continuation_round_trip, one_worker);

  report_parked_fiber_memory (gasync_bench_is_quick () ? 1 : 3);

  gasync_runtime_shutdown (one_worker, NULL, NULL);
  return 0;
}
