/* stress-combinators.c: all, any, race and all_settled over inputs that
 * several threads settle at once
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "stress-util.h"

enum { COMB_ALL, COMB_ANY, COMB_RACE, COMB_ALL_SETTLED, N_COMBS };
static const char *comb_names[] = { "all", "any", "race", "all_settled" };

#define MAX_INPUTS 8

typedef struct
{
  GAsyncPromise *promise;   /* owned */
  guint          index;
  gboolean       reject;
} SettleJob;

static void
settle_job (StressWorker *worker,
            gpointer      data)
{
  SettleJob *job = data;

  if (g_rand_int_range (stress_worker_rand (worker), 0, 4) == 0)
    stress_pace (stress_worker_rand (worker), 30);
  if (job->reject)
    gasync_promise_reject (job->promise, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "reject %u", job->index));
  else
    gasync_promise_resolve_int (job->promise, (gint) job->index);
  g_object_unref (job->promise);
  g_free (job);
}

typedef struct
{
  guint          kind;
  guint          n;
  gboolean       reject[MAX_INPUTS];
  GAsyncFuture  *inputs[MAX_INPUTS];   /* owned */
  GAsyncFuture  *combined;             /* owned */
  gint           settled;              /* atomic: on_settled runs */
} CombRound;

static GAsyncFuture *
combined_settled (GAsyncFuture *completed,
                  gpointer      data)
{
  CombRound *round = data;

  stress_assert (g_atomic_int_add (&round->settled, 1) == 0, "%s settled twice", comb_names[round->kind]);
  return NULL;
}

static GAsyncFuture *
combine (guint          kind,
         GAsyncFuture **inputs,
         guint          n)
{
  switch (kind)
    {
    case COMB_ALL:
      return gasync_future_all (inputs, n);
    case COMB_ANY:
      return gasync_future_any (inputs, n);
    case COMB_RACE:
      return gasync_future_race (inputs, n);
    default:
      return gasync_future_all_settled (inputs, n);
    }
}

/* Input @i settled as planned: resolved with @i, or rejected "reject i". */
static gboolean
input_as_planned (CombRound *round,
                  guint      i)
{
  GAsyncFuture *input = round->inputs[i];
  g_autofree char *message = g_strdup_printf ("reject %u", i);

  if (round->reject[i])
    return g_error_matches (gasync_future_get_error (input), G_IO_ERROR, G_IO_ERROR_FAILED) &&
           g_str_equal (gasync_future_get_error (input)->message, message);
  return gasync_future_get_state (input) == GASYNC_FUTURE_RESOLVED &&
         gasync_future_get_int (input, NULL) == (gint) i;
}

/* The index of the input whose rejection @error copies, or -1. */
static gint
rejection_source (CombRound    *round,
                  const GError *error)
{
  for (guint i = 0; i < round->n; i++)
    if (round->reject[i] && input_as_planned (round, i) &&
        g_str_equal (gasync_future_get_error (round->inputs[i])->message, error->message))
      return (gint) i;
  return -1;
}

/* all and all_settled resolve with their inputs, in order. */
static void
check_list (CombRound *round,
            guint      r)
{
  g_autoptr(GListModel) list = gasync_future_dup_object (round->combined, NULL);

  stress_assert (list != NULL && g_list_model_get_n_items (list) == round->n,
                 "round %u: %s resolved without its %u inputs", r, comb_names[round->kind], round->n);
  for (guint i = 0; i < round->n; i++)
    {
      g_autoptr(GAsyncFuture) item = g_list_model_get_item (list, i);

      stress_assert (item == round->inputs[i], "round %u: %s's item %u is not input %u",
                     r, comb_names[round->kind], i, i);
      stress_assert (input_as_planned (round, i), "round %u: %s resolved but input %u is not as planned",
                     r, comb_names[round->kind], i);
    }
}

static gboolean
plan_has (CombRound *round,
          gboolean   reject)
{
  for (guint i = 0; i < round->n; i++)
    if (round->reject[i] == reject)
      return TRUE;
  return FALSE;
}

/* any and race resolve with a copy of one input's value. */
static void
check_copied_value (CombRound *round,
                    guint      r)
{
  gint v = gasync_future_get_int (round->combined, NULL);

  stress_assert (v >= 0 && (guint) v < round->n && !round->reject[v] && input_as_planned (round, v),
                 "round %u: %s resolved with %d, not the value of a resolved input",
                 r, comb_names[round->kind], v);
}

static void
check_round (CombRound *round,
             guint      r)
{
  const char *name = comb_names[round->kind];
  gboolean resolved = gasync_future_get_state (round->combined) == GASYNC_FUTURE_RESOLVED;
  const GError *error = gasync_future_get_error (round->combined);

  if (round->kind == COMB_ALL_SETTLED || (round->kind == COMB_ALL && !plan_has (round, TRUE)) ||
      (round->kind == COMB_ANY && plan_has (round, FALSE)))
    stress_assert (resolved, "round %u: %s rejected (%s) though it had to resolve", r, name,
                   error != NULL ? error->message : "?");
  if (round->kind == COMB_ANY && !resolved)
    stress_assert (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_ALL_FAILED),
                   "round %u: any rejected with %s", r, error->message);
  else if (!resolved)
    stress_assert (rejection_source (round, error) >= 0,
                   "round %u: %s rejected with \"%s\", not an input's rejection", r, name, error->message);
  else if (round->kind == COMB_ALL || round->kind == COMB_ALL_SETTLED)
    check_list (round, r);
  else
    check_copied_value (round, r);
  if (round->kind == COMB_ALL && resolved)
    stress_assert (!plan_has (round, TRUE), "round %u: all resolved though an input was rejected", r);

  /* Inputs the combinator did not cancel settled as planned. */
  for (guint i = 0; i < round->n; i++)
    stress_assert (input_as_planned (round, i) ||
                   (round->kind != COMB_ALL_SETTLED &&
                    g_error_matches (gasync_future_get_error (round->inputs[i]), G_IO_ERROR, G_IO_ERROR_CANCELLED)),
                   "round %u: %s: input %u settled neither as planned nor cancelled", r, name, i);
}

static void
round_run (CombRound     *round,
           StressWorker **workers,
           guint          n_workers,
           GRand         *rand)
{
  guint combine_at = g_rand_int_range (rand, 0, round->n + 1);

  for (guint i = 0; i <= round->n; i++)
    {
      SettleJob *job;

      if (i == combine_at)
        {
          GAsyncFuture *derived;

          round->combined = combine (round->kind, round->inputs, round->n);
          derived = gasync_future_on_settled (round->combined, combined_settled, round, NULL);
          g_object_unref (derived);
        }
      if (i == round->n)
        break;
      job = g_new0 (SettleJob, 1);
      job->promise = g_object_ref (GASYNC_PROMISE (round->inputs[i]));
      job->index = i;
      job->reject = round->reject[i];
      stress_worker_push (workers[g_rand_int_range (rand, 0, n_workers)], job);
    }
}

/* Waits for @future to settle either way. */
static void
wait_settled (GAsyncFuture *future)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  if (!gasync_future_wait (future, NULL, &value, &error))
    stress_assert (!g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_DROPPED),
                   "an input still referenced was reported DROPPED");
}

static void
test_concurrent_inputs (void)
{
  GMainContext *context = g_main_context_new ();
  GRand *rand = stress_rand_new (G_MAXUINT);
  StressWorker *workers[3];
  guint n_rounds = stress_size (3000, 100000);

  g_main_context_push_thread_default (context);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    workers[i] = stress_worker_new ("stress-settler", i, settle_job);
  for (guint r = 0; r < n_rounds; r++)
    {
      CombRound round = { g_rand_int_range (rand, 0, N_COMBS), g_rand_int_range (rand, 1, MAX_INPUTS + 1), };
      guint odds = g_rand_int_range (rand, 0, 4);   /* of 4 that an input rejects */

      for (guint i = 0; i < round.n; i++)
        {
          round.reject[i] = g_rand_int_range (rand, 0, 4) < (gint) odds;
          round.inputs[i] = GASYNC_FUTURE (gasync_promise_new ());
        }
      round_run (&round, workers, G_N_ELEMENTS (workers), rand);
      stress_iterate_until (context, &round.settled, 1);
      for (guint i = 0; i < round.n; i++)
        wait_settled (round.inputs[i]);
      check_round (&round, r);
      for (guint i = 0; i < round.n; i++)
        g_object_unref (round.inputs[i]);
      g_object_unref (round.combined);
    }
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    stress_worker_join (workers[i]);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_rand_free (rand);
}

void
stress_combinators_add_tests (void)
{
  g_test_add_func ("/stress/combinators/concurrent-inputs", test_concurrent_inputs);
}
