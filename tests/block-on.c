/* block-on.c: tests for gasync_block_on(), gasync_block_on_future() and the binding form
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gio/gio.h>

#include "gasync-test-util.h"
#include "gasync-tsan-private.h"

/* C code reads a typed result with gasync_block_on_future() and the
 * settled future's typed getter; these shorten the tests that do. */

static gint
block_on_int (GAsyncFunc   func,
              gpointer     user_data,
              GError     **error)
{
  g_autoptr(GAsyncFuture) settled = gasync_block_on_future (func, user_data, 0, NULL);

  return gasync_future_get_int (settled, error);
}

static char *
block_on_string (GAsyncFunc   func,
                 gpointer     user_data,
                 GError     **error)
{
  g_autoptr(GAsyncFuture) settled = gasync_block_on_future (func, user_data, 0, NULL);

  return gasync_future_dup_string (settled, error);
}

static gpointer
block_on_object (GAsyncFunc   func,
                 gpointer     user_data,
                 GError     **error)
{
  g_autoptr(GAsyncFuture) settled = gasync_block_on_future (func, user_data, 0, NULL);

  return gasync_future_dup_object (settled, error);
}

/* Start functions used below */

static GAsyncFuture *
start_ready_int (GCancellable *cancellable,
                 gpointer      user_data)
{
  return gasync_future_new_for_int (GPOINTER_TO_INT (user_data));
}

static gboolean
resolve_promise_later (gpointer data)
{
  gasync_promise_resolve_int (data, 42);
  return G_SOURCE_REMOVE;
}

/* Resolves 42 from a timeout on the thread-default (private) context. */
static GAsyncFuture *
start_timeout_int (GCancellable *cancellable,
                   gpointer      user_data)
{
  GAsyncPromise *p = gasync_promise_new ();
  GSource *source = g_timeout_source_new (GPOINTER_TO_UINT (user_data));

  g_source_set_callback (source, resolve_promise_later, g_object_ref (p), g_object_unref);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
  return GASYNC_FUTURE (p);
}

static gboolean
set_flag (gpointer data)
{
  g_atomic_int_set ((gint *) data, TRUE);
  return G_SOURCE_REMOVE;
}

/* Ready work returns without iterating */

/* An idle on the private context: it fires only if that context is
 * iterated, and then resolves @promise. */
typedef struct
{
  gint           fired;
  GAsyncPromise *promise;
} Trap;

static gboolean
trap_fire (gpointer data)
{
  Trap *trap = data;

  g_atomic_int_set (&trap->fired, TRUE);
  gasync_promise_resolve_boolean (trap->promise, TRUE);
  return G_SOURCE_REMOVE;
}

static GAsyncFuture *
start_ready_with_trap (GCancellable *cancellable,
                       gpointer      user_data)
{
  GSource *idle = g_idle_source_new ();

  /* Would fire if the private context were iterated at all. */
  g_source_set_callback (idle, trap_fire, user_data, NULL);
  g_source_attach (idle, g_main_context_get_thread_default ());
  g_source_unref (idle);
  return gasync_future_new_for_string ("ready");
}

static GAsyncFuture *
start_waiting_for_trap (GCancellable *cancellable,
                        gpointer      user_data)
{
  Trap *trap = user_data;

  return g_object_ref (GASYNC_FUTURE (trap->promise));
}

static void
test_ready_does_not_iterate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *s = NULL;
  g_autoptr(GAsyncFuture) settled = NULL;
  Trap trap = { FALSE, gasync_promise_new () };

  s = block_on_string (start_ready_with_trap, &trap, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "ready");
  g_assert_false (g_atomic_int_get (&trap.fired));

  /* The idle is still attached to the cached context and fires during the
   * next call that has to iterate: this one waits for exactly that, so
   * no timer races the idle. */
  settled = gasync_block_on_future (start_waiting_for_trap, &trap, 0, NULL);
  g_assert_true (gasync_future_get_boolean (settled, &error));
  g_assert_no_error (error);
  g_assert_true (g_atomic_int_get (&trap.fired));
  g_object_unref (trap.promise);
}

/* The caller's context is never dispatched */

typedef struct
{
  GMainContext *caller;
  gint          private_seen;
} ContextCheck;

static GAsyncFuture *
start_checking_context (GCancellable *cancellable,
                        gpointer      user_data)
{
  ContextCheck *check = user_data;
  GMainContext *current = g_main_context_get_thread_default ();

  check->private_seen = current != NULL && current != check->caller &&
                        current != g_main_context_default ();
  return start_timeout_int (cancellable, GUINT_TO_POINTER (20));
}

static void
test_caller_context_untouched (void)
{
  GMainContext *app = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  gint app_idle_ran = FALSE;
  gint default_idle_ran = FALSE;
  ContextCheck check = { app, FALSE };
  GSource *idle;

  /* A GTK-like application: its own context is thread-default, with a
   * ready source on it, and another ready source on the global default. */
  g_main_context_push_thread_default (app);
  idle = g_idle_source_new ();
  g_source_set_callback (idle, set_flag, &app_idle_ran, NULL);
  g_source_attach (idle, app);
  g_source_unref (idle);
  idle = g_idle_source_new ();
  g_source_set_callback (idle, set_flag, &default_idle_ran, NULL);
  g_source_attach (idle, NULL);

  g_assert_cmpint (block_on_int (start_checking_context, &check, &error), ==, 42);
  g_assert_no_error (error);
  g_assert_true (check.private_seen);
  g_assert_false (app_idle_ran);
  g_assert_false (default_idle_ran);
  /* And the caller's thread-default is restored. */
  g_assert_true (g_main_context_get_thread_default () == app);

  g_main_context_iteration (app, FALSE);
  g_assert_true (app_idle_ran);
  g_main_context_pop_thread_default (app);
  g_source_destroy (idle);
  g_source_unref (idle);
  g_main_context_unref (app);
}

/* Nested */

static GAsyncFuture *
start_nested (GCancellable *cancellable,
              gpointer      user_data)
{
  guint depth = GPOINTER_TO_UINT (user_data);
  GMainContext *mine = g_main_context_get_thread_default ();
  GError *error = NULL;
  gint inner;

  if (depth == 0)
    return start_timeout_int (cancellable, GUINT_TO_POINTER (5));

  /* Blocking inside a start function: the inner call gets its own context
   * and restores ours afterwards. */
  inner = block_on_int (start_nested, GUINT_TO_POINTER (depth - 1), &error);
  g_assert_no_error (error);
  g_assert_true (g_main_context_get_thread_default () == mine);
  return gasync_future_new_for_int (inner + 1);
}

static void
test_nested (void)
{
  g_autoptr(GError) error = NULL;

  /* 3 levels below the outermost call. */
  g_assert_cmpint (block_on_int (start_nested, GUINT_TO_POINTER (3), &error), ==, 45);
  g_assert_no_error (error);
}

/* Many threads at once */

static gpointer
block_on_many (gpointer data)
{
  guint n = GPOINTER_TO_UINT (data);
  gint sum = 0;

  for (guint i = 0; i < n; i++)
    {
      GError *error = NULL;

      /* Alternate ready and really-asynchronous work. */
      if (i % 2 == 0)
        sum += block_on_int (start_ready_int, GINT_TO_POINTER (1), &error);
      else
        sum += block_on_int (start_timeout_int, GUINT_TO_POINTER (1), &error) - 41;
      g_assert_no_error (error);
    }
  return GINT_TO_POINTER (sum);
}

static void
test_threads (void)
{
  GThread *threads[8];
  guint n = gasync_test_size (100, 2000);

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("block-on", block_on_many, GUINT_TO_POINTER (n));
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_assert_cmpint (GPOINTER_TO_INT (g_thread_join (threads[t])), ==, (gint) n);
}

/* Real GIO work */

static GAsyncFuture *
start_load_file (GCancellable *cancellable,
                 gpointer      user_data)
{
  GAsyncPromise *promise = gasync_promise_new ();

  g_file_load_contents_async (user_data, cancellable, gasync_promise_gio_callback, g_object_ref (promise));
  return GASYNC_FUTURE (promise);
}

static void
test_gio_file (void)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  file = g_file_new_tmp ("gasync-block-on-XXXXXX", &io, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_replace_contents (file, "contents\n", 9, NULL, FALSE, 0, NULL, NULL, &error));
  g_assert_no_error (error);

  result = block_on_object (start_load_file, file, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_load_contents_finish (file, result, &contents, &length, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "contents\n");
  g_assert_cmpuint (length, ==, 9);

  g_file_delete (file, NULL, NULL);
}

static void
test_gio_file_missing (void)
{
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/gasync/file");
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *contents = NULL;

  /* block_on succeeds (the operation completed); its finish reports. */
  result = block_on_object (start_load_file, file, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_load_contents_finish (file, result, &contents, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static GAsyncFuture *
start_echo (GCancellable *cancellable,
            gpointer      user_data)
{
  GError *error = NULL;
  GSubprocess *proc;
  GAsyncPromise *promise;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "echo", user_data, NULL);
  if (proc == NULL)
    return gasync_future_new_for_error (error);

  promise = gasync_promise_new ();
  g_subprocess_communicate_utf8_async (proc, NULL, cancellable, gasync_promise_gio_callback, g_object_ref (promise));
  g_object_unref (proc);
  return GASYNC_FUTURE (promise);
}

static void
test_gio_subprocess (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GObject) proc = NULL;
  g_autofree char *out = NULL;

  result = block_on_object (start_echo, (gpointer) "hello from echo", &error);
  g_assert_no_error (error);
  proc = g_async_result_get_source_object (result);
  g_assert_true (G_IS_SUBPROCESS (proc));
  g_assert_true (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (proc), result, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "hello from echo\n");
}

/* A GSocketService and a GSocketClient in one private context: the
 * service greets, the client connects and reads the greeting. */

typedef struct
{
  GAsyncPromise     *promise;   /* owned */
  GSocketService    *service;   /* owned */
  GSocketConnection *conn;      /* owned, client side */
  char               buf[64];
} SocketRun;

static void
socket_run_free (SocketRun *run)
{
  g_socket_service_stop (run->service);
  g_socket_listener_close (G_SOCKET_LISTENER (run->service));
  g_clear_object (&run->service);
  g_clear_object (&run->conn);
  g_clear_object (&run->promise);
  g_free (run);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_output_stream_write_all (out, "greetings\n", 10, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
on_read (GObject      *stream,
         GAsyncResult *result,
         gpointer      user_data)
{
  SocketRun *run = user_data;
  GError *error = NULL;
  gsize n = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (stream), result, &n, &error))
    gasync_promise_reject (run->promise, error);
  else
    {
      g_autofree char *text = g_strndup (run->buf, n);

      gasync_promise_resolve_string (run->promise, text);
    }
  socket_run_free (run);
}

static void
on_connected (GObject      *client,
              GAsyncResult *result,
              gpointer      user_data)
{
  SocketRun *run = user_data;
  GError *error = NULL;

  run->conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (client), result, &error);
  if (run->conn == NULL)
    {
      gasync_promise_reject (run->promise, error);
      socket_run_free (run);
      return;
    }
  g_input_stream_read_all_async (g_io_stream_get_input_stream (G_IO_STREAM (run->conn)),
                                 run->buf, sizeof run->buf, G_PRIORITY_DEFAULT, NULL,
                                 on_read, run);
}

static GAsyncFuture *
start_socket_roundtrip (GCancellable *cancellable,
                        gpointer      user_data)
{
  SocketRun *run = g_new0 (SocketRun, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  GError *error = NULL;
  GAsyncPromise *promise = gasync_promise_new ();

  run->promise = g_object_ref (promise);
  run->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (run->service), any_port,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &bound, &error))
    {
      gasync_promise_reject (promise, error);
      socket_run_free (run);
      return GASYNC_FUTURE (promise);
    }
  g_signal_connect (run->service, "incoming", G_CALLBACK (on_incoming), NULL);
  g_socket_service_start (run->service);

  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (bound), cancellable, on_connected, run);
  return GASYNC_FUTURE (promise);
}

static void
test_gio_socket (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;

  greeting = block_on_string (start_socket_roundtrip, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (greeting, ==, "greetings\n");
}

/* Cancellation and timeouts */

/* Work that only ever ends by cancellation: a promise rejected when the
 * cancellable it was given fires (as a GIO operation would). */
typedef struct
{
  GAsyncPromise *promise;
  gint          *saw_cancel;
} CancelOnly;

static void
cancel_only_fired (GCancellable *cancellable,
                   gpointer      data)
{
  CancelOnly *co = data;

  GASYNC_TSAN_ACQUIRE (cancellable);
  g_atomic_int_set (co->saw_cancel, TRUE);
  gasync_promise_reject_literal (co->promise, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
}

static void
cancel_only_free (gpointer data)
{
  CancelOnly *co = data;

  g_object_unref (co->promise);
  g_free (co);
}

static GAsyncFuture *
start_until_cancelled (GCancellable *cancellable,
                       gpointer      user_data)
{
  GAsyncPromise *p = gasync_promise_new ();
  CancelOnly *co = g_new0 (CancelOnly, 1);

  g_assert_nonnull (cancellable);
  co->promise = g_object_ref (p);
  co->saw_cancel = user_data;
  GASYNC_TSAN_RELEASE (cancellable);
  g_cancellable_connect (cancellable, G_CALLBACK (cancel_only_fired), co, cancel_only_free);
  return GASYNC_FUTURE (p);
}

/* A canceller thread that waits until the work has started (so that the
 * test never depends on how fast the main thread reaches block_on). */
typedef struct
{
  GCancellable    *cancellable;
  GAsyncTestLatch  started;
  gint             saw_cancel;
  GAsyncPromise   *never;      /* start_never_and_signal's promise */
} CancelRun;

static gpointer
cancel_once_started (gpointer data)
{
  CancelRun *run = data;

  g_assert_true (gasync_test_latch_wait (&run->started, 60 * 1000));
  g_cancellable_cancel (run->cancellable);
  return NULL;
}

static GAsyncFuture *
start_until_cancelled_and_signal (GCancellable *cancellable,
                                  gpointer      user_data)
{
  CancelRun *run = user_data;
  GAsyncFuture *future = start_until_cancelled (cancellable, &run->saw_cancel);

  gasync_test_latch_open (&run->started);
  return future;
}

/* Blocks on @start (which opens @run's latch once the work has started)
 * while a canceller thread cancels @run's cancellable after that latch,
 * and checks that block_on fails with CANCELLED. */
static void
assert_block_on_cancelled_once_started (GAsyncFunc  start,
                                        CancelRun  *run,
                                        GValue     *value)
{
  g_autoptr(GError) error = NULL;
  GThread *t;

  gasync_test_latch_init (&run->started);
  t = g_thread_new ("canceller", cancel_once_started, run);
  g_assert_false (gasync_block_on (start, run, run->cancellable, value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (t);
  gasync_test_latch_clear (&run->started);
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_auto(GValue) value = G_VALUE_INIT;
  CancelRun run = { c };

  assert_block_on_cancelled_once_started (start_until_cancelled_and_signal, &run, &value);
  g_assert_true (G_VALUE_HOLDS_POINTER (&value));
  g_assert_true (g_atomic_int_get (&run.saw_cancel));
}

static GAsyncFuture *
start_never_and_signal (GCancellable *cancellable,
                        gpointer      user_data)
{
  /* Kept alive (so not DROPPED) but never settled. */
  CancelRun *run = user_data;

  run->never = gasync_promise_new ();
  gasync_test_latch_open (&run->started);
  return GASYNC_FUTURE (g_object_ref (run->never));
}

static void
test_cancel_ignored_by_work (void)
{
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_auto(GValue) value = G_VALUE_INIT;
  CancelRun run = { c };

  /* Even work that ignores its cancellable cannot keep block_on waiting. */
  assert_block_on_cancelled_once_started (start_never_and_signal, &run, &value);
  g_object_unref (run.never);
}

static void
test_already_cancelled (void)
{
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gint saw_cancel = FALSE;

  g_cancellable_cancel (c);
  g_assert_false (gasync_block_on (start_until_cancelled, &saw_cancel, c, &value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The work was not even started. */
  g_assert_false (saw_cancel);
}

static void
test_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gint saw_cancel = FALSE;
  gint64 start = g_get_monotonic_time ();

  g_assert_false (gasync_block_on_with_timeout (start_until_cancelled, &saw_cancel, 30, NULL, &value, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 30 * 1000);
  /* The work's cancellable was cancelled so that it stops. */
  g_assert_true (saw_cancel);
}

static void
test_timeout_not_reached (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (gasync_block_on_with_timeout (start_timeout_int, GUINT_TO_POINTER (1), 60000, NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int (&value), ==, 42);
}

/* Hangs refused */

static GAsyncFuture *
start_orphan (GCancellable *cancellable,
              gpointer      user_data)
{
  /* Nobody keeps a reference that could resolve this. */
  return GASYNC_FUTURE (gasync_promise_new ());
}

static void
test_dropped_at_once (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_false (gasync_block_on (start_orphan, NULL, NULL, &value, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_DROPPED);
}

/* The dropper gives up its reference only once block_on is iterating its
 * private context, i.e. really waiting. */
typedef struct
{
  GAsyncPromise   *promise;   /* the dropper's reference */
  GAsyncTestLatch  waiting;
  GThread         *thread;
} DropRun;

static gboolean
open_latch (gpointer data)
{
  gasync_test_latch_open (data);
  return G_SOURCE_REMOVE;
}

static gpointer
drop_while_waiting (gpointer data)
{
  DropRun *run = data;

  g_assert_true (gasync_test_latch_wait (&run->waiting, 60 * 1000));
  g_object_unref (run->promise);
  return NULL;
}

static GAsyncFuture *
start_dropped_by_thread (GCancellable *cancellable,
                         gpointer      user_data)
{
  DropRun *run = user_data;
  GAsyncPromise *p = gasync_promise_new ();
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, open_latch, &run->waiting, NULL);
  g_source_attach (idle, g_main_context_get_thread_default ());
  g_source_unref (idle);
  /* The only other owner gives up from another thread while we wait. */
  run->promise = g_object_ref (p);
  run->thread = g_thread_new ("dropper", drop_while_waiting, run);
  return GASYNC_FUTURE (p);
}

static void
test_dropped_while_waiting (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  DropRun run = { NULL };

  gasync_test_latch_init (&run.waiting);
  g_assert_false (gasync_block_on (start_dropped_by_thread, &run, NULL, &value, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_DROPPED);
  g_thread_join (run.thread);
  gasync_test_latch_clear (&run.waiting);
}

static GAsyncFuture *
start_null (GCancellable *cancellable,
            gpointer      user_data)
{
  return NULL;
}

static void
test_null_future (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_false (gasync_block_on (start_null, NULL, NULL, &value, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
}

static GAsyncFuture *
start_rejected (GCancellable *cancellable,
                gpointer      user_data)
{
  return gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "denied");
}

/* Typed and binding forms */

static GAsyncFuture *
start_value (GCancellable *cancellable,
             gpointer      user_data)
{
  return g_object_ref (user_data);
}

static void
test_typed_getters (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncFuture) fb = gasync_future_new_for_boolean (TRUE);
  g_autoptr(GAsyncFuture) fi64 = NULL;
  g_autoptr(GAsyncFuture) fs = gasync_future_new_for_string ("s");
  g_autoptr(GAsyncFuture) fv = gasync_future_new_for_variant (g_variant_new_string ("v"));
  g_autoptr(GAsyncFuture) fp = gasync_future_new_for_pointer ((gpointer) "static", NULL);
  g_autoptr(GAsyncFuture) fo = gasync_future_new_for_object (fb);
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GObject) o = NULL;
  g_autofree char *s = NULL;
  g_autoptr(GAsyncFuture) settled = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GValue *boxed;

  /* The settled future gasync_block_on_future() returns, read with its
   * typed getter, is what the typed block_on variants of 0.1 gave. */
  settled = gasync_block_on_future (start_value, fb, 0, NULL);
  g_assert_true (gasync_future_get_boolean (settled, &error));
  g_clear_object (&settled);
  settled = gasync_block_on_future (start_value, fs, 0, NULL);
  s = gasync_future_dup_string (settled, &error);
  g_assert_cmpstr (s, ==, "s");
  g_clear_object (&settled);
  settled = gasync_block_on_future (start_value, fv, 0, NULL);
  v = gasync_future_dup_variant (settled, &error);
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "v");
  g_clear_object (&settled);
  settled = gasync_block_on_future (start_value, fp, 0, NULL);
  g_assert_cmpstr (gasync_future_get_pointer (settled, &error), ==, "static");
  g_clear_object (&settled);
  settled = gasync_block_on_future (start_value, fo, 0, NULL);
  o = gasync_future_dup_object (settled, &error);
  g_assert_true (o == G_OBJECT (fb));
  g_assert_no_error (error);

  /* Or gasync_block_on() with a GValue of the type wanted. */
  g_value_init (&value, G_TYPE_INT64);
  g_value_set_int64 (&value, 1LL << 40);
  fi64 = gasync_future_new_resolved (&value);
  g_value_reset (&value);
  g_assert_true (gasync_block_on (start_value, fi64, NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 1LL << 40);

  boxed = gasync_block_on_value (start_ready_int, GINT_TO_POINTER (6), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int (boxed), ==, 6);
  g_value_unset (boxed);
  g_free (boxed);

  g_assert_null (gasync_block_on_value (start_rejected, NULL, 0, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_clear_object (&settled);
  settled = gasync_block_on_future (start_timeout_int, GUINT_TO_POINTER (1), 0, NULL);
  g_assert_cmpint (gasync_future_get_int (settled, &error), ==, 42);
  g_assert_no_error (error);
}

/* Only the outcome is wanted: a NULL value */

static void
clear_flag_on_finalize (gpointer  data,
                        GObject  *where_the_object_was)
{
  *(gboolean *) data = FALSE;
}

static GAsyncFuture *
start_resolved_object (GCancellable *cancellable,
                       gpointer      user_data)
{
  g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);

  *(gboolean *) user_data = TRUE;
  g_object_weak_ref (object, clear_flag_on_finalize, user_data);
  return gasync_future_new_for_object (object);
}

static void
test_null_value (void)
{
  g_autoptr(GError) error = NULL;
  gboolean alive = FALSE;

  /* A resolved value is discarded: the object it held is freed. */
  g_assert_true (gasync_block_on (start_resolved_object, &alive, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (alive);

  /* Work that really waits, too. */
  g_assert_true (gasync_block_on (start_timeout_int, GUINT_TO_POINTER (1), NULL, NULL, &error));
  g_assert_no_error (error);

  /* An error is still reported. */
  g_assert_false (gasync_block_on (start_rejected, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
}

static GAsyncFuture *
start_never (GCancellable *cancellable,
             gpointer      user_data)
{
  /* Kept alive (so not DROPPED) but never settled. */
  GAsyncPromise **slot = user_data;

  *slot = gasync_promise_new ();
  return GASYNC_FUTURE (g_object_ref (*slot));
}

static void
test_null_value_with_timeout (void)
{
  g_autoptr(GError) error = NULL;
  GAsyncPromise *never = NULL;
  gboolean alive = FALSE;

  g_assert_true (gasync_block_on_with_timeout (start_resolved_object, &alive, 60000, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (alive);

  g_assert_false (gasync_block_on_with_timeout (start_rejected, NULL, 60000, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* And a timeout is still reported. */
  g_assert_false (gasync_block_on_with_timeout (start_never, &never, 1, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_clear_object (&never);
}

/* Giving up cancels the work (issue 10, bug 2) */

/* A blocking task of 100 steps of 10 ms that checks its cancellable
 * before each step. After step 5 it waits at @gate, which the test opens
 * only once block_on has given up: with the work's future cancelled, it
 * stops there; left running, it does all 100 steps. */
typedef struct
{
  GAsyncRuntime   *rt;
  GCancellable    *cancel_at_step_2;  /* the caller's, or NULL */
  GAsyncTestLatch  started;
  GAsyncTestLatch  gate;
  GAsyncTestLatch  finished;
  gint             steps;             /* atomic */
  gint             saw_cancel;        /* atomic */
} Slow;

static void
slow_init (Slow *slow)
{
  memset (slow, 0, sizeof *slow);
  slow->rt = gasync_runtime_new (1);
  gasync_test_latch_init (&slow->started);
  gasync_test_latch_init (&slow->gate);
  gasync_test_latch_init (&slow->finished);
}

static void
slow_clear (Slow *slow)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_runtime_shutdown (slow->rt, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&slow->rt);
  gasync_test_latch_clear (&slow->started);
  gasync_test_latch_clear (&slow->gate);
  gasync_test_latch_clear (&slow->finished);
}

static gboolean
slow_steps (GCancellable  *cancellable,
            GValue        *result,
            gpointer       data,
            GError       **error)
{
  Slow *slow = data;
  gboolean ok = TRUE;

  gasync_test_latch_open (&slow->started);
  for (guint i = 0; i < 100; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_atomic_int_set (&slow->saw_cancel, TRUE);
          ok = FALSE;
          break;
        }
      if (i == 2 && slow->cancel_at_step_2 != NULL)
        g_cancellable_cancel (slow->cancel_at_step_2);
      if (i == 5)
        g_assert_true (gasync_test_latch_wait (&slow->gate, 60 * 1000));
      g_usleep (10 * 1000);  /* the work itself */
      g_atomic_int_inc (&slow->steps);
    }
  gasync_test_latch_open (&slow->finished);
  return ok;
}

/* Returns the task's handle, and gives block_on's cancellable to nobody:
 * only cancelling the handle reaches the task. */
static GAsyncFuture *
start_slow_task (GCancellable *cancellable,
                 gpointer      user_data)
{
  Slow *slow = user_data;
  GAsyncFuture *handle = gasync_runtime_spawn_blocking (slow->rt, slow_steps, slow, NULL);

  /* Running before block_on starts its clock. */
  g_assert_true (gasync_test_latch_wait (&slow->started, 60 * 1000));
  return handle;
}

static void
assert_slow_stopped (Slow *slow)
{
  gasync_test_latch_open (&slow->gate);
  g_assert_true (gasync_test_latch_wait (&slow->finished, 60 * 1000));
  g_assert_true (g_atomic_int_get (&slow->saw_cancel));
  g_assert_cmpint (g_atomic_int_get (&slow->steps), <=, 6);
}

static void
test_timeout_cancels_work (void)
{
  g_autoptr(GError) error = NULL;
  Slow slow;

  slow_init (&slow);
  g_assert_false (gasync_block_on_with_timeout (start_slow_task, &slow, 50, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  assert_slow_stopped (&slow);
  slow_clear (&slow);
}

static void
test_cancel_cancels_work (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Slow slow;

  slow_init (&slow);
  slow.cancel_at_step_2 = cancellable;
  g_assert_false (gasync_block_on (start_slow_task, &slow, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_slow_stopped (&slow);
  slow_clear (&slow);
}

/* The start function always gets a cancellable (issue 10, bug 5) */

typedef struct
{
  GCancellable *seen;         /* not owned */
  gboolean      keep;         /* keep a reference, as running GIO work does */
  gboolean      connect;      /* leave a handler connected */
  GCancellable *kept;         /* owned, with keep */
} Given;

static void
count_cancel (GCancellable *cancellable,
              gpointer      data)
{
}

static GAsyncFuture *
start_recording_cancellable (GCancellable *cancellable,
                             gpointer      user_data)
{
  Given *given = user_data;

  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_assert_false (g_cancellable_is_cancelled (cancellable));
  g_assert_false (g_signal_has_handler_pending (cancellable, g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE),
                                                0, TRUE));
  given->seen = cancellable;
  if (given->keep)
    given->kept = g_object_ref (cancellable);
  if (given->connect)
    g_cancellable_connect (cancellable, G_CALLBACK (count_cancel), NULL, NULL);
  return gasync_future_new_for_int (1);
}

static void
set_flag_on_finalize (gpointer  data,
                      GObject  *where_the_object_was)
{
  g_atomic_int_set ((gint *) data, TRUE);
}

static void
test_cancellable_always_given (void)
{
  g_autoptr(GError) error = NULL;
  GAsyncPromise *never = NULL;
  Given first = { NULL }, again = { NULL }, kept = { NULL, TRUE }, other = { NULL };
  gint finalized = FALSE;

  /* No cancellable and no timeout from the caller: one of gasync's. */
  g_assert_true (gasync_block_on (start_recording_cancellable, &first, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (first.seen);

  /* Left clean, it is reused by the next call on this thread. */
  g_object_weak_ref (G_OBJECT (first.seen), set_flag_on_finalize, &finalized);
  g_assert_true (gasync_block_on (start_recording_cancellable, &again, NULL, NULL, &error));
  g_assert_true (again.seen == first.seen);
  g_assert_false (finalized);

  /* Still held by the work: not given to the next call. */
  g_assert_true (gasync_block_on (start_recording_cancellable, &kept, NULL, NULL, &error));
  g_assert_true (gasync_block_on (start_recording_cancellable, &other, NULL, NULL, &error));
  g_assert_true (other.seen != kept.seen);
  g_clear_object (&kept.kept);

  /* With a handler left connected: the next call gets a clean one (the
   * start function asserts it). */
  memset (&kept, 0, sizeof kept);
  kept.connect = TRUE;
  g_assert_true (gasync_block_on (start_recording_cancellable, &kept, NULL, NULL, &error));
  g_assert_true (gasync_block_on (start_recording_cancellable, &other, NULL, NULL, &error));

  /* Cancelled by a timeout: the next call gets one that is not (asserted
   * by the start function). */
  g_assert_false (gasync_block_on_with_timeout (start_never, &never, 1, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_clear_object (&never);
  g_assert_true (gasync_block_on (start_recording_cancellable, &other, NULL, NULL, &error));
  g_assert_no_error (error);
}

static GAsyncFuture *
start_nested_recording (GCancellable *cancellable,
                        gpointer      user_data)
{
  Given *inner = user_data;

  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_assert_true (gasync_block_on (start_recording_cancellable, inner, NULL, NULL, NULL));
  g_assert_true (inner->seen != cancellable);
  return gasync_future_new_for_int (2);
}

static void
test_cancellable_nested (void)
{
  Given inner = { NULL };

  g_assert_true (gasync_block_on (start_nested_recording, &inner, NULL, NULL, NULL));
  g_assert_nonnull (inner.seen);
}

/* Work given up on is drained (issue 10, bug 6) */

/* GIO work on the private context: a GTask whose thread waits until it is
 * cancelled, then returns; its callback (resolving a promise) is queued
 * on the context that was thread-default when it started. */
typedef struct
{
  gint            promise_alive;  /* atomic */
  GAsyncTestLatch task_gone;      /* GIO's thread pool may drop it last */
} Abandoned;

static void
open_latch_on_finalize (gpointer  data,
                        GObject  *where_the_object_was)
{
  gasync_test_latch_open (data);
}

static void
clear_flag_on_finalize_atomic (gpointer  data,
                               GObject  *where_the_object_was)
{
  g_atomic_int_set ((gint *) data, FALSE);
}

static void
open_latch_on_cancel (GCancellable *cancellable,
                      gpointer      data)
{
  GASYNC_TSAN_ACQUIRE (cancellable);
  gasync_test_latch_open (data);
}

static void
wait_for_cancel_in_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  GAsyncTestLatch cancelled;
  gulong handler;

  gasync_test_latch_init (&cancelled);
  GASYNC_TSAN_RELEASE (cancellable);
  handler = g_cancellable_connect (cancellable, G_CALLBACK (open_latch_on_cancel), &cancelled, NULL);
  g_assert_true (gasync_test_latch_wait (&cancelled, 60 * 1000));
  g_cancellable_disconnect (cancellable, handler);
  gasync_test_latch_clear (&cancelled);
  g_task_return_error_if_cancelled (task);
}

static GAsyncFuture *
start_gio_until_cancelled (GCancellable *cancellable,
                           gpointer      user_data)
{
  Abandoned *ab = user_data;
  GAsyncPromise *promise = gasync_promise_new ();
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, gasync_promise_gio_callback,
                                      g_object_ref (promise));

  ab->promise_alive = TRUE;
  g_object_weak_ref (G_OBJECT (promise), clear_flag_on_finalize_atomic, &ab->promise_alive);
  g_object_weak_ref (G_OBJECT (task), open_latch_on_finalize, &ab->task_gone);
  g_task_run_in_thread (task, wait_for_cancel_in_thread);
  return GASYNC_FUTURE (promise);
}

static void
give_up_on_gio_work (Abandoned *ab)
{
  GError *error = NULL;

  g_assert_false (gasync_block_on_with_timeout (start_gio_until_cancelled, ab, 10, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_clear_error (&error);
}

static void
test_drain_after_timeout (void)
{
  g_autoptr(GError) error = NULL;
  Abandoned ab;

  gasync_test_latch_init (&ab.task_gone);
  give_up_on_gio_work (&ab);
  /* Its callback can only run on the private context. */
  g_assert_true (g_atomic_int_get (&ab.promise_alive));

  /* The drain ran the callback, which let go of the promise. */
  g_assert_true (gasync_block_on_drain (60 * 1000, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_atomic_int_get (&ab.promise_alive));
  g_assert_true (gasync_test_latch_wait (&ab.task_gone, 60 * 1000));
  gasync_test_latch_clear (&ab.task_gone);

  /* Nothing left: at once. */
  g_assert_true (gasync_block_on_drain (0, NULL, &error));
  g_assert_no_error (error);
}

static gpointer
give_up_and_exit (gpointer data)
{
  give_up_on_gio_work (data);
  return NULL;
}

static void
test_drain_at_thread_exit (void)
{
  Abandoned ab;

  /* The thread exits without draining: its exit does. */
  gasync_test_latch_init (&ab.task_gone);
  g_thread_join (g_thread_new ("gives-up", give_up_and_exit, &ab));
  g_assert_false (g_atomic_int_get (&ab.promise_alive));
  g_assert_true (gasync_test_latch_wait (&ab.task_gone, 60 * 1000));
  gasync_test_latch_clear (&ab.task_gone);
}

static void
test_drain_bounded (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncPromise *never = NULL;

  /* Given up on, but still held (here by the test): it never goes. */
  g_assert_false (gasync_block_on_with_timeout (start_never, &never, 1, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (never)), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_false (gasync_block_on_drain (1, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_block_on_drain (0, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Let go of: drained. */
  g_clear_object (&never);
  g_assert_true (gasync_block_on_drain (0, NULL, &error));
  g_assert_no_error (error);
}

static void
test_preconditions (void)
{
  g_autoptr(GError) error = NULL;
  GValue value = G_VALUE_INIT;

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  g_assert_false (gasync_block_on (NULL, NULL, NULL, &value, &error));
  g_test_assert_expected_messages ();

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*G_IS_CANCELLABLE*");
  g_assert_false (gasync_block_on (start_ready_int, NULL, (GCancellable *) &value, &value, &error));
  g_test_assert_expected_messages ();

  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("gasync_block_on(): private context, no re-entrancy into the "
                  "caller's loop, nesting, threads, real GIO work, cancellation, "
                  "timeouts and refused hangs");

  g_test_add_func ("/block-on/ready/does-not-iterate", test_ready_does_not_iterate);
  g_test_add_func ("/block-on/context/caller-untouched", test_caller_context_untouched);
  g_test_add_func ("/block-on/nested", test_nested);
  g_test_add_func ("/block-on/threads", test_threads);
  g_test_add_func ("/block-on/gio/file", test_gio_file);
  g_test_add_func ("/block-on/gio/file-missing", test_gio_file_missing);
  g_test_add_func ("/block-on/gio/child-process", test_gio_subprocess);
  g_test_add_func ("/block-on/gio/socket", test_gio_socket);
  g_test_add_func ("/block-on/cancel/while-waiting", test_cancel);
  g_test_add_func ("/block-on/cancel/ignored-by-work", test_cancel_ignored_by_work);
  g_test_add_func ("/block-on/cancel/already", test_already_cancelled);
  g_test_add_func ("/block-on/timeout/reached", test_timeout);
  g_test_add_func ("/block-on/timeout/not-reached", test_timeout_not_reached);
  g_test_add_func ("/block-on/timeout/cancels-work", test_timeout_cancels_work);
  g_test_add_func ("/block-on/cancel/cancels-work", test_cancel_cancels_work);
  g_test_add_func ("/block-on/cancellable/always-given", test_cancellable_always_given);
  g_test_add_func ("/block-on/cancellable/nested", test_cancellable_nested);
  g_test_add_func ("/block-on/drain/after-timeout", test_drain_after_timeout);
  g_test_add_func ("/block-on/drain/at-thread-exit", test_drain_at_thread_exit);
  g_test_add_func ("/block-on/drain/bounded", test_drain_bounded);
  g_test_add_func ("/block-on/refused/dropped-at-once", test_dropped_at_once);
  g_test_add_func ("/block-on/refused/dropped-while-waiting", test_dropped_while_waiting);
  g_test_add_func ("/block-on/refused/null-future", test_null_future);
  g_test_add_func ("/block-on/typed", test_typed_getters);
  g_test_add_func ("/block-on/null-value", test_null_value);
  g_test_add_func ("/block-on/null-value/with-timeout", test_null_value_with_timeout);
  g_test_add_func ("/block-on/preconditions", test_preconditions);

  return g_test_run ();
}
