/* continuation.c: tests for and_then, or_else, on_settled and chains of them
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "future-test-util.h"

/* Continuations: context, timing and exactly-once */

static void
test_then_not_synchronous (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GAsyncFuture) d = NULL;
  Record rec = { 0 };

  d = gasync_future_and_then (GASYNC_FUTURE (p), record_cb, &rec, record_destroy);
  gasync_promise_resolve_int (p, 9);

  /* Never inside resolve(). */
  g_assert_cmpint (rec.ran, ==, 0);
  gasync_test_iterate_until (NULL, &rec.destroyed, 5000);
  g_assert_cmpint (rec.ran, ==, 1);
  g_assert_true (rec.thread == g_thread_self ());
  g_assert_cmpint (rec.value, ==, 9);
  g_assert_cmpint (gasync_future_get_int (d, NULL), ==, 9);
}

static void
test_then_already_resolved (void)
{
  g_autoptr(GAsyncFuture) f = gasync_future_new_for_int (3);
  g_autoptr(GAsyncFuture) d = NULL;
  Record rec = { 0 };

  /* Registered on a settled future: still not synchronous. */
  d = gasync_future_and_then (f, record_cb, &rec, record_destroy);
  g_assert_cmpint (rec.ran, ==, 0);
  gasync_test_iterate_until (NULL, &rec.destroyed, 5000);
  g_assert_cmpint (rec.ran, ==, 1);
  g_assert_cmpint (rec.value, ==, 3);
}

static void
test_then_skipped_on_rejection (void)
{
  g_autoptr(GAsyncFuture) f = gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED, "x");
  g_autoptr(GAsyncFuture) d = NULL;
  g_autoptr(GAsyncFuture) e = NULL;
  Record rec = { 0 }, rec2 = { 0 };

  d = gasync_future_and_then (f, record_cb, &rec, record_destroy);
  e = gasync_future_or_else (f, record_cb, &rec2, record_destroy);
  gasync_test_iterate_until (NULL, &rec.destroyed, 5000);
  gasync_test_iterate_until (NULL, &rec2.destroyed, 5000);

  g_assert_cmpint (rec.ran, ==, 0);          /* and_then skipped */
  g_assert_error (gasync_future_get_error (d), GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_cmpint (rec2.ran, ==, 1);         /* or_else ran */
  g_assert_false (rec2.resolved_seen);
}

static void
test_or_else_skipped_on_resolve (void)
{
  g_autoptr(GAsyncFuture) f = gasync_future_new_for_int (11);
  g_autoptr(GAsyncFuture) d = NULL;
  Record rec = { 0 };

  d = gasync_future_or_else (f, record_cb, &rec, record_destroy);
  gasync_test_iterate_until (NULL, &rec.destroyed, 5000);
  g_assert_cmpint (rec.ran, ==, 0);
  g_assert_cmpint (gasync_future_get_int (d, NULL), ==, 11);
}

static void
test_or_else_recovers (void)
{
  g_autoptr(GAsyncFuture) f = gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED, "x");
  g_autoptr(GAsyncFuture) d = gasync_future_or_else (f, recover_cb, GINT_TO_POINTER (77), NULL);

  while (gasync_future_get_state (d) == GASYNC_FUTURE_PENDING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gasync_future_get_int (d, NULL), ==, 77);
}

static void
test_on_settled_both (void)
{
  g_autoptr(GAsyncFuture) ok = gasync_future_new_for_int (1);
  g_autoptr(GAsyncFuture) bad = gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED, "x");
  g_autoptr(GAsyncFuture) d1 = NULL;
  g_autoptr(GAsyncFuture) d2 = NULL;
  Record r1 = { 0 }, r2 = { 0 };

  d1 = gasync_future_on_settled (ok, record_cb, &r1, record_destroy);
  d2 = gasync_future_on_settled (bad, record_cb, &r2, record_destroy);
  gasync_test_iterate_until (NULL, &r1.destroyed, 5000);
  gasync_test_iterate_until (NULL, &r2.destroyed, 5000);
  g_assert_cmpint (r1.ran, ==, 1);
  g_assert_cmpint (r2.ran, ==, 1);
  g_assert_true (r1.resolved_seen);
  g_assert_false (r2.resolved_seen);
  g_assert_cmpint (gasync_future_get_int (d1, NULL), ==, 1);
  g_assert_nonnull (gasync_future_get_error (d2));
}

/* A chain whose steps return pending futures settled later. */
static GAsyncFuture *
chain_step (GAsyncFuture *completed,
            gpointer      user_data)
{
  GAsyncPromise **slot = user_data;

  *slot = gasync_promise_new ();
  /* The continuation's returned reference is what keeps it alive while
   * the test holds a second one to settle it. */
  return GASYNC_FUTURE (g_object_ref (*slot));
}

static void
test_chain_adopts_returned_future (void)
{
  g_autoptr(GAsyncPromise) first = gasync_promise_new ();
  g_autoptr(GAsyncFuture) d = NULL;
  g_autofree char *s = NULL;
  GAsyncPromise *inner = NULL;

  d = gasync_future_and_then (GASYNC_FUTURE (first), chain_step, &inner, NULL);
  gasync_promise_resolve_int (first, 1);
  while (inner == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (gasync_future_get_state (d), ==, GASYNC_FUTURE_PENDING);
  gasync_promise_resolve_string (inner, "adopted");
  while (gasync_future_get_state (d) == GASYNC_FUTURE_PENDING)
    g_main_context_iteration (NULL, TRUE);
  s = gasync_future_dup_string (d, NULL);
  g_assert_cmpstr (s, ==, "adopted");
  g_object_unref (inner);
}

/* A chain of continuations that each return the previous one's future:
 * settling the first settles every link in one call, which recursed once
 * per link and overflowed the stack at about 100,000 links. */
static GAsyncFuture *
return_previous (GAsyncFuture *completed,
                 gpointer      user_data)
{
  return g_object_ref (user_data);
}

static void
test_chain_of_any_length (void)
{
  guint n = gasync_test_under_valgrind () ? 20000 : 300000;
  g_autoptr(GAsyncPromise) first = gasync_promise_new ();
  g_autoptr(GAsyncFuture) ready = gasync_future_new_for_boolean (TRUE);
  g_autoptr(GAsyncFuture) last = g_object_ref (GASYNC_FUTURE (first));

  g_test_summary ("300,000 continuations, each adopting the previous one's "
                  "future, all settle from one resolve in bounded stack");

  for (guint i = 0; i < n; i++)
    {
      GAsyncFuture *link = gasync_future_and_then (ready, return_previous,
                                                   g_steal_pointer (&last), g_object_unref);

      last = link;
    }
  /* Every callback ran: each link now waits on the one before it. */
  gasync_test_iterate_pending (NULL);
  g_assert_cmpint (gasync_future_get_state (last), ==, GASYNC_FUTURE_PENDING);

  gasync_promise_resolve_int (first, 7);
  g_assert_cmpint (gasync_future_get_state (last), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_cmpint (gasync_future_get_int (last, NULL), ==, 7);
}

/* Cross-thread: registered on A's context, completed on B */


static void
test_cross_thread_runs_on_registering_context (void)
{
  GMainContext *ctx = g_main_context_new ();
  g_autoptr(GAsyncFuture) d = NULL;
  Resolver r;
  Record rec = { 0 };
  GThread *thread;

  gasync_test_latch_init (&r.resolved);
  r.promise = gasync_promise_new ();

  g_main_context_push_thread_default (ctx);
  d = gasync_future_and_then (GASYNC_FUTURE (r.promise), record_cb, &rec, record_destroy);
  g_assert_cmpint (gasync_future_get_state (d), ==, GASYNC_FUTURE_PENDING);
  g_main_context_pop_thread_default (ctx);

  thread = g_thread_new ("resolver", resolve_in_thread, &r);
  g_assert_true (gasync_test_latch_wait (&r.resolved, 10000));
  g_thread_join (thread);

  /* Resolved on B; nothing ran there, and nothing runs until A's context
   * is iterated. */
  g_assert_cmpint (g_atomic_int_get (&rec.ran), ==, 0);
  gasync_test_iterate_pending (NULL);   /* the global default context: wrong one */
  g_assert_cmpint (g_atomic_int_get (&rec.ran), ==, 0);

  gasync_test_iterate_until (ctx, &rec.destroyed, 5000);
  g_assert_cmpint (rec.ran, ==, 1);
  g_assert_true (rec.thread == g_thread_self ());
  g_assert_cmpint (rec.value, ==, 123);

  gasync_test_latch_clear (&r.resolved);
  g_main_context_unref (ctx);
}

/* 1,000 futures completed from 4 threads; each continuation dispatches
 * exactly once on the registering context's thread. */

#define N_RESOLVER_THREADS 4

typedef struct
{
  gint     *counts;
  GThread  *owner;
  gint      total;
  gint      wrong_thread;
} Tally;

typedef struct
{
  Tally *tally;
  guint  index;
} TallyItem;

static GAsyncFuture *
tally_cb (GAsyncFuture *completed,
          gpointer      user_data)
{
  TallyItem *item = user_data;

  if (g_thread_self () != item->tally->owner)
    item->tally->wrong_thread++;
  g_assert_cmpint (gasync_future_get_int (completed, NULL), ==, (gint) item->index);
  item->tally->counts[item->index]++;
  item->tally->total++;
  return NULL;
}

typedef struct
{
  GMainContext *ctx;
  guint         n;
  Tally         tally;
  GAsyncPromise **promises;
  GAsyncTestLatch registered;
  GAsyncTestLatch release;
  gint          done;
} ManyOnThread;

static gpointer
context_thread (gpointer data)
{
  ManyOnThread *m = data;
  GAsyncFuture **derived = g_new0 (GAsyncFuture *, m->n);
  TallyItem *items = g_new0 (TallyItem, m->n);

  g_main_context_push_thread_default (m->ctx);
  m->tally.owner = g_thread_self ();
  for (guint i = 0; i < m->n; i++)
    {
      items[i].tally = &m->tally;
      items[i].index = i;
      derived[i] = gasync_future_and_then (GASYNC_FUTURE (m->promises[i]), tally_cb, &items[i], NULL);
    }
  gasync_test_latch_open (&m->registered);

  while (m->tally.total < (gint) m->n)
    g_main_context_iteration (m->ctx, TRUE);

  /* Anything extra would show up here. */
  gasync_test_iterate_pending (m->ctx);
  g_main_context_pop_thread_default (m->ctx);

  for (guint i = 0; i < m->n; i++)
    g_object_unref (derived[i]);
  g_free (derived);
  g_free (items);
  return NULL;
}

static void
test_many_threads_exactly_once (void)
{
  ManyOnThread m = { 0 };
  GAsyncTestBatch batches[N_RESOLVER_THREADS];
  GThread *resolvers[N_RESOLVER_THREADS];
  GThread *owner;

  m.n = gasync_test_size (1000, 100000);
  m.ctx = g_main_context_new ();
  m.promises = g_new0 (GAsyncPromise *, m.n);
  m.tally.counts = g_new0 (gint, m.n);
  gasync_test_latch_init (&m.registered);
  for (guint i = 0; i < m.n; i++)
    m.promises[i] = gasync_promise_new ();

  owner = g_thread_new ("context-owner", context_thread, &m);
  g_assert_true (gasync_test_latch_wait (&m.registered, 30000));

  for (guint t = 0; t < N_RESOLVER_THREADS; t++)
    {
      batches[t] = (GAsyncTestBatch) { m.promises, m.n, t, N_RESOLVER_THREADS };
      resolvers[t] = g_thread_new ("resolver", gasync_test_resolve_batch, &batches[t]);
    }
  for (guint t = 0; t < N_RESOLVER_THREADS; t++)
    g_thread_join (resolvers[t]);
  g_thread_join (owner);

  g_assert_cmpint (m.tally.total, ==, (gint) m.n);
  g_assert_cmpint (m.tally.wrong_thread, ==, 0);
  for (guint i = 0; i < m.n; i++)
    g_assert_cmpint (m.tally.counts[i], ==, 1);

  for (guint i = 0; i < m.n; i++)
    g_object_unref (m.promises[i]);
  g_free (m.promises);
  g_free (m.tally.counts);
  gasync_test_latch_clear (&m.registered);
  g_main_context_unref (m.ctx);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/future/then/not-synchronous", test_then_not_synchronous);
  g_test_add_func ("/future/then/already-resolved", test_then_already_resolved);
  g_test_add_func ("/future/then/skipped-on-rejection", test_then_skipped_on_rejection);
  g_test_add_func ("/future/or-else/skipped-on-resolve", test_or_else_skipped_on_resolve);
  g_test_add_func ("/future/or-else/recovers", test_or_else_recovers);
  g_test_add_func ("/future/on-settled/both", test_on_settled_both);
  g_test_add_func ("/future/then/chain-adopts-returned-future", test_chain_adopts_returned_future);
  g_test_add_func ("/future/then/chain-of-any-length", test_chain_of_any_length);
  g_test_add_func ("/future/context/cross-thread", test_cross_thread_runs_on_registering_context);
  g_test_add_func ("/future/context/many-threads-exactly-once", test_many_threads_exactly_once);

  return g_test_run ();
}
