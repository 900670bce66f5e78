/* task-group.c: tests for GAsyncTaskGroup
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"

/* Helpers */

/* Waits for @future (blocking, iterating nothing) and returns the member
 * future a next() resolved with, or NULL (with @error set). */
static GAsyncFuture *
wait_member (GAsyncFuture  *next,
             GError       **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  if (!gasync_future_wait (next, NULL, &value, error))
    return NULL;
  g_assert_true (G_VALUE_HOLDS (&value, G_TYPE_OBJECT));
  g_assert_true (GASYNC_IS_FUTURE (g_value_get_object (&value)));
  return g_value_dup_object (&value);
}

/* The member a next() call resolves with, which must be @expected. */
static void
assert_next_is (GAsyncTaskGroup *group,
                gpointer         expected)
{
  g_autoptr(GAsyncFuture) next = gasync_task_group_next (group);
  g_autoptr(GAsyncFuture) member = NULL;
  g_autoptr(GError) error = NULL;

  member = wait_member (next, &error);
  g_assert_no_error (error);
  g_assert_true (member == expected);
}

static void
assert_rejects (GAsyncFuture *future,
                GQuark        domain,
                gint          code)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_false (gasync_future_wait (future, NULL, &value, &error));
  g_assert_error (error, domain, code);
}

static void
assert_resolved_true (GAsyncFuture *future)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_future_wait (future, NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_true (g_value_get_boolean (&value));
}

static gboolean
is_pending (GAsyncFuture *future)
{
  return gasync_future_get_state (future) == GASYNC_FUTURE_PENDING;
}

static GAsyncFuture *
int_future (gint v)
{
  return gasync_future_new_for_int (v);
}

static GAsyncFuture *
return_int_task (GCancellable *cancellable,
                 gpointer      data)
{
  return int_future (GPOINTER_TO_INT (data));
}

static gboolean
return_int_blocking (GCancellable  *cancellable,
                     GValue        *result,
                     gpointer       data,
                     GError       **error)
{
  g_value_init (result, G_TYPE_INT);
  g_value_set_int (result, GPOINTER_TO_INT (data));
  return TRUE;
}

static void
count_cancelled (GCancellable *cancellable,
                 gpointer      data)
{
  g_atomic_int_inc ((gint *) data);
}

/* Counts the cancellation of @promise's cancellable in @counter. */
static void
watch_cancel (GAsyncPromise *promise,
              gint          *counter)
{
  g_cancellable_connect (gasync_promise_get_cancellable (promise),
                         G_CALLBACK (count_cancelled), counter, NULL);
}

/* A blocking member that returns only once its cancellable is cancelled:
 * proves that cancelling the member reached the work. */
typedef struct
{
  GAsyncTestLatch started;
  GAsyncTestLatch finished;
  gint            cancelled;   /* atomic */
} Blocker;

static void
blocker_init (Blocker *b)
{
  gasync_test_latch_init (&b->started);
  gasync_test_latch_init (&b->finished);
  b->cancelled = 0;
}

static void
blocker_clear (Blocker *b)
{
  g_assert_true (gasync_test_latch_wait (&b->finished, GASYNC_TEST_TIMEOUT_MS));
  gasync_test_latch_clear (&b->started);
  gasync_test_latch_clear (&b->finished);
}

static void
blocker_on_cancel (GCancellable *cancellable,
                   gpointer      data)
{
  Blocker *b = data;

  g_atomic_int_set (&b->cancelled, 1);
  gasync_test_latch_open (&b->started);   /* also wakes a wait below */
}

static gboolean
blocker_run (GCancellable  *cancellable,
             GValue        *result,
             gpointer       data,
             GError       **error)
{
  Blocker *b = data;
  gulong id = g_cancellable_connect (cancellable, G_CALLBACK (blocker_on_cancel), b, NULL);

  gasync_test_latch_open (&b->started);
  while (!g_atomic_int_get (&b->cancelled))
    g_assert_true (gasync_test_latch_wait (&b->started, GASYNC_TEST_TIMEOUT_MS));
  g_cancellable_disconnect (cancellable, id);
  gasync_test_latch_open (&b->finished);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* next() */

static void
test_next_completion_order (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  GAsyncPromise *p[5];
  const guint order[] = { 3, 1, 4, 0, 2 };

  g_test_summary ("next() hands members out in the order they settle, not the order they were added");

  for (guint i = 0; i < G_N_ELEMENTS (p); i++)
    {
      p[i] = gasync_promise_new ();
      gasync_task_group_add (group, GASYNC_FUTURE (p[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    gasync_promise_resolve_int (p[order[i]], (gint) order[i]);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    assert_next_is (group, p[order[i]]);

  for (guint i = 0; i < G_N_ELEMENTS (p); i++)
    g_object_unref (p[i]);
}

static void
test_next_waiting_calls_fifo (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  GAsyncPromise *p[3];
  GAsyncFuture *next[3];

  g_test_summary ("Several next() calls waiting at once are each served one distinct member, "
                  "in the order the calls were made");

  for (guint i = 0; i < 3; i++)
    next[i] = gasync_task_group_next (group);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (is_pending (next[i]));
      p[i] = gasync_promise_new ();
      gasync_task_group_add (group, GASYNC_FUTURE (p[i]));
    }
  gasync_promise_resolve_int (p[2], 2);
  g_assert_false (is_pending (next[0]));
  g_assert_true (is_pending (next[1]));
  gasync_promise_reject_literal (p[0], G_IO_ERROR, G_IO_ERROR_FAILED, "zero");
  gasync_promise_resolve_int (p[1], 1);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GAsyncFuture) member = gasync_future_dup_object (next[i], NULL);
      const guint expected[] = { 2, 0, 1 };

      g_assert_true (member == GASYNC_FUTURE (p[expected[i]]));
      g_object_unref (next[i]);
      g_object_unref (p[i]);
    }
}

static void
test_next_withdrawn (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GAsyncFuture) first = gasync_task_group_next (group);
  g_autoptr(GAsyncFuture) second = gasync_task_group_next (group);

  g_test_summary ("Cancelling a waiting next() withdraws it; the member goes to the next call");

  gasync_future_cancel (first);
  gasync_task_group_add (group, GASYNC_FUTURE (p));
  gasync_promise_resolve_int (p, 7);
  assert_rejects (first, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gasync_future_dup_object (second, NULL) == (gpointer) p);
  g_object_unref (p);   /* the reference dup_object returned */
}

static void
test_next_closed (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GAsyncFuture) waiting = gasync_task_group_next (group);
  g_autoptr(GAsyncFuture) waiting2 = gasync_task_group_next (group);
  g_autoptr(GAsyncFuture) all = NULL;
  g_autoptr(GAsyncFuture) after = NULL;

  g_test_summary ("next() rejects with CLOSED once the group is closed and has no member left, "
                  "and hands out what is left before that");

  gasync_task_group_add (group, GASYNC_FUTURE (p));
  all = gasync_task_group_wait (group);
  g_assert_true (is_pending (waiting));
  g_assert_true (is_pending (all));
  gasync_promise_resolve_int (p, 1);
  g_assert_true (gasync_future_dup_object (waiting, NULL) == (gpointer) p);
  g_object_unref (p);
  assert_rejects (waiting2, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  assert_resolved_true (all);

  after = gasync_task_group_next (group);
  assert_rejects (after, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
}

static void
test_next_after_wait_hands_out_ready (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncFuture) one = int_future (1);
  g_autoptr(GAsyncFuture) all = NULL;
  g_autoptr(GAsyncFuture) next = NULL;

  g_test_summary ("A closed group still hands out its settled members, then reports CLOSED");

  gasync_task_group_add (group, one);
  all = gasync_task_group_wait (group);
  assert_resolved_true (all);
  assert_next_is (group, one);
  next = gasync_task_group_next (group);
  assert_rejects (next, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
}

/* wait() */

static void
test_wait_all_resolved (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  GAsyncFuture *members[20];
  g_autoptr(GAsyncFuture) all = NULL;

  g_test_summary ("wait() resolves with TRUE once every member resolved");

  for (guint i = 0; i < 10; i++)
    members[i] = gasync_task_group_spawn (group, return_int_task, GINT_TO_POINTER (i), NULL);
  for (guint i = 10; i < 20; i++)
    members[i] = gasync_task_group_spawn_blocking (group, return_int_blocking, GINT_TO_POINTER (i), NULL);
  all = gasync_task_group_wait (group);
  assert_resolved_true (all);

  g_assert_cmpuint (gasync_task_group_get_n_pending (group), ==, 0);
  for (guint i = 0; i < 20; i++)
    {
      g_assert_cmpint (gasync_future_get_int (members[i], NULL), ==, (gint) i);
      g_object_unref (members[i]);
    }
}

static void
test_wait_empty (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncFuture) all = gasync_task_group_wait (group);
  g_autoptr(GAsyncFuture) again = gasync_task_group_wait (group);

  g_test_summary ("wait() on an empty group resolves at once, as often as it is called");

  g_assert_cmpint (gasync_future_get_state (all), ==, GASYNC_FUTURE_RESOLVED);
  assert_resolved_true (again);
}

static void
test_wait_first_error_cancels (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncPromise) a = gasync_promise_new ();
  g_autoptr(GAsyncPromise) b = gasync_promise_new ();
  g_autoptr(GAsyncPromise) failing = gasync_promise_new ();
  g_autoptr(GAsyncFuture) done = int_future (5);
  g_autoptr(GAsyncFuture) blocking = NULL;
  g_autoptr(GAsyncFuture) all = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gint cancelled_a = 0, cancelled_b = 0, cancelled_failing = 0;
  Blocker blocker;

  g_test_summary ("After wait(), the first rejection cancels every other pending member "
                  "(their cancellables fire, a blocking task sees it) and wait() rejects with it");

  blocker_init (&blocker);
  watch_cancel (a, &cancelled_a);
  watch_cancel (b, &cancelled_b);
  watch_cancel (failing, &cancelled_failing);
  gasync_task_group_add (group, GASYNC_FUTURE (a));
  gasync_task_group_add (group, done);
  gasync_task_group_add (group, GASYNC_FUTURE (failing));
  gasync_task_group_add (group, GASYNC_FUTURE (b));
  blocking = gasync_task_group_spawn_blocking (group, blocker_run, &blocker, NULL);
  g_assert_true (gasync_test_latch_wait (&blocker.started, GASYNC_TEST_TIMEOUT_MS));

  all = gasync_task_group_wait (group);
  g_assert_true (is_pending (all));
  gasync_promise_reject_literal (failing, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "first");

  g_assert_false (gasync_future_wait (all, NULL, &value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "first");
  g_assert_cmpint (g_atomic_int_get (&cancelled_a), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&cancelled_b), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&cancelled_failing), ==, 0);
  assert_rejects (GASYNC_FUTURE (a), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_rejects (blocking, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gasync_future_get_int (done, NULL), ==, 5);
  blocker_clear (&blocker);
  g_assert_cmpint (g_atomic_int_get (&blocker.cancelled), ==, 1);

  /* Every member is still handed out, in the order they settled: the
   * failing one before those it cancelled. */
  assert_next_is (group, done);
  assert_next_is (group, failing);
}

static void
test_wait_error_before_wait (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncPromise) pending = gasync_promise_new ();
  g_autoptr(GAsyncFuture) failed = gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  g_autoptr(GAsyncFuture) all = NULL;
  gint cancelled = 0;

  g_test_summary ("A rejection before wait() does not cancel the others (next() users handle errors), "
                  "but wait() then cancels them and rejects with it");

  watch_cancel (pending, &cancelled);
  gasync_task_group_add (group, failed);
  gasync_task_group_add (group, GASYNC_FUTURE (pending));
  g_assert_cmpint (cancelled, ==, 0);
  g_assert_true (is_pending (GASYNC_FUTURE (pending)));

  all = gasync_task_group_wait (group);
  g_assert_cmpint (cancelled, ==, 1);
  assert_rejects (all, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_wait_cancelled (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GAsyncFuture) all = NULL;
  gint cancelled = 0;

  g_test_summary ("Cancelling the only wait() future cancels the members it waits for");

  watch_cancel (p, &cancelled);
  gasync_task_group_add (group, GASYNC_FUTURE (p));
  all = gasync_task_group_wait (group);
  gasync_future_cancel (all);
  g_assert_cmpint (cancelled, ==, 1);
  assert_rejects (GASYNC_FUTURE (p), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (gasync_task_group_get_n_pending (group), ==, 0);
}

/* cancel(), drop, add() */

static void
test_cancel (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncPromise) a = gasync_promise_new ();
  g_autoptr(GAsyncPromise) b = gasync_promise_new ();
  g_autoptr(GAsyncPromise) later = gasync_promise_new ();
  g_autoptr(GAsyncFuture) done = int_future (1);
  g_autoptr(GAsyncFuture) blocking = NULL;
  g_autoptr(GAsyncFuture) all = NULL;
  gint cancelled_a = 0, cancelled_b = 0;
  Blocker blocker;

  g_test_summary ("cancel() cancels every pending member and leaves the group open");

  blocker_init (&blocker);
  watch_cancel (a, &cancelled_a);
  watch_cancel (b, &cancelled_b);
  gasync_task_group_add (group, GASYNC_FUTURE (a));
  gasync_task_group_add (group, GASYNC_FUTURE (b));
  gasync_task_group_add (group, done);
  blocking = gasync_task_group_spawn_blocking (group, blocker_run, &blocker, NULL);
  g_assert_true (gasync_test_latch_wait (&blocker.started, GASYNC_TEST_TIMEOUT_MS));
  g_assert_cmpuint (gasync_task_group_get_n_pending (group), ==, 3);

  gasync_task_group_cancel (group);
  g_assert_cmpuint (gasync_task_group_get_n_pending (group), ==, 0);
  g_assert_cmpint (cancelled_a, ==, 1);
  g_assert_cmpint (cancelled_b, ==, 1);
  assert_rejects (GASYNC_FUTURE (b), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_rejects (blocking, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  blocker_clear (&blocker);
  g_assert_cmpint (gasync_future_get_int (done, NULL), ==, 1);

  /* Still open: a later member is not affected. */
  gasync_task_group_add (group, GASYNC_FUTURE (later));
  g_assert_true (is_pending (GASYNC_FUTURE (later)));
  all = gasync_task_group_wait (group);
  gasync_promise_resolve_int (later, 2);
  assert_rejects (all, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_drop_cancels_members (void)
{
  GAsyncTaskGroup *group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncPromise) a = gasync_promise_new ();
  g_autoptr(GAsyncFuture) ready = int_future (3);
  g_autoptr(GAsyncFuture) blocking = NULL;
  g_autoptr(GAsyncFuture) next = NULL;
  g_autoptr(GAsyncFuture) all = NULL;
  GAsyncTaskGroup *other = gasync_task_group_new (NULL);
  gint cancelled = 0;
  Blocker blocker;

  g_test_summary ("Dropping the last reference to a group cancels its pending members "
                  "and rejects its waiting next() and wait() futures with DROPPED");

  blocker_init (&blocker);
  watch_cancel (a, &cancelled);
  gasync_task_group_add (group, GASYNC_FUTURE (a));
  gasync_task_group_add (group, ready);
  blocking = gasync_task_group_spawn_blocking (group, blocker_run, &blocker, NULL);
  g_assert_true (gasync_test_latch_wait (&blocker.started, GASYNC_TEST_TIMEOUT_MS));
  all = gasync_task_group_wait (group);
  g_object_unref (group);

  g_assert_cmpint (cancelled, ==, 1);
  assert_rejects (GASYNC_FUTURE (a), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_rejects (blocking, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_rejects (all, GASYNC_ERROR, GASYNC_ERROR_DROPPED);
  blocker_clear (&blocker);
  g_assert_cmpint (gasync_future_get_int (ready, NULL), ==, 3);

  /* A waiting next() on an open group. */
  next = gasync_task_group_next (other);
  g_object_unref (other);
  assert_rejects (next, GASYNC_ERROR, GASYNC_ERROR_DROPPED);
}

static void
test_add_any_future (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncFuture) resolved = int_future (1);
  g_autoptr(GAsyncFuture) rejected = gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  g_autoptr(GAsyncPromise) promise = gasync_promise_new ();
  g_autoptr(GAsyncFuture) timeout = gasync_timeout_new (1);
  g_autoptr(GAsyncFuture) derived = NULL;
  g_autoptr(GAsyncFuture) combined = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GAsyncFuture *inputs[2];
  g_autoptr(GAsyncFuture) all = NULL;

  g_test_summary ("Any future can be a member: settled, promise, timeout, combinator, spawned");

  inputs[0] = resolved;
  inputs[1] = GASYNC_FUTURE (promise);
  combined = gasync_future_all (inputs, 2);
  derived = gasync_task_group_spawn (group, return_int_task, GINT_TO_POINTER (9), NULL);
  gasync_task_group_add (group, resolved);
  gasync_task_group_add (group, rejected);
  gasync_task_group_add (group, GASYNC_FUTURE (promise));
  gasync_task_group_add (group, timeout);
  gasync_task_group_add (group, combined);
  gasync_task_group_add (group, resolved);   /* twice: two members */
  gasync_promise_resolve_int (promise, 2);

  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(GAsyncFuture) next = gasync_task_group_next (group);
      g_autoptr(GAsyncFuture) member = wait_member (next, NULL);

      g_assert_nonnull (member);
      g_assert_false (is_pending (member));
      g_hash_table_add (seen, member);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 6);
  g_assert_true (g_hash_table_contains (seen, timeout));
  g_assert_true (g_hash_table_contains (seen, combined));
  g_assert_true (g_hash_table_contains (seen, derived));
  all = gasync_task_group_wait (group);
  assert_rejects (all, G_IO_ERROR, G_IO_ERROR_FAILED);
}

static void
count_destroy (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

static void
test_closed_refuses (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncFuture) all = gasync_task_group_wait (group);
  g_autoptr(GAsyncFuture) spawned = NULL;
  g_autoptr(GAsyncFuture) blocking = NULL;
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  gint destroyed = 0;

  g_test_summary ("Once closed by wait(), spawning is refused with a CLOSED future (data freed, "
                  "function never run) and add() with a critical, leaving the future alone");

  spawned = gasync_task_group_spawn (group, return_int_task, &destroyed, count_destroy);
  g_assert_cmpint (destroyed, ==, 1);
  assert_rejects (spawned, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  blocking = gasync_task_group_spawn_blocking (group, return_int_blocking, &destroyed, count_destroy);
  g_assert_cmpint (destroyed, ==, 2);
  assert_rejects (blocking, GASYNC_ERROR, GASYNC_ERROR_CLOSED);

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*closed*");
  gasync_task_group_add (group, GASYNC_FUTURE (p));
  g_test_assert_expected_messages ();
  g_assert_true (is_pending (GASYNC_FUTURE (p)));
  g_assert_cmpuint (gasync_task_group_get_n_pending (group), ==, 0);
}

static void
test_bad_arguments (void)
{
  g_autoptr(GAsyncFuture) f = NULL;

  g_test_summary ("Bad arguments give a rejected INVALID_ARGUMENT future and a critical");

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_TASK_GROUP*");
  f = gasync_task_group_next (NULL);
  g_test_assert_expected_messages ();
  assert_rejects (f, GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
}

static void
test_n_pending (void)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncPromise) a = gasync_promise_new ();
  g_autoptr(GAsyncPromise) b = gasync_promise_new ();
  g_autoptr(GAsyncFuture) ready = int_future (0);

  g_test_summary ("get_n_pending() counts the members not settled yet");

  g_assert_cmpuint (gasync_task_group_get_n_pending (group), ==, 0);
  gasync_task_group_add (group, GASYNC_FUTURE (a));
  gasync_task_group_add (group, GASYNC_FUTURE (b));
  gasync_task_group_add (group, ready);
  g_assert_cmpuint (gasync_task_group_get_n_pending (group), ==, 2);
  gasync_promise_resolve_int (a, 1);
  g_assert_cmpuint (gasync_task_group_get_n_pending (group), ==, 1);
  gasync_future_cancel (GASYNC_FUTURE (b));
  g_assert_cmpuint (gasync_task_group_get_n_pending (group), ==, 0);
}

static void
test_runtime_property (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncTaskGroup) own = gasync_task_group_new (runtime);
  g_autoptr(GAsyncTaskGroup) plain = g_object_new (GASYNC_TYPE_TASK_GROUP, NULL);
  g_autoptr(GAsyncRuntime) got = NULL;
  g_autoptr(GAsyncRuntime) got_default = NULL;

  g_test_summary ("The runtime is the one given, or the default one (also from g_object_new)");

  g_object_get (own, "runtime", &got, NULL);
  g_object_get (plain, "runtime", &got_default, NULL);
  g_assert_true (got == runtime);
  g_assert_true (got_default == gasync_runtime_get_default ());
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
}

/* Contexts */

typedef struct
{
  GThread *thread;
  gint     ran;
} Where;

static GAsyncFuture *
record_thread (GAsyncFuture *completed,
               gpointer      data)
{
  Where *where = data;

  where->thread = g_thread_self ();
  where->ran++;
  return NULL;
}

static void
test_callbacks_on_registering_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncFuture) next = NULL;
  g_autoptr(GAsyncFuture) all = NULL;
  g_autoptr(GAsyncFuture) after_next = NULL;
  g_autoptr(GAsyncFuture) after_all = NULL;
  Where w_next = { 0 }, w_all = { 0 };
  GAsyncFuture *members[8];

  g_test_summary ("Continuations on next() and wait() futures run on the context they were "
                  "registered from, although members settle on worker threads");

  g_main_context_push_thread_default (context);
  next = gasync_task_group_next (group);
  after_next = gasync_future_on_settled (next, record_thread, &w_next, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    members[i] = (i % 2) ? gasync_task_group_spawn (group, return_int_task, GINT_TO_POINTER (i), NULL)
                         : gasync_task_group_spawn_blocking (group, return_int_blocking, GINT_TO_POINTER (i), NULL);
  all = gasync_task_group_wait (group);
  after_all = gasync_future_on_settled (all, record_thread, &w_all, NULL);

  /* Settled on workers, but nothing runs until this context is iterated. */
  assert_resolved_true (all);
  g_assert_cmpint (w_next.ran, ==, 0);
  g_assert_cmpint (w_all.ran, ==, 0);
  while (w_next.ran == 0 || w_all.ran == 0)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  g_assert_true (w_next.thread == g_thread_self ());
  g_assert_true (w_all.thread == g_thread_self ());
  g_assert_cmpint (w_next.ran, ==, 1);
  g_assert_cmpint (w_all.ran, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    g_object_unref (members[i]);
}

/* The example of the GAsyncTaskGroup documentation, verbatim. */

static GAsyncFuture *
square (GCancellable *cancellable,
        gpointer      user_data)
{
  GValue value = G_VALUE_INIT;
  GAsyncFuture *ret;
  int n = GPOINTER_TO_INT (user_data);

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, n * n);
  ret = gasync_future_new_resolved (&value);
  g_value_unset (&value);
  return ret;
}

static int
sum_of_squares (int      n,
                GError **error)
{
  g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
  g_autoptr(GAsyncFuture) all = NULL;
  g_auto(GValue) outcome = G_VALUE_INIT;
  int sum = 0;

  for (int i = 1; i <= n; i++)
    g_object_unref (gasync_task_group_spawn (group, square,
                                             GINT_TO_POINTER (i), NULL));

  // Close the group: from now on the first error cancels the rest.
  all = gasync_task_group_wait (group);

  // The members in the order they finish, until none is left.
  for (;;)
    {
      g_autoptr(GAsyncFuture) next = gasync_task_group_next (group);
      g_autoptr(GAsyncFuture) member = NULL;
      g_auto(GValue) value = G_VALUE_INIT;

      if (!gasync_future_wait (next, NULL, &value, NULL))
        break;   // GASYNC_ERROR_CLOSED: every member was handed out
      member = g_value_dup_object (&value);
      if (gasync_future_get_state (member) == GASYNC_FUTURE_RESOLVED)
        sum += gasync_future_get_int (member, NULL);
    }

  if (!gasync_future_wait (all, NULL, &outcome, error))
    return -1;
  return sum;
}

static void
test_doc_example (void)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("The example in GAsyncTaskGroup's documentation works");

  g_assert_cmpint (sum_of_squares (10, &error), ==, 385);
  g_assert_no_error (error);
  g_assert_cmpint (sum_of_squares (0, &error), ==, 0);
  g_assert_no_error (error);
}

/* Exact-once stress */

#define N_PRODUCERS 4

typedef struct
{
  GAsyncTaskGroup *group;        /* owned by each producer while it runs */
  guint            n_each;
  guint32          seed;
  gint             destroyed;    /* atomic: spawn data freed */
  gint             spawned;      /* atomic: spawns that were not refused */
  gboolean         drop_group;   /* producers drop the group while members pend */
  GPtrArray       *made[N_PRODUCERS];   /* members each producer made (owned refs) */
} Stress;

typedef struct
{
  Stress *stress;
  guint   index;
} Producer;

static gpointer
produce (gpointer data)
{
  Producer *p = data;
  Stress *s = p->stress;
  GRand *rand = g_rand_new_with_seed (s->seed + p->index);
  g_autoptr(GPtrArray) promises = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *made = s->made[p->index];

  for (guint i = 0; i < s->n_each; i++)
    {
      GAsyncFuture *member;

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          member = gasync_task_group_spawn (s->group, return_int_task, &s->destroyed, count_destroy);
          g_atomic_int_inc (&s->spawned);
          break;
        case 1:
          member = gasync_task_group_spawn_blocking (s->group, return_int_blocking, &s->destroyed, count_destroy);
          g_atomic_int_inc (&s->spawned);
          break;
        case 2:
          member = GASYNC_FUTURE (gasync_promise_new ());
          gasync_task_group_add (s->group, member);
          g_ptr_array_add (promises, g_object_ref (member));
          break;
        default:
          member = int_future ((gint) i);
          gasync_task_group_add (s->group, member);
          break;
        }
      if (g_rand_int_range (rand, 0, 8) == 0)
        gasync_future_cancel (member);
      if (g_rand_int_range (rand, 0, 64) == 0)
        {
          /* Settle this thread's promises now and then, out of order. */
          for (guint k = promises->len; k > 0; k--)
            gasync_promise_resolve_int (g_ptr_array_index (promises, k - 1), (gint) k);
          g_ptr_array_set_size (promises, 0);
        }
      g_ptr_array_add (made, member);   /* our reference: "dropped" from the producer's view */
    }

  if (s->drop_group)
    {
      /* The last producer to finish drops the group, with promises
       * still pending: they must be cancelled by the drop. */
      g_object_unref (s->group);
    }
  for (guint k = 0; k < promises->len; k++)
    gasync_promise_resolve_int (g_ptr_array_index (promises, k), 0);
  g_rand_free (rand);
  return NULL;
}

static gpointer
consume (gpointer data)
{
  Stress *s = data;
  GHashTable *seen = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  GRand *rand = g_rand_new_with_seed (s->seed ^ 0x5eed);

  for (;;)
    {
      g_autoptr(GAsyncFuture) next = gasync_task_group_next (s->group);
      g_autoptr(GError) error = NULL;
      GAsyncFuture *member = wait_member (next, &error);

      if (member == NULL)
        {
          g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
          break;
        }
      g_assert_false (is_pending (member));
      g_assert_false (g_hash_table_contains (seen, member));   /* exactly once */
      g_hash_table_add (seen, member);
      if (g_rand_int_range (rand, 0, 20000) == 0)
        gasync_task_group_cancel (s->group);
    }
  g_rand_free (rand);
  return seen;
}

static void
stress_run (gboolean drop_group)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (2);
  guint total = gasync_test_size (20000, 100000);
  Stress s = { 0 };
  Producer producers[N_PRODUCERS];
  GThread *threads[N_PRODUCERS];
  GThread *consumer = NULL;
  GHashTable *seen = NULL;
  guint n_made = 0;

  s.group = gasync_task_group_new (runtime);
  s.n_each = total / N_PRODUCERS;
  s.seed = g_test_rand_int ();
  s.drop_group = drop_group;
  g_test_message ("seed %u, %u members, %s", s.seed, s.n_each * N_PRODUCERS,
                  drop_group ? "group dropped" : "group waited");

  if (!drop_group)
    consumer = g_thread_new ("consumer", consume, &s);
  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      s.made[i] = g_ptr_array_new_with_free_func (g_object_unref);
      producers[i].stress = &s;
      producers[i].index = i;
      if (drop_group)
        g_object_ref (s.group);
      threads[i] = g_thread_new ("producer", produce, &producers[i]);
    }
  if (drop_group)
    g_object_unref (s.group);   /* the producers hold it now */
  for (guint i = 0; i < N_PRODUCERS; i++)
    g_thread_join (threads[i]);

  if (!drop_group)
    {
      g_autoptr(GAsyncFuture) all = gasync_task_group_wait (s.group);
      g_autoptr(GError) error = NULL;
      g_auto(GValue) value = G_VALUE_INIT;

      /* Cancelled members make it reject with CANCELLED; else TRUE. */
      if (!gasync_future_wait (all, NULL, &value, &error))
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      seen = g_thread_join (consumer);
      g_assert_cmpuint (gasync_task_group_get_n_pending (s.group), ==, 0);
      g_object_unref (s.group);
    }

  /* Every member settled (a dropped group cancelled what was left), and
   * every member was handed out exactly once. */
  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      for (guint k = 0; k < s.made[i]->len; k++)
        {
          GAsyncFuture *member = g_ptr_array_index (s.made[i], k);

          g_assert_false (is_pending (member));
          if (seen != NULL)
            g_assert_true (g_hash_table_contains (seen, member));
        }
      n_made += s.made[i]->len;
      g_ptr_array_unref (s.made[i]);
    }
  g_assert_cmpuint (n_made, ==, s.n_each * N_PRODUCERS);
  if (seen != NULL)
    {
      g_assert_cmpuint (g_hash_table_size (seen), ==, n_made);
      g_hash_table_unref (seen);
    }

  /* Every task's data was freed exactly once. */
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
  g_assert_cmpint (g_atomic_int_get (&s.destroyed), ==, g_atomic_int_get (&s.spawned));
}

static void
test_stress_exact_once (void)
{
  g_test_summary ("100,000 members (fewer unless thorough) spawned and added from 4 threads, "
                  "randomly cancelled, while another thread takes them with next(): each is "
                  "handed out exactly once and every task's data is freed once");
  stress_run (FALSE);
}

static void
test_stress_drop (void)
{
  g_test_summary ("The same, with the group dropped by the last producer while members pend: "
                  "every member still settles and every task's data is freed once");
  stress_run (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("GAsyncTaskGroup: members, next(), wait(), cancel, drop and exact-once stress");

  g_test_add_func ("/task-group/next/completion-order", test_next_completion_order);
  g_test_add_func ("/task-group/next/waiting-calls-fifo", test_next_waiting_calls_fifo);
  g_test_add_func ("/task-group/next/withdrawn", test_next_withdrawn);
  g_test_add_func ("/task-group/next/closed", test_next_closed);
  g_test_add_func ("/task-group/next/after-wait", test_next_after_wait_hands_out_ready);
  g_test_add_func ("/task-group/wait/all-resolved", test_wait_all_resolved);
  g_test_add_func ("/task-group/wait/empty", test_wait_empty);
  g_test_add_func ("/task-group/wait/first-error-cancels", test_wait_first_error_cancels);
  g_test_add_func ("/task-group/wait/error-before-wait", test_wait_error_before_wait);
  g_test_add_func ("/task-group/wait/cancelled", test_wait_cancelled);
  g_test_add_func ("/task-group/cancel", test_cancel);
  g_test_add_func ("/task-group/drop/cancels-members", test_drop_cancels_members);
  g_test_add_func ("/task-group/add/any-future", test_add_any_future);
  g_test_add_func ("/task-group/closed/refuses", test_closed_refuses);
  g_test_add_func ("/task-group/bad-arguments", test_bad_arguments);
  g_test_add_func ("/task-group/n-pending", test_n_pending);
  g_test_add_func ("/task-group/runtime-property", test_runtime_property);
  g_test_add_func ("/task-group/context/callbacks", test_callbacks_on_registering_context);
  g_test_add_func ("/task-group/doc-example", test_doc_example);
  g_test_add_func ("/task-group/stress/exact-once", test_stress_exact_once);
  g_test_add_func ("/task-group/stress/drop", test_stress_drop);

  return g_test_run ();
}
