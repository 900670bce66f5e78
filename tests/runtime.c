/* runtime.c: tests for GAsyncRuntime and spawning
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"
#include "gasync-future-private.h"
#include "gasync-runtime-private.h"

/* Waits, blocking, for @future to settle; fails the test after GASYNC_TEST_TIMEOUT_MS. */
static void
await_settled (GAsyncFuture *future)
{
  g_auto(GValue) value = G_VALUE_INIT;

  if (gasync_future_get_state (future) == GASYNC_FUTURE_PENDING)
    {
      g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (future, GASYNC_TEST_TIMEOUT_MS);

      gasync_future_wait (bounded, NULL, &value, NULL);
    }
  g_assert_cmpint (gasync_future_get_state (future), !=, GASYNC_FUTURE_PENDING);
}

static void
shutdown_and_unref (GAsyncRuntime *rt)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_runtime_shutdown (rt, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (rt);
}

/* A task whose work is a promise the test settles. */
typedef struct
{
  GAsyncPromise   *promise;        /* what the task returns; the test settles it */
  GCancellable    *cancellable;    /* owned: what the task was given */
  GAsyncTestLatch  started;
  GAsyncTestLatch  destroyed;
  GThread         *ran_on;
  GThread         *destroyed_on;
  gint             runs;           /* atomic */
  gint             destroys;       /* atomic */
} Job;

static void
job_init (Job *job)
{
  memset (job, 0, sizeof *job);
  job->promise = gasync_promise_new ();
  gasync_test_latch_init (&job->started);
  gasync_test_latch_init (&job->destroyed);
}

static void
job_clear (Job *job)
{
  g_clear_object (&job->promise);
  g_clear_object (&job->cancellable);
  gasync_test_latch_clear (&job->started);
  gasync_test_latch_clear (&job->destroyed);
}

static GAsyncFuture *
job_run (GCancellable *cancellable,
         gpointer      data)
{
  Job *job = data;

  job->ran_on = g_thread_self ();
  job->cancellable = g_object_ref (cancellable);
  g_atomic_int_inc (&job->runs);
  gasync_test_latch_open (&job->started);
  return g_object_ref (GASYNC_FUTURE (job->promise));
}

static void
job_destroy (gpointer data)
{
  Job *job = data;

  job->destroyed_on = g_thread_self ();
  g_atomic_int_inc (&job->destroys);
  gasync_test_latch_open (&job->destroyed);
}

/* Fire and forget */

static void
test_fire_and_forget (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (2);
  GAsyncFuture *handle;
  Job job;

  job_init (&job);

  handle = gasync_runtime_spawn (rt, job_run, &job, job_destroy);
  /* spawn() has returned and the task cannot have finished: its work is
   * a promise only we settle, below. */
  g_assert_cmpint (gasync_future_get_state (handle), ==, GASYNC_FUTURE_PENDING);
  g_assert_true (gasync_test_latch_wait (&job.started, GASYNC_TEST_TIMEOUT_MS));
  g_assert_false (gasync_test_latch_is_open (&job.destroyed));

  /* Detach, then let the work finish: the task still completes. */
  g_object_unref (handle);
  gasync_promise_resolve_int (job.promise, 1);
  g_assert_true (gasync_test_latch_wait (&job.destroyed, GASYNC_TEST_TIMEOUT_MS));

  g_assert_cmpint (job.runs, ==, 1);
  g_assert_cmpint (job.destroys, ==, 1);
  g_assert_true (job.ran_on != g_thread_self ());
  /* The destroy notify ran on the worker that ran the function. */
  g_assert_true (job.destroyed_on == job.ran_on);

  shutdown_and_unref (rt);
  job_clear (&job);
}

/* Concurrency is real: each task waits for the other to start. */

typedef struct
{
  GAsyncTestLatch *mine;
  GAsyncTestLatch *theirs;
} Rendezvous;

static GAsyncFuture *
rendezvous_async (GCancellable *cancellable,
                  gpointer      data)
{
  Rendezvous *r = data;

  gasync_test_latch_open (r->mine);
  return gasync_future_new_for_boolean (gasync_test_latch_wait (r->theirs, GASYNC_TEST_TIMEOUT_MS));
}

static gboolean
rendezvous_blocking (GCancellable  *cancellable,
                     GValue        *result,
                     gpointer       data,
                     GError       **error)
{
  Rendezvous *r = data;

  gasync_test_latch_open (r->mine);
  g_value_init (result, G_TYPE_BOOLEAN);
  g_value_set_boolean (result, gasync_test_latch_wait (r->theirs, GASYNC_TEST_TIMEOUT_MS));
  return TRUE;
}

static void
test_concurrent (gconstpointer data)
{
  gboolean blocking = GPOINTER_TO_INT (data);
  GAsyncRuntime *rt = gasync_runtime_new (2);
  GAsyncTestLatch a, b;
  Rendezvous ra = { &a, &b }, rb = { &b, &a };
  g_autoptr(GAsyncFuture) fa = NULL;
  g_autoptr(GAsyncFuture) fb = NULL;

  gasync_test_latch_init (&a);
  gasync_test_latch_init (&b);

  if (blocking)
    {
      fa = gasync_runtime_spawn_blocking (rt, rendezvous_blocking, &ra, NULL);
      fb = gasync_runtime_spawn_blocking (rt, rendezvous_blocking, &rb, NULL);
    }
  else
    {
      fa = gasync_runtime_spawn (rt, rendezvous_async, &ra, NULL);
      fb = gasync_runtime_spawn (rt, rendezvous_async, &rb, NULL);
    }

  await_settled (fa);
  await_settled (fb);
  /* Run one after the other, the first would have timed out. */
  g_assert_true (gasync_future_get_boolean (fa, NULL));
  g_assert_true (gasync_future_get_boolean (fb, NULL));

  shutdown_and_unref (rt);
  gasync_test_latch_clear (&a);
  gasync_test_latch_clear (&b);
}

/* 100,000 tasks spawned from 4 threads, on the default runtime */

#define N_SPAWNERS 4

static gint *stress_hits;

static GAsyncFuture *
stress_task (GCancellable *cancellable,
             gpointer      data)
{
  guint index = GPOINTER_TO_UINT (data);
  g_auto(GValue) value = G_VALUE_INIT;

  g_atomic_int_inc (&stress_hits[index]);
  g_value_init (&value, G_TYPE_INT64);
  g_value_set_int64 (&value, index);
  return gasync_future_new_resolved (&value);
}

typedef struct
{
  guint   first;
  guint   n;
  gint64  sum;
  guint   collected;
} Spawner;

static gpointer
spawner_main (gpointer data)
{
  Spawner *s = data;
  GAsyncFuture **handles = g_new (GAsyncFuture *, s->n);

  for (guint i = 0; i < s->n; i++)
    handles[i] = gasync_spawn (stress_task, GUINT_TO_POINTER (s->first + i), NULL);

  for (guint i = 0; i < s->n; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_autoptr(GError) error = NULL;

      g_assert_true (gasync_future_wait (handles[i], NULL, &value, &error));
      g_assert_no_error (error);
      s->sum += g_value_get_int64 (&value);
      s->collected++;
      g_object_unref (handles[i]);
    }

  g_free (handles);
  return NULL;
}

static void
test_many_from_threads (void)
{
  guint n = gasync_test_size (100000, 1000000);
  Spawner spawners[N_SPAWNERS];
  GThread *threads[N_SPAWNERS];
  gint64 sum = 0;
  guint collected = 0;

  n -= n % N_SPAWNERS;
  stress_hits = g_new0 (gint, n);

  for (guint t = 0; t < N_SPAWNERS; t++)
    {
      spawners[t] = (Spawner) { t * (n / N_SPAWNERS), n / N_SPAWNERS, 0, 0 };
      threads[t] = g_thread_new ("spawner", spawner_main, &spawners[t]);
    }
  for (guint t = 0; t < N_SPAWNERS; t++)
    {
      g_thread_join (threads[t]);
      sum += spawners[t].sum;
      collected += spawners[t].collected;
    }

  g_assert_cmpuint (collected, ==, n);
  g_assert_cmpint (sum, ==, (gint64) n * (n - 1) / 2);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (stress_hits[i], ==, 1);

  g_clear_pointer (&stress_hits, g_free);
}

/* Results and errors reach the handle */

static GAsyncFuture *
return_given (GCancellable *cancellable,
              gpointer      data)
{
  return g_object_ref (data);
}

static GAsyncFuture *
return_null (GCancellable *cancellable,
             gpointer      data)
{
  return NULL;
}

static void
test_results_and_errors (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) ok = gasync_future_new_for_string ("value");
  g_autoptr(GAsyncFuture) bad = gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  g_autoptr(GAsyncFuture) h1 = gasync_runtime_spawn (rt, return_given, ok, NULL);
  g_autoptr(GAsyncFuture) h2 = gasync_runtime_spawn (rt, return_given, bad, NULL);
  g_autoptr(GAsyncFuture) h3 = gasync_runtime_spawn (rt, return_null, NULL, NULL);
  g_autofree char *s = NULL;

  await_settled (h1);
  await_settled (h2);
  await_settled (h3);

  s = gasync_future_dup_string (h1, NULL);
  g_assert_cmpstr (s, ==, "value");
  g_assert_error (gasync_future_get_error (h2), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (gasync_future_get_error (h2)->message, ==, "gone");
  g_assert_error (gasync_future_get_error (h3), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);

  shutdown_and_unref (rt);
}

/* A task's GIO work completes on its worker */

typedef struct
{
  GAsyncPromise *promise;   /* owned */
  GThread       *func_thread;
  GThread       *callback_thread;
  GMainContext  *func_context;
  GMainContext  *callback_context;
} Load;

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Load *load = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  load->callback_thread = g_thread_self ();
  load->callback_context = g_main_context_get_thread_default ();
  if (g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_UINT64);
      g_value_set_uint64 (&value, length);
      gasync_promise_resolve (load->promise, &value);
    }
  else
    gasync_promise_reject (load->promise, g_steal_pointer (&error));
  g_clear_object (&load->promise);
}

static GAsyncFuture *
load_start (GCancellable *cancellable,
            gpointer      data)
{
  Load *load = data;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "runtime.c", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  load->func_thread = g_thread_self ();
  load->func_context = g_main_context_get_thread_default ();
  load->promise = gasync_promise_new ();
  g_file_load_contents_async (file, cancellable, load_done, load);
  return g_object_ref (GASYNC_FUTURE (load->promise));
}

static void
test_gio_on_worker (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (2);
  g_autoptr(GAsyncFuture) handle = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) length = G_VALUE_INIT;
  Load load = { 0 };

  handle = gasync_runtime_spawn (rt, load_start, &load, NULL);
  await_settled (handle);

  g_value_init (&length, G_TYPE_UINT64);
  g_assert_true (gasync_future_get_value (handle, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_value_get_uint64 (&length), >, 0);
  g_assert_true (load.func_thread != g_thread_self ());
  g_assert_nonnull (load.func_context);
  /* GIO finished the work on the worker that started it. */
  g_assert_true (load.callback_thread == load.func_thread);
  g_assert_true (load.callback_context == load.func_context);

  shutdown_and_unref (rt);
}

/* Callbacks run where they were registered, never on a worker */

typedef struct
{
  gint      ran;
  GThread  *thread;
  gint      destroys_seen;
  gint     *destroys;
} Seen;

static GAsyncFuture *
seen_cb (GAsyncFuture *completed,
         gpointer      data)
{
  Seen *seen = data;

  seen->thread = g_thread_self ();
  if (seen->destroys != NULL)
    seen->destroys_seen = g_atomic_int_get (seen->destroys);
  g_atomic_int_set (&seen->ran, TRUE);
  return NULL;
}

typedef struct
{
  GAsyncFuture *handle;
  Seen          seen;
} OtherContext;

static gpointer
register_on_other_context (gpointer data)
{
  OtherContext *oc = data;
  GMainContext *context = g_main_context_new ();
  g_autoptr(GAsyncFuture) derived = NULL;

  g_main_context_push_thread_default (context);
  derived = gasync_future_and_then (oc->handle, seen_cb, &oc->seen, NULL);
  gasync_test_iterate_until (context, &oc->seen.ran, GASYNC_TEST_TIMEOUT_MS);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static gint counted_destroys;

static void
count_destroy (gpointer data)
{
  g_atomic_int_inc (&counted_destroys);
}

static gboolean
blocking_int (GCancellable  *cancellable,
              GValue        *result,
              gpointer       data,
              GError       **error)
{
  g_value_init (result, G_TYPE_INT);
  g_value_set_int (result, GPOINTER_TO_INT (data));
  return TRUE;
}

static void
test_callbacks_on_registering_context (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (2);
  Job job;
  g_autoptr(GAsyncFuture) handle = NULL;
  g_autoptr(GAsyncFuture) blocking = NULL;
  g_autoptr(GAsyncFuture) d1 = NULL;
  g_autoptr(GAsyncFuture) d2 = NULL;
  Seen on_main = { 0 }, on_main_blocking = { 0 };
  OtherContext oc = { 0 };
  GThread *other;

  job_init (&job);
  counted_destroys = 0;

  handle = gasync_runtime_spawn (rt, job_run, &job, job_destroy);
  on_main.destroys = &job.destroys;
  d1 = gasync_future_and_then (handle, seen_cb, &on_main, NULL);
  oc.handle = handle;
  other = g_thread_new ("other-context", register_on_other_context, &oc);

  blocking = gasync_runtime_spawn_blocking (rt, blocking_int, GINT_TO_POINTER (3), count_destroy);
  on_main_blocking.destroys = &counted_destroys;
  d2 = gasync_future_and_then (blocking, seen_cb, &on_main_blocking, NULL);

  /* Settled from this thread; the task finishes on its worker. */
  g_assert_true (gasync_test_latch_wait (&job.started, GASYNC_TEST_TIMEOUT_MS));
  gasync_promise_resolve_int (job.promise, 8);

  gasync_test_iterate_until (NULL, &on_main.ran, GASYNC_TEST_TIMEOUT_MS);
  gasync_test_iterate_until (NULL, &on_main_blocking.ran, GASYNC_TEST_TIMEOUT_MS);
  g_thread_join (other);

  g_assert_true (on_main.thread == g_thread_self ());
  g_assert_true (on_main_blocking.thread == g_thread_self ());
  g_assert_true (oc.seen.thread == other);
  /* The data was released before the handle settled. */
  g_assert_cmpint (on_main.destroys_seen, ==, 1);
  g_assert_cmpint (on_main_blocking.destroys_seen, ==, 1);
  g_assert_cmpint (gasync_future_get_int (handle, NULL), ==, 8);
  g_assert_cmpint (gasync_future_get_int (blocking, NULL), ==, 3);

  shutdown_and_unref (rt);
  job_clear (&job);
}

/* Cancellation */

typedef struct
{
  GAsyncTestLatch *started;
  GAsyncTestLatch *go;
} Blocker;

/* Occupies an async worker until @go opens: only tests do such a thing. */
static GAsyncFuture *
blocker_run (GCancellable *cancellable,
             gpointer      data)
{
  Blocker *b = data;

  gasync_test_latch_open (b->started);
  return gasync_future_new_for_boolean (gasync_test_latch_wait (b->go, GASYNC_TEST_TIMEOUT_MS));
}

static void
test_cancel_before_start (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  GAsyncTestLatch started, go;
  Blocker b = { &started, &go };
  g_autoptr(GAsyncFuture) blocker = NULL;
  g_autoptr(GAsyncFuture) victim = NULL;
  Job job;

  job_init (&job);
  gasync_test_latch_init (&started);
  gasync_test_latch_init (&go);

  blocker = gasync_runtime_spawn (rt, blocker_run, &b, NULL);
  g_assert_true (gasync_test_latch_wait (&started, GASYNC_TEST_TIMEOUT_MS));

  /* The only worker is busy: the victim is queued. */
  victim = gasync_runtime_spawn (rt, job_run, &job, job_destroy);
  gasync_future_cancel (victim);
  g_assert_error (gasync_future_get_error (victim), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  gasync_test_latch_open (&go);
  shutdown_and_unref (rt);

  /* It never ran, and its data was still released exactly once. */
  g_assert_cmpint (job.runs, ==, 0);
  g_assert_cmpint (job.destroys, ==, 1);
  g_assert_true (gasync_future_get_boolean (blocker, NULL));

  job_clear (&job);
  gasync_test_latch_clear (&started);
  gasync_test_latch_clear (&go);
}

static void
reject_on_cancel (GCancellable *cancellable,
                  gpointer      data)
{
  gasync_promise_reject_literal (data, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped");
}

static GAsyncFuture *
cancellable_job_run (GCancellable *cancellable,
                     gpointer      data)
{
  Job *job = data;

  g_cancellable_connect (cancellable, G_CALLBACK (reject_on_cancel),
                         g_object_ref (job->promise), g_object_unref);
  return job_run (cancellable, data);
}

static void
test_cancel_while_running (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) handle = NULL;
  Job job;

  job_init (&job);

  handle = gasync_runtime_spawn (rt, cancellable_job_run, &job, job_destroy);
  g_assert_true (gasync_test_latch_wait (&job.started, GASYNC_TEST_TIMEOUT_MS));
  g_assert_false (g_cancellable_is_cancelled (job.cancellable));

  gasync_future_cancel (handle);
  /* The handle at once, and the task's own cancellable. */
  g_assert_error (gasync_future_get_error (handle), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (job.cancellable));
  /* The task honoured it: its work rejected, so it finishes. */
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (job.promise)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gasync_test_latch_wait (&job.destroyed, GASYNC_TEST_TIMEOUT_MS));

  shutdown_and_unref (rt);
  job_clear (&job);
}

typedef struct
{
  GAsyncTestLatch started;
  GAsyncTestLatch cancelled;
  gboolean        saw_cancel;
} BlockingCancel;

static void
open_latch (GCancellable *cancellable,
            gpointer      data)
{
  gasync_test_latch_open (data);
}

static gboolean
blocking_until_cancelled (GCancellable  *cancellable,
                          GValue        *result,
                          gpointer       data,
                          GError       **error)
{
  BlockingCancel *bc = data;

  g_cancellable_connect (cancellable, G_CALLBACK (open_latch), &bc->cancelled, NULL);
  gasync_test_latch_open (&bc->started);
  gasync_test_latch_wait (&bc->cancelled, GASYNC_TEST_TIMEOUT_MS);
  bc->saw_cancel = g_cancellable_is_cancelled (cancellable);
  g_cancellable_set_error_if_cancelled (cancellable, error);
  return FALSE;
}

static void
test_cancel_blocking_while_running (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) handle = NULL;
  BlockingCancel bc = { 0 };

  gasync_test_latch_init (&bc.started);
  gasync_test_latch_init (&bc.cancelled);

  handle = gasync_runtime_spawn_blocking (rt, blocking_until_cancelled, &bc, NULL);
  g_assert_true (gasync_test_latch_wait (&bc.started, GASYNC_TEST_TIMEOUT_MS));
  gasync_future_cancel (handle);
  g_assert_error (gasync_future_get_error (handle), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Drains: waits for the function to return. */
  shutdown_and_unref (rt);
  g_assert_true (bc.saw_cancel);

  gasync_test_latch_clear (&bc.started);
  gasync_test_latch_clear (&bc.cancelled);
}

static void
test_cancel_after_completion (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) handle = NULL;
  Job job;

  job_init (&job);
  gasync_promise_resolve_int (job.promise, 5);

  handle = gasync_runtime_spawn (rt, job_run, &job, job_destroy);
  await_settled (handle);
  gasync_future_cancel (handle);

  g_assert_cmpint (gasync_future_get_int (handle, NULL), ==, 5);
  g_assert_false (g_cancellable_is_cancelled (job.cancellable));

  shutdown_and_unref (rt);
  job_clear (&job);
}

/* Threads recycle the cancellable of a task that finished by itself; a
 * recycled one must never be one that was kept, cancelled or left with a
 * handler. One worker runs the tasks in order. */

typedef struct
{
  GCancellable *seen;               /* not owned: compared by address */
  gboolean      cancelled_at_start;
  gboolean      handler_at_start;
  gint         *handler_calls;
  guint         action;
} Recycle;

enum { RECYCLE_NOTHING, RECYCLE_CONNECT, RECYCLE_CANCEL, RECYCLE_KEEP };

static void
count_call (GCancellable *cancellable,
            gpointer      data)
{
  g_atomic_int_inc ((gint *) data);
}

static GAsyncFuture *
recycle_run (GCancellable *cancellable,
             gpointer      data)
{
  Recycle *r = data;

  r->seen = cancellable;
  r->cancelled_at_start = g_cancellable_is_cancelled (cancellable);
  r->handler_at_start = g_signal_has_handler_pending (cancellable,
                                                      g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE),
                                                      0, TRUE);
  switch (r->action)
    {
    case RECYCLE_CONNECT:
      g_cancellable_connect (cancellable, G_CALLBACK (count_call), r->handler_calls, NULL);
      break;
    case RECYCLE_CANCEL:
      g_cancellable_cancel (cancellable);
      break;
    case RECYCLE_KEEP:
      g_object_ref (cancellable);   /* leaked on purpose until the test ends */
      break;
    default:
      break;
    }
  return gasync_future_new_for_boolean (TRUE);
}

static void
test_recycled_cancellables (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  gint handler_calls = 0;
  Recycle r[6] = {
    { .action = RECYCLE_NOTHING },
    { .action = RECYCLE_NOTHING },
    { .action = RECYCLE_CONNECT, .handler_calls = &handler_calls },
    { .action = RECYCLE_CANCEL },
    { .action = RECYCLE_KEEP },
    { .action = RECYCLE_NOTHING },
  };
  GAsyncFuture *h[6];
  g_autoptr(GAsyncFuture) last = NULL;
  Job job;

  job_init (&job);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    h[i] = gasync_runtime_spawn (rt, recycle_run, &r[i], NULL);
  /* Then one that is cancelled while it waits: only its own cancellable
   * fires, no handler left by an earlier task. */
  last = gasync_runtime_spawn (rt, cancellable_job_run, &job, job_destroy);
  g_assert_true (gasync_test_latch_wait (&job.started, GASYNC_TEST_TIMEOUT_MS));
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    await_settled (h[i]);
  /* Cancelling a finished task touches nothing. */
  gasync_future_cancel (h[1]);
  gasync_future_cancel (last);
  g_assert_true (gasync_test_latch_wait (&job.destroyed, GASYNC_TEST_TIMEOUT_MS));

  /* Recycling does happen... */
  g_assert_true (r[1].seen == r[0].seen);
  /* ...but never with state left behind. */
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      g_assert_false (r[i].cancelled_at_start);
      g_assert_false (r[i].handler_at_start);
      g_assert_cmpint (gasync_future_get_state (h[i]), ==, GASYNC_FUTURE_RESOLVED);
    }
  g_assert_true (g_cancellable_is_cancelled (job.cancellable));
  g_assert_cmpint (handler_calls, ==, 0);
  /* The kept one was not given to anyone else. */
  g_assert_true (r[5].seen != r[4].seen);
  g_assert_true (job.cancellable != r[4].seen);
  g_assert_false (g_cancellable_is_cancelled (r[4].seen));

  shutdown_and_unref (rt);
  g_object_unref (r[4].seen);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    g_object_unref (h[i]);
  job_clear (&job);
}

/* The blocking pool */

#define CHAIN_LENGTH 64

typedef struct
{
  GAsyncTestLatch *started;   /* CHAIN_LENGTH latches */
  guint            index;
} ChainLink;

static gboolean
chain_link_run (GCancellable  *cancellable,
                GValue        *result,
                gpointer       data,
                GError       **error)
{
  ChainLink *link = data;
  gboolean ok = TRUE;

  gasync_test_latch_open (&link->started[link->index]);
  if (link->index + 1 < CHAIN_LENGTH)
    ok = gasync_test_latch_wait (&link->started[link->index + 1], GASYNC_TEST_TIMEOUT_MS);

  g_value_init (result, G_TYPE_BOOLEAN);
  g_value_set_boolean (result, ok);
  return TRUE;
}

static void
test_blocking_dependent_chain (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  GAsyncTestLatch started[CHAIN_LENGTH];
  ChainLink links[CHAIN_LENGTH];
  GAsyncFuture *handles[CHAIN_LENGTH];

  g_test_summary ("64 blocking tasks, each waiting for the next one to start, all "
                  "finish: the pool grows instead of livelocking like GTask's");
  g_assert_cmpuint (gasync_runtime_get_max_blocking_threads (rt), >=, CHAIN_LENGTH);

  for (guint i = 0; i < CHAIN_LENGTH; i++)
    {
      gasync_test_latch_init (&started[i]);
      links[i] = (ChainLink) { started, i };
    }
  for (guint i = 0; i < CHAIN_LENGTH; i++)
    handles[i] = gasync_runtime_spawn_blocking (rt, chain_link_run, &links[i], NULL);

  for (guint i = 0; i < CHAIN_LENGTH; i++)
    {
      await_settled (handles[i]);
      g_assert_true (gasync_future_get_boolean (handles[i], NULL));
      g_object_unref (handles[i]);
    }

  shutdown_and_unref (rt);
  for (guint i = 0; i < CHAIN_LENGTH; i++)
    gasync_test_latch_clear (&started[i]);
}

typedef struct
{
  gint             running;      /* atomic */
  gint             max_running;  /* atomic */
  GAsyncTestLatch  at_cap;
  GAsyncTestLatch  go;
} Capped;

static gboolean
capped_run (GCancellable  *cancellable,
            GValue        *result,
            gpointer       data,
            GError       **error)
{
  Capped *c = data;
  gint now = g_atomic_int_add (&c->running, 1) + 1;
  gint max;

  do
    max = g_atomic_int_get (&c->max_running);
  while (now > max && !g_atomic_int_compare_and_exchange (&c->max_running, max, now));
  if (now == 2)
    gasync_test_latch_open (&c->at_cap);

  gasync_test_latch_wait (&c->go, GASYNC_TEST_TIMEOUT_MS);
  g_atomic_int_add (&c->running, -1);
  return TRUE;
}

static void
test_blocking_cap (void)
{
  g_autoptr(GAsyncRuntime) rt = g_object_new (GASYNC_TYPE_RUNTIME,
                                              "n-workers", 1,
                                              "max-blocking-threads", 2,
                                              NULL);
  GAsyncFuture *handles[6];
  Capped c = { 0 };

  gasync_test_latch_init (&c.at_cap);
  gasync_test_latch_init (&c.go);
  g_assert_cmpuint (gasync_runtime_get_max_blocking_threads (rt), ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (handles); i++)
    handles[i] = gasync_runtime_spawn_blocking (rt, capped_run, &c, NULL);

  /* The pool grew to its cap, and the others wait their turn. */
  g_assert_true (gasync_test_latch_wait (&c.at_cap, GASYNC_TEST_TIMEOUT_MS));
  gasync_test_latch_open (&c.go);
  for (guint i = 0; i < G_N_ELEMENTS (handles); i++)
    {
      await_settled (handles[i]);
      g_assert_cmpint (gasync_future_get_state (handles[i]), ==, GASYNC_FUTURE_RESOLVED);
      g_object_unref (handles[i]);
    }
  g_assert_cmpint (c.max_running, ==, 2);

  g_assert_true (gasync_runtime_shutdown (rt, NULL, NULL));
  gasync_test_latch_clear (&c.at_cap);
  gasync_test_latch_clear (&c.go);
}

static gboolean
blocking_wait_go (GCancellable  *cancellable,
                  GValue        *result,
                  gpointer       data,
                  GError       **error)
{
  Blocker *b = data;

  gasync_test_latch_open (b->started);
  return gasync_test_latch_wait (b->go, GASYNC_TEST_TIMEOUT_MS);
}

static void
test_blocking_separate_from_workers (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  GAsyncTestLatch started, go;
  Blocker b = { &started, &go };
  g_autoptr(GAsyncFuture) blocked = NULL;
  g_autoptr(GAsyncFuture) async = NULL;
  g_autoptr(GAsyncFuture) ready = gasync_future_new_for_int (4);

  gasync_test_latch_init (&started);
  gasync_test_latch_init (&go);

  blocked = gasync_runtime_spawn_blocking (rt, blocking_wait_go, &b, NULL);
  g_assert_true (gasync_test_latch_wait (&started, GASYNC_TEST_TIMEOUT_MS));

  /* The blocking thread is stuck; the only async worker is not. */
  async = gasync_runtime_spawn (rt, return_given, ready, NULL);
  await_settled (async);
  g_assert_cmpint (gasync_future_get_int (async, NULL), ==, 4);
  g_assert_cmpint (gasync_future_get_state (blocked), ==, GASYNC_FUTURE_PENDING);

  gasync_test_latch_open (&go);
  shutdown_and_unref (rt);
  g_assert_cmpint (gasync_future_get_state (blocked), ==, GASYNC_FUTURE_RESOLVED);

  gasync_test_latch_clear (&started);
  gasync_test_latch_clear (&go);
}

static gboolean
blocking_no_value (GCancellable  *cancellable,
                   GValue        *result,
                   gpointer       data,
                   GError       **error)
{
  return TRUE;
}

static gboolean
blocking_fail (GCancellable  *cancellable,
               GValue        *result,
               gpointer       data,
               GError       **error)
{
  /* A value set before failing is dropped. */
  g_value_init (result, G_TYPE_STRING);
  g_value_set_string (result, "discarded");
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "denied");
  return FALSE;
}

static void
test_blocking_results (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) none = gasync_runtime_spawn_blocking (rt, blocking_no_value, NULL, NULL);
  g_autoptr(GAsyncFuture) fail = gasync_runtime_spawn_blocking (rt, blocking_fail, NULL, NULL);

  await_settled (none);
  await_settled (fail);

  g_assert_true (gasync_future_get_value_type (none) == G_TYPE_POINTER);
  g_assert_null (gasync_future_get_pointer (none, NULL));
  g_assert_error (gasync_future_get_error (fail), G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);

  shutdown_and_unref (rt);
}

/* Deadlock refusal */

static GAsyncFuture *
ready_int (GCancellable *cancellable,
           gpointer      data)
{
  return gasync_future_new_for_int (1);
}

typedef struct
{
  GAsyncRuntime *rt;
  GAsyncRuntime *stopped;          /* another runtime, already shut down */
  GError        *block_on_error;
  GError        *wait_error;
  GError        *wait_settled_error;
  GError        *drain_error;
  GError        *shutdown_error;
  GError        *shutdown_stopped_error;
  gint           block_on_value;
} Refusals;

static GAsyncFuture *
try_blocking_on_worker (GCancellable *cancellable,
                        gpointer      data)
{
  Refusals *r = data;
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  GAsyncPromise *extra = g_object_ref (p);
  g_auto(GValue) value = G_VALUE_INIT;

  /* Refused every time, even when nothing would have to wait: ready
   * work, a settled future, nothing to drain, a runtime already stopped. */
  gasync_block_on (ready_int, NULL, NULL, NULL, &r->block_on_error);
  gasync_future_wait (GASYNC_FUTURE (p), NULL, &value, &r->wait_error);
  {
    g_autoptr(GAsyncFuture) settled = gasync_future_new_for_int (1);
    g_auto(GValue) settled_value = G_VALUE_INIT;

    gasync_future_wait (settled, NULL, &settled_value, &r->wait_settled_error);
  }
  gasync_block_on_drain (0, NULL, &r->drain_error);
  gasync_runtime_shutdown (r->rt, NULL, &r->shutdown_error);
  gasync_runtime_shutdown (r->stopped, NULL, &r->shutdown_stopped_error);

  gasync_promise_resolve_int (p, 0);
  g_object_unref (extra);
  return gasync_future_new_for_boolean (TRUE);
}

static gboolean
try_blocking_on_pool (GCancellable  *cancellable,
                      GValue        *result,
                      gpointer       data,
                      GError       **error)
{
  Refusals *r = data;
  g_autoptr(GAsyncFuture) settled = NULL;

  /* Blocking is what the pool is for... */
  settled = gasync_block_on_future (ready_int, NULL, 0, NULL);
  r->block_on_value = gasync_future_get_int (settled, &r->block_on_error);
  gasync_block_on_drain (0, NULL, &r->drain_error);
  /* ...but not joining itself. */
  gasync_runtime_shutdown (r->rt, NULL, &r->shutdown_error);
  return TRUE;
}

static void
test_refuses_deadlock (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  GAsyncRuntime *stopped = gasync_runtime_new (1);
  Refusals on_worker = { rt, stopped }, on_pool = { rt, stopped };
  g_autoptr(GAsyncFuture) h1 = NULL;
  g_autoptr(GAsyncFuture) h2 = NULL;

  g_assert_true (gasync_runtime_shutdown (stopped, NULL, NULL));
  h1 = gasync_runtime_spawn (rt, try_blocking_on_worker, &on_worker, NULL);
  h2 = gasync_runtime_spawn_blocking (rt, try_blocking_on_pool, &on_pool, NULL);
  await_settled (h1);
  await_settled (h2);

  g_assert_error (on_worker.block_on_error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);
  g_assert_nonnull (strstr (on_worker.block_on_error->message, "gasync_spawn_blocking()"));
  g_assert_error (on_worker.wait_error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);
  /* Refused even when the future is already settled. */
  g_assert_error (on_worker.wait_settled_error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);
  g_assert_error (on_worker.drain_error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);
  g_assert_error (on_worker.shutdown_error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);
  g_assert_error (on_worker.shutdown_stopped_error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);

  g_assert_no_error (on_pool.block_on_error);
  g_assert_no_error (on_pool.drain_error);
  g_assert_cmpint (on_pool.block_on_value, ==, 1);
  g_assert_error (on_pool.shutdown_error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);
  g_assert_false (gasync_runtime_is_closed (rt));

  shutdown_and_unref (rt);
  g_object_unref (stopped);
  g_clear_error (&on_worker.block_on_error);
  g_clear_error (&on_worker.wait_error);
  g_clear_error (&on_worker.wait_settled_error);
  g_clear_error (&on_worker.drain_error);
  g_clear_error (&on_worker.shutdown_error);
  g_clear_error (&on_worker.shutdown_stopped_error);
  g_clear_error (&on_pool.shutdown_error);
  g_clear_error (&on_pool.shutdown_stopped_error);
}

/* Shutdown */

typedef struct
{
  GAsyncRuntime *rt;
  GCancellable  *cancellable;
  gboolean       result;
  GError        *error;
} ShutdownCall;

static gpointer
shutdown_in_thread (gpointer data)
{
  ShutdownCall *call = data;

  call->result = gasync_runtime_shutdown (call->rt, call->cancellable, &call->error);
  return NULL;
}

/* Closing has no event to wait on: poll, a millisecond apart (a yield
 * loop would keep a core busy that the shutdown thread needs). */
static void
wait_until_closed (GAsyncRuntime *rt)
{
  gint64 deadline = g_get_monotonic_time () + GASYNC_TEST_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  while (!gasync_runtime_is_closed (rt))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
}

/* The live-thread count of a test is only exact once no thread of another
 * runtime is on its way out: those of runtimes that earlier tests dropped
 * (which finish what they run first) and idle blocking threads of the
 * default runtime (which exit after their keep-alive). The default
 * runtime is the only one here that outlives a test, so the baseline is
 * its workers: wait for exactly that, on the count's own condition
 * variable. */
static guint
wait_for_thread_baseline (void)
{
  guint baseline = gasync_runtime_get_n_workers (gasync_runtime_get_default ());

  g_assert_true (_gasync_runtime_wait_live_threads (baseline, GASYNC_TEST_TIMEOUT_MS));
  return baseline;
}

#define N_QUEUED 8

static void
test_shutdown_drains (void)
{
  guint baseline = wait_for_thread_baseline ();
  GAsyncRuntime *rt = gasync_runtime_new (1);
  GAsyncTestLatch started, go;
  Blocker b = { &started, &go };
  g_autoptr(GAsyncFuture) blocker = NULL;
  GAsyncFuture *queued[N_QUEUED];
  Job jobs[N_QUEUED];
  ShutdownCall call = { rt };
  GThread *thread;

  gasync_test_latch_init (&started);
  gasync_test_latch_init (&go);
  g_assert_cmpuint (_gasync_runtime_count_live_threads (), ==, baseline + 1);

  blocker = gasync_runtime_spawn (rt, blocker_run, &b, NULL);
  g_assert_true (gasync_test_latch_wait (&started, GASYNC_TEST_TIMEOUT_MS));
  for (guint i = 0; i < N_QUEUED; i++)
    {
      job_init (&jobs[i]);
      gasync_promise_resolve_int (jobs[i].promise, i);
      queued[i] = gasync_runtime_spawn (rt, job_run, &jobs[i], job_destroy);
    }

  thread = g_thread_new ("shutdown", shutdown_in_thread, &call);
  wait_until_closed (rt);

  /* Closed while they are queued: they still run, later ones don't. */
  for (guint i = 0; i < N_QUEUED; i++)
    g_assert_cmpint (g_atomic_int_get (&jobs[i].runs), ==, 0);
  {
    g_autoptr(GAsyncFuture) late = gasync_runtime_spawn (rt, ready_int, NULL, NULL);
    g_assert_error (gasync_future_get_error (late), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  }

  gasync_test_latch_open (&go);
  g_thread_join (thread);
  g_assert_true (call.result);
  g_assert_no_error (call.error);

  for (guint i = 0; i < N_QUEUED; i++)
    {
      g_assert_cmpint (jobs[i].runs, ==, 1);
      g_assert_cmpint (jobs[i].destroys, ==, 1);
      g_assert_cmpint (gasync_future_get_int (queued[i], NULL), ==, (gint) i);
      g_object_unref (queued[i]);
      job_clear (&jobs[i]);
    }
  /* Joined: no thread is left, with no waiting. */
  g_assert_cmpuint (_gasync_runtime_count_live_threads (), ==, baseline);

  g_object_unref (rt);
  gasync_test_latch_clear (&started);
  gasync_test_latch_clear (&go);
}

/* Occupies the worker until @go opens, then returns pending work that
 * honours the cancellable. */
typedef struct
{
  Blocker  blocker;
  Job     *job;
} SlowStart;

static GAsyncFuture *
slow_start_run (GCancellable *cancellable,
                gpointer      data)
{
  SlowStart *ss = data;

  gasync_test_latch_open (ss->blocker.started);
  gasync_test_latch_wait (ss->blocker.go, GASYNC_TEST_TIMEOUT_MS);
  return cancellable_job_run (cancellable, ss->job);
}

static void
test_shutdown_cancels (void)
{
  guint baseline = wait_for_thread_baseline ();
  GAsyncRuntime *rt = g_object_new (GASYNC_TYPE_RUNTIME,
                                    "n-workers", 1,
                                    "max-blocking-threads", 1,
                                    NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GAsyncTestLatch started, go;
  SlowStart ss = { { &started, &go }, NULL };
  g_autoptr(GAsyncFuture) waiting = NULL;
  g_autoptr(GAsyncFuture) in_call = NULL;
  g_autoptr(GAsyncFuture) queued = NULL;
  g_autoptr(GAsyncFuture) running_blocking = NULL;
  g_autoptr(GAsyncFuture) queued_blocking = NULL;
  BlockingCancel bc = { 0 };
  ShutdownCall call = { rt, cancellable };
  Job wjob, sjob, qjob;
  GThread *thread;

  gasync_test_latch_init (&started);
  gasync_test_latch_init (&go);
  gasync_test_latch_init (&bc.started);
  gasync_test_latch_init (&bc.cancelled);
  job_init (&wjob);
  job_init (&sjob);
  job_init (&qjob);
  ss.job = &sjob;

  /* On the one worker: a task waiting for the future it returned, one
   * still inside its function, one queued behind it. On the blocking
   * pool (cap 1): one running, one queued. */
  waiting = gasync_runtime_spawn (rt, cancellable_job_run, &wjob, job_destroy);
  g_assert_true (gasync_test_latch_wait (&wjob.started, GASYNC_TEST_TIMEOUT_MS));
  in_call = gasync_runtime_spawn (rt, slow_start_run, &ss, NULL);
  g_assert_true (gasync_test_latch_wait (&started, GASYNC_TEST_TIMEOUT_MS));
  queued = gasync_runtime_spawn (rt, job_run, &qjob, job_destroy);
  running_blocking = gasync_runtime_spawn_blocking (rt, blocking_until_cancelled, &bc, NULL);
  g_assert_true (gasync_test_latch_wait (&bc.started, GASYNC_TEST_TIMEOUT_MS));
  counted_destroys = 0;
  queued_blocking = gasync_runtime_spawn_blocking (rt, blocking_int, NULL, count_destroy);

  /* Already cancelled: shut down without draining. */
  g_cancellable_cancel (cancellable);
  thread = g_thread_new ("shutdown", shutdown_in_thread, &call);

  /* Queued: rejected without running, data released. */
  await_settled (queued);
  await_settled (queued_blocking);
  g_assert_error (gasync_future_get_error (queued), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (gasync_future_get_error (queued_blocking), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (qjob.runs, ==, 0);
  g_assert_cmpint (qjob.destroys, ==, 1);
  g_assert_cmpint (counted_destroys, ==, 1);

  /* Running: cancelled, and each honoured its cancellable. */
  await_settled (waiting);
  await_settled (running_blocking);
  g_assert_error (gasync_future_get_error (waiting), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (wjob.cancellable));
  g_assert_error (gasync_future_get_error (running_blocking), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Inside its function: cancelled as soon as it returns pending work. */
  g_assert_cmpint (gasync_future_get_state (in_call), ==, GASYNC_FUTURE_PENDING);
  gasync_test_latch_open (&go);
  g_thread_join (thread);
  g_assert_false (call.result);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&call.error);

  g_assert_error (gasync_future_get_error (in_call), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (sjob.cancellable));
  g_assert_cmpint (wjob.destroys, ==, 1);
  g_assert_true (bc.saw_cancel);

  /* Joined. */
  g_assert_cmpuint (_gasync_runtime_count_live_threads (), ==, baseline);

  g_object_unref (rt);
  job_clear (&wjob);
  job_clear (&sjob);
  job_clear (&qjob);
  gasync_test_latch_clear (&started);
  gasync_test_latch_clear (&go);
  gasync_test_latch_clear (&bc.started);
  gasync_test_latch_clear (&bc.cancelled);
}

static void
test_spawn_after_shutdown (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (2);
  g_autoptr(GAsyncFuture) h1 = NULL;
  g_autoptr(GAsyncFuture) h2 = NULL;
  g_autoptr(GError) error = NULL;
  Job job;

  job_init (&job);
  g_assert_false (gasync_runtime_is_closed (rt));
  g_assert_true (gasync_runtime_shutdown (rt, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gasync_runtime_is_closed (rt));

  counted_destroys = 0;
  h1 = gasync_runtime_spawn (rt, job_run, &job, job_destroy);
  h2 = gasync_runtime_spawn_blocking (rt, blocking_int, NULL, count_destroy);
  g_assert_error (gasync_future_get_error (h1), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_assert_error (gasync_future_get_error (h2), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  /* Released at once, on this thread. */
  g_assert_cmpint (job.runs, ==, 0);
  g_assert_cmpint (job.destroys, ==, 1);
  g_assert_true (job.destroyed_on == g_thread_self ());
  g_assert_cmpint (counted_destroys, ==, 1);

  /* Again is fine. */
  g_assert_true (gasync_runtime_shutdown (rt, NULL, &error));
  g_assert_no_error (error);

  g_object_unref (rt);
  job_clear (&job);
}

static void
test_drop_while_running (void)
{
  guint baseline = wait_for_thread_baseline ();
  GAsyncRuntime *rt = gasync_runtime_new (2);
  g_autoptr(GAsyncFuture) async = NULL;
  g_autoptr(GAsyncFuture) blocking = NULL;
  GAsyncTestLatch started, go;
  Blocker b = { &started, &go };
  Job job;

  job_init (&job);
  gasync_test_latch_init (&started);
  gasync_test_latch_init (&go);

  async = gasync_runtime_spawn (rt, job_run, &job, job_destroy);
  blocking = gasync_runtime_spawn_blocking (rt, blocking_wait_go, &b, NULL);
  g_assert_true (gasync_test_latch_wait (&job.started, GASYNC_TEST_TIMEOUT_MS));
  g_assert_true (gasync_test_latch_wait (&started, GASYNC_TEST_TIMEOUT_MS));
  g_assert_cmpuint (_gasync_runtime_count_live_threads (), ==, baseline + 3);

  /* Dropping does not block (the blocking task is still stuck) and does
   * not cancel: the tasks finish like detached ones. */
  g_object_unref (rt);
  g_assert_cmpint (gasync_future_get_state (blocking), ==, GASYNC_FUTURE_PENDING);
  gasync_promise_resolve_int (job.promise, 2);
  gasync_test_latch_open (&go);

  await_settled (async);
  await_settled (blocking);
  g_assert_cmpint (gasync_future_get_int (async, NULL), ==, 2);
  g_assert_cmpint (gasync_future_get_state (blocking), ==, GASYNC_FUTURE_RESOLVED);

  /* And then every thread exits. */
  g_assert_true (_gasync_runtime_wait_live_threads (baseline, GASYNC_TEST_TIMEOUT_MS));

  job_clear (&job);
  gasync_test_latch_clear (&started);
  gasync_test_latch_clear (&go);
}

static void
test_drop_idle_joins (void)
{
  guint baseline = wait_for_thread_baseline ();
  GAsyncRuntime *rt = gasync_runtime_new (3);
  g_autoptr(GAsyncFuture) h = gasync_runtime_spawn_blocking (rt, blocking_int, GINT_TO_POINTER (1), NULL);

  await_settled (h);
  g_assert_cmpuint (_gasync_runtime_count_live_threads (), ==, baseline + 4);
  g_object_unref (rt);
  /* Nothing ran: joined inside the unref. */
  g_assert_cmpuint (_gasync_runtime_count_live_threads (), ==, baseline);
}

/* spawn_local */

typedef struct
{
  GMainContext    *context;
  GAsyncTestLatch  ready;
  gint             quit;
  GThread         *thread;
} ContextThread;

static gpointer
context_thread_main (gpointer data)
{
  ContextThread *ct = data;

  ct->thread = g_thread_self ();
  gasync_test_latch_open (&ct->ready);
  while (!g_atomic_int_get (&ct->quit))
    g_main_context_iteration (ct->context, TRUE);
  return NULL;
}

typedef struct
{
  GThread      *thread;
  GMainContext *thread_default;
  gint          ran;
} LocalRecord;

static GAsyncFuture *
local_record (GCancellable *cancellable,
              gpointer      data)
{
  LocalRecord *rec = data;

  rec->thread = g_thread_self ();
  /* get_thread_default() says NULL for the global default context. */
  rec->thread_default = g_main_context_ref_thread_default ();
  g_main_context_unref (rec->thread_default);
  g_atomic_int_inc (&rec->ran);
  return gasync_future_new_for_int (6);
}

static void
test_spawn_local_context_thread (void)
{
  ContextThread ct = { 0 };
  GThread *thread;
  g_autoptr(GAsyncFuture) handle = NULL;
  g_autoptr(GAsyncFuture) derived = NULL;
  LocalRecord rec = { 0 };
  Seen seen = { 0 };

  ct.context = g_main_context_new ();
  gasync_test_latch_init (&ct.ready);
  thread = g_thread_new ("context-owner", context_thread_main, &ct);
  g_assert_true (gasync_test_latch_wait (&ct.ready, GASYNC_TEST_TIMEOUT_MS));

  handle = gasync_spawn_local (ct.context, local_record, &rec, NULL);
  derived = gasync_future_and_then (handle, seen_cb, &seen, NULL);
  gasync_test_iterate_until (NULL, &seen.ran, GASYNC_TEST_TIMEOUT_MS);

  g_assert_true (rec.thread == ct.thread);
  g_assert_true (rec.thread_default == ct.context);
  g_assert_true (seen.thread == g_thread_self ());
  g_assert_cmpint (gasync_future_get_int (handle, NULL), ==, 6);

  g_atomic_int_set (&ct.quit, TRUE);
  g_main_context_wakeup (ct.context);
  g_thread_join (thread);
  g_main_context_unref (ct.context);
  gasync_test_latch_clear (&ct.ready);
}

static GAsyncFuture *
spawn_local_from_worker (GCancellable *cancellable,
                         gpointer      data)
{
  /* A worker hands work back to the main context. */
  return gasync_spawn_local (NULL, local_record, data, NULL);
}

static void
test_spawn_local_not_synchronous (void)
{
  GAsyncRuntime *rt = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) handle = NULL;
  g_autoptr(GAsyncFuture) from_worker = NULL;
  LocalRecord rec = { 0 }, rec2 = { 0 };

  handle = gasync_spawn_local (NULL, local_record, &rec, NULL);
  g_assert_cmpint (rec.ran, ==, 0);
  g_assert_cmpint (gasync_future_get_state (handle), ==, GASYNC_FUTURE_PENDING);
  gasync_test_iterate_until (NULL, &rec.ran, GASYNC_TEST_TIMEOUT_MS);
  g_assert_true (rec.thread == g_thread_self ());
  g_assert_true (rec.thread_default == g_main_context_default ());

  from_worker = gasync_runtime_spawn (rt, spawn_local_from_worker, &rec2, NULL);
  gasync_test_iterate_until (NULL, &rec2.ran, GASYNC_TEST_TIMEOUT_MS);
  g_assert_true (rec2.thread == g_thread_self ());
  await_settled (from_worker);
  g_assert_cmpint (gasync_future_get_int (from_worker, NULL), ==, 6);

  shutdown_and_unref (rt);
}

static void
test_spawn_local_cancel_before_start (void)
{
  g_autoptr(GAsyncFuture) handle = NULL;
  LocalRecord rec = { 0 };

  counted_destroys = 0;
  handle = gasync_spawn_local (NULL, local_record, &rec, count_destroy);
  gasync_future_cancel (handle);
  gasync_test_iterate_pending (NULL);
  g_assert_cmpint (rec.ran, ==, 0);
  g_assert_cmpint (counted_destroys, ==, 1);
}

/* The default runtime */

static void
test_default_runtime (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GAsyncFuture) h = NULL;

      /* A fresh process, no thread yet: safe to set the environment. */
      g_setenv ("GASYNC_WORKERS", "3", TRUE);
      g_assert_true (gasync_runtime_get_default () == gasync_runtime_get_default ());
      g_assert_cmpuint (gasync_runtime_get_n_workers (gasync_runtime_get_default ()), ==, 3);
      h = gasync_spawn_blocking (blocking_int, GINT_TO_POINTER (9), NULL);
      await_settled (h);
      g_assert_cmpint (gasync_future_get_int (h, NULL), ==, 9);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_n_workers_default (void)
{
  g_autoptr(GAsyncRuntime) rt = NULL;

  if (g_getenv ("GASYNC_WORKERS") != NULL)
    {
      g_test_skip ("GASYNC_WORKERS is set");
      return;
    }
  rt = gasync_runtime_new (0);
  g_assert_cmpuint (gasync_runtime_get_n_workers (rt), ==, g_get_num_processors ());
  g_assert_cmpuint (gasync_runtime_get_max_blocking_threads (rt), ==,
                    GASYNC_RUNTIME_DEFAULT_MAX_BLOCKING_THREADS);
}

/* Preconditions */

static GAsyncFuture *
return_not_a_future (GCancellable *cancellable,
                     gpointer      data)
{
  return data;
}

static void
test_preconditions (void)
{
  g_autoptr(GAsyncRuntime) rt = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) f = NULL;

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  f = gasync_runtime_spawn (rt, NULL, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_error (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_clear_object (&f);

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_RUNTIME*");
  f = gasync_runtime_spawn_blocking (NULL, blocking_int, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_error (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_clear_object (&f);

  /* On the main context, so the critical is logged on this thread. */
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*gasync_spawn_local()*not a GAsyncFuture*");
  f = gasync_spawn_local (NULL, return_not_a_future, rt, NULL);
  while (gasync_future_get_state (f) == GASYNC_FUTURE_PENDING)
    g_main_context_iteration (NULL, TRUE);
  g_test_assert_expected_messages ();
  g_assert_error (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);

  g_assert_true (gasync_runtime_shutdown (rt, NULL, NULL));
}

static gboolean
blocking_false_without_error (GCancellable  *cancellable,
                              GValue        *result,
                              gpointer       data,
                              GError       **error)
{
  return FALSE;
}

static void
test_blocking_false_without_error (void)
{
  if (g_test_subprocess ())
    {
      GAsyncRuntime *rt = gasync_runtime_new (1);
      g_autoptr(GAsyncFuture) h = gasync_runtime_spawn_blocking (rt, blocking_false_without_error, NULL, NULL);

      await_settled (h);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*returned FALSE without setting an error*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("GAsyncRuntime: spawning on workers, the blocking pool and local "
                  "contexts; handles, cancellation, deadlock refusal, shutdown and "
                  "finalization without leaked threads");

  g_test_add_func ("/runtime/spawn/fire-and-forget", test_fire_and_forget);
  g_test_add_data_func ("/runtime/spawn/concurrent", GINT_TO_POINTER (FALSE), test_concurrent);
  g_test_add_data_func ("/runtime/spawn-blocking/concurrent", GINT_TO_POINTER (TRUE), test_concurrent);
  g_test_add_func ("/runtime/spawn/many-from-threads", test_many_from_threads);
  g_test_add_func ("/runtime/spawn/results-and-errors", test_results_and_errors);
  g_test_add_func ("/runtime/spawn/gio-on-worker", test_gio_on_worker);
  g_test_add_func ("/runtime/spawn/callbacks-on-registering-context", test_callbacks_on_registering_context);
  g_test_add_func ("/runtime/cancel/before-start", test_cancel_before_start);
  g_test_add_func ("/runtime/cancel/while-running", test_cancel_while_running);
  g_test_add_func ("/runtime/cancel/blocking-while-running", test_cancel_blocking_while_running);
  g_test_add_func ("/runtime/cancel/after-completion", test_cancel_after_completion);
  g_test_add_func ("/runtime/cancel/recycled-cancellables", test_recycled_cancellables);
  g_test_add_func ("/runtime/spawn-blocking/dependent-chain", test_blocking_dependent_chain);
  g_test_add_func ("/runtime/spawn-blocking/cap", test_blocking_cap);
  g_test_add_func ("/runtime/spawn-blocking/separate-from-workers", test_blocking_separate_from_workers);
  g_test_add_func ("/runtime/spawn-blocking/results", test_blocking_results);
  g_test_add_func ("/runtime/spawn-blocking/false-without-error", test_blocking_false_without_error);
  g_test_add_func ("/runtime/deadlock/refused", test_refuses_deadlock);
  g_test_add_func ("/runtime/shutdown/drains", test_shutdown_drains);
  g_test_add_func ("/runtime/shutdown/cancels", test_shutdown_cancels);
  g_test_add_func ("/runtime/shutdown/spawn-after", test_spawn_after_shutdown);
  g_test_add_func ("/runtime/drop/while-running", test_drop_while_running);
  g_test_add_func ("/runtime/drop/idle-joins", test_drop_idle_joins);
  g_test_add_func ("/runtime/spawn-local/context-thread", test_spawn_local_context_thread);
  g_test_add_func ("/runtime/spawn-local/not-synchronous", test_spawn_local_not_synchronous);
  g_test_add_func ("/runtime/spawn-local/cancel-before-start", test_spawn_local_cancel_before_start);
  g_test_add_func ("/runtime/default/workers-from-environment", test_default_runtime);
  g_test_add_func ("/runtime/default/n-workers", test_n_workers_default);
  g_test_add_func ("/runtime/preconditions", test_preconditions);

  return g_test_run ();
}
