/* stress-cancel.c: cancellation reaching the work it names, and no
 * DROPPED for a future that can still be settled
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "stress-util.h"

/* /stress/cancel/chain-reaches-source (issue 10, bug 3): a random chain of
 * derived futures (and_then, or_else, on_settled, with_timeout, and the
 * combinators over one input) on a promise; only the tail is kept, and a
 * random thread cancels it. Nothing else depends on the links, so the
 * cancellation must reach the promise's cancellable: its owner's work is
 * told to stop. */

enum { LINK_AND_THEN, LINK_OR_ELSE, LINK_ON_SETTLED, LINK_TIMEOUT, LINK_RACE, LINK_ALL, LINK_ANY, N_LINKS };
static const char *link_names[] = { "and_then", "or_else", "on_settled", "with_timeout", "race", "all", "any" };

static GAsyncFuture *
pass (GAsyncFuture *completed,
      gpointer      data)
{
  return NULL;
}

static GAsyncFuture *
chain_link (GAsyncFuture *source,
            guint         kind)
{
  switch (kind)
    {
    case LINK_AND_THEN:
      return gasync_future_and_then (source, pass, NULL, NULL);
    case LINK_OR_ELSE:
      return gasync_future_or_else (source, pass, NULL, NULL);
    case LINK_ON_SETTLED:
      return gasync_future_on_settled (source, pass, NULL, NULL);
    case LINK_TIMEOUT:
      return gasync_future_with_timeout (source, 600000);
    case LINK_RACE:
      return gasync_future_race (&source, 1);
    case LINK_ALL:
      return gasync_future_all (&source, 1);
    default:
      return gasync_future_any (&source, 1);
    }
}

static void
cancel_job (StressWorker *worker,
            gpointer      data)
{
  gasync_future_cancel (data);
  g_object_unref (data);
}

typedef struct
{
  gint          cancelled;   /* atomic */
  GMainContext *context;     /* woken when it is set */
} Reached;

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  Reached *reached = data;
  GMainContext *context = reached->context;

  /* Nothing of @reached is read after the flag is set: the main thread
   * reuses it for the next round as soon as it sees the flag. */
  g_atomic_int_set (&reached->cancelled, TRUE);
  g_main_context_wakeup (context);
}

/* Builds a chain of @depth random links on @promise and returns its tail;
 * @names gets the links' names. */
static GAsyncFuture *
chain_build (GAsyncPromise *promise,
             guint          depth,
             GRand         *rand,
             GString       *names)
{
  GAsyncFuture *tail = g_object_ref (GASYNC_FUTURE (promise));

  for (guint i = 0; i < depth; i++)
    {
      guint kind = g_rand_int_range (rand, 0, N_LINKS);
      GAsyncFuture *next = chain_link (tail, kind);

      g_string_append_printf (names, " %s", link_names[kind]);
      g_object_unref (tail);
      tail = next;
    }
  return tail;
}

static void
test_chain_reaches_source (void)
{
  GMainContext *context = g_main_context_new ();
  GRand *rand = stress_rand_new (G_MAXUINT);
  StressWorker *canceller = stress_worker_new ("stress-canceller", 0, cancel_job);
  guint n = stress_size (500, 20000);

  g_main_context_push_thread_default (context);
  for (guint r = 0; r < n; r++)
    {
      g_autoptr(GAsyncPromise) promise = gasync_promise_new ();
      g_autoptr(GString) names = g_string_new (NULL);
      GAsyncFuture *tail = chain_build (promise, g_rand_int_range (rand, 1, 5), rand, names);
      Reached reached = { FALSE, context };
      gulong handler = g_cancellable_connect (gasync_promise_get_cancellable (promise),
                                              G_CALLBACK (on_cancelled), &reached, NULL);

      if (g_rand_boolean (rand))
        stress_worker_push (canceller, tail);
      else
        cancel_job (canceller, tail);
      /* Links run their bookkeeping on this context: keep it going. */
      stress_assert (stress_iterate_until_for (context, &reached.cancelled, TRUE, 10),
                     "round %u: cancelling the tail of%s did not reach the promise",
                     r, names->str);
      g_cancellable_disconnect (gasync_promise_get_cancellable (promise), handler);
      gasync_promise_resolve_int (promise, 1);   /* ignored: it was cancelled */
    }
  stress_worker_join (canceller);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_rand_free (rand);
}

/* /stress/cancel/lent-pointer-not-dropped (issue 10, bug 4): the owner
 * holds the only reference to a promise and lends the pointer to a waiter
 * thread (gasync_future_wait()) and a resolver thread. The promise can
 * still be settled, so the waiter must see the value, never DROPPED. */

typedef struct
{
  GAsyncPromise   *promise;    /* borrowed: the test thread owns it */
  gint             value;
  gint             pending;    /* atomic: jobs not done */
  gint             outcome;    /* atomic: the waiter's, see below */
  GAsyncTestLatch  done;
} Lent;

enum { LENT_NONE, LENT_VALUE, LENT_DROPPED, LENT_OTHER };

static void
lent_job_done (Lent *lent)
{
  if (g_atomic_int_dec_and_test (&lent->pending))
    gasync_test_latch_open (&lent->done);
}

static void
lent_wait_job (StressWorker *worker,
               gpointer      data)
{
  Lent *lent = data;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  gint outcome = LENT_OTHER;

  if (gasync_future_wait (GASYNC_FUTURE (lent->promise), NULL, &value, &error))
    outcome = g_value_get_int (&value) == lent->value ? LENT_VALUE : LENT_OTHER;
  else if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_DROPPED))
    outcome = LENT_DROPPED;
  g_atomic_int_set (&lent->outcome, outcome);
  lent_job_done (lent);
}

static void
lent_resolve_job (StressWorker *worker,
                  gpointer      data)
{
  Lent *lent = data;

  stress_pace (stress_worker_rand (worker), 100);
  gasync_promise_resolve_int (lent->promise, lent->value);
  lent_job_done (lent);
}

static void
test_lent_pointer_not_dropped (void)
{
  StressWorker *waiter = stress_worker_new ("stress-waiter", 0, lent_wait_job);
  StressWorker *resolver = stress_worker_new ("stress-resolver", 1, lent_resolve_job);
  guint n = stress_size (2000, 100000);

  for (guint r = 0; r < n; r++)
    {
      Lent lent = { gasync_promise_new (), (gint) r, 2, LENT_NONE, };

      gasync_test_latch_init (&lent.done);
      stress_worker_push (waiter, &lent);
      stress_worker_push (resolver, &lent);
      stress_assert (gasync_test_latch_wait (&lent.done, 120000), "round %u: the waiter never returned", r);
      stress_assert (g_atomic_int_get (&lent.outcome) != LENT_DROPPED,
                     "round %u: wait reported DROPPED for a promise its owner still holds", r);
      stress_assert (g_atomic_int_get (&lent.outcome) == LENT_VALUE, "round %u: the waiter got outcome %d",
                     r, g_atomic_int_get (&lent.outcome));
      g_object_unref (lent.promise);
      gasync_test_latch_clear (&lent.done);
    }
  stress_worker_join (waiter);
  stress_worker_join (resolver);
}

void
stress_cancel_add_tests (void)
{
  g_test_add_func ("/stress/cancel/chain-reaches-source", test_chain_reaches_source);
  g_test_add_func ("/stress/cancel/lent-pointer-not-dropped", test_lent_pointer_not_dropped);
}
