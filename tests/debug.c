/* debug.c: tests for future names, GASYNC_DEBUG=pending and runtime stats
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Linked with export_dynamic: the task functions below that are not
 * static are in the dynamic symbol table, where a task's default name
 * comes from.
 */

#include "config.h"

#ifdef HAVE_SYSPROF
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sysprof-capture.h>
#endif

#include "gasync-test-util.h"
#include "gasync-trace-private.h"

/* Exported, for the prototypes -Wmissing-prototypes wants. */
GAsyncFuture *debug_test_exported_task (GCancellable *cancellable,
                                        gpointer      user_data);
gboolean      debug_test_exported_blocking (GCancellable  *cancellable,
                                            GValue        *result,
                                            gpointer       user_data,
                                            GError       **error);
void          debug_test_leave_pending (void);
GAsyncFuture *debug_test_slow_continuation (GAsyncFuture *completed,
                                            gpointer      user_data);
GAsyncFuture *debug_test_fast_continuation (GAsyncFuture *completed,
                                            gpointer      user_data);
GAsyncFuture *debug_test_slow_local (GCancellable *cancellable,
                                     gpointer      user_data);
GAsyncFuture *debug_test_fast_local (GCancellable *cancellable,
                                     gpointer      user_data);
gboolean      debug_test_slow_receiver (GAsyncReceiver *receiver,
                                        const GValue   *item,
                                        gpointer        user_data);
gboolean      debug_test_fast_receiver (GAsyncReceiver *receiver,
                                        const GValue   *item,
                                        gpointer        user_data);
gboolean      debug_test_slow_watch (GAsyncWatchReceiver *receiver,
                                     const GValue        *value,
                                     gpointer             user_data);
gboolean      debug_test_fast_watch (GAsyncWatchReceiver *receiver,
                                     const GValue        *value,
                                     gpointer             user_data);
gboolean      debug_test_slow_broadcast (GAsyncBroadcastReceiver *receiver,
                                         const GValue            *item,
                                         guint64                  missed,
                                         gpointer                 user_data);
gboolean      debug_test_fast_broadcast (GAsyncBroadcastReceiver *receiver,
                                         const GValue            *item,
                                         guint64                  missed,
                                         gpointer                 user_data);

static void
await_settled (GAsyncFuture *future)
{
  if (gasync_future_get_state (future) == GASYNC_FUTURE_PENDING)
    {
      g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (future, GASYNC_TEST_TIMEOUT_MS);

      gasync_future_wait (bounded, NULL, NULL, NULL);
    }
  g_assert_cmpint (gasync_future_get_state (future), !=, GASYNC_FUTURE_PENDING);
}

static void
test_name_set_get (void)
{
  g_autoptr(GAsyncPromise) promise = gasync_promise_new ();
  GAsyncFuture *future = GASYNC_FUTURE (promise);
  char *built = g_strdup ("fetch-config");
  const char *name;

  g_assert_null (gasync_future_get_name (future));

  gasync_future_set_name (future, built);
  g_free (built);
  /* Pinned: the caller's string may go, the name stays. */
  name = gasync_future_get_name (future);
  g_assert_cmpstr (name, ==, "fetch-config");
  g_assert_true (name == g_intern_string ("fetch-config"));

  gasync_future_set_name (future, "renamed");
  g_assert_cmpstr (gasync_future_get_name (future), ==, "renamed");

  /* Settling keeps the name. */
  gasync_promise_resolve_int (promise, 1);
  g_assert_cmpstr (gasync_future_get_name (future), ==, "renamed");

  gasync_future_set_name (future, NULL);
  g_assert_null (gasync_future_get_name (future));
}

#define N_THREADS 4
#define N_FUTURES 200

typedef struct
{
  GAsyncFuture **futures;   /* shared, N_FUTURES */
  guint          index;
} NameWorker;

/* Names every future whose index is ≡ index mod N_THREADS, then checks
 * every name the other threads set as they appear. */
static gpointer
name_worker (gpointer data)
{
  NameWorker *w = data;

  for (guint i = w->index; i < N_FUTURES; i += N_THREADS)
    {
      g_autofree char *name = g_strdup_printf ("future-%u", i);

      gasync_future_set_name (w->futures[i], name);
      g_assert_cmpstr (gasync_future_get_name (w->futures[i]), ==, name);
    }
  for (guint i = 0; i < N_FUTURES; i++)
    {
      const char *name = gasync_future_get_name (w->futures[i]);

      if (name != NULL)
        {
          g_autofree char *expected = g_strdup_printf ("future-%u", i);

          g_assert_cmpstr (name, ==, expected);
        }
    }
  return NULL;
}

static void
test_name_across_threads (void)
{
  GAsyncFuture *futures[N_FUTURES];
  NameWorker workers[N_THREADS];
  GThread *threads[N_THREADS];

  for (guint i = 0; i < N_FUTURES; i++)
    futures[i] = GASYNC_FUTURE (gasync_promise_new ());
  for (guint t = 0; t < N_THREADS; t++)
    {
      workers[t] = (NameWorker) { futures, t };
      threads[t] = g_thread_new ("namer", name_worker, &workers[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);

  for (guint i = 0; i < N_FUTURES; i++)
    {
      g_autofree char *expected = g_strdup_printf ("future-%u", i);

      g_assert_cmpstr (gasync_future_get_name (futures[i]), ==, expected);
      /* Half are dropped pending, half settled first: both forget the name. */
      if (i % 2 == 0)
        gasync_promise_resolve_int (GASYNC_PROMISE (futures[i]), (gint) i);
      g_object_unref (futures[i]);
    }
}

GAsyncFuture *
debug_test_exported_task (GCancellable *cancellable,
                          gpointer      user_data)
{
  return gasync_future_new_for_int (GPOINTER_TO_INT (user_data));
}

gboolean
debug_test_exported_blocking (GCancellable  *cancellable,
                              GValue        *result,
                              gpointer       user_data,
                              GError       **error)
{
  GAsyncTestLatch *latch = user_data;

  if (latch != NULL)
    g_assert_true (gasync_test_latch_wait (latch, GASYNC_TEST_TIMEOUT_MS));
  return TRUE;
}

static GAsyncFuture *
static_task (GCancellable *cancellable,
             gpointer      user_data)
{
  return gasync_future_new_for_int (7);
}

static void
test_task_default_names (void)
{
  g_autoptr(GAsyncRuntime) rt = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) exported = gasync_runtime_spawn (rt, debug_test_exported_task, NULL, NULL);
  g_autoptr(GAsyncFuture) blocking = gasync_runtime_spawn_blocking (rt, debug_test_exported_blocking, NULL, NULL);
  g_autoptr(GAsyncFuture) hidden = gasync_runtime_spawn (rt, static_task, NULL, NULL);
  g_autoptr(GAsyncFuture) named = gasync_runtime_spawn (rt, debug_test_exported_task, NULL, NULL);
  g_autofree char *address = g_strdup_printf ("task %p", (gpointer) static_task);
  g_autoptr(GError) error = NULL;

  gasync_future_set_name (named, "explicit");

  g_assert_cmpstr (gasync_future_get_name (exported), ==, "debug_test_exported_task");
  g_assert_cmpstr (gasync_future_get_name (blocking), ==, "debug_test_exported_blocking");
  g_assert_cmpstr (gasync_future_get_name (hidden), ==, address);
  g_assert_cmpstr (gasync_future_get_name (named), ==, "explicit");

  await_settled (exported);
  await_settled (blocking);
  await_settled (hidden);
  await_settled (named);
  /* Still named once done. */
  g_assert_cmpstr (gasync_future_get_name (exported), ==, "debug_test_exported_task");
  g_assert_true (gasync_runtime_shutdown (rt, NULL, &error));
  g_assert_no_error (error);
}

/* Runs in a subprocess with GASYNC_DEBUG=pending: leaves one named
 * promise pending and settles another. Exported, so that the report can
 * name it as the creation site. */
void
debug_test_leave_pending (void)
{
  GAsyncPromise *forgotten = gasync_promise_new ();
  g_autoptr(GAsyncPromise) settled = gasync_promise_new ();
  g_autoptr(GAsyncRuntime) rt = gasync_runtime_new (1);

  gasync_future_set_name (GASYNC_FUTURE (forgotten), "forgotten-download");
  gasync_future_set_name (GASYNC_FUTURE (settled), "settled-one");
  gasync_promise_resolve_int (settled, 1);

  /* Leaked on purpose: the report at exit must list it. */
  g_assert_true (gasync_runtime_shutdown (rt, NULL, NULL));
}

static void
test_pending_report (void)
{
  if (g_test_subprocess ())
    {
      /* Before the first future of this process: read once, at class init. */
      g_setenv ("GASYNC_DEBUG", "pending", TRUE);
      debug_test_leave_pending ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* At shutdown, then at exit: one line each for the same future. */
  g_test_trap_assert_stderr ("*GASYNC_DEBUG=pending: 1 future pending at gasync_runtime_shutdown()\n"
                             "gasync:   forgotten-download (0x*) pending for * ms, "
                             "created at debug_test_leave_pending+0x*\n"
                             "*GASYNC_DEBUG=pending: 1 future pending at exit\n"
                             "gasync:   forgotten-download (0x*) pending for * ms, "
                             "created at debug_test_leave_pending+0x*");
  g_test_trap_assert_stderr_unmatched ("*settled-one*");
}

static void
test_pending_report_empty (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GAsyncPromise) promise = NULL;

      g_setenv ("GASYNC_DEBUG", "stalls,pending", TRUE);
      promise = gasync_promise_new ();
      gasync_future_set_name (GASYNC_FUTURE (promise), "done-in-time");
      gasync_promise_resolve_int (promise, 1);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*GASYNC_DEBUG=pending: 0 futures pending at exit\n");
  g_test_trap_assert_stderr_unmatched ("*pending for*");
}

/* GASYNC_DEBUG=stalls. The slow callbacks stall the context themselves,
 * for well over the limit; the fast ones return at once, well under it
 * (the margin is wide: valgrind and a loaded machine slow them down). */
#define STALL_LIMIT_MS 200
#define STALL_MS       (STALL_LIMIT_MS + 100)

GAsyncFuture *
debug_test_slow_continuation (GAsyncFuture *completed,
                              gpointer      user_data)
{
  g_usleep (STALL_MS * 1000);
  return NULL;
}

GAsyncFuture *
debug_test_fast_continuation (GAsyncFuture *completed,
                              gpointer      user_data)
{
  return NULL;
}

GAsyncFuture *
debug_test_slow_local (GCancellable *cancellable,
                       gpointer      user_data)
{
  g_usleep (STALL_MS * 1000);
  return gasync_future_new_for_int (1);
}

GAsyncFuture *
debug_test_fast_local (GCancellable *cancellable,
                       gpointer      user_data)
{
  return gasync_future_new_for_int (2);
}

/* Both receivers count their items in *user_data, and stop at the end. */
gboolean
debug_test_slow_receiver (GAsyncReceiver *receiver,
                          const GValue   *item,
                          gpointer        user_data)
{
  if (item == NULL)
    return G_SOURCE_REMOVE;
  g_usleep (STALL_MS * 1000);
  g_atomic_int_inc ((gint *) user_data);
  return G_SOURCE_CONTINUE;
}

gboolean
debug_test_fast_receiver (GAsyncReceiver *receiver,
                          const GValue   *item,
                          gpointer        user_data)
{
  if (item == NULL)
    return G_SOURCE_REMOVE;
  g_atomic_int_inc ((gint *) user_data);
  return G_SOURCE_CONTINUE;
}

/* Feeds one item to a new channel attached to the default context, and
 * iterates until it was received. */
static void
stall_receive_one (GAsyncReceiveFunc func)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  GValue item = G_VALUE_INIT;
  gint received = 0;

  gasync_channel_new (G_TYPE_INT, 0, &tx, &rx);
  g_assert_cmpuint (gasync_receiver_attach (rx, NULL, func, &received, NULL), !=, 0);
  g_value_init (&item, G_TYPE_INT);
  g_value_set_int (&item, 7);
  g_assert_true (gasync_sender_try_send (tx, &item, NULL));
  gasync_test_iterate_until (NULL, &received, GASYNC_TEST_TIMEOUT_MS);
  gasync_sender_close (tx);
  gasync_receiver_close (rx);
  gasync_test_iterate_pending (NULL);
}

/* The watch and broadcast callbacks count their values in counts[0],
 * and the end (the close) in counts[1]; the slow ones stall on a value. */
static gboolean
stall_count (gpointer      user_data,
             gconstpointer value,
             gboolean      slow)
{
  gint *counts = user_data;

  if (value == NULL)
    {
      g_atomic_int_set (&counts[1], 1);
      return G_SOURCE_REMOVE;
    }
  if (slow)
    g_usleep (STALL_MS * 1000);
  g_atomic_int_inc (&counts[0]);
  return G_SOURCE_CONTINUE;
}

gboolean
debug_test_slow_watch (GAsyncWatchReceiver *receiver,
                       const GValue        *value,
                       gpointer             user_data)
{
  return stall_count (user_data, value, TRUE);
}

gboolean
debug_test_fast_watch (GAsyncWatchReceiver *receiver,
                       const GValue        *value,
                       gpointer             user_data)
{
  return stall_count (user_data, value, FALSE);
}

gboolean
debug_test_slow_broadcast (GAsyncBroadcastReceiver *receiver,
                           const GValue            *item,
                           guint64                  missed,
                           gpointer                 user_data)
{
  return stall_count (user_data, item, TRUE);
}

gboolean
debug_test_fast_broadcast (GAsyncBroadcastReceiver *receiver,
                           const GValue            *item,
                           guint64                  missed,
                           gpointer                 user_data)
{
  return stall_count (user_data, item, FALSE);
}

/* Sets a value of a new watch and sends an item on a new broadcast, each
 * with a receiver attached to the default context, and iterates until
 * both were delivered, then until both closes were. */
static void
stall_subscribe_one (GAsyncWatchFunc     watch_func,
                     GAsyncBroadcastFunc broadcast_func)
{
  g_autoptr(GAsyncWatch) watch = NULL;
  g_autoptr(GAsyncWatchReceiver) watch_rx = NULL;
  g_autoptr(GAsyncBroadcast) broadcast = gasync_broadcast_new (G_TYPE_INT, 4);
  g_autoptr(GAsyncBroadcastReceiver) broadcast_rx = gasync_broadcast_subscribe (broadcast);
  g_auto(GValue) value = G_VALUE_INIT;
  gint watch_counts[2] = { 0, 0 };
  gint broadcast_counts[2] = { 0, 0 };

  g_value_init (&value, G_TYPE_INT);
  watch = gasync_watch_new (&value);
  watch_rx = gasync_watch_subscribe (watch);
  g_assert_cmpuint (gasync_watch_receiver_attach (watch_rx, NULL, watch_func, watch_counts, NULL), !=, 0);
  g_assert_cmpuint (gasync_broadcast_receiver_attach (broadcast_rx, NULL, broadcast_func,
                                                      broadcast_counts, NULL), !=, 0);
  g_value_set_int (&value, 7);
  g_assert_true (gasync_watch_set (watch, &value));
  g_assert_cmpuint (gasync_broadcast_send (broadcast, &value), ==, 1);
  gasync_test_iterate_until (NULL, &watch_counts[0], GASYNC_TEST_TIMEOUT_MS);
  gasync_test_iterate_until (NULL, &broadcast_counts[0], GASYNC_TEST_TIMEOUT_MS);

  gasync_watch_close (watch);
  gasync_broadcast_close (broadcast);
  gasync_test_iterate_until (NULL, &watch_counts[1], GASYNC_TEST_TIMEOUT_MS);
  gasync_test_iterate_until (NULL, &broadcast_counts[1], GASYNC_TEST_TIMEOUT_MS);
  g_assert_cmpint (watch_counts[0], ==, 1);
  g_assert_cmpint (broadcast_counts[0], ==, 1);
}

/* Each kind of user code the watchdog times, once slow and once fast. */
static void
stall_run_callbacks (void)
{
  g_autoptr(GAsyncFuture) ready = gasync_future_new_for_int (1);
  GAsyncFuture *steps[3];
  GAsyncFuture *locals[2];

  steps[0] = gasync_future_and_then (ready, debug_test_slow_continuation, NULL, NULL);
  steps[1] = gasync_future_on_settled (ready, debug_test_slow_continuation, NULL, NULL);
  gasync_future_set_name (steps[1], "slow-named-step");
  steps[2] = gasync_future_and_then (ready, debug_test_fast_continuation, NULL, NULL);
  locals[0] = gasync_spawn_local (NULL, debug_test_slow_local, NULL, NULL);
  locals[1] = gasync_spawn_local (NULL, debug_test_fast_local, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    gasync_test_resolved (steps[i], NULL);
  for (guint i = 0; i < G_N_ELEMENTS (locals); i++)
    gasync_test_resolved (locals[i], NULL);

  stall_receive_one (debug_test_slow_receiver);
  stall_receive_one (debug_test_fast_receiver);
  stall_subscribe_one (debug_test_slow_watch, debug_test_slow_broadcast);
  stall_subscribe_one (debug_test_fast_watch, debug_test_fast_broadcast);
}

static void
test_stalls_report (void)
{
  if (g_test_subprocess ())
    {
      /* Before the first future of this process; with pending, as the
       * GTK example runs. */
      g_setenv ("GASYNC_DEBUG", "pending,stalls:" G_STRINGIFY (STALL_LIMIT_MS), TRUE);
      stall_run_callbacks ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* Named by symbol, by the derived future's name, by the task's name
   * (its function's), with the context and the thread. */
  g_test_trap_assert_stderr ("*gasync: GASYNC_DEBUG=stalls: continuation debug_test_slow_continuation "
                             "ran * ms (limit " G_STRINGIFY (STALL_LIMIT_MS) " ms) "
                             "on GMainContext 0x* (the default), thread \"*\" *\n*");
  g_test_trap_assert_stderr ("*gasync: GASYNC_DEBUG=stalls: continuation slow-named-step ran * ms*");
  g_test_trap_assert_stderr ("*gasync: GASYNC_DEBUG=stalls: gasync_spawn_local() task "
                             "debug_test_slow_local ran * ms*");
  g_test_trap_assert_stderr ("*gasync: GASYNC_DEBUG=stalls: receiver callback "
                             "debug_test_slow_receiver ran * ms*");
  g_test_trap_assert_stderr ("*gasync: GASYNC_DEBUG=stalls: watch callback "
                             "debug_test_slow_watch ran * ms*");
  g_test_trap_assert_stderr ("*gasync: GASYNC_DEBUG=stalls: broadcast callback "
                             "debug_test_slow_broadcast ran * ms*");
  g_test_trap_assert_stderr_unmatched ("*debug_test_fast_*");
  /* Once each: two slow continuations, one local task, one receiver, one
   * watch and one broadcast callback (not their fast close calls). */
  g_test_trap_assert_stderr ("*GASYNC_DEBUG=stalls*GASYNC_DEBUG=stalls*GASYNC_DEBUG=stalls*"
                             "GASYNC_DEBUG=stalls*GASYNC_DEBUG=stalls*GASYNC_DEBUG=stalls*");
  g_test_trap_assert_stderr_unmatched ("*GASYNC_DEBUG=stalls*GASYNC_DEBUG=stalls*GASYNC_DEBUG=stalls*"
                                       "GASYNC_DEBUG=stalls*GASYNC_DEBUG=stalls*GASYNC_DEBUG=stalls*"
                                       "GASYNC_DEBUG=stalls*");
  g_test_trap_assert_stderr ("*GASYNC_DEBUG=pending: 0 futures pending at exit*");
}

/* Without the flag (or below the limit) nothing is timed or printed. */
static void
test_stalls_off (void)
{
  if (g_test_subprocess ())
    {
      g_setenv ("GASYNC_DEBUG", "stalls:100000", TRUE);
      stall_run_callbacks ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*GASYNC_DEBUG*");
}

static guint64
stat_get (GVariant   *stats,
          const char *key)
{
  guint64 value = G_MAXUINT64;

  g_assert_true (g_variant_lookup (stats, key, "t", &value));
  return value;
}

static void
test_stats (void)
{
  g_autoptr(GAsyncRuntime) rt = gasync_runtime_new (2);
  g_autoptr(GVariant) before = NULL;
  g_autoptr(GVariant) during = NULL;
  g_autoptr(GVariant) after = NULL;
  g_autoptr(GAsyncFuture) blocking = NULL;
  GAsyncFuture *tasks[10];
  GAsyncTestLatch latch;
  g_autoptr(GError) error = NULL;

  before = g_variant_ref_sink (gasync_runtime_get_stats (rt));
  g_assert_true (g_variant_is_of_type (before, G_VARIANT_TYPE_VARDICT));
  g_assert_cmpuint (stat_get (before, "tasks-spawned"), ==, 0);
  g_assert_cmpuint (stat_get (before, "tasks-outstanding"), ==, 0);
  g_assert_cmpuint (stat_get (before, "tasks-queued"), ==, 0);
  g_assert_cmpuint (stat_get (before, "tasks-running"), ==, 0);
  g_assert_cmpuint (stat_get (before, "async-workers"), ==, 2);
  g_assert_cmpuint (stat_get (before, "async-workers-idle"), <=, 2);
  g_assert_cmpuint (stat_get (before, "blocking-threads-max"), >=, 1);

  gasync_test_latch_init (&latch);
  blocking = gasync_runtime_spawn_blocking (rt, debug_test_exported_blocking, &latch, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    tasks[i] = gasync_runtime_spawn (rt, debug_test_exported_task, GINT_TO_POINTER (i), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      await_settled (tasks[i]);
      g_object_unref (tasks[i]);
    }

  /* The blocking task cannot finish before the latch opens. */
  during = g_variant_ref_sink (gasync_runtime_get_stats (rt));
  g_assert_cmpuint (stat_get (during, "tasks-spawned"), ==, 11);
  g_assert_cmpuint (stat_get (during, "tasks-outstanding"), ==, 1);
  g_assert_cmpuint (stat_get (during, "tasks-queued") + stat_get (during, "tasks-running"), ==, 1);
  g_assert_cmpuint (stat_get (during, "tasks-queued"), ==,
                    stat_get (during, "tasks-queued-async") + stat_get (during, "tasks-queued-blocking"));
  g_assert_cmpuint (stat_get (during, "blocking-threads"), >=, 1);
  g_assert_cmpuint (stat_get (during, "blocking-threads"), <=, stat_get (during, "blocking-threads-max"));
  g_assert_cmpuint (stat_get (during, "blocking-threads-idle"), <=, stat_get (during, "blocking-threads"));

  gasync_test_latch_open (&latch);
  await_settled (blocking);
  g_assert_true (gasync_runtime_shutdown (rt, NULL, &error));
  g_assert_no_error (error);
  gasync_test_latch_clear (&latch);

  after = g_variant_ref_sink (gasync_runtime_get_stats (rt));
  g_assert_cmpuint (stat_get (after, "tasks-spawned"), ==, 11);
  g_assert_cmpuint (stat_get (after, "tasks-outstanding"), ==, 0);
  g_assert_cmpuint (stat_get (after, "tasks-running"), ==, 0);
}

/* Sysprof marks: built with -Dsysprof=enabled, every span below goes
 * through the mark path; no collector records here (the CI machine runs
 * no Sysprof), so this proves that the hooks run and cost nothing when
 * nobody profiles, not what a capture shows. */
static void
test_trace_spans (void)
{
  g_autoptr(GAsyncRuntime) rt = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) task = gasync_runtime_spawn (rt, debug_test_exported_task, GINT_TO_POINTER (3), NULL);
  g_autoptr(GAsyncFuture) blocking = gasync_runtime_spawn_blocking (rt, debug_test_exported_blocking, NULL, NULL);
  g_autoptr(GAsyncFuture) local = gasync_spawn_local (NULL, debug_test_exported_task, NULL, NULL);

#ifdef HAVE_SYSPROF
  g_test_message ("built with Sysprof marks");
  /* No collector: a span does not start... */
  g_assert_cmpint (_gasync_trace_begin (), ==, 0);
  /* ...and a mark without one is dropped quietly. */
  _gasync_trace_task_end (1, task, "test");
#else
  g_test_message ("built without Sysprof marks (-Dsysprof=disabled)");
  g_assert_cmpint (_gasync_trace_begin (), ==, 0);
#endif
  gasync_test_resolved (g_object_ref (task), NULL);
  gasync_test_resolved (g_object_ref (blocking), NULL);
  gasync_test_resolved (g_object_ref (local), NULL);
  g_assert_true (gasync_runtime_shutdown (rt, NULL, NULL));
}

#ifdef HAVE_SYSPROF
/* A stand-in for Sysprof's end of SYSPROF_CONTROL_FD: each thread of the
 * profiled process that has something to record asks once for a ring
 * buffer (it sends "CreatRing" and a NUL) and gets a memfd back. A ring
 * is a page whose first four 32-bit words are the head, the tail, the
 * offset of the body (a page) and its size, then the body, where frames
 * go from head to tail. The body is large enough for the test's marks
 * not to wrap around. */
#define RING_BODY (256 * 1024)

typedef struct
{
  int        socket;   /* our end of the socket pair */
  gsize      page;
  GPtrArray *rings;    /* the mappings, read once the server stopped */
} FakeSysprof;

static void
fake_sysprof_send_fd (int socket,
                      int fd)
{
  char byte = 0;
  struct iovec iov = { &byte, 1 };
  union {
    struct cmsghdr align;
    char           buf[CMSG_SPACE (sizeof (int))];
  } control;
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;

  memset (&control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof fd);
  g_assert_cmpint (sendmsg (socket, &msg, MSG_NOSIGNAL), ==, 1);
}

/* Answers ring requests until the socket is shut down. */
static gpointer
fake_sysprof_serve (gpointer data)
{
  FakeSysprof *fake = data;
  char request[10];

  while (recv (fake->socket, request, sizeof request, MSG_WAITALL) == sizeof request)
    {
      int fd = memfd_create ("gasync-test-ring", MFD_CLOEXEC);
      guint32 *header;

      g_assert_cmpmem (request, sizeof request, "CreatRing", sizeof request);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (ftruncate (fd, fake->page + RING_BODY), ==, 0);
      header = mmap (NULL, fake->page + RING_BODY, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      g_assert_true (header != MAP_FAILED);
      header[0] = header[1] = 0;
      header[2] = fake->page;
      header[3] = RING_BODY;
      g_ptr_array_add (fake->rings, header);
      fake_sysprof_send_fd (fake->socket, fd);
      close (fd);
    }
  return NULL;
}

/* Every mark of group "gasync" in @fake's rings, as "name|message". */
static GPtrArray *
fake_sysprof_marks (FakeSysprof *fake)
{
  GPtrArray *marks = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < fake->rings->len; i++)
    {
      guint32 *header = g_ptr_array_index (fake->rings, i);
      const guint8 *body = (const guint8 *) header + fake->page;

      g_assert_cmpuint (header[1], <, RING_BODY);
      for (guint32 pos = header[0]; pos < header[1]; )
        {
          const SysprofCaptureFrame *frame = (const SysprofCaptureFrame *) (body + pos);
          const SysprofCaptureMark *mark = (const SysprofCaptureMark *) frame;

          g_assert_cmpuint (frame->len, >=, sizeof *frame);
          if (frame->type == SYSPROF_CAPTURE_FRAME_MARK && g_str_equal (mark->group, "gasync"))
            {
              g_assert_cmpint (frame->time, >, 0);
              g_assert_cmpint (mark->duration, >=, 0);
              g_ptr_array_add (marks, g_strdup_printf ("%s|%s", mark->name, mark->message));
            }
          pos += frame->len;
        }
      munmap (header, fake->page + RING_BODY);
    }
  return marks;
}

static gboolean
marks_contain (GPtrArray  *marks,
               const char *mark)
{
  return g_ptr_array_find_with_equal_func (marks, mark, g_str_equal, NULL);
}

/* Spawns each kind of task with the fake Sysprof listening, and finds
 * their marks in the rings. */
static void
trace_marks_run (void)
{
  FakeSysprof fake = { 0 };
  int pair[2];
  g_autofree char *fd_text = NULL;
  g_autoptr(GPtrArray) marks = NULL;
  g_autoptr(GAsyncRuntime) rt = NULL;
  GAsyncFuture *task, *blocking, *local;
  GThread *server;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), ==, 0);
  fake.socket = pair[0];
  fake.page = (gsize) sysconf (_SC_PAGESIZE);
  fake.rings = g_ptr_array_new ();
  /* Read by each thread the first time it records. */
  fd_text = g_strdup_printf ("%d", pair[1]);
  g_setenv ("SYSPROF_CONTROL_FD", fd_text, TRUE);
  server = g_thread_new ("fake-sysprof", fake_sysprof_serve, &fake);

  rt = gasync_runtime_new (1);
  task = gasync_runtime_spawn (rt, debug_test_exported_task, GINT_TO_POINTER (4), NULL);
  blocking = gasync_runtime_spawn_blocking (rt, debug_test_exported_blocking, NULL, NULL);
  local = gasync_spawn_local (NULL, debug_test_exported_task, NULL, NULL);
  gasync_future_set_name (local, "traced-local");
  gasync_test_resolved (task, NULL);
  gasync_test_resolved (blocking, NULL);
  gasync_test_resolved (local, NULL);
  /* Joins the threads: every mark is written. */
  g_assert_true (gasync_runtime_shutdown (rt, NULL, NULL));

  shutdown (pair[0], SHUT_RDWR);
  g_thread_join (server);
  marks = fake_sysprof_marks (&fake);
  for (guint i = 0; i < marks->len; i++)
    g_test_message ("mark: %s", (const char *) g_ptr_array_index (marks, i));
  g_assert_true (marks_contain (marks, "debug_test_exported_task|gasync_runtime_spawn()"));
  g_assert_true (marks_contain (marks, "debug_test_exported_blocking|gasync_runtime_spawn_blocking()"));
  g_assert_true (marks_contain (marks, "traced-local|gasync_spawn_local()"));
  g_ptr_array_unref (fake.rings);
  close (pair[0]);
}
#endif

/* With -Dsysprof=enabled and a collector listening, each task's run
 * leaves a mark with its name. A subprocess: a thread asks for its ring
 * once and keeps it for its life. */
static void
test_trace_marks (void)
{
#ifdef HAVE_SYSPROF
  if (g_test_subprocess ())
    {
      trace_marks_run ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
#else
  g_test_skip ("built without Sysprof marks (-Dsysprof=disabled)");
#endif
}

/* The channel waiter counts are process-wide: read them relative to
 * @base, the snapshot before the test parked anything. */
static guint64
waiters_now (GAsyncRuntime *rt,
             const char    *key)
{
  g_autoptr(GVariant) stats = g_variant_ref_sink (gasync_runtime_get_stats (rt));

  return stat_get (stats, key);
}

/* Polls the stats until @key reads @expected (a parking thread gets there
 * on its own time), failing the test after GASYNC_TEST_TIMEOUT_MS. */
static void
await_waiters (GAsyncRuntime *rt,
               const char    *key,
               guint64        expected)
{
  gint64 deadline = g_get_monotonic_time () + GASYNC_TEST_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  while (waiters_now (rt, key) != expected)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

static gpointer
blocked_recv_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;

  /* Parks until the sender closes, then fails. */
  g_assert_false (gasync_receiver_recv (data, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  return NULL;
}

static void
test_stats_channel_waiters (void)
{
  g_autoptr(GAsyncRuntime) rt = gasync_runtime_new (1);
  g_autoptr(GAsyncSender) full_tx = NULL;
  g_autoptr(GAsyncReceiver) full_rx = NULL;
  g_autoptr(GAsyncSender) empty_tx = NULL;
  g_autoptr(GAsyncReceiver) empty_rx = NULL;
  GAsyncFuture *sends[3], *recvs[2];
  GValue item = G_VALUE_INIT;
  guint64 send_base = waiters_now (rt, "channel-send-waiters");
  guint64 recv_base = waiters_now (rt, "channel-recv-waiters");
  GThread *thread;

  gasync_channel_new (G_TYPE_INT, 1, &full_tx, &full_rx);
  gasync_channel_new (G_TYPE_INT, 1, &empty_tx, &empty_rx);
  g_value_init (&item, G_TYPE_INT);
  g_assert_true (gasync_sender_try_send (full_tx, &item, NULL));

  /* Three sends park on the full channel, two receives on the empty one,
   * and a thread blocks in a receive. */
  for (guint i = 0; i < G_N_ELEMENTS (sends); i++)
    sends[i] = gasync_sender_send_future (full_tx, &item);
  for (guint i = 0; i < G_N_ELEMENTS (recvs); i++)
    recvs[i] = gasync_receiver_recv_future (empty_rx);
  g_assert_cmpuint (waiters_now (rt, "channel-send-waiters"), ==, send_base + 3);
  g_assert_cmpuint (waiters_now (rt, "channel-recv-waiters"), ==, recv_base + 2);
  thread = g_thread_new ("blocked-recv", blocked_recv_thread, empty_rx);
  await_waiters (rt, "channel-recv-waiters", recv_base + 3);

  /* One parked send completes, a cancelled one withdraws. */
  g_assert_true (gasync_receiver_try_recv (full_rx, NULL, NULL));
  g_assert_cmpuint (waiters_now (rt, "channel-send-waiters"), ==, send_base + 2);
  gasync_future_cancel (sends[2]);
  g_assert_cmpuint (waiters_now (rt, "channel-send-waiters"), ==, send_base + 1);

  /* Closing the empty channel's sender fails every receive. */
  gasync_sender_close (empty_tx);
  g_thread_join (thread);
  g_assert_cmpuint (waiters_now (rt, "channel-recv-waiters"), ==, recv_base);
  gasync_receiver_close (full_rx);
  g_assert_cmpuint (waiters_now (rt, "channel-send-waiters"), ==, send_base);

  for (guint i = 0; i < G_N_ELEMENTS (sends); i++)
    g_object_unref (sends[i]);
  for (guint i = 0; i < G_N_ELEMENTS (recvs); i++)
    g_object_unref (recvs[i]);
  g_assert_true (gasync_runtime_shutdown (rt, NULL, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/debug/name/set-get", test_name_set_get);
  g_test_add_func ("/debug/name/across-threads", test_name_across_threads);
  g_test_add_func ("/debug/name/task-default", test_task_default_names);
  g_test_add_func ("/debug/pending/report", test_pending_report);
  g_test_add_func ("/debug/pending/report-empty", test_pending_report_empty);
  g_test_add_func ("/debug/stalls/report", test_stalls_report);
  g_test_add_func ("/debug/stalls/under-limit", test_stalls_off);
  g_test_add_func ("/debug/trace/spans", test_trace_spans);
  g_test_add_func ("/debug/trace/marks", test_trace_marks);
  g_test_add_func ("/debug/stats", test_stats);
  g_test_add_func ("/debug/stats/channel-waiters", test_stats_channel_waiters);

  return g_test_run ();
}
