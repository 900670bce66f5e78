/* limiter.c: tests for GAsyncLimiter
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"

#define STATE(f) gasync_future_get_state (GASYNC_FUTURE (f))

static void
test_acquire_free_permits (void)
{
  g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (2);
  g_autoptr(GAsyncFuture) a = NULL;
  g_autoptr(GAsyncFuture) b = NULL;
  g_autoptr(GAsyncFuture) c = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (gasync_limiter_get_permits (limiter), ==, 2);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 2);

  /* Free permit, nobody waiting: already resolved. */
  a = gasync_limiter_acquire (limiter);
  b = gasync_limiter_acquire (limiter);
  g_assert_cmpint (STATE (a), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_cmpint (STATE (b), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_true (gasync_future_get_boolean (a, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 0);

  c = gasync_limiter_acquire (limiter);
  g_assert_cmpint (STATE (c), ==, GASYNC_FUTURE_PENDING);

  gasync_limiter_release (limiter);
  g_assert_cmpint (STATE (c), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 0);

  gasync_limiter_release (limiter);
  gasync_limiter_release (limiter);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 2);
}

static void
test_acquire_fifo (void)
{
  g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (1);
  g_autoptr(GAsyncFuture) held = gasync_limiter_acquire (limiter);
  GAsyncFuture *waiters[10];
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (waiters); i++)
    waiters[i] = gasync_limiter_acquire (limiter);

  for (i = 0; i < G_N_ELEMENTS (waiters); i++)
    {
      gasync_limiter_release (limiter);
      for (j = 0; j < G_N_ELEMENTS (waiters); j++)
        g_assert_cmpint (STATE (waiters[j]), ==,
                         j <= i ? GASYNC_FUTURE_RESOLVED : GASYNC_FUTURE_PENDING);
      /* A newcomer never jumps the queue, even right after a release. */
      g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 0);
    }

  gasync_limiter_release (limiter);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 1);
  for (i = 0; i < G_N_ELEMENTS (waiters); i++)
    g_object_unref (waiters[i]);
}

static void
test_cancel_gives_place_up (void)
{
  g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (1);
  g_autoptr(GAsyncFuture) held = gasync_limiter_acquire (limiter);
  g_autoptr(GAsyncFuture) first = gasync_limiter_acquire (limiter);
  g_autoptr(GAsyncFuture) second = gasync_limiter_acquire (limiter);
  g_autoptr(GError) error = NULL;

  gasync_future_cancel (first);
  g_assert_cmpint (STATE (first), ==, GASYNC_FUTURE_REJECTED);
  g_assert_false (gasync_future_get_boolean (first, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The permit skips the cancelled acquire. */
  gasync_limiter_release (limiter);
  g_assert_cmpint (STATE (second), ==, GASYNC_FUTURE_RESOLVED);
  gasync_limiter_release (limiter);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 1);
}

static void
test_cancel_after_grant_keeps_permit (void)
{
  g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (1);
  g_autoptr(GAsyncFuture) held = gasync_limiter_acquire (limiter);
  g_autoptr(GAsyncFuture) waiter = gasync_limiter_acquire (limiter);

  gasync_limiter_release (limiter);
  g_assert_cmpint (STATE (waiter), ==, GASYNC_FUTURE_RESOLVED);

  /* Too late: the permit arrived first and stays with the waiter. */
  gasync_future_cancel (waiter);
  g_assert_cmpint (STATE (waiter), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 0);
  gasync_limiter_release (limiter);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 1);
}

static void
test_dropped_acquire_gives_place_up (void)
{
  g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (1);
  g_autoptr(GAsyncFuture) held = gasync_limiter_acquire (limiter);
  GAsyncFuture *dropped = gasync_limiter_acquire (limiter);
  g_autoptr(GAsyncFuture) next = gasync_limiter_acquire (limiter);

  g_object_unref (dropped);
  gasync_limiter_release (limiter);
  g_assert_cmpint (STATE (next), ==, GASYNC_FUTURE_RESOLVED);

  /* Only dropped acquires left: the permit goes back. */
  dropped = gasync_limiter_acquire (limiter);
  g_object_unref (dropped);
  gasync_limiter_release (limiter);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 1);
}

static void
test_many_given_up (void)
{
  g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (1);
  g_autoptr(GAsyncFuture) held = gasync_limiter_acquire (limiter);
  g_autoptr(GAsyncFuture) live = NULL;
  guint i;

  /* Enough to sweep the queue several times on the way. */
  for (i = 0; i < 1000; i++)
    {
      GAsyncFuture *f = gasync_limiter_acquire (limiter);

      if (i % 2 == 0)
        gasync_future_cancel (f);
      g_object_unref (f);
    }
  live = gasync_limiter_acquire (limiter);
  gasync_limiter_release (limiter);
  g_assert_cmpint (STATE (live), ==, GASYNC_FUTURE_RESOLVED);
  gasync_limiter_release (limiter);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 1);
}

static void
test_dropped_limiter_rejects_waiters (void)
{
  GAsyncLimiter *limiter = gasync_limiter_new (1);
  g_autoptr(GAsyncFuture) held = gasync_limiter_acquire (limiter);
  g_autoptr(GAsyncFuture) waiter = gasync_limiter_acquire (limiter);
  g_autoptr(GError) error = NULL;

  g_object_unref (limiter);
  g_assert_false (gasync_future_get_boolean (waiter, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_DROPPED);
}

/* try_acquire takes a free permit without a future, and never jumps the
 * queue of waiting acquires. */
static void
test_try_acquire (void)
{
  g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (2);
  g_autoptr(GAsyncFuture) waiter = NULL;

  g_assert_true (gasync_limiter_try_acquire (limiter));
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 1);
  g_assert_true (gasync_limiter_try_acquire (limiter));
  g_assert_false (gasync_limiter_try_acquire (limiter));
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 0);

  /* A waiter gets the next permit; try_acquire does not take it first. */
  waiter = gasync_limiter_acquire (limiter);
  g_assert_cmpint (gasync_future_get_state (waiter), ==, GASYNC_FUTURE_PENDING);
  gasync_limiter_release (limiter);
  g_assert_cmpint (gasync_future_get_state (waiter), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_false (gasync_limiter_try_acquire (limiter));

  gasync_limiter_release (limiter);
  gasync_limiter_release (limiter);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 2);
}

static void
test_preconditions (void)
{
  g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (1);
  GAsyncLimiter *none;
  GAsyncFuture *f;

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*permits > 0*");
  none = gasync_limiter_new (0);
  g_test_assert_expected_messages ();
  g_assert_null (none);

  /* Every permit is free: an extra release is refused, never counted. */
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*released more often than it was acquired*");
  gasync_limiter_release (limiter);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 1);

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_LIMITER*");
  f = gasync_limiter_acquire (NULL);
  g_test_assert_expected_messages ();
  g_assert_null (f);

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  f = gasync_limiter_run (limiter, NULL, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_null (f);
}

/* run() */

typedef struct
{
  GAsyncLimiter *limiter;
  GAsyncPromise *promise;      /* the work's, handed out by work() */
  GCancellable  *cancellable;  /* what work() was given */
  guint          available_inside;
  gint           n_calls;
  gint           n_destroyed;
  gboolean       in_release;
} RunFixture;

static GAsyncFuture *
work (GCancellable *cancellable,
      gpointer      user_data)
{
  RunFixture *fx = user_data;

  g_assert_false (fx->in_release);
  g_assert_true (g_main_context_get_thread_default () == NULL ||
                 g_main_context_get_thread_default () == g_main_context_default ());
  fx->n_calls++;
  fx->available_inside = gasync_limiter_get_available (fx->limiter);
  fx->cancellable = g_object_ref (cancellable);
  fx->promise = gasync_promise_new ();
  return g_object_ref (GASYNC_FUTURE (fx->promise));
}

static void
work_destroyed (gpointer user_data)
{
  RunFixture *fx = user_data;

  fx->n_destroyed++;
}

static void
run_fixture_clear (RunFixture *fx)
{
  g_clear_object (&fx->promise);
  g_clear_object (&fx->cancellable);
  g_clear_object (&fx->limiter);
}

static void
test_run_releases_on_resolve (void)
{
  RunFixture fx = { gasync_limiter_new (1), };
  g_autoptr(GAsyncFuture) run = NULL;
  g_autoptr(GError) error = NULL;

  run = gasync_limiter_run (fx.limiter, work, &fx, work_destroyed);
  gasync_test_iterate_until (NULL, &fx.n_calls, 5000);
  g_assert_cmpint (fx.n_destroyed, ==, 1);
  g_assert_cmpuint (fx.available_inside, ==, 0);
  g_assert_cmpint (STATE (run), ==, GASYNC_FUTURE_PENDING);

  gasync_promise_resolve_int (fx.promise, 42);
  gasync_test_settle (run);
  g_assert_cmpint (gasync_future_get_int (run, &error), ==, 42);
  g_assert_no_error (error);
  g_assert_cmpuint (gasync_limiter_get_available (fx.limiter), ==, 1);
  g_assert_cmpint (fx.n_calls, ==, 1);
  run_fixture_clear (&fx);
}

static void
test_run_releases_on_reject (void)
{
  RunFixture fx = { gasync_limiter_new (1), };
  g_autoptr(GAsyncFuture) run = NULL;
  g_autoptr(GError) error = NULL;

  run = gasync_limiter_run (fx.limiter, work, &fx, work_destroyed);
  gasync_test_iterate_until (NULL, &fx.n_calls, 5000);
  gasync_promise_reject_literal (fx.promise, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  gasync_test_settle (run);
  g_assert_false (gasync_future_get_boolean (run, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (gasync_limiter_get_available (fx.limiter), ==, 1);
  g_assert_cmpint (fx.n_destroyed, ==, 1);
  run_fixture_clear (&fx);
}

static void
test_run_waits_for_permit (void)
{
  RunFixture fx = { gasync_limiter_new (1), };
  g_autoptr(GAsyncFuture) held = gasync_limiter_acquire (fx.limiter);
  g_autoptr(GAsyncFuture) run = NULL;

  run = gasync_limiter_run (fx.limiter, work, &fx, work_destroyed);
  gasync_test_iterate_pending (NULL);
  g_assert_cmpint (fx.n_calls, ==, 0);

  /* The function is dispatched, never called inside the release. */
  fx.in_release = TRUE;
  gasync_limiter_release (fx.limiter);
  fx.in_release = FALSE;
  g_assert_cmpint (fx.n_calls, ==, 0);
  gasync_test_iterate_until (NULL, &fx.n_calls, 5000);

  gasync_promise_resolve_boolean (fx.promise, TRUE);
  gasync_test_settle (run);
  g_assert_cmpuint (gasync_limiter_get_available (fx.limiter), ==, 1);
  run_fixture_clear (&fx);
}

static void
test_run_cancel_before_call (void)
{
  RunFixture fx = { gasync_limiter_new (1), };
  g_autoptr(GAsyncFuture) held = gasync_limiter_acquire (fx.limiter);
  g_autoptr(GAsyncFuture) run = NULL;
  g_autoptr(GAsyncFuture) next = NULL;
  g_autoptr(GError) error = NULL;

  run = gasync_limiter_run (fx.limiter, work, &fx, work_destroyed);
  next = gasync_limiter_acquire (fx.limiter);
  gasync_future_cancel (run);
  g_assert_false (gasync_future_get_boolean (run, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Its place is given up: the next acquire gets the permit. */
  gasync_limiter_release (fx.limiter);
  g_assert_cmpint (STATE (next), ==, GASYNC_FUTURE_RESOLVED);
  gasync_test_iterate_until (NULL, &fx.n_destroyed, 5000);
  g_assert_cmpint (fx.n_calls, ==, 0);
  gasync_limiter_release (fx.limiter);
  g_assert_cmpuint (gasync_limiter_get_available (fx.limiter), ==, 1);
  run_fixture_clear (&fx);
}

static void
test_run_cancel_after_call (void)
{
  RunFixture fx = { gasync_limiter_new (1), };
  g_autoptr(GAsyncFuture) run = NULL;
  g_autoptr(GError) error = NULL;

  run = gasync_limiter_run (fx.limiter, work, &fx, work_destroyed);
  gasync_test_iterate_until (NULL, &fx.n_calls, 5000);
  g_assert_cmpuint (gasync_limiter_get_available (fx.limiter), ==, 0);
  gasync_future_cancel (run);
  g_assert_true (g_cancellable_is_cancelled (fx.cancellable));
  g_assert_cmpint (STATE (fx.promise), ==, GASYNC_FUTURE_REJECTED);
  /* The permit is back as the function's future settled, before the run's
   * own future settles on this context. */
  g_assert_cmpuint (gasync_limiter_get_available (fx.limiter), ==, 1);
  gasync_test_settle (run);
  g_assert_false (gasync_future_get_boolean (run, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (fx.n_calls, ==, 1);
  run_fixture_clear (&fx);
}

static GAsyncFuture *
return_nothing (GCancellable *cancellable,
                gpointer      user_data)
{
  gint *n_calls = user_data;

  g_atomic_int_inc (n_calls);
  return NULL;
}

/* A run cancelled from another thread just as its permit arrives on this
 * context: whichever wins, the run settles once (with the function's value
 * or CANCELLED), the function runs at most once, its data is freed once,
 * and the permit is back. Under ThreadSanitizer this also checks that
 * freeing the run does not race with the cancel handler still reading it
 * on the other thread (bounded-reader's deadline found that). */

typedef struct
{
  GAsyncFuture    *run;
  GAsyncTestLatch  go;
} RacingCancel;

static gpointer
cancel_when_told (gpointer data)
{
  RacingCancel *rc = data;

  g_assert_true (gasync_test_latch_wait (&rc->go, 30000));
  gasync_future_cancel (rc->run);
  return NULL;
}

static GAsyncFuture *
count_and_resolve (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_atomic_int_inc ((gint *) user_data);
  return gasync_future_new_for_int (7);
}

static void
count_destroyed (gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data + 1);
}

static void
test_run_cancel_from_thread_as_permit_arrives (void)
{
  guint rounds = gasync_test_size (300, 3000);

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (1);
      g_autoptr(GAsyncFuture) held = gasync_limiter_acquire (limiter);
      gint counts[2] = { 0, 0 };   /* calls, destroys */
      RacingCancel rc;
      GThread *thread;

      gasync_test_latch_init (&rc.go);
      rc.run = gasync_limiter_run (limiter, count_and_resolve, counts, count_destroyed);
      thread = g_thread_new ("canceller", cancel_when_told, &rc);

      gasync_test_latch_open (&rc.go);
      gasync_limiter_release (limiter);
      gasync_test_settle (rc.run);
      g_thread_join (thread);

      if (gasync_future_get_state (rc.run) == GASYNC_FUTURE_RESOLVED)
        {
          g_assert_cmpint (gasync_future_get_int (rc.run, NULL), ==, 7);
          g_assert_cmpint (g_atomic_int_get (&counts[0]), ==, 1);
        }
      else
        {
          g_autoptr(GError) error = NULL;

          g_assert_false (gasync_future_get_boolean (rc.run, &error));
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_cmpint (g_atomic_int_get (&counts[0]), <=, 1);
        }
      gasync_test_iterate_until (NULL, &counts[1], 5000);
      g_assert_cmpint (g_atomic_int_get (&counts[1]), ==, 1);
      g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 1);

      g_object_unref (rc.run);
      gasync_test_latch_clear (&rc.go);
    }
}

static void
test_run_bad_function (void)
{
  g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (1);
  g_autoptr(GAsyncFuture) run = NULL;
  g_autoptr(GError) error = NULL;
  gint n_calls = 0;

  run = gasync_limiter_run (limiter, return_nothing, &n_calls, NULL);
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*did not return a GAsyncFuture*");
  gasync_test_iterate_until (NULL, &n_calls, 5000);
  g_test_assert_expected_messages ();
  gasync_test_settle (run);
  g_assert_false (gasync_future_get_boolean (run, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (gasync_limiter_get_available (limiter), ==, 1);
}

/* Stress: never more holders than permits, nothing lost */

typedef struct
{
  GAsyncLimiter *limiter;
  guint          permits;
  guint          n_rounds;
  gint           holders;      /* atomic */
  gint           max_holders;  /* atomic */
  gint           n_held;       /* atomic */
  gint           n_given_up;   /* atomic */
} Storm;

static void
storm_hold (Storm *storm)
{
  gint now = g_atomic_int_add (&storm->holders, 1) + 1;
  gint max = g_atomic_int_get (&storm->max_holders);

  g_assert_cmpint (now, <=, (gint) storm->permits);
  while (now > max && !g_atomic_int_compare_and_exchange (&storm->max_holders, max, now))
    max = g_atomic_int_get (&storm->max_holders);
  g_atomic_int_inc (&storm->n_held);
  /* Hold it a moment, so that the others queue up behind. */
  g_thread_yield ();
  g_atomic_int_add (&storm->holders, -1);
  gasync_limiter_release (storm->limiter);
}

static gpointer
storm_thread (gpointer data)
{
  Storm *storm = data;
  GRand *rand = g_rand_new ();
  guint i;

  for (i = 0; i < storm->n_rounds; i++)
    {
      GAsyncFuture *f;
      GValue value = G_VALUE_INIT;
      GError *error = NULL;

      /* Half the time, the future-free fast path first. */
      if (g_rand_boolean (rand) && gasync_limiter_try_acquire (storm->limiter))
        {
          storm_hold (storm);
          continue;
        }
      f = gasync_limiter_acquire (storm->limiter);

      /* Cancel a waiting acquire now and then: it may lose the race with
       * a permit handed over at this very moment, and then holds it. */
      if (g_rand_int_range (rand, 0, 4) == 0)
        gasync_future_cancel (f);
      if (gasync_future_wait (f, NULL, &value, &error))
        {
          g_value_unset (&value);
          storm_hold (storm);
        }
      else
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_clear_error (&error);
          g_atomic_int_inc (&storm->n_given_up);
        }
      g_object_unref (f);
    }
  g_rand_free (rand);
  return NULL;
}

static void
test_stress_never_over_permits (void)
{
  Storm storm = { 0, };
  GThread *threads[4];
  guint i;

  storm.permits = 2;
  storm.limiter = gasync_limiter_new (storm.permits);
  storm.n_rounds = gasync_test_size (20000, 500000);

  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("limiter-storm", storm_thread, &storm);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_test_message ("held %d, given up %d, most holders at once %d",
                  storm.n_held, storm.n_given_up, storm.max_holders);
  g_assert_cmpint (storm.n_held + storm.n_given_up, ==, (gint) (4 * storm.n_rounds));
  g_assert_cmpint (storm.max_holders, <=, (gint) storm.permits);
  g_assert_cmpint (storm.holders, ==, 0);
  /* Nothing lost, nothing doubled. */
  g_assert_cmpuint (gasync_limiter_get_available (storm.limiter), ==, storm.permits);
  g_object_unref (storm.limiter);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("GAsyncLimiter: free permits, FIFO waiting, giving up a "
                  "wait by cancel or drop, run(), and a multi-threaded storm");

  g_test_add_func ("/limiter/acquire/free-permits", test_acquire_free_permits);
  g_test_add_func ("/limiter/acquire/fifo", test_acquire_fifo);
  g_test_add_func ("/limiter/acquire/cancel-gives-place-up", test_cancel_gives_place_up);
  g_test_add_func ("/limiter/acquire/cancel-after-grant", test_cancel_after_grant_keeps_permit);
  g_test_add_func ("/limiter/acquire/dropped-gives-place-up", test_dropped_acquire_gives_place_up);
  g_test_add_func ("/limiter/acquire/many-given-up", test_many_given_up);
  g_test_add_func ("/limiter/dropped-limiter-rejects-waiters", test_dropped_limiter_rejects_waiters);
  g_test_add_func ("/limiter/acquire/try", test_try_acquire);
  g_test_add_func ("/limiter/preconditions", test_preconditions);
  g_test_add_func ("/limiter/run/releases-on-resolve", test_run_releases_on_resolve);
  g_test_add_func ("/limiter/run/releases-on-reject", test_run_releases_on_reject);
  g_test_add_func ("/limiter/run/waits-for-permit", test_run_waits_for_permit);
  g_test_add_func ("/limiter/run/cancel-before-call", test_run_cancel_before_call);
  g_test_add_func ("/limiter/run/cancel-after-call", test_run_cancel_after_call);
  g_test_add_func ("/limiter/run/cancel-from-thread-as-permit-arrives",
                   test_run_cancel_from_thread_as_permit_arrives);
  g_test_add_func ("/limiter/run/bad-function", test_run_bad_function);
  g_test_add_func ("/limiter/stress/never-over-permits", test_stress_never_over_permits);

  return g_test_run ();
}
