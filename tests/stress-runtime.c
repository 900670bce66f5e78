/* stress-runtime.c: shutting a private runtime down with work in flight
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One thread spawns async and blocking tasks while the test thread shuts
 * the runtime down once a random number of them were spawned, draining or
 * (with a cancelled cancellable) not. Every handle settles exactly once:
 * resolved with its task's value, rejected with CLOSED (spawned after the
 * shutdown began, never run) or, for a cancelled shutdown only, with
 * CANCELLED. Every function runs at most once, every destroy notify
 * exactly once, every value is freed.
 */

#include "stress-util.h"

#include <string.h>

typedef struct
{
  guint id;
  guint steps;      /* of a blocking task */
  gint  runs;       /* atomic */
  gint  destroys;   /* atomic */
  gint  settled;    /* atomic: the handle's on_settled runs */
} Task;

static void
task_destroy (gpointer data)
{
  Task *task = data;

  stress_assert (g_atomic_int_add (&task->destroys, 1) == 0, "task %u's destroy notify ran twice", task->id);
}

static GAsyncFuture *
async_task (GCancellable *cancellable,
            gpointer      data)
{
  Task *task = data;
  g_autoptr(StressItem) item = stress_item_new (task->id);

  stress_assert (g_atomic_int_add (&task->runs, 1) == 0, "task %u ran twice", task->id);
  return gasync_future_new_for_object (item);
}

static gboolean
blocking_task (GCancellable  *cancellable,
               GValue        *result,
               gpointer       data,
               GError       **error)
{
  Task *task = data;

  stress_assert (g_atomic_int_add (&task->runs, 1) == 0, "task %u ran twice", task->id);
  for (guint i = 0; i < task->steps; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (50);
    }
  g_value_init (result, STRESS_TYPE_ITEM);
  g_value_take_object (result, stress_item_new (task->id));
  return TRUE;
}

static GAsyncFuture *
handle_settled (GAsyncFuture *completed,
                gpointer      data)
{
  Task *task = data;

  stress_assert (g_atomic_int_add (&task->settled, 1) == 0, "task %u's handle settled twice", task->id);
  return NULL;
}

typedef struct
{
  GAsyncRuntime    *runtime;
  Task             *tasks;
  GAsyncFuture    **handles;
  guint             n;
  guint             shutdown_at;
  GAsyncTestLatch   shutdown_point;   /* opened after shutdown_at spawns */
} ShutdownRound;

static gpointer
spawner_main (gpointer data)
{
  ShutdownRound *round = data;
  GMainContext *context = g_main_context_new ();
  GRand *rand = stress_rand_new (1);

  g_main_context_push_thread_default (context);
  for (guint i = 0; i < round->n; i++)
    {
      Task *task = &round->tasks[i];

      task->id = i;
      task->steps = g_rand_int_range (rand, 0, 20);
      if (g_rand_boolean (rand))
        round->handles[i] = gasync_runtime_spawn (round->runtime, async_task, task, task_destroy);
      else
        round->handles[i] = gasync_runtime_spawn_blocking (round->runtime, blocking_task, task, task_destroy);
      g_object_unref (gasync_future_on_settled (round->handles[i], handle_settled, task, NULL));
      if (i + 1 == round->shutdown_at)
        gasync_test_latch_open (&round->shutdown_point);
      if (g_rand_int_range (rand, 0, 16) == 0)
        stress_pace (rand, 100);
    }
  for (guint i = 0; i < round->n; i++)
    stress_iterate_until (context, &round->tasks[i].settled, 1);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_rand_free (rand);
  return NULL;
}

enum { OUT_RESOLVED, OUT_CLOSED, OUT_CANCELLED, N_OUTCOMES };
static guint outcome_counts[N_OUTCOMES];   /* test thread only */

static void
handle_check (ShutdownRound *round,
              guint          i,
              gboolean       cancelled)
{
  Task *task = &round->tasks[i];
  GAsyncFuture *handle = round->handles[i];
  const GError *error = gasync_future_get_error (handle);
  gint runs = g_atomic_int_get (&task->runs);

  stress_assert (gasync_future_get_state (handle) != GASYNC_FUTURE_PENDING,
                 "task %u's handle still pending after shutdown", i);
  stress_assert (g_atomic_int_get (&task->settled) == 1, "task %u's handle settled %d times",
                 i, g_atomic_int_get (&task->settled));
  stress_assert (g_atomic_int_get (&task->destroys) == 1, "task %u's destroy notify ran %d times",
                 i, g_atomic_int_get (&task->destroys));
  if (gasync_future_get_state (handle) == GASYNC_FUTURE_RESOLVED)
    {
      g_autoptr(StressItem) item = gasync_future_dup_object (handle, NULL);

      stress_assert (runs == 1 && item != NULL && stress_item_get_id (item) == i,
                     "task %u resolved with the wrong value (ran %d times)", i, runs);
      outcome_counts[OUT_RESOLVED]++;
    }
  else if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
    {
      stress_assert (runs == 0, "task %u rejected as CLOSED but it ran", i);
      outcome_counts[OUT_CLOSED]++;
    }
  else
    {
      outcome_counts[OUT_CANCELLED]++;
      stress_assert (cancelled && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
                     "task %u: rejected with \"%s\" by a %s shutdown", i, error->message,
                     cancelled ? "cancelled" : "draining");
    }
}

static void
shutdown_round_run (GRand *rand,
                    guint  n)
{
  ShutdownRound round = { gasync_runtime_new (g_rand_int_range (rand, 1, 4)), g_new0 (Task, n),
                          g_new0 (GAsyncFuture *, n), n, g_rand_int_range (rand, 1, n + 1), };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gboolean cancelled = g_rand_boolean (rand);
  gboolean drained;
  GThread *spawner;

  stress_items_reset ();
  gasync_test_latch_init (&round.shutdown_point);
  spawner = g_thread_new ("stress-spawner", spawner_main, &round);
  stress_assert (gasync_test_latch_wait (&round.shutdown_point, 120000), "the spawner is stuck");
  if (cancelled)
    g_cancellable_cancel (cancellable);
  /* An already cancelled shutdown that finds nothing left to run has
   * drained everything and says so; then no task may have been cancelled. */
  drained = gasync_runtime_shutdown (round.runtime, cancellable, &error);
  if (!drained)
    stress_assert (cancelled && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
                   "shutdown failed with %s", error->message);
  g_thread_join (spawner);

  for (guint i = 0; i < n; i++)
    handle_check (&round, i, !drained);
  for (guint i = 0; i < n; i++)
    g_object_unref (round.handles[i]);
  g_clear_object (&round.runtime);
  stress_assert (stress_items_alive () == 0, "%u of %u task values never freed",
                 stress_items_alive (), stress_items_created ());
  gasync_test_latch_clear (&round.shutdown_point);
  g_free (round.handles);
  g_free (round.tasks);
}

static void
test_shutdown_in_flight (void)
{
  GRand *rand = stress_rand_new (G_MAXUINT);
  guint rounds = stress_size (40, 1000);

  memset (outcome_counts, 0, sizeof outcome_counts);
  for (guint r = 0; r < rounds; r++)
    shutdown_round_run (rand, g_rand_int_range (rand, 1, 200));
  g_test_message ("%u rounds: %u tasks resolved, %u rejected as closed, %u cancelled", rounds,
                  outcome_counts[OUT_RESOLVED], outcome_counts[OUT_CLOSED], outcome_counts[OUT_CANCELLED]);
  g_rand_free (rand);
}

/* /stress/runtime/blocking-refused-on-workers (issue 10, bug 7): a
 * blocking send or receive on an async worker fails with WOULD_DEADLOCK
 * every time, whether or not it would have had to wait. */

typedef struct
{
  GAsyncSender   *sender;     /* owned */
  GAsyncReceiver *receiver;   /* owned */
  gboolean        send;
} BlockingCall;

static void
blocking_call_free (gpointer data)
{
  BlockingCall *call = data;

  g_clear_object (&call->sender);
  g_clear_object (&call->receiver);
  g_free (call);
}

static GAsyncFuture *
blocking_call_task (GCancellable *cancellable,
                    gpointer      data)
{
  BlockingCall *call = data;
  g_auto(GValue) value = G_VALUE_INIT;
  GError *error = NULL;
  gboolean ok;

  if (call->send)
    {
      g_value_init (&value, G_TYPE_INT);
      g_value_set_int (&value, 1);
      ok = gasync_sender_send (call->sender, &value, NULL, &error);
    }
  else
    ok = gasync_receiver_recv (call->receiver, NULL, &value, &error);
  if (ok)
    return gasync_future_new_for_boolean (TRUE);
  return gasync_future_new_for_error (error);
}

static void
test_blocking_refused_on_workers (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (2);
  GRand *rand = stress_rand_new (G_MAXUINT);
  guint n = stress_size (500, 20000);

  for (guint i = 0; i < n; i++)
    {
      BlockingCall *call = g_new0 (BlockingCall, 1);
      guint capacity = g_rand_int_range (rand, 0, 4);
      guint queued = g_rand_int_range (rand, 0, capacity + 1);   /* full or not, empty or not */
      gboolean send = g_rand_boolean (rand);
      g_autoptr(GAsyncFuture) handle = NULL;
      g_auto(GValue) value = G_VALUE_INIT;
      g_autoptr(GError) error = NULL;

      gasync_channel_new (G_TYPE_INT, capacity, &call->sender, &call->receiver);
      g_value_init (&value, G_TYPE_INT);
      for (guint q = 0; q < queued; q++)
        stress_assert (gasync_sender_try_send (call->sender, &value, NULL), "could not fill the channel");
      call->send = send;   /* the task frees @call */
      handle = gasync_runtime_spawn (runtime, blocking_call_task, call, blocking_call_free);
      g_value_unset (&value);
      stress_assert (!gasync_future_wait (handle, NULL, &value, &error) &&
                     g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK),
                     "call %u: a blocking %s on an async worker (capacity %u, %u queued) was not refused: %s",
                     i, send ? "send" : "receive", capacity, queued,
                     error != NULL ? error->message : "it succeeded");
    }
  g_rand_free (rand);
}

void
stress_runtime_add_tests (void)
{
  g_test_add_func ("/stress/runtime/shutdown-in-flight", test_shutdown_in_flight);
  g_test_add_func ("/stress/runtime/blocking-refused-on-workers", test_blocking_refused_on_workers);
}
