/* stress-block-on.c: gasync_block_on_with_timeout() racing the result
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The work either finishes after a random number of short steps (racing
 * the random timeout) or never finishes by itself; in both cases it stops
 * as soon as it sees its cancellable cancelled. block_on returns either
 * the value or TIMED_OUT, never both; work it gave up on must see its
 * cancellable cancelled; every value is freed exactly once, including
 * those of abandoned work once the block_on thread has exited.
 */

#include "stress-util.h"

enum { VIA_PROMISE, VIA_SPAWN_BLOCKING };

typedef struct
{
  gint             ref_count;       /* atomic */
  guint            id;
  guint            via;
  guint            steps;           /* G_MAXUINT: never finishes by itself */
  GAsyncRuntime   *runtime;         /* immutable */
  GCancellable    *cancellable;     /* the start function's; set before the work starts */
  GAsyncTestLatch  done;            /* opened when the work returns */
  gint             started;         /* atomic: the work function ran */
  gint             completed;       /* atomic */
  gint             saw_cancel;      /* atomic */
} BlockJob;

static BlockJob *
block_job_ref (BlockJob *job)
{
  g_atomic_int_inc (&job->ref_count);
  return job;
}

static void
block_job_unref (gpointer data)
{
  BlockJob *job = data;

  if (!g_atomic_int_dec_and_test (&job->ref_count))
    return;
  g_clear_object (&job->cancellable);
  gasync_test_latch_clear (&job->done);
  g_free (job);
}

/* Steps of 100 µs (pacing) until done or cancelled; gives up after a
 * while so that a missing cancellation fails the test instead of hanging. */
static gboolean
work_run (BlockJob     *job,
          GCancellable *cancellable)
{
  gint64 give_up = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  g_atomic_int_set (&job->started, TRUE);
  for (guint i = 0;; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_atomic_int_set (&job->saw_cancel, TRUE);
          return FALSE;
        }
      if (i >= job->steps)
        {
          g_atomic_int_set (&job->completed, TRUE);
          return TRUE;
        }
      if (g_get_monotonic_time () > give_up)
        return FALSE;
      g_usleep (100);
    }
}

static gboolean
blocking_work (GCancellable  *cancellable,
               GValue        *result,
               gpointer       data,
               GError       **error)
{
  BlockJob *job = data;
  gboolean ok = work_run (job, cancellable);

  if (ok)
    {
      g_value_init (result, STRESS_TYPE_ITEM);
      g_value_take_object (result, stress_item_new (job->id));
    }
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped");
  return ok;
}

/* The spawned task's data is released once the task is over, whether its
 * function ran or, cancelled before it started, never will. */
static void
blocking_work_over (gpointer data)
{
  BlockJob *job = data;

  gasync_test_latch_open (&job->done);
  block_job_unref (job);
}

typedef struct
{
  BlockJob      *job;       /* owned */
  GAsyncPromise *promise;   /* owned */
} ResolveJob;

/* The promise variant's work, on a resolver thread. */
static void
resolve_job (StressWorker *worker,
             gpointer      data)
{
  ResolveJob *rj = data;
  BlockJob *job = rj->job;

  if (work_run (job, job->cancellable))
    {
      g_autoptr(StressItem) item = stress_item_new (job->id);
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, STRESS_TYPE_ITEM);
      g_value_set_object (&value, item);
      gasync_promise_resolve (rj->promise, &value);
    }
  gasync_test_latch_open (&job->done);
  g_object_unref (rj->promise);
  block_job_unref (job);
  g_free (rj);
}

static StressWorker *resolver;   /* set while the test runs */

static GAsyncFuture *
start_work (GCancellable *cancellable,
            gpointer      data)
{
  BlockJob *job = data;
  GAsyncFuture *future;
  ResolveJob *rj;

  job->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  if (job->via == VIA_SPAWN_BLOCKING)
    return gasync_runtime_spawn_blocking (job->runtime, blocking_work, block_job_ref (job), blocking_work_over);

  rj = g_new0 (ResolveJob, 1);
  rj->job = block_job_ref (job);
  rj->promise = gasync_promise_new ();
  /* Our reference first: once pushed, rj belongs to the resolver thread. */
  future = g_object_ref (GASYNC_FUTURE (rj->promise));
  stress_worker_push (resolver, rj);
  return future;
}

static void
block_on_once (GAsyncRuntime *runtime,
               GRand         *rand,
               guint          id)
{
  BlockJob *job = g_new0 (BlockJob, 1);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  guint timeout = g_rand_int_range (rand, 1, 6);
  gboolean ok;

  job->ref_count = 1;
  job->id = id;
  job->via = g_rand_boolean (rand) ? VIA_PROMISE : VIA_SPAWN_BLOCKING;
  job->steps = g_rand_int_range (rand, 0, 4) == 0 ? G_MAXUINT : (guint) g_rand_int_range (rand, 0, 80);
  job->runtime = runtime;
  gasync_test_latch_init (&job->done);

  ok = gasync_block_on_with_timeout (start_work, job, timeout, NULL, &value, &error);
  if (ok)
    {
      stress_assert (error == NULL, "work %u: a value and an error", id);
      stress_assert (G_VALUE_HOLDS (&value, STRESS_TYPE_ITEM) &&
                     stress_item_get_id (g_value_get_object (&value)) == id,
                     "work %u: resolved with the wrong value", id);
    }
  else
    {
      stress_assert (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT),
                     "work %u: failed with %s", id, error->message);
      stress_assert (job->steps != G_MAXUINT || g_cancellable_is_cancelled (job->cancellable),
                     "work %u: block_on timed out without cancelling its start function's cancellable", id);
    }
  stress_assert (!ok || job->steps != G_MAXUINT, "work %u never finishes but block_on returned a value", id);

  stress_assert (gasync_test_latch_wait (&job->done, 120000), "work %u never returned", id);
  /* A task cancelled before it started never runs, which is fine. */
  stress_assert (ok || !g_atomic_int_get (&job->started) ||
                 g_atomic_int_get (&job->completed) || g_atomic_int_get (&job->saw_cancel),
                 "work %u (%s) kept running after block_on timed out: its cancellable was never cancelled",
                 id, job->via == VIA_PROMISE ? "promise" : "spawn_blocking");
  block_job_unref (job);
}

typedef struct
{
  GAsyncRuntime *runtime;
  guint          n;
} BlockThread;

static gpointer
block_on_thread (gpointer data)
{
  BlockThread *bt = data;
  GRand *rand = stress_rand_new (1);

  for (guint i = 0; i < bt->n; i++)
    block_on_once (bt->runtime, rand, i);
  g_rand_free (rand);
  return NULL;
}

static void
test_timeout_races_result (void)
{
  BlockThread bt = { gasync_runtime_new (2), stress_size (300, 10000) };

  stress_items_reset ();
  resolver = stress_worker_new ("stress-resolver", 0, resolve_job);
  /* On its own thread, so that its exit drains what block_on abandoned. */
  g_thread_join (g_thread_new ("stress-block-on", block_on_thread, &bt));
  stress_worker_join (resolver);
  resolver = NULL;
  stress_assert (gasync_runtime_shutdown (bt.runtime, NULL, NULL), "the runtime did not drain");
  g_clear_object (&bt.runtime);
  stress_assert (stress_items_alive () == 0, "%u of %u values never freed after the block_on thread exited",
                 stress_items_alive (), stress_items_created ());
}

void
stress_block_on_add_tests (void)
{
  g_test_add_func ("/stress/block-on/timeout-races-result", test_timeout_races_result);
}
