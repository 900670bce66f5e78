/* task-recycle.c: task handles and the futures tasks return, recycled
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A thread that spawns keeps the task handles it dropped for its next
 * spawns, and a worker parks the settled future a task's function
 * returned without the full GObject unref (gasync-future-pool.c and
 * _gasync_future_release()). These tests check that nothing of a task
 * survives into the next one that reuses its handle, and that a returned
 * future somebody still observes dies as usual instead of being parked.
 */

#include "gasync-test-util.h"

typedef struct
{
  gint value;
  gint runs;          /* atomic */
  gint destroys;      /* atomic */
  gint cancelled;     /* atomic: the cancellable was cancelled at the start */
} Work;

static GAsyncFuture *
work_run (GCancellable *cancellable,
          gpointer      data)
{
  Work *work = data;

  g_atomic_int_inc (&work->runs);
  if (g_cancellable_is_cancelled (cancellable))
    g_atomic_int_inc (&work->cancelled);
  return gasync_future_new_for_int (work->value);
}

static gboolean
work_run_blocking (GCancellable  *cancellable,
                   GValue        *result,
                   gpointer       data,
                   GError       **error)
{
  Work *work = data;

  g_atomic_int_inc (&work->runs);
  if (g_cancellable_is_cancelled (cancellable))
    g_atomic_int_inc (&work->cancelled);
  g_value_init (result, G_TYPE_INT);
  g_value_set_int (result, work->value);
  return TRUE;
}

static void
work_destroy (gpointer data)
{
  g_atomic_int_inc (&((Work *) data)->destroys);
}

static void
assert_resolved_with (GAsyncFuture *handle,
                      gint          value)
{
  g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (handle, GASYNC_TEST_TIMEOUT_MS);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) got = G_VALUE_INIT;

  g_assert_true (gasync_future_wait (bounded, NULL, &got, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gasync_future_get_state (handle), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_null (gasync_future_get_error (handle));
  g_assert_cmpint (g_value_get_int (&got), ==, value);
}

/* Local tasks run on this thread, so the handle's last reference is ours
 * and its reuse is certain (where recycling is on): each new task gets a
 * handle that is pending, runs its own function with its own data, and
 * settles with its own value, whatever the task before it did. */
static void
test_local_handles_come_back_new (void)
{
  GMainContext *context = g_main_context_new ();
  GAsyncFuture *previous = NULL;

  g_main_context_push_thread_default (context);
  for (gint round = 0; round < 6; round++)
    {
      Work work = { .value = 100 + round };
      GAsyncFuture *handle = gasync_spawn_local (context, work_run, &work, work_destroy);

      if (GASYNC_TEST_RECYCLING && previous != NULL)
        g_assert_true (handle == previous);
      /* Not run yet: never synchronously inside spawn_local. */
      g_assert_cmpint (gasync_future_get_state (handle), ==, GASYNC_FUTURE_PENDING);
      g_assert_cmpint (g_atomic_int_get (&work.runs), ==, 0);

      if (round % 3 == 1)
        {
          /* Cancelled before it ran: it never runs, and the next task on
           * this handle is not born cancelled. */
          gasync_future_cancel (handle);
          gasync_test_iterate_pending (context);
          g_assert_cmpint (gasync_future_get_state (handle), ==, GASYNC_FUTURE_REJECTED);
          g_assert_cmpint (g_atomic_int_get (&work.runs), ==, 0);
        }
      else
        {
          while (gasync_future_get_state (handle) == GASYNC_FUTURE_PENDING)
            g_main_context_iteration (context, TRUE);
          assert_resolved_with (handle, work.value);
          g_assert_cmpint (g_atomic_int_get (&work.runs), ==, 1);
          g_assert_cmpint (g_atomic_int_get (&work.cancelled), ==, 0);
        }
      gasync_test_iterate_pending (context);
      g_assert_cmpint (g_atomic_int_get (&work.destroys), ==, 1);
      g_assert_cmpint (G_OBJECT (handle)->ref_count, ==, 1);
      previous = handle;
      g_object_unref (handle);
    }
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

/* Async and blocking tasks share the handle type: mixed and repeated,
 * every handle settles with its own task's value, each function runs
 * once with an uncancelled cancellable, each destroy notify runs once,
 * and a task cancelled while queued leaves nothing to the next. */
static void
test_worker_handles_come_back_new (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  enum { ROUNDS = 64 };
  Work works[ROUNDS];

  for (gint i = 0; i < ROUNDS; i++)
    {
      GAsyncFuture *handle;

      works[i] = (Work) { .value = i * 7 };
      if (i % 2 == 0)
        handle = gasync_runtime_spawn (rt, work_run, &works[i], work_destroy);
      else
        handle = gasync_runtime_spawn_blocking (rt, work_run_blocking, &works[i], work_destroy);
      assert_resolved_with (handle, works[i].value);
      g_object_unref (handle);
    }

  g_assert_true (gasync_runtime_shutdown (rt, NULL, NULL));
  for (gint i = 0; i < ROUNDS; i++)
    {
      g_assert_cmpint (works[i].runs, ==, 1);
      g_assert_cmpint (works[i].cancelled, ==, 0);
      g_assert_cmpint (works[i].destroys, ==, 1);
    }
  g_object_unref (rt);
}

/* The future a task's function returned is parked by the worker only if
 * nothing else observes it: user data, weak references and GWeakRefs see
 * it die when the task is done with it, and a signal handler on it is
 * disconnected either way. */

typedef struct
{
  GAsyncTestLatch data_freed;
  GAsyncTestLatch weak_notified;
  GAsyncTestLatch closure_freed;
  gint            n_data_freed;     /* atomic */
  gint            n_weak_notified;  /* atomic */
  gint            n_closure_freed;  /* atomic */
  GWeakRef        weak;
  guint           observe;
} Observed;

enum { OBSERVE_DATA, OBSERVE_WEAK_REF, OBSERVE_G_WEAK_REF, OBSERVE_HANDLER };

static void
observed_data_freed (gpointer data)
{
  Observed *o = data;

  g_atomic_int_inc (&o->n_data_freed);
  gasync_test_latch_open (&o->data_freed);
}

static void
observed_weak_notify (gpointer  data,
                      GObject  *where_the_object_was)
{
  Observed *o = data;

  g_atomic_int_inc (&o->n_weak_notified);
  gasync_test_latch_open (&o->weak_notified);
}

static void
observed_notify (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
}

static void
observed_closure_freed (gpointer  data,
                        GClosure *closure)
{
  Observed *o = data;

  g_atomic_int_inc (&o->n_closure_freed);
  gasync_test_latch_open (&o->closure_freed);
}

static GAsyncFuture *
observed_run (GCancellable *cancellable,
              gpointer      data)
{
  Observed *o = data;
  GAsyncFuture *future = gasync_future_new_for_int (7);

  switch (o->observe)
    {
    case OBSERVE_DATA:
      g_object_set_data_full (G_OBJECT (future), "gasync-test", o, observed_data_freed);
      break;
    case OBSERVE_WEAK_REF:
      g_object_weak_ref (G_OBJECT (future), observed_weak_notify, o);
      break;
    case OBSERVE_G_WEAK_REF:
      g_weak_ref_set (&o->weak, future);
      break;
    default:
      g_signal_connect_data (future, "notify", G_CALLBACK (observed_notify), o,
                             observed_closure_freed, 0);
      break;
    }
  return future;
}

static void
test_returned_future_observers_see_it_die (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);

  for (guint observe = OBSERVE_DATA; observe <= OBSERVE_HANDLER; observe++)
    for (guint round = 0; round < 3; round++)
      {
        Observed o = { .observe = observe };
        GAsyncFuture *handle;

        gasync_test_latch_init (&o.data_freed);
        gasync_test_latch_init (&o.weak_notified);
        gasync_test_latch_init (&o.closure_freed);
        g_weak_ref_init (&o.weak, NULL);

        handle = gasync_runtime_spawn (rt, observed_run, &o, NULL);
        assert_resolved_with (handle, 7);
        g_object_unref (handle);

        switch (observe)
          {
          case OBSERVE_DATA:
            g_assert_true (gasync_test_latch_wait (&o.data_freed, GASYNC_TEST_TIMEOUT_MS));
            break;
          case OBSERVE_WEAK_REF:
            g_assert_true (gasync_test_latch_wait (&o.weak_notified, GASYNC_TEST_TIMEOUT_MS));
            break;
          case OBSERVE_G_WEAK_REF:
            /* Cleared when it dies; the runtime's shutdown below is after
             * the worker let the future go. */
            break;
          default:
            g_assert_true (gasync_test_latch_wait (&o.closure_freed, GASYNC_TEST_TIMEOUT_MS));
            break;
          }

        /* Idle runtime: every task is done with what it held. */
        g_assert_true (gasync_runtime_shutdown (rt, NULL, NULL));
        g_object_unref (rt);
        rt = gasync_runtime_new (1);

        g_assert_null (g_weak_ref_get (&o.weak));
        g_assert_cmpint (g_atomic_int_get (&o.n_data_freed), ==, observe == OBSERVE_DATA);
        g_assert_cmpint (g_atomic_int_get (&o.n_weak_notified), ==, observe == OBSERVE_WEAK_REF);
        g_assert_cmpint (g_atomic_int_get (&o.n_closure_freed), ==, observe == OBSERVE_HANDLER);

        g_weak_ref_clear (&o.weak);
        gasync_test_latch_clear (&o.data_freed);
        gasync_test_latch_clear (&o.weak_notified);
        gasync_test_latch_clear (&o.closure_freed);
      }

  g_assert_true (gasync_runtime_shutdown (rt, NULL, NULL));
  g_object_unref (rt);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Recycled task handles and returned futures: nothing of one "
                  "task reaches the next, and observed futures die as usual");

  g_test_add_func ("/task-recycle/local-handles-come-back-new", test_local_handles_come_back_new);
  g_test_add_func ("/task-recycle/worker-handles-come-back-new", test_worker_handles_come_back_new);
  g_test_add_func ("/task-recycle/returned-future-observers-see-it-die",
                   test_returned_future_observers_see_it_die);

  return g_test_run ();
}
