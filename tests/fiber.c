/* fiber.c: tests for fibers and gasync_await()
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gasync/gasync.h>

#include "gasync-fiber-private.h"
#include "gasync-fiber-stack-private.h"
#include "gasync-fiber-switch-private.h"
#include "gasync-test-util.h"
#include "gasync-tsan-private.h"

#if defined(__SANITIZE_ADDRESS__)
# define UNDER_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define UNDER_ASAN 1
# endif
#endif

/* 100,000 in the plain build; a tenth under AddressSanitizer (its fake
 * stacks and shadow make each fiber far bigger), a hundredth under
 * ThreadSanitizer (each TSan fiber has its own thread state and trace,
 * and 10,000 of them run out of mappings) and valgrind.
 * GASYNC_FIBER_TEST_N overrides. */
static guint
many_fibers (void)
{
  const char *env = g_getenv ("GASYNC_FIBER_TEST_N");
  guint n = 100000;

  if (env != NULL)
    return (guint) g_ascii_strtoull (env, NULL, 10);
  if (gasync_test_under_valgrind ())
    return 1000;
#if defined(GASYNC_HAVE_TSAN)
  n /= 100;
#elif defined(UNDER_ASAN)
  if (!gasync_test_thorough ())
    n /= 10;
#endif
  return n;
}

static gboolean
return_int (GCancellable  *cancellable,
            GValue        *result,
            gpointer       user_data,
            GError       **error)
{
  g_value_init (result, G_TYPE_INT);
  g_value_set_int (result, GPOINTER_TO_INT (user_data));
  return TRUE;
}

static gboolean
return_nothing (GCancellable  *cancellable,
                GValue        *result,
                gpointer       user_data,
                GError       **error)
{
  return TRUE;
}

static gboolean
return_error (GCancellable  *cancellable,
              GValue        *result,
              gpointer       user_data,
              GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "nothing here");
  return FALSE;
}

static void
count_destroy (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

static void
test_spawn_outcomes (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (2);
  g_autoptr(GAsyncFuture) ok = gasync_runtime_spawn_fiber (runtime, return_int, GINT_TO_POINTER (42), NULL);
  g_autoptr(GAsyncFuture) none = gasync_runtime_spawn_fiber (runtime, return_nothing, NULL, NULL);
  g_autoptr(GAsyncFuture) bad = gasync_runtime_spawn_fiber (runtime, return_error, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gasync_await (ok, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int (&value), ==, 42);

  g_assert_true (gasync_await (none, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (gasync_future_get_pointer (none, &error));

  g_assert_false (gasync_await (bad, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
}

static void
test_spawn_default_runtime (void)
{
  gint destroyed = 0;
  g_autoptr(GAsyncFuture) handle = gasync_fiber_spawn (return_int, GINT_TO_POINTER (7), NULL);
  g_autoptr(GAsyncFuture) other = gasync_fiber_spawn (return_nothing, &destroyed, count_destroy);
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gasync_await (handle, &value, NULL));
  g_assert_cmpint (g_value_get_int (&value), ==, 7);
  g_assert_true (gasync_await (other, NULL, NULL));
  /* The destroy notify ran before the handle settled. */
  g_assert_cmpint (g_atomic_int_get (&destroyed), ==, 1);
}

static void
test_spawn_closed (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) handle = NULL;
  g_autoptr(GError) error = NULL;
  gint destroyed = 0;

  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
  handle = gasync_runtime_spawn_fiber (runtime, return_nothing, &destroyed, count_destroy);
  g_assert_false (gasync_await (handle, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_assert_cmpint (destroyed, ==, 1);
}

/* 100,000 fibers: each sleeps on a timer, then all of them are parked at
 * once on a receive from one channel, then the items are sent. */

typedef struct
{
  GAsyncReceiver *rx;
  GAsyncPromise  *all_parked;
  guint           n;
  gint            n_parked;   /* atomic */
  gint            n_wrong;    /* atomic: a fiber that saw something amiss */
} Many;

static gboolean
many_fiber (GCancellable  *cancellable,
            GValue        *result,
            gpointer       user_data,
            GError       **error)
{
  Many *many = user_data;
  GThread *self = g_thread_self ();
  GMainContext *context = g_main_context_get_thread_default ();
  g_autoptr(GAsyncFuture) nap = gasync_timeout_new (1 + g_random_int_range (0, 5));
  g_autoptr(GAsyncFuture) recv = NULL;
  g_auto(GValue) slept = G_VALUE_INIT;
  g_auto(GValue) item = G_VALUE_INIT;

  if (!gasync_await (nap, &slept, error))
    return FALSE;
  if (!g_value_get_boolean (&slept) || g_thread_self () != self ||
      g_main_context_get_thread_default () != context)
    g_atomic_int_inc (&many->n_wrong);

  recv = gasync_receiver_recv_future (many->rx);
  if ((guint) g_atomic_int_add (&many->n_parked, 1) + 1 == many->n)
    gasync_promise_resolve_boolean (many->all_parked, TRUE);
  if (!gasync_await (recv, &item, error))
    return FALSE;
  if (g_thread_self () != self)
    g_atomic_int_inc (&many->n_wrong);

  g_value_init (result, G_TYPE_UINT);
  g_value_set_uint (result, GPOINTER_TO_UINT (g_value_get_pointer (&item)));
  return TRUE;
}

static void
test_many_timer_and_channel (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (2);
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncPromise) all_parked = gasync_promise_new ();
  g_autofree GAsyncFuture **handles = NULL;
  g_autofree guint8 *seen = NULL;
  Many many = { 0 };
  guint n = many_fibers ();
  guint live_before = _gasync_fiber_stack_count_live (NULL);
  guint guarded = 0;
  guint live;

  g_test_summary ("Every one of 100,000 fibers parked at once gets exactly one item");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  many.rx = rx;
  many.all_parked = all_parked;
  many.n = n;
  handles = g_new0 (GAsyncFuture *, n);
  seen = g_new0 (guint8, n + 1);

  for (guint i = 0; i < n; i++)
    handles[i] = gasync_runtime_spawn_fiber (runtime, many_fiber, &many, NULL);

  g_assert_true (gasync_await (GASYNC_FUTURE (all_parked), NULL, NULL));
  live = _gasync_fiber_stack_count_live (&guarded);
  g_test_message ("%u fibers parked on %u stacks (%u with a guard page)", n, live, guarded);
  g_assert_cmpuint (live, >=, n);

  for (guint i = 1; i <= n; i++)
    g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (i), NULL, NULL));

  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_autoptr(GError) error = NULL;
      guint item;

      g_assert_true (gasync_await (handles[i], &value, &error));
      g_assert_no_error (error);
      item = g_value_get_uint (&value);
      g_assert_cmpuint (item, >=, 1);
      g_assert_cmpuint (item, <=, n);
      g_assert_cmpuint (seen[item], ==, 0);
      seen[item] = 1;
      g_clear_object (&handles[i]);
    }

  g_assert_cmpint (g_atomic_int_get (&many.n_wrong), ==, 0);
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
  /* The workers' caches were freed with them (the default runtime's
   * workers may keep some from earlier tests). */
  g_assert_cmpuint (_gasync_fiber_stack_count_live (NULL), <=, live_before);
}

/* Awaiting a future that another thread settles */

static gpointer
resolve_later (gpointer data)
{
  GAsyncPromise *promise = data;

  gasync_promise_resolve_int (promise, 5);
  g_object_unref (promise);
  return NULL;
}

static gboolean
await_other_thread (GCancellable  *cancellable,
                    GValue        *result,
                    gpointer       user_data,
                    GError       **error)
{
  g_autoptr(GAsyncPromise) promise = gasync_promise_new ();
  GThread *self = g_thread_self ();
  GThread *thread = g_thread_new ("resolver", resolve_later, g_object_ref (promise));
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean ok = gasync_await (GASYNC_FUTURE (promise), &value, error);

  g_thread_unref (thread);
  if (!ok)
    return FALSE;
  g_value_init (result, G_TYPE_INT);
  g_value_set_int (result, g_value_get_int (&value) + (g_thread_self () == self ? 0 : 1000));
  return TRUE;
}

static void
test_await_other_thread (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) handle = gasync_runtime_spawn_fiber (runtime, await_other_thread, NULL, NULL);
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gasync_await (handle, &value, NULL));
  g_assert_cmpint (g_value_get_int (&value), ==, 5);
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
}

/* An already settled future: no switch */

static gboolean
resolve_from_idle (gpointer data)
{
  gasync_promise_resolve_int (data, 4);
  return G_SOURCE_REMOVE;
}

static gboolean
await_settled (GCancellable  *cancellable,
               GValue        *result,
               gpointer       user_data,
               GError       **error)
{
  g_autoptr(GAsyncFuture) ready = gasync_future_new_for_int (3);
  g_autoptr(GAsyncFuture) failed = gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_BUSY, "busy");
  g_autoptr(GAsyncPromise) later = gasync_promise_new ();
  g_autoptr(GError) local_error = NULL;
  guint64 before = _gasync_fiber_thread_count_suspends ();
  guint64 after_settled, after_pending;
  g_auto(GValue) value = G_VALUE_INIT;
  GSource *idle = g_idle_source_new ();

  /* Settled by the fiber's own worker, which can only run it once the
   * fiber suspends: still pending when awaited, however slow the build. */
  g_source_set_callback (idle, resolve_from_idle, g_object_ref (later), g_object_unref);
  g_source_attach (idle, g_main_context_get_thread_default ());
  g_source_unref (idle);

  g_assert_true (gasync_fiber_is_current ());
  g_assert_true (gasync_await (ready, &value, error));
  g_assert_false (gasync_await (failed, NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_BUSY);
  after_settled = _gasync_fiber_thread_count_suspends ();
  g_assert_true (gasync_await (GASYNC_FUTURE (later), NULL, error));
  after_pending = _gasync_fiber_thread_count_suspends ();

  g_value_init (result, G_TYPE_UINT64);
  g_value_set_uint64 (result, (after_settled - before) * 100 + (after_pending - after_settled));
  return TRUE;
}

static void
test_await_settled_no_switch (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) handle = gasync_runtime_spawn_fiber (runtime, await_settled, NULL, NULL);
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_false (gasync_fiber_is_current ());
  g_assert_true (gasync_await (handle, &value, NULL));
  /* No switch for the two settled futures, one for the pending one. */
  g_assert_cmpuint (g_value_get_uint64 (&value), ==, 1);
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
}

/* Cancelling the handle of a suspended fiber */

typedef struct
{
  GAsyncPromise *never;       /* nobody resolves it */
  GAsyncPromise *waiting;     /* the fiber is about to wait */
  GAsyncPromise *finished;    /* what the fiber's await returned */
  gint           later_cancelled;
} CancelCase;

static GAsyncFuture *
marker_task (GCancellable *cancellable,
             gpointer      user_data)
{
  return gasync_future_new_for_boolean (TRUE);
}

/* On a runtime with one worker: once the fiber that resolved @waiting
 * has gone on to suspend, the worker is free to run a task queued after
 * that, and not before. */
static void
wait_fiber_suspended (GAsyncRuntime *runtime,
                      GAsyncPromise *waiting)
{
  g_autoptr(GAsyncFuture) marker = NULL;

  g_assert_true (gasync_await (GASYNC_FUTURE (waiting), NULL, NULL));
  marker = gasync_runtime_spawn (runtime, marker_task, NULL, NULL);
  g_assert_true (gasync_await (marker, NULL, NULL));
}

static gboolean
await_forever (GCancellable  *cancellable,
               GValue        *result,
               gpointer       user_data,
               GError       **error)
{
  CancelCase *c = user_data;
  g_autoptr(GAsyncFuture) nap = NULL;
  GError *local_error = NULL;

  gasync_promise_resolve_boolean (c->waiting, TRUE);
  if (gasync_await (GASYNC_FUTURE (c->never), NULL, &local_error))
    gasync_promise_resolve_boolean (c->finished, TRUE);
  else
    gasync_promise_reject (c->finished, g_error_copy (local_error));

  /* Every later wait on a pending future is cancelled at once. */
  nap = gasync_timeout_new (60000);
  g_clear_error (&local_error);
  if (!gasync_await (nap, NULL, &local_error) &&
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_atomic_int_set (&c->later_cancelled, TRUE);
  g_propagate_error (error, local_error);
  return FALSE;
}

static void
test_cancel_while_suspended (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncPromise) never = gasync_promise_new ();
  g_autoptr(GAsyncPromise) waiting = gasync_promise_new ();
  g_autoptr(GAsyncPromise) finished = gasync_promise_new ();
  CancelCase c = { never, waiting, finished, FALSE };
  g_autoptr(GAsyncFuture) handle = gasync_runtime_spawn_fiber (runtime, await_forever, &c, NULL);
  g_autoptr(GError) error = NULL;

  g_test_summary ("Cancelling a fiber's handle ends its pending gasync_await() at once");

  wait_fiber_suspended (runtime, waiting);
  gasync_future_cancel (handle);
  g_assert_cmpint (gasync_future_get_state (handle), ==, GASYNC_FUTURE_REJECTED);

  g_assert_false (gasync_await (GASYNC_FUTURE (finished), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Nothing else waited for it: the awaited future was cancelled too. */
  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (never)), ==, GASYNC_FUTURE_REJECTED);

  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
  g_assert_true (g_atomic_int_get (&c.later_cancelled));
}

/* The same body as a blocking job: cancelling its handle ends the blocked
 * gasync_await() the same way. */
static void
test_cancel_blocking_job (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncPromise) never = gasync_promise_new ();
  g_autoptr(GAsyncPromise) waiting = gasync_promise_new ();
  g_autoptr(GAsyncPromise) finished = gasync_promise_new ();
  CancelCase c = { never, waiting, finished, FALSE };
  g_autoptr(GAsyncFuture) handle = gasync_runtime_spawn_blocking (runtime, await_forever, &c, NULL);
  g_autoptr(GError) error = NULL;

  g_test_summary ("Cancelling a blocking job's handle ends its gasync_await() "
                  "as it does a fiber's");

  /* Cancelled before or during its wait: the outcome is the same. */
  g_assert_true (gasync_await (GASYNC_FUTURE (waiting), NULL, NULL));
  gasync_future_cancel (handle);

  g_assert_false (gasync_await (GASYNC_FUTURE (finished), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (never)), ==, GASYNC_FUTURE_REJECTED);

  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
  g_assert_true (g_atomic_int_get (&c.later_cancelled));
}

static GAsyncFuture *
settled_noop (GAsyncFuture *completed,
              gpointer      user_data)
{
  return g_object_ref (completed);
}

/* A future that something else also waits for is left running. */
static void
test_cancel_keeps_shared_future (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncPromise) never = gasync_promise_new ();
  g_autoptr(GAsyncPromise) waiting = gasync_promise_new ();
  g_autoptr(GAsyncPromise) finished = gasync_promise_new ();
  CancelCase c = { never, waiting, finished, FALSE };
  g_autoptr(GAsyncFuture) handle = NULL;
  g_autoptr(GAsyncFuture) other_waiter = gasync_future_on_settled (GASYNC_FUTURE (never), settled_noop, NULL, NULL);
  g_autoptr(GError) error = NULL;

  handle = gasync_runtime_spawn_fiber (runtime, await_forever, &c, NULL);
  wait_fiber_suspended (runtime, waiting);
  gasync_future_cancel (handle);
  g_assert_false (gasync_await (GASYNC_FUTURE (finished), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (never)), ==, GASYNC_FUTURE_PENDING);

  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
  gasync_promise_resolve_boolean (never, TRUE);
}

/* Cancelling races with settling: every fiber ends exactly once, either
 * way, and nothing is left behind (run it under TSan and ASan). */

static gboolean
await_promise (GCancellable  *cancellable,
               GValue        *result,
               gpointer       user_data,
               GError       **error)
{
  return gasync_await (GASYNC_FUTURE (user_data), NULL, error);
}

static void
test_cancel_races_settle (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (2);
  guint n = gasync_test_size (2000, 20000);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GAsyncPromise) promise = gasync_promise_new ();
      g_autoptr(GAsyncFuture) handle = gasync_runtime_spawn_fiber (runtime, await_promise,
                                                                   g_object_ref (promise), g_object_unref);

      if (i % 2)
        gasync_future_cancel (handle);
      gasync_promise_resolve_boolean (promise, TRUE);
      if (i % 2 == 0)
        gasync_future_cancel (handle);
      gasync_test_settle (handle);
    }
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
}

/* A receive the fiber waits on fails when the channel closes */

static gboolean
recv_until_closed (GCancellable  *cancellable,
                   GValue        *result,
                   gpointer       user_data,
                   GError       **error)
{
  GAsyncReceiver *rx = user_data;
  guint n = 0;

  for (;;)
    {
      g_autoptr(GAsyncFuture) recv = gasync_receiver_recv_future (rx);
      g_autoptr(GError) local_error = NULL;

      if (!gasync_await (recv, NULL, &local_error))
        {
          if (!g_error_matches (local_error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          break;
        }
      n++;
    }
  g_value_init (result, G_TYPE_UINT);
  g_value_set_uint (result, n);
  return TRUE;
}

static void
test_await_channel_closed (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) handle = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  gasync_channel_new (G_TYPE_POINTER, 4, &tx, &rx);
  handle = gasync_runtime_spawn_fiber (runtime, recv_until_closed, g_object_ref (rx), g_object_unref);
  for (guint i = 1; i <= 100; i++)
    g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (i), NULL, NULL));
  gasync_sender_close (tx);

  g_assert_true (gasync_await (handle, &value, NULL));
  g_assert_cmpuint (g_value_get_uint (&value), ==, 100);
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
}

/* Where gasync_await() is refused, and where it blocks */

static GAsyncFuture *
await_in_async_task (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_autoptr(GAsyncFuture) ready = gasync_future_new_for_int (1);
  GError *error = NULL;
  GValue value = G_VALUE_INIT;

  if (gasync_await (ready, &value, &error))
    return gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "await was allowed");
  /* A failed call leaves the value initialized. */
  g_assert_true (G_VALUE_HOLDS_POINTER (&value));
  return gasync_future_new_for_error (error);
}

static void
test_refused_on_worker (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) handle = gasync_runtime_spawn (runtime, await_in_async_task, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (gasync_await (handle, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
}

/* One body, run as a fiber and as a blocking job. */
static gboolean
sleep_then_add (GCancellable  *cancellable,
                GValue        *result,
                gpointer       user_data,
                GError       **error)
{
  g_autoptr(GAsyncFuture) nap = gasync_timeout_new (5);
  g_autoptr(GAsyncFuture) inner = gasync_fiber_spawn (return_int, GINT_TO_POINTER (40), NULL);
  g_auto(GValue) value = G_VALUE_INIT;

  if (!gasync_await (nap, NULL, error) || !gasync_await (inner, &value, error))
    return FALSE;
  g_value_init (result, G_TYPE_INT);
  g_value_set_int (result, g_value_get_int (&value) + GPOINTER_TO_INT (user_data));
  return TRUE;
}

static void
test_same_body_fiber_and_blocking (void)
{
  g_autoptr(GAsyncFuture) fiber = gasync_fiber_spawn (sleep_then_add, GINT_TO_POINTER (1), NULL);
  g_autoptr(GAsyncFuture) job = gasync_spawn_blocking (sleep_then_add, GINT_TO_POINTER (2), NULL);
  g_auto(GValue) a = G_VALUE_INIT;
  g_auto(GValue) b = G_VALUE_INIT;
  g_auto(GValue) c = G_VALUE_INIT;

  g_assert_true (gasync_await (fiber, &a, NULL));
  g_assert_true (gasync_await (job, &b, NULL));
  g_assert_cmpint (g_value_get_int (&a), ==, 41);
  g_assert_cmpint (g_value_get_int (&b), ==, 42);
  /* And on the main thread, where it blocks. */
  g_assert_true (sleep_then_add (NULL, &c, GINT_TO_POINTER (3), NULL));
  g_assert_cmpint (g_value_get_int (&c), ==, 43);
}

/* Fibers that spawn and await fibers, on a single worker */

static gboolean
fan_out (GCancellable  *cancellable,
         GValue        *result,
         gpointer       user_data,
         GError       **error)
{
  GAsyncRuntime *runtime = user_data;
  GAsyncFuture *children[8];
  gint sum = 0;
  gboolean ok = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    children[i] = gasync_runtime_spawn_fiber (runtime, sleep_then_add, GINT_TO_POINTER (i), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      if (ok && gasync_await (children[i], &value, error))
        sum += g_value_get_int (&value);
      else
        ok = FALSE;
      g_object_unref (children[i]);
    }
  if (!ok)
    return FALSE;
  g_value_init (result, G_TYPE_INT);
  g_value_set_int (result, sum);
  return TRUE;
}

static void
test_nested_one_worker (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) handle = gasync_runtime_spawn_fiber (runtime, fan_out, runtime, NULL);
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gasync_await (handle, &value, NULL));
  /* 8 × 40 + (0 + … + 7) */
  g_assert_cmpint (g_value_get_int (&value), ==, 8 * 40 + 28);
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
}

/* GIO inside a fiber completes on the worker */

static void
on_queried (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GAsyncPromise) promise = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);

  if (info == NULL)
    gasync_promise_reject (promise, g_steal_pointer (&error));
  else
    gasync_promise_resolve_pointer (promise, GINT_TO_POINTER (g_thread_self () != NULL), NULL);
  g_object_set_data (G_OBJECT (promise), "thread", g_thread_self ());
}

static gboolean
query_in_fiber (GCancellable  *cancellable,
                GValue        *result,
                gpointer       user_data,
                GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (g_test_get_dir (G_TEST_DIST));
  g_autoptr(GAsyncPromise) promise = gasync_promise_new ();
  GThread *self = g_thread_self ();

  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, cancellable, on_queried, g_object_ref (promise));
  if (!gasync_await (GASYNC_FUTURE (promise), NULL, error))
    return FALSE;
  g_value_init (result, G_TYPE_BOOLEAN);
  g_value_set_boolean (result, g_object_get_data (G_OBJECT (promise), "thread") == self &&
                               g_thread_self () == self);
  return TRUE;
}

static void
test_gio_on_worker (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (2);
  g_autoptr(GAsyncFuture) handle = gasync_runtime_spawn_fiber (runtime, query_in_fiber, NULL, NULL);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_await (handle, &value, &error));
  g_assert_no_error (error);
  g_assert_true (g_value_get_boolean (&value));
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
}

/* Shutdown waits for suspended fibers, or cancels them */

static void
test_shutdown_cancels_suspended (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncPromise) never = gasync_promise_new ();
  g_autoptr(GAsyncPromise) waiting = gasync_promise_new ();
  g_autoptr(GAsyncPromise) finished = gasync_promise_new ();
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  CancelCase c = { never, waiting, finished, FALSE };
  g_autoptr(GAsyncFuture) handle = gasync_runtime_spawn_fiber (runtime, await_forever, &c, NULL);
  g_autoptr(GError) error = NULL;

  wait_fiber_suspended (runtime, waiting);
  g_cancellable_cancel (cancel);
  g_assert_true (gasync_runtime_shutdown (runtime, cancel, NULL) ||
                 gasync_future_get_state (handle) == GASYNC_FUTURE_REJECTED);
  g_assert_false (gasync_await (GASYNC_FUTURE (finished), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Stacks */

static void
test_stack_size_knob (void)
{
  gsize saved = gasync_fiber_get_stack_size ();

  g_assert_cmpuint (saved, >=, GASYNC_FIBER_MIN_STACK_SIZE);
  gasync_fiber_set_stack_size (64 * 1024);
  g_assert_cmpuint (gasync_fiber_get_stack_size (), ==, 64 * 1024);
  gasync_fiber_set_stack_size (0);
  g_assert_cmpuint (gasync_fiber_get_stack_size (), ==, GASYNC_FIBER_DEFAULT_STACK_SIZE);
  gasync_fiber_set_stack_size (saved);
}

/* Recursion that uses about @user_data bytes of stack. */
static guint
recurse (guint depth)
{
  volatile guint8 frame[1024];

  frame[0] = (guint8) depth;
  frame[sizeof frame - 1] = (guint8) depth;
  if (depth == 0)
    return frame[0];
  return recurse (depth - 1) + frame[sizeof frame - 1];
}

static gboolean
recurse_in_fiber (GCancellable  *cancellable,
                  GValue        *result,
                  gpointer       user_data,
                  GError       **error)
{
  guint kib = GPOINTER_TO_UINT (user_data);

  g_value_init (result, G_TYPE_UINT);
  g_value_set_uint (result, recurse (kib));
  return TRUE;
}

static void
test_stack_deep_but_within (void)
{
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) handle = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  /* Three quarters of the default 256 KiB (frames are a bit over 1 KiB;
   * sanitizers make them bigger, so they go less deep). */
#if defined(GASYNC_HAVE_TSAN) || defined(UNDER_ASAN)
  handle = gasync_runtime_spawn_fiber (runtime, recurse_in_fiber, GUINT_TO_POINTER (60), NULL);
#else
  handle = gasync_runtime_spawn_fiber (runtime, recurse_in_fiber, GUINT_TO_POINTER (160), NULL);
#endif
  g_assert_true (gasync_await (handle, &value, NULL));
  g_assert_true (gasync_runtime_shutdown (runtime, NULL, NULL));
}

static void
test_stack_overflow_hits_guard (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GAsyncRuntime) runtime = NULL;
      g_autoptr(GAsyncFuture) handle = NULL;

      gasync_fiber_set_stack_size (64 * 1024);
      runtime = gasync_runtime_new (1);
      /* 1 MiB of frames on a 64 KiB stack. */
      handle = gasync_runtime_spawn_fiber (runtime, recurse_in_fiber, GUINT_TO_POINTER (1024), NULL);
      gasync_await (handle, NULL, NULL);
      g_print ("survived\n");
      return;
    }

  g_test_summary ("Recursing past the end of a fiber's stack dies on its guard page");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*survived*");
#if !defined(UNDER_ASAN) && !defined(GASYNC_HAVE_TSAN)
  /* Plain builds die of the signal itself; the sanitizers catch it and
   * report a stack overflow (or SEGV) before they abort. */
  g_test_trap_assert_stderr ("");
#endif
}

/* Past the mapping budget stacks have no guard page, but a canary: a
 * fiber that overflowed a little (into the page a guard would have used)
 * is caught when it switches out. */
static guintptr overflow_limit;

static guint
recurse_below (guint depth)
{
  volatile guint8 frame[64];

  for (guint i = 0; i < sizeof frame; i++)
    frame[i] = (guint8) depth;
  if ((guintptr) &frame[0] < overflow_limit)
    return frame[0];
  return recurse_below (depth + 1) + frame[0];
}

static gboolean
overflow_a_little (GCancellable  *cancellable,
                   GValue        *result,
                   gpointer       user_data,
                   GError       **error)
{
  volatile guint8 here = 0;

  /* 512 bytes past the end of the stack, which is a bit smaller than the
   * stack size (the fiber and the stack's header sit at its top). */
  overflow_limit = (guintptr) &here - gasync_fiber_get_stack_size () - 512;
  g_value_init (result, G_TYPE_UINT);
  g_value_set_uint (result, recurse_below (here));
  return TRUE;
}

static void
test_stack_overflow_hits_canary (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GAsyncRuntime) runtime = NULL;
      g_autoptr(GAsyncFuture) handle = NULL;

      _gasync_fiber_stack_set_guard_budget (0);
      gasync_fiber_set_stack_size (64 * 1024);
      runtime = gasync_runtime_new (1);
      handle = gasync_runtime_spawn_fiber (runtime, overflow_a_little, NULL, NULL);
      gasync_await (handle, NULL, NULL);
      g_print ("survived\n");
      return;
    }

  g_test_summary ("An unguarded stack's overflow is caught by its canary");
#ifdef UNDER_ASAN
  /* With detect_stack_use_after_return, locals live on ASan's fake stack:
   * their addresses say nothing of how deep the real stack is. */
  g_test_skip ("the overflow is measured by the addresses of locals");
  return;
#endif
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*survived*");
  g_test_trap_assert_stderr ("*overflowed its stack*");
}

static void
test_switch_method (void)
{
  const char *method = _gasync_fiber_switch_method ();

  g_test_message ("fibers switch with %s", method);
  if (g_strcmp0 (g_getenv ("GASYNC_FIBER_SWITCH"), "ucontext") == 0)
    g_assert_cmpstr (method, ==, "ucontext");
#if defined(__x86_64__)
  else
    g_assert_cmpstr (method, ==, "asm");
#endif
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fiber/switch-method", test_switch_method);
  g_test_add_func ("/fiber/spawn/outcomes", test_spawn_outcomes);
  g_test_add_func ("/fiber/spawn/default-runtime", test_spawn_default_runtime);
  g_test_add_func ("/fiber/spawn/closed", test_spawn_closed);
  g_test_add_func ("/fiber/await/many-timer-and-channel", test_many_timer_and_channel);
  g_test_add_func ("/fiber/await/other-thread", test_await_other_thread);
  g_test_add_func ("/fiber/await/settled-no-switch", test_await_settled_no_switch);
  g_test_add_func ("/fiber/await/refused-on-worker", test_refused_on_worker);
  g_test_add_func ("/fiber/await/same-body-fiber-and-blocking", test_same_body_fiber_and_blocking);
  g_test_add_func ("/fiber/cancel/blocking-job", test_cancel_blocking_job);
  g_test_add_func ("/fiber/await/nested-one-worker", test_nested_one_worker);
  g_test_add_func ("/fiber/await/gio-on-worker", test_gio_on_worker);
  g_test_add_func ("/fiber/await/channel-closed", test_await_channel_closed);
  g_test_add_func ("/fiber/cancel/while-suspended", test_cancel_while_suspended);
  g_test_add_func ("/fiber/cancel/keeps-shared-future", test_cancel_keeps_shared_future);
  g_test_add_func ("/fiber/cancel/races-settle", test_cancel_races_settle);
  g_test_add_func ("/fiber/cancel/shutdown", test_shutdown_cancels_suspended);
  g_test_add_func ("/fiber/stack/size-knob", test_stack_size_knob);
  g_test_add_func ("/fiber/stack/deep-but-within", test_stack_deep_but_within);
  g_test_add_func ("/fiber/stack/overflow-hits-guard", test_stack_overflow_hits_guard);
  g_test_add_func ("/fiber/stack/overflow-hits-canary", test_stack_overflow_hits_canary);

  return g_test_run ();
}
