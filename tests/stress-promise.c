/* stress-promise.c: promise settle, cancel and drop racing continuations
 * registered from other threads' own main contexts
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "stress-util.h"

enum { KIND_AND_THEN, KIND_OR_ELSE, KIND_ON_SETTLED, N_KINDS };
enum { ACT_RESOLVE, ACT_REJECT, ACT_CANCEL, ACT_DROP, N_ACTS };
static const char *act_names[] = { "resolve", "reject", "cancel", "drop" };

/* One registered continuation and what happened to it. */
typedef struct
{
  GThread  *thread;      /* the registering thread */
  guint     kind;
  gboolean  cancelled;   /* its derived future was cancelled before it could run */
  gint      runs;        /* atomic */
  gint      destroys;    /* atomic */
  gint      seen;        /* atomic: the settled future's outcome, see outcome_of() */
} Reg;

/* Outcomes: the state, and for a rejection which error. */
enum { OUT_NONE, OUT_RESOLVED, OUT_FAILED, OUT_CANCELLED, OUT_DROPPED, OUT_OTHER };

static gint values_alive;   /* atomic: resolved values not yet freed */

static void
value_free (gpointer data)
{
  stress_assert (g_atomic_int_add (&values_alive, -1) > 0, "a value was freed twice");
  g_free (data);
}

static gint
outcome_of (GAsyncFuture *future)
{
  const GError *error;

  if (gasync_future_get_state (future) == GASYNC_FUTURE_RESOLVED)
    return OUT_RESOLVED;
  stress_assert (gasync_future_get_state (future) == GASYNC_FUTURE_REJECTED,
                 "a continuation ran on a pending future");
  error = gasync_future_get_error (future);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED))
    return OUT_FAILED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return OUT_CANCELLED;
  if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_DROPPED))
    return OUT_DROPPED;
  return OUT_OTHER;
}

static GAsyncFuture *
reg_callback (GAsyncFuture *completed,
              gpointer      data)
{
  Reg *reg = data;
  gint outcome = outcome_of (completed);

  stress_assert (g_thread_self () == reg->thread, "a continuation ran on another thread");
  stress_assert (reg->kind != KIND_AND_THEN || outcome == OUT_RESOLVED, "and_then ran on a rejection");
  stress_assert (reg->kind != KIND_OR_ELSE || outcome != OUT_RESOLVED, "or_else ran on a resolution");
  g_atomic_int_set (&reg->seen, outcome);
  stress_assert (g_atomic_int_add (&reg->runs, 1) == 0, "a continuation ran twice");
  return NULL;
}

static void
reg_destroy (gpointer data)
{
  Reg *reg = data;

  stress_assert (g_thread_self () == reg->thread, "a destroy notify ran on another thread");
  stress_assert (g_atomic_int_add (&reg->destroys, 1) == 0, "a destroy notify ran twice");
}

/* Registers @reg on @future from the calling thread's default context. */
static void
reg_register (Reg          *reg,
              GAsyncFuture *future,
              guint         kind,
              gboolean      cancel)
{
  GAsyncFuture *derived = NULL;

  reg->thread = g_thread_self ();
  reg->kind = kind;
  reg->cancelled = cancel;
  if (kind == KIND_AND_THEN)
    derived = gasync_future_and_then (future, reg_callback, reg, reg_destroy);
  else if (kind == KIND_OR_ELSE)
    derived = gasync_future_or_else (future, reg_callback, reg, reg_destroy);
  else
    derived = gasync_future_on_settled (future, reg_callback, reg, reg_destroy);
  if (cancel)
    gasync_future_cancel (derived);
  g_object_unref (derived);
}

/* /stress/promise/settle-race: each round, every worker registers a random
 * continuation on one promise from its own context (some cancel their
 * derived future at once), and one of them resolves, rejects, cancels or
 * drops it. The test thread's witness records how the promise settled. */

typedef struct
{
  guint  settler;
  guint  action;
  Reg    witness;   /* registered first, by the test thread */
  Reg   *regs;      /* one per worker */
} Round;

typedef struct
{
  Round         *round;
  GAsyncPromise *promise;   /* owned */
} Job;

static void
settle (GAsyncPromise *promise,
        guint          action)
{
  if (action == ACT_RESOLVE)
    {
      g_atomic_int_inc (&values_alive);
      gasync_promise_resolve_pointer (promise, g_new0 (guint, 1), value_free);
    }
  else if (action == ACT_REJECT)
    gasync_promise_reject_literal (promise, G_IO_ERROR, G_IO_ERROR_FAILED, "rejected");
  else if (action == ACT_CANCEL)
    gasync_future_cancel (GASYNC_FUTURE (promise));
  /* ACT_DROP: the caller's reference goes like every other one. */
}

static void
settle_race_job (StressWorker *worker,
                 gpointer      data)
{
  Job *job = data;
  GRand *rand = stress_worker_rand (worker);
  guint index = stress_worker_index (worker);
  Reg *reg = &job->round->regs[index];

  reg_register (reg, GASYNC_FUTURE (job->promise), g_rand_int_range (rand, 0, N_KINDS),
                g_rand_int_range (rand, 0, 4) == 0);
  if (g_rand_int_range (rand, 0, 8) == 0)
    stress_pace (rand, 50);
  if (index == job->round->settler)
    settle (job->promise, job->round->action);
  g_clear_object (&job->promise);
  stress_iterate_until (stress_worker_context (worker), &reg->destroys, 1);
  g_free (job);
}

static const gint expected_outcome[] = { OUT_RESOLVED, OUT_FAILED, OUT_CANCELLED, OUT_DROPPED };

static void
round_check (Round *round,
             guint  r,
             guint  n_workers)
{
  gint outcome = g_atomic_int_get (&round->witness.seen);

  stress_assert (outcome == expected_outcome[round->action],
                 "round %u: %s by worker %u settled it as outcome %d", r,
                 act_names[round->action], round->settler, outcome);
  for (guint i = 0; i < n_workers; i++)
    {
      Reg *reg = &round->regs[i];
      gint runs = g_atomic_int_get (&reg->runs);
      gboolean wanted = !reg->cancelled &&
                        (reg->kind == KIND_ON_SETTLED ||
                         (reg->kind == KIND_AND_THEN) == (outcome == OUT_RESOLVED));

      stress_assert (g_atomic_int_get (&reg->destroys) == 1, "round %u: worker %u's destroy notify ran %d times",
                     r, i, g_atomic_int_get (&reg->destroys));
      stress_assert (runs == (wanted ? 1 : 0), "round %u (%s): worker %u's continuation (kind %u%s) ran %d times",
                     r, act_names[round->action], i, reg->kind, reg->cancelled ? ", cancelled" : "", runs);
    }
}

/* Hands one reference to every worker; the test thread's goes last. */
static void
round_start (Round          *round,
             StressWorker  **workers,
             guint           n_workers,
             GRand          *rand)
{
  GAsyncPromise *promise = gasync_promise_new ();

  round->settler = g_rand_int_range (rand, 0, n_workers);
  round->action = g_rand_int_range (rand, 0, N_ACTS);
  round->regs = g_new0 (Reg, n_workers);
  reg_register (&round->witness, GASYNC_FUTURE (promise), KIND_ON_SETTLED, FALSE);
  for (guint i = 0; i < n_workers; i++)
    {
      Job *job = g_new0 (Job, 1);

      job->round = round;
      job->promise = g_object_ref (promise);
      stress_worker_push (workers[i], job);
    }
  g_object_unref (promise);
}

static void
test_settle_race (void)
{
  GMainContext *context = g_main_context_new ();
  GRand *rand = stress_rand_new (G_MAXUINT);
  guint n_rounds = stress_size (3000, 100000);
  guint n_workers = 4;
  StressWorker *workers[4];
  Round *rounds = g_new0 (Round, n_rounds);

  g_main_context_push_thread_default (context);
  g_atomic_int_set (&values_alive, 0);
  for (guint i = 0; i < n_workers; i++)
    workers[i] = stress_worker_new ("stress-promise", i, settle_race_job);
  for (guint r = 0; r < n_rounds; r++)
    round_start (&rounds[r], workers, n_workers, rand);
  for (guint i = 0; i < n_workers; i++)
    stress_worker_join (workers[i]);

  for (guint r = 0; r < n_rounds; r++)
    {
      stress_iterate_until (context, &rounds[r].witness.destroys, 1);
      round_check (&rounds[r], r, n_workers);
      g_free (rounds[r].regs);
    }
  stress_assert (g_atomic_int_get (&values_alive) == 0, "%d resolved values never freed",
                 g_atomic_int_get (&values_alive));
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_free (rounds);
  g_rand_free (rand);
}

/* /stress/promise/drop-with-remote-continuation (issue 10, bug 1): the
 * test thread registers a continuation from its own context on a pending
 * promise, and another thread drops the last reference while the test
 * thread iterates its context to receive the DROPPED rejection. */

static void
drop_job (StressWorker *worker,
          gpointer      data)
{
  g_object_unref (data);
}

/* A registrar: @n rounds on its own context, each dropped by its own
 * dropper thread. Several registrars run at once. */
typedef struct
{
  guint n;
  gint  done;   /* atomic */
} DropLoop;

static void
drop_loop_job (StressWorker *worker,
               gpointer      data)
{
  DropLoop *loop = data;
  GRand *rand = stress_worker_rand (worker);
  StressWorker *dropper = stress_worker_new ("stress-dropper", 100 + stress_worker_index (worker), drop_job);

  for (guint i = 0; i < loop->n; i++)
    {
      Reg reg = { NULL, };
      GAsyncPromise *promise = gasync_promise_new ();
      guint kind = g_rand_boolean (rand) ? KIND_ON_SETTLED : KIND_OR_ELSE;

      reg_register (&reg, GASYNC_FUTURE (promise), kind, FALSE);
      stress_worker_push (dropper, promise);
      stress_iterate_until (stress_worker_context (worker), &reg.destroys, 1);
      stress_assert (g_atomic_int_get (&reg.runs) == 1, "drop %u: the continuation ran %d times", i,
                     g_atomic_int_get (&reg.runs));
      stress_assert (g_atomic_int_get (&reg.seen) == OUT_DROPPED, "drop %u: outcome %d instead of DROPPED", i,
                     g_atomic_int_get (&reg.seen));
    }
  stress_worker_join (dropper);
  g_atomic_int_set (&loop->done, TRUE);
}

static void
test_drop_with_remote_continuation (void)
{
  StressWorker *registrars[3];
  DropLoop loops[G_N_ELEMENTS (registrars)];

  for (guint i = 0; i < G_N_ELEMENTS (registrars); i++)
    {
      loops[i] = (DropLoop) { stress_size (3000, 100000), FALSE };
      registrars[i] = stress_worker_new ("stress-registrar", i, drop_loop_job);
      stress_worker_push (registrars[i], &loops[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (registrars); i++)
    {
      stress_worker_join (registrars[i]);
      stress_assert (loops[i].done, "registrar %u did not finish", i);
    }
}

void
stress_promise_add_tests (void)
{
  g_test_add_func ("/stress/promise/settle-race", test_settle_race);
  g_test_add_func ("/stress/promise/drop-with-remote-continuation", test_drop_with_remote_continuation);
}
