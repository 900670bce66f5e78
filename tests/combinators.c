/* combinators.c: tests for all, all_settled, any, race, join, timeouts
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"
#include "gasync-future-private.h"

static GAsyncFuture *
fail (const char *message)
{
  return gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
}

static GListModel *
list_of (GAsyncFuture *combined)
{
  g_autoptr(GError) error = NULL;
  GListModel *list = gasync_future_dup_object (combined, &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_LIST_MODEL (list));
  g_assert_true (g_list_model_get_item_type (list) == GASYNC_TYPE_FUTURE);
  return list;
}

/* Settles promises from another thread, in the order given. */
typedef struct
{
  GAsyncPromise **promises;   /* borrowed */
  const gint     *order;      /* index, or -1 - index to reject */
  guint           n;
} Settler;

static gpointer
settle_in_thread (gpointer data)
{
  Settler *s = data;

  for (guint i = 0; i < s->n; i++)
    {
      gint k = s->order[i];

      if (k >= 0)
        gasync_promise_resolve_int (s->promises[k], k * 10);
      else
        gasync_promise_reject (s->promises[-1 - k],
                               g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "input %d failed", -1 - k));
    }
  return NULL;
}

static void
settle_from_thread (GAsyncPromise **promises,
                    const gint     *order,
                    guint           n)
{
  Settler s = { promises, order, n };

  g_thread_join (g_thread_new ("settler", settle_in_thread, &s));
}

/* all */

static void
test_all_resolves_in_order (void)
{
  GAsyncPromise *p[3];
  GAsyncFuture *inputs[3];
  g_autoptr(GAsyncFuture) all = NULL;
  g_autoptr(GListModel) list = NULL;
  const gint order[] = { 2, 0, 1 };

  for (guint i = 0; i < 3; i++)
    inputs[i] = GASYNC_FUTURE (p[i] = gasync_promise_new ());
  all = gasync_future_all (inputs, 3);
  g_assert_cmpint (gasync_future_get_state (all), ==, GASYNC_FUTURE_PENDING);

  settle_from_thread (p, order, 3);
  g_assert_cmpint (gasync_future_get_state (all), ==, GASYNC_FUTURE_RESOLVED);

  /* The inputs themselves, in input order, whatever order they settled. */
  list = list_of (all);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GAsyncFuture) item = g_list_model_get_item (list, i);

      g_assert_true (item == inputs[i]);
      g_assert_cmpint (gasync_future_get_int (item, NULL), ==, (gint) i * 10);
    }

  for (guint i = 0; i < 3; i++)
    g_object_unref (p[i]);
}

static void
test_all_rejects_and_cancels_rest (void)
{
  GAsyncPromise *p[3];
  GAsyncFuture *inputs[3];
  GCancellable *c[3];
  g_autoptr(GAsyncFuture) all = NULL;
  const gint order[] = { -1 - 1 };

  for (guint i = 0; i < 3; i++)
    {
      inputs[i] = GASYNC_FUTURE (p[i] = gasync_promise_new ());
      c[i] = gasync_promise_get_cancellable (p[i]);
    }
  all = gasync_future_all (inputs, 3);

  settle_from_thread (p, order, 1);
  g_assert_error (gasync_future_get_error (all), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (gasync_future_get_error (all)->message, ==, "input 1 failed");

  /* The rest is cancelled, and so is the work behind it. */
  g_assert_error (gasync_future_get_error (inputs[0]), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (gasync_future_get_error (inputs[2]), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (c[0]));
  g_assert_false (g_cancellable_is_cancelled (c[1]));
  g_assert_true (g_cancellable_is_cancelled (c[2]));

  for (guint i = 0; i < 3; i++)
    g_object_unref (p[i]);
}

static void
test_all_libdex_case (void)
{
  g_autoptr(GAsyncPromise) early = gasync_promise_new ();
  g_autoptr(GAsyncPromise) last = gasync_promise_new ();
  g_autoptr(GAsyncFuture) all = NULL;
  g_autoptr(GAsyncFuture) ready_all = NULL;
  g_autoptr(GAsyncFuture) rejected = fail ("early");
  g_autoptr(GAsyncPromise) pending = gasync_promise_new ();
  GAsyncFuture *inputs[2] = { GASYNC_FUTURE (early), GASYNC_FUTURE (last) };
  GAsyncFuture *inputs2[2] = { rejected, GASYNC_FUTURE (pending) };

  g_test_summary ("libdex's all() resolves when an early input rejected but the "
                  "last one resolved; ours must reject");

  /* An early input rejects; the last one resolves afterwards. The last
   * one is cancelled by the rejection; resolving it is then ignored. */
  all = gasync_future_all (inputs, 2);
  gasync_promise_reject_literal (early, G_IO_ERROR, G_IO_ERROR_FAILED, "early");
  gasync_promise_resolve_int (last, 1);
  g_assert_cmpint (gasync_future_get_state (all), ==, GASYNC_FUTURE_REJECTED);
  g_assert_error (gasync_future_get_error (all), G_IO_ERROR, G_IO_ERROR_FAILED);

  /* The same with the rejection already settled when all() is called. */
  ready_all = gasync_future_all (inputs2, 2);
  g_assert_error (gasync_future_get_error (ready_all), G_IO_ERROR, G_IO_ERROR_FAILED);
  gasync_promise_resolve_int (pending, 1);
  g_assert_error (gasync_future_get_error (ready_all), G_IO_ERROR, G_IO_ERROR_FAILED);
}

static void
test_all_reject_comes_last (void)
{
  GAsyncPromise *p[3];
  GAsyncFuture *inputs[3];
  g_autoptr(GAsyncFuture) all = NULL;
  const gint order[] = { 1, 2, -1 - 0 };

  /* Every other input has resolved when the first one rejects: the last
   * input to settle is a rejection, and it must still win. */
  for (guint i = 0; i < 3; i++)
    inputs[i] = GASYNC_FUTURE (p[i] = gasync_promise_new ());
  all = gasync_future_all (inputs, 3);
  settle_from_thread (p, order, 3);
  g_assert_error (gasync_future_get_error (all), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (gasync_future_get_error (all)->message, ==, "input 0 failed");

  for (guint i = 0; i < 3; i++)
    g_object_unref (p[i]);
}

static void
test_all_empty_and_ready (void)
{
  guint n = gasync_test_size (10000, 100000);
  GAsyncFuture **inputs = g_new (GAsyncFuture *, n);
  g_autoptr(GAsyncFuture) empty = gasync_future_all (NULL, 0);
  g_autoptr(GAsyncFuture) all = NULL;
  g_autoptr(GListModel) empty_list = list_of (empty);
  g_autoptr(GListModel) list = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (empty_list), ==, 0);

  for (guint i = 0; i < n; i++)
    inputs[i] = gasync_future_new_for_int ((gint) i);
  all = gasync_future_all (inputs, n);
  list = list_of (all);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GAsyncFuture) item = g_list_model_get_item (list, i);

      g_assert_cmpint (gasync_future_get_int (item, NULL), ==, (gint) i);
    }

  for (guint i = 0; i < n; i++)
    g_object_unref (inputs[i]);
  g_free (inputs);
}

static void
test_all_dropped_input (void)
{
  GAsyncPromise *orphan = gasync_promise_new ();
  g_autoptr(GAsyncPromise) kept = gasync_promise_new ();
  GAsyncFuture *inputs[2] = { GASYNC_FUTURE (orphan), GASYNC_FUTURE (kept) };
  g_autoptr(GAsyncFuture) all = gasync_future_all (inputs, 2);

  /* all() does not keep its inputs alive: the last owner drops one. */
  g_object_unref (orphan);
  g_assert_error (gasync_future_get_error (all), GASYNC_ERROR, GASYNC_ERROR_DROPPED);
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (kept)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_all_cancel_output (void)
{
  g_autoptr(GAsyncPromise) a = gasync_promise_new ();
  g_autoptr(GAsyncFuture) b = gasync_future_new_for_int (1);
  GAsyncFuture *inputs[2] = { GASYNC_FUTURE (a), b };
  g_autoptr(GAsyncFuture) all = gasync_future_all (inputs, 2);
  GCancellable *work = gasync_promise_get_cancellable (a);

  gasync_future_cancel (all);
  g_assert_error (gasync_future_get_error (all), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (work));
  g_assert_cmpint (gasync_future_get_int (b, NULL), ==, 1);
}

/* all_settled, join */

static void
test_all_settled_mixed (void)
{
  GAsyncPromise *p[4];
  GAsyncFuture *inputs[4];
  g_autoptr(GAsyncFuture) settled = NULL;
  g_autoptr(GListModel) list = NULL;
  const gint order[] = { -1 - 3, 1, -1 - 0, 2 };

  for (guint i = 0; i < 4; i++)
    inputs[i] = GASYNC_FUTURE (p[i] = gasync_promise_new ());
  settled = gasync_future_all_settled (inputs, 4);

  settle_from_thread (p, order, 4);
  list = list_of (settled);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GAsyncFuture) item = g_list_model_get_item (list, i);

      g_assert_true (item == inputs[i]);
      if (i == 0 || i == 3)
        g_assert_error (gasync_future_get_error (item), G_IO_ERROR, G_IO_ERROR_FAILED);
      else
        g_assert_cmpint (gasync_future_get_int (item, NULL), ==, (gint) i * 10);
    }

  for (guint i = 0; i < 4; i++)
    g_object_unref (p[i]);
}

static void
test_join (void)
{
  g_autoptr(GAsyncFuture) ok = gasync_future_new_for_int (42);
  g_autoptr(GAsyncFuture) bad = fail ("Something went wrong");
  g_autoptr(GAsyncFuture) both = gasync_join (ok, bad, NULL);
  g_autoptr(GAsyncFuture) none = gasync_future_all_settled (NULL, 0);
  g_autoptr(GListModel) list = list_of (both);
  g_autoptr(GListModel) empty = list_of (none);
  GAsyncFuture *many[20];
  g_autoptr(GAsyncFuture) twenty = NULL;
  g_autoptr(GListModel) twenty_list = NULL;

  /* Like tokio::join!: every result, success or failure. */
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (empty), ==, 0);
  g_assert_cmpint (gasync_future_get_int (ok, NULL), ==, 42);
  g_assert_cmpstr (gasync_future_get_error (bad)->message, ==, "Something went wrong");

  /* More than fit on the stack. */
  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    many[i] = gasync_future_new_for_int ((gint) i);
  twenty = gasync_join (many[0], many[1], many[2], many[3], many[4], many[5], many[6],
                        many[7], many[8], many[9], many[10], many[11], many[12], many[13],
                        many[14], many[15], many[16], many[17], many[18], many[19], NULL);
  twenty_list = list_of (twenty);
  g_assert_cmpuint (g_list_model_get_n_items (twenty_list), ==, 20);
  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    {
      g_autoptr(GAsyncFuture) item = g_list_model_get_item (twenty_list, i);

      g_assert_true (item == many[i]);
      g_object_unref (many[i]);
    }
}

/* any */

static void
test_any_first_resolution (void)
{
  GAsyncPromise *p[3];
  GAsyncFuture *inputs[3];
  g_autoptr(GAsyncFuture) any = NULL;
  const gint order[] = { -1 - 0, 2 };

  for (guint i = 0; i < 3; i++)
    inputs[i] = GASYNC_FUTURE (p[i] = gasync_promise_new ());
  any = gasync_future_any (inputs, 3);

  settle_from_thread (p, order, 2);
  /* A rejection does not decide; the first resolution does, and the rest
   * is cancelled. */
  g_assert_cmpint (gasync_future_get_int (any, NULL), ==, 20);
  g_assert_error (gasync_future_get_error (inputs[1]), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  for (guint i = 0; i < 3; i++)
    g_object_unref (p[i]);
}

static void
test_any_all_fail (void)
{
  GAsyncFuture *inputs[3] = { fail ("one"), fail ("two"), fail ("three") };
  g_autoptr(GAsyncFuture) any = gasync_future_any (inputs, 3);
  g_autoptr(GAsyncFuture) none = gasync_future_any (NULL, 0);
  const GError *error = gasync_future_get_error (any);
  GAsyncFuture *many[12];
  g_autoptr(GAsyncFuture) any_many = NULL;

  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALL_FAILED);
  g_assert_nonnull (strstr (error->message, "one; two; three"));
  /* Each error is still there to inspect. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_error (gasync_future_get_error (inputs[i]), G_IO_ERROR, G_IO_ERROR_FAILED);
      g_object_unref (inputs[i]);
    }
  g_assert_error (gasync_future_get_error (none), GASYNC_ERROR, GASYNC_ERROR_ALL_FAILED);

  /* The message shows the first few. */
  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    many[i] = fail ("x");
  any_many = gasync_future_any (many, G_N_ELEMENTS (many));
  g_assert_nonnull (strstr (gasync_future_get_error (any_many)->message, "and 4 more"));
  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    g_object_unref (many[i]);
}

/* race */

static void
test_race (void)
{
  GAsyncPromise *p[3];
  GAsyncFuture *inputs[3];
  g_autoptr(GAsyncFuture) race = NULL;
  g_autoptr(GAsyncFuture) settled_first = NULL;
  g_autoptr(GAsyncFuture) empty = gasync_future_race (NULL, 0);
  g_autoptr(GAsyncFuture) ready = gasync_future_new_for_int (1);
  g_autoptr(GAsyncFuture) ready2 = fail ("later in the array");
  g_autoptr(GAsyncPromise) slow = gasync_promise_new ();
  GAsyncFuture *mixed[3] = { GASYNC_FUTURE (slow), ready, ready2 };
  const gint order[] = { -1 - 1 };

  for (guint i = 0; i < 3; i++)
    inputs[i] = GASYNC_FUTURE (p[i] = gasync_promise_new ());
  race = gasync_future_race (inputs, 3);
  settle_from_thread (p, order, 1);

  /* A rejection settles a race too; the losers are cancelled. */
  g_assert_error (gasync_future_get_error (race), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_error (gasync_future_get_error (inputs[0]), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (gasync_future_get_error (inputs[2]), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Among those settled already, the first in the array wins. */
  settled_first = gasync_future_race (mixed, 3);
  g_assert_cmpint (gasync_future_get_int (settled_first, NULL), ==, 1);
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (slow)), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_error (gasync_future_get_error (empty), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);

  for (guint i = 0; i < 3; i++)
    g_object_unref (p[i]);
}

/* Many threads settling and cancelling at once */

static void
test_threads_stress (void)
{
  guint rounds = gasync_test_size (200, 2000);

  for (guint round = 0; round < rounds; round++)
    {
      enum { N = 64, THREADS = 4 };
      GAsyncPromise *p[N];
      GAsyncFuture *inputs[N];
      GThread *threads[THREADS];
      GAsyncTestBatch batches[THREADS];
      g_autoptr(GAsyncFuture) all = NULL;
      g_autoptr(GAsyncFuture) race = NULL;
      g_autoptr(GAsyncFuture) any = NULL;
      g_autoptr(GListModel) list = NULL;
      gboolean cancel_race = round % 2 == 0;

      for (guint i = 0; i < N; i++)
        inputs[i] = GASYNC_FUTURE (p[i] = gasync_promise_new ());
      for (guint t = 0; t < THREADS; t++)
        {
          batches[t] = (GAsyncTestBatch) { p, N, t, THREADS };
          threads[t] = g_thread_new ("resolver", gasync_test_resolve_batch, &batches[t]);
        }

      /* Registering while they settle; race and any cancel the losers
       * concurrently with the resolvers (a cancelled promise ignores a
       * later resolve), which all() must then see. */
      all = gasync_future_all (inputs, N);
      if (cancel_race)
        race = gasync_future_race (inputs, N);
      else
        any = gasync_future_any (inputs, N);

      for (guint t = 0; t < THREADS; t++)
        g_thread_join (threads[t]);

      g_assert_cmpint (gasync_future_get_state (all), !=, GASYNC_FUTURE_PENDING);
      if (gasync_future_get_state (all) == GASYNC_FUTURE_RESOLVED)
        {
          list = list_of (all);
          for (guint i = 0; i < N; i++)
            g_assert_cmpint (gasync_future_get_int (inputs[i], NULL), ==, (gint) i);
        }
      else
        g_assert_error (gasync_future_get_error (all), G_IO_ERROR, G_IO_ERROR_CANCELLED);

      if (race != NULL)
        g_assert_cmpint (gasync_future_get_state (race), ==, GASYNC_FUTURE_RESOLVED);
      else
        g_assert_cmpint (gasync_future_get_state (any), ==, GASYNC_FUTURE_RESOLVED);

      for (guint i = 0; i < N; i++)
        g_object_unref (p[i]);
    }
}

/* Continuations on a combined future run on the registering context */

typedef struct
{
  gint     ran;
  GThread *thread;
} Seen;

static GAsyncFuture *
seen_cb (GAsyncFuture *completed,
         gpointer      data)
{
  Seen *seen = data;

  seen->thread = g_thread_self ();
  g_atomic_int_set (&seen->ran, TRUE);
  return NULL;
}

static void
test_context (void)
{
  GAsyncPromise *p[2];
  GAsyncFuture *inputs[2];
  g_autoptr(GAsyncFuture) all = NULL;
  g_autoptr(GAsyncFuture) derived = NULL;
  const gint order[] = { 1, 0 };
  Seen seen = { 0 };

  for (guint i = 0; i < 2; i++)
    inputs[i] = GASYNC_FUTURE (p[i] = gasync_promise_new ());
  all = gasync_future_all (inputs, 2);
  derived = gasync_future_and_then (all, seen_cb, &seen, NULL);

  settle_from_thread (p, order, 2);
  g_assert_cmpint (g_atomic_int_get (&seen.ran), ==, 0);
  gasync_test_iterate_until (NULL, &seen.ran, GASYNC_TEST_TIMEOUT_MS);
  g_assert_true (seen.thread == g_thread_self ());

  for (guint i = 0; i < 2; i++)
    g_object_unref (p[i]);
}

/* Timeouts */

static void
test_timeout_new (void)
{
  g_autoptr(GAsyncFuture) t = gasync_timeout_new (10);
  g_autoptr(GAsyncFuture) cancelled = gasync_timeout_new (60 * 60 * 1000);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  /* Waiting without iterating any context: the timer fires anyway. */
  g_assert_true (gasync_future_wait (t, NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_true (g_value_get_boolean (&value));

  /* Cancelling stops it (and drops the timer's hold on it). */
  gasync_future_cancel (cancelled);
  g_assert_error (gasync_future_get_error (cancelled), G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_timeout_cancel_frees (void)
{
  GAsyncFuture *t = gasync_timeout_new (60 * 60 * 1000);

  g_object_add_weak_pointer (G_OBJECT (t), (gpointer *) &t);
  gasync_future_cancel (t);
  g_object_unref (t);
  /* The timer released it when cancelled, not an hour later. */
  g_assert_null (t);
}

static void
test_with_timeout (void)
{
  g_autoptr(GAsyncPromise) never = gasync_promise_new ();
  g_autoptr(GAsyncPromise) soon = gasync_promise_new ();
  g_autoptr(GAsyncFuture) expires = gasync_future_with_timeout (GASYNC_FUTURE (never), 10);
  g_autoptr(GAsyncFuture) in_time = gasync_future_with_timeout (GASYNC_FUTURE (soon), 60 * 60 * 1000);
  g_autoptr(GAsyncFuture) ready = gasync_future_new_for_int (3);
  g_autoptr(GAsyncFuture) ready_in_time = gasync_future_with_timeout (ready, 0);
  GCancellable *work = gasync_promise_get_cancellable (never);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *s = NULL;

  g_assert_false (gasync_future_wait (expires, NULL, &value, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  /* The work that was too slow is cancelled. */
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (never)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (work));

  gasync_promise_resolve_string (soon, "made it");
  s = gasync_future_dup_string (in_time, NULL);
  g_assert_cmpstr (s, ==, "made it");

  g_assert_cmpint (gasync_future_get_int (ready_in_time, NULL), ==, 3);
}

/* The source of a timed-out gasync_future_with_timeout() is cancelled
 * before the output is seen settled: a waiter that wakes on the timeout
 * (on another thread than the timer's) and at once depends on the source
 * again must find it cancelled, not still pending with a new dependent
 * that keeps it alive forever. Repeated, so that the timer thread and the
 * waiter meet in every order. */
static void
test_with_timeout_cancels_source_first (void)
{
  const guint rounds = g_test_thorough () ? 20000 : 2000;

  g_test_summary ("with_timeout cancels its source before the TIMED_OUT "
                  "output is visible to any thread");

  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr(GAsyncPromise) never = gasync_promise_new ();
      g_autoptr(GAsyncFuture) expires = gasync_future_with_timeout (GASYNC_FUTURE (never), i % 2);
      g_autoptr(GError) error = NULL;

      /* Watch the state as gasync_future_wait()'s fast path does: the
       * first look that finds it settled must find the source cancelled. */
      while (gasync_future_get_state (expires) == GASYNC_FUTURE_PENDING)
        g_thread_yield ();
      g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (never)), ==, GASYNC_FUTURE_REJECTED);
      g_assert_false (gasync_future_wait (expires, NULL, NULL, &error));
      g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
      g_assert_error (gasync_future_get_error (GASYNC_FUTURE (never)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
}

/* Cancellation flows down */

static void
count_cancelled (GCancellable *cancellable,
                 gpointer      data)
{
  g_atomic_int_inc ((gint *) data);
}

static GAsyncPromise *
cancellable_promise (gint *fired)
{
  GAsyncPromise *p = gasync_promise_new ();

  g_cancellable_connect (gasync_promise_get_cancellable (p),
                         G_CALLBACK (count_cancelled), fired, NULL);
  return p;
}

static GAsyncFuture *
pass_through (GAsyncFuture *completed,
              gpointer      user_data)
{
  return NULL;
}

/* Each input is a continuation of a promise (two levels): cancelling the
 * output withdraws from every input, which nothing else depends on, and
 * so on down to the promises' work. */
static void
test_cancel_reaches_sources (gconstpointer data)
{
  GAsyncFuture *(*combinator) (GAsyncFuture **, guint) = data;
  gint fired = 0;
  GAsyncPromise *p[3];
  GAsyncFuture *inputs[3];
  g_autoptr(GAsyncFuture) out = NULL;

  for (guint i = 0; i < 3; i++)
    {
      p[i] = cancellable_promise (&fired);
      inputs[i] = gasync_future_and_then (GASYNC_FUTURE (p[i]), pass_through, NULL, NULL);
    }
  out = combinator (inputs, 3);
  for (guint i = 0; i < 3; i++)
    g_object_unref (inputs[i]);

  gasync_future_cancel (out);
  g_assert_error (gasync_future_get_error (out), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (fired, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_error (gasync_future_get_error (GASYNC_FUTURE (p[i])), G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_object_unref (p[i]);
    }
  gasync_test_iterate_pending (NULL);
}

/* An input that something else depends on keeps running. */
static void
test_cancel_shared_input_keeps_running (void)
{
  gint fired_a = 0, fired_b = 0;
  g_autoptr(GAsyncPromise) a = cancellable_promise (&fired_a);
  g_autoptr(GAsyncPromise) b = cancellable_promise (&fired_b);
  GAsyncFuture *inputs[2] = { GASYNC_FUTURE (a), GASYNC_FUTURE (b) };
  g_autoptr(GAsyncFuture) keeps = gasync_future_and_then (GASYNC_FUTURE (a), pass_through, NULL, NULL);
  g_autoptr(GAsyncFuture) all = gasync_future_all (inputs, 2);

  gasync_future_cancel (all);
  g_assert_cmpint (fired_a, ==, 0);
  g_assert_cmpint (fired_b, ==, 1);
  gasync_promise_resolve_int (a, 4);
  while (gasync_future_get_state (keeps) == GASYNC_FUTURE_PENDING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gasync_future_get_int (keeps, NULL), ==, 4);
}

static void
test_with_timeout_cancelled (void)
{
  gint fired = 0;
  g_autoptr(GAsyncPromise) p = cancellable_promise (&fired);
  GAsyncFuture *step = gasync_future_and_then (GASYNC_FUTURE (p), pass_through, NULL, NULL);
  g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (step, 60 * 60 * 1000);
  g_autoptr(GAsyncPromise) q = gasync_promise_new ();
  GAsyncFuture *t = gasync_timeout_new (60 * 60 * 1000);
  GAsyncFuture *pair[2] = { GASYNC_FUTURE (q), t };
  g_autoptr(GAsyncFuture) raced = NULL;

  g_object_unref (step);
  gasync_future_cancel (bounded);
  g_assert_error (gasync_future_get_error (bounded), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The source, two levels down, is cancelled. */
  g_assert_cmpint (fired, ==, 1);

  /* A timer raced and withdrawn from is cancelled and its GSource
   * removed: the timer then releases the future at once. */
  raced = gasync_future_race (pair, 2);
  g_object_add_weak_pointer (G_OBJECT (t), (gpointer *) &t);
  g_object_unref (t);
  g_assert_nonnull (t);
  gasync_future_cancel (raced);
  g_assert_null (t);
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (q)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gasync_test_iterate_pending (NULL);
}

static void
test_timeout_cancel_rejects (void)
{
  g_autoptr(GAsyncFuture) t = gasync_timeout_new (60 * 60 * 1000);

  gasync_future_cancel (t);
  g_assert_error (gasync_future_get_error (t), G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Futures of cancellables */

/* NULL: a future that only gasync_future_cancel() settles. */
static void
test_cancellable_future_null (void)
{
  g_autoptr(GAsyncFuture) never = gasync_future_new_for_cancellable (NULL);
  g_autoptr(GAsyncFuture) other = gasync_future_new_for_cancellable (NULL);
  gint fired = 0;
  g_autoptr(GAsyncPromise) work = cancellable_promise (&fired);
  GAsyncFuture *pair[2] = { GASYNC_FUTURE (work), other };
  g_autoptr(GAsyncFuture) raced = gasync_future_race (pair, 2);

  g_assert_cmpint (gasync_future_get_state (never), ==, GASYNC_FUTURE_PENDING);
  gasync_future_cancel (never);
  g_assert_error (gasync_future_get_error (never), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* As a cancel button: cancelling the race cancels both. */
  gasync_future_cancel (raced);
  g_assert_error (gasync_future_get_error (other), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (fired, ==, 1);
}

static void
test_cancellable_future (void)
{
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_autoptr(GCancellable) already = g_cancellable_new ();
  g_autoptr(GAsyncFuture) f = gasync_future_new_for_cancellable (c);
  g_autoptr(GAsyncFuture) g = NULL;

  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_PENDING);
  g_cancellable_cancel (c);
  g_assert_error (gasync_future_get_error (f), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_cancellable_cancel (already);
  g = gasync_future_new_for_cancellable (already);
  g_assert_error (gasync_future_get_error (g), G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_cancellable_future_released (void)
{
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_autoptr(GAsyncFuture) work = gasync_future_new_for_int (1);
  GAsyncFuture *stop = gasync_future_new_for_cancellable (c);
  GAsyncFuture *pair[2] = { work, stop };
  g_autoptr(GAsyncFuture) race = NULL;

  g_object_add_weak_pointer (G_OBJECT (stop), (gpointer *) &stop);
  race = gasync_future_race (pair, 2);
  g_object_unref (stop);

  /* The work won; the loser was cancelled, which disconnected it from the
   * cancellable, which released it. */
  g_assert_cmpint (gasync_future_get_int (race, NULL), ==, 1);
  g_assert_null (stop);
  g_cancellable_cancel (c);
}

static void
test_cancellable_future_same_emission (void)
{
  g_autoptr(GCancellable) c = g_cancellable_new ();
  GAsyncFuture *pair[2];
  g_autoptr(GAsyncFuture) race = NULL;

  /* Both watch c: the first handler settles the race, which cancels the
   * second from inside c's own emission; that must not deadlock. */
  pair[0] = gasync_future_new_for_cancellable (c);
  pair[1] = gasync_future_new_for_cancellable (c);
  race = gasync_future_race (pair, 2);
  g_cancellable_cancel (c);
  g_assert_error (gasync_future_get_error (race), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (pair[0]);
  g_object_unref (pair[1]);
}

/* Preconditions */

static void
test_preconditions (void)
{
  g_autoptr(GAsyncFuture) ok = gasync_future_new_for_int (1);
  GAsyncFuture *bad[2] = { ok, NULL };
  g_autoptr(GAsyncFuture) f = NULL;

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*futures_are_valid*");
  f = gasync_future_all (bad, 2);
  g_test_assert_expected_messages ();
  g_assert_error (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_clear_object (&f);

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*futures_are_valid*");
  f = gasync_future_race (NULL, 3);
  g_test_assert_expected_messages ();
  g_assert_error (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_clear_object (&f);

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*G_IS_CANCELLABLE*");
  f = gasync_future_new_for_cancellable ((GCancellable *) ok);
  g_test_assert_expected_messages ();
  g_assert_error (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Combinators: all, all_settled, any, race, join, timeouts and "
                  "cancellable futures; errors, cancellation of the rest, threads");

  g_test_add_func ("/combinators/all/resolves-in-order", test_all_resolves_in_order);
  g_test_add_func ("/combinators/all/rejects-and-cancels-rest", test_all_rejects_and_cancels_rest);
  g_test_add_func ("/combinators/all/early-reject-late-resolve", test_all_libdex_case);
  g_test_add_func ("/combinators/all/reject-comes-last", test_all_reject_comes_last);
  g_test_add_func ("/combinators/all/empty-and-ready", test_all_empty_and_ready);
  g_test_add_func ("/combinators/all/dropped-input", test_all_dropped_input);
  g_test_add_func ("/combinators/all/cancel-output", test_all_cancel_output);
  g_test_add_func ("/combinators/all-settled/mixed", test_all_settled_mixed);
  g_test_add_func ("/combinators/join/varargs", test_join);
  g_test_add_func ("/combinators/any/first-resolution", test_any_first_resolution);
  g_test_add_func ("/combinators/any/all-fail", test_any_all_fail);
  g_test_add_func ("/combinators/race/first-settled", test_race);
  g_test_add_func ("/combinators/threads/stress", test_threads_stress);
  g_test_add_func ("/combinators/context/registering", test_context);
  g_test_add_func ("/combinators/timeout/new", test_timeout_new);
  g_test_add_func ("/combinators/timeout/cancel-frees", test_timeout_cancel_frees);
  g_test_add_func ("/combinators/timeout/with-timeout", test_with_timeout);
  g_test_add_func ("/combinators/timeout/cancels-source-first", test_with_timeout_cancels_source_first);
  g_test_add_func ("/combinators/cancellable/fires", test_cancellable_future);
  g_test_add_func ("/combinators/cancellable/released-when-settled", test_cancellable_future_released);
  g_test_add_func ("/combinators/cancellable/same-emission", test_cancellable_future_same_emission);
  g_test_add_func ("/combinators/cancellable/null", test_cancellable_future_null);
  g_test_add_data_func ("/combinators/cancel/all-reaches-sources", gasync_future_all, test_cancel_reaches_sources);
  g_test_add_data_func ("/combinators/cancel/all-settled-reaches-sources", gasync_future_all_settled, test_cancel_reaches_sources);
  g_test_add_data_func ("/combinators/cancel/any-reaches-sources", gasync_future_any, test_cancel_reaches_sources);
  g_test_add_data_func ("/combinators/cancel/race-reaches-sources", gasync_future_race, test_cancel_reaches_sources);
  g_test_add_func ("/combinators/cancel/shared-input-keeps-running", test_cancel_shared_input_keeps_running);
  g_test_add_func ("/combinators/timeout/with-timeout-cancelled", test_with_timeout_cancelled);
  g_test_add_func ("/combinators/timeout/cancel-rejects", test_timeout_cancel_rejects);
  g_test_add_func ("/combinators/preconditions", test_preconditions);

  return g_test_run ();
}
