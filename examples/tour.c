/* tour.c: a walk through calling asynchronous GLib code from synchronous code
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every step is plain, synchronous C. Each asynchronous GIO call is driven
 * to completion by gasync_block_on(), which iterates a private GMainContext
 * until the work's future settles; spawned jobs run on gasync's runtime
 * while main() goes on; join, timeouts and cancellation combine futures;
 * and worker threads stream results through a channel to a main loop.
 */

#include <stdio.h>
#include <string.h>

#include <gasync/gasync.h>

static gint64 tour_start;

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  va_list args;

  printf ("[%7.1f ms] ", (g_get_monotonic_time () - tour_start) / 1000.0);
  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  printf ("\n");
  fflush (stdout);
}

/* 1. A file, read with g_file_load_contents_async() */

static GAsyncFuture *
start_load (GCancellable *cancellable,
            gpointer      user_data)
{
  GAsyncPromise *promise = gasync_promise_new ();

  g_file_load_contents_async (user_data, cancellable,
                              gasync_promise_gio_callback, g_object_ref (promise));
  return GASYNC_FUTURE (promise);
}

static gboolean
step_file (GError **error)
{
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GFile) file = g_file_new_tmp ("gasync-tour-XXXXXX.txt", &io, error);
  g_autoptr(GAsyncFuture) loaded = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (file == NULL)
    return FALSE;
  if (!g_file_replace_contents (file, "Hello from a file.\n", 19, NULL, FALSE,
                                G_FILE_CREATE_NONE, NULL, NULL, error))
    return FALSE;

  say ("block_on: reading %s with g_file_load_contents_async()", g_file_peek_path (file));
  loaded = gasync_block_on_future (start_load, file, 0, NULL);
  result = gasync_future_dup_object (loaded, error);
  if (result == NULL ||
      !g_file_load_contents_finish (file, result, &contents, &length, NULL, error))
    return FALSE;
  g_strchomp (contents);
  say ("  got %" G_GSIZE_FORMAT " bytes: \"%s\"", length, contents);

  g_file_delete (file, NULL, NULL);
  return TRUE;
}

/* 2. A subprocess, with g_subprocess_communicate_utf8_async() */

static GAsyncFuture *
start_subprocess (GCancellable *cancellable,
                  gpointer      user_data)
{
  GError *error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  GAsyncPromise *promise;

  proc = g_subprocess_newv (user_data, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (proc == NULL)
    return gasync_future_new_for_error (error);

  promise = gasync_promise_new ();
  g_subprocess_communicate_utf8_async (proc, NULL, cancellable,
                                       gasync_promise_gio_callback, g_object_ref (promise));
  return GASYNC_FUTURE (promise);
}

static gboolean
step_subprocess (GError **error)
{
  const char *argv[] = { "echo", "Hello from a subprocess.", NULL };
  g_autoptr(GAsyncFuture) done = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GObject) proc = NULL;
  g_autofree char *out = NULL;

  say ("block_on: running `echo` with g_subprocess_communicate_utf8_async()");
  done = gasync_block_on_future (start_subprocess, argv, 0, NULL);
  result = gasync_future_dup_object (done, error);
  if (result == NULL)
    return FALSE;
  proc = g_async_result_get_source_object (result);
  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (proc), result, &out, NULL, error))
    return FALSE;
  g_strchomp (out);
  say ("  got: \"%s\"", out);
  return TRUE;
}

/* 3. A local socket: a GSocketService and a GSocketClient, both inside the
 * private context of one block_on call. */

typedef struct
{
  GAsyncPromise     *promise;
  GSocketService    *service;
  GSocketConnection *connection;
  char               buffer[128];
} Roundtrip;

static void
roundtrip_free (Roundtrip *rt)
{
  g_socket_service_stop (rt->service);
  g_socket_listener_close (G_SOCKET_LISTENER (rt->service));
  g_clear_object (&rt->service);
  g_clear_object (&rt->connection);
  g_clear_object (&rt->promise);
  g_free (rt);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  const char *greeting = "Hello from a socket.\n";

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             greeting, strlen (greeting), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
on_read (GObject      *stream,
         GAsyncResult *result,
         gpointer      user_data)
{
  Roundtrip *rt = user_data;
  GError *error = NULL;
  gsize n = 0;

  if (g_input_stream_read_all_finish (G_INPUT_STREAM (stream), result, &n, &error))
    {
      g_autofree char *text = g_strndup (rt->buffer, n);

      gasync_promise_resolve_string (rt->promise, g_strchomp (text));
    }
  else
    gasync_promise_reject (rt->promise, error);
  roundtrip_free (rt);
}

static void
on_connected (GObject      *client,
              GAsyncResult *result,
              gpointer      user_data)
{
  Roundtrip *rt = user_data;
  GError *error = NULL;

  rt->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (client), result, &error);
  if (rt->connection == NULL)
    {
      gasync_promise_reject (rt->promise, error);
      roundtrip_free (rt);
      return;
    }
  g_input_stream_read_all_async (g_io_stream_get_input_stream (G_IO_STREAM (rt->connection)),
                                 rt->buffer, sizeof rt->buffer, G_PRIORITY_DEFAULT, NULL,
                                 on_read, rt);
}

static GAsyncFuture *
start_roundtrip (GCancellable *cancellable,
                 gpointer      user_data)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  GSocketAddress **bound = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  GAsyncPromise *promise = gasync_promise_new ();
  Roundtrip *rt = g_new0 (Roundtrip, 1);
  GError *error = NULL;

  rt->promise = g_object_ref (promise);
  rt->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (rt->service), any_port,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, bound, &error))
    {
      gasync_promise_reject (promise, error);
      roundtrip_free (rt);
      return GASYNC_FUTURE (promise);
    }
  g_signal_connect (rt->service, "incoming", G_CALLBACK (on_incoming), NULL);
  g_socket_service_start (rt->service);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (*bound), cancellable,
                                 on_connected, rt);
  return GASYNC_FUTURE (promise);
}

static gboolean
step_socket (GError **error)
{
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GAsyncFuture) done = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *where = NULL;

  say ("block_on: a GSocketService and a GSocketClient on 127.0.0.1");
  done = gasync_block_on_future (start_roundtrip, &bound, 0, NULL);
  greeting = gasync_future_dup_string (done, error);
  if (greeting == NULL)
    return FALSE;
  where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (bound));
  say ("  connected to %s, got: \"%s\"", where, greeting);
  return TRUE;
}

/* 4. Fire and forget: gasync_spawn() runs an async job on a runtime worker
 * while this thread goes on. */

static GAsyncFuture *
announce_done (GAsyncFuture *completed,
               gpointer      user_data)
{
  say ("  (background job, on a runtime worker) done after 100 ms");
  return gasync_future_new_for_string ("job result");
}

static GAsyncFuture *
background_job (GCancellable *cancellable,
                gpointer      user_data)
{
  /* Runs on a worker, with the worker's context thread-default: the
   * continuation below runs there too. It also waits until main has said
   * that it carries on (@user_data resolved): the 100 ms alone would not
   * keep the lines in order on a loaded machine. */
  GAsyncFuture *main_said = user_data;
  g_autoptr(GAsyncFuture) sleep = gasync_timeout_new (100);
  g_autoptr(GAsyncFuture) both = gasync_join (sleep, main_said, NULL);

  return gasync_future_and_then (both, announce_done, NULL, NULL);
}

static gboolean
step_spawn (GError **error)
{
  g_autoptr(GAsyncPromise) said = gasync_promise_new ();
  g_autoptr(GAsyncFuture) handle = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  say ("spawn: a 100 ms job on the default runtime, fire-and-forget");
  handle = gasync_spawn (background_job, g_object_ref (said), g_object_unref);
  say ("  main thread carries on at once (the job is %s)",
       gasync_future_get_state (handle) == GASYNC_FUTURE_PENDING ? "still running" : "already done");
  gasync_promise_resolve_boolean (said, TRUE);
  /* The handle is also a join handle: wait for it here, blocking this
   * thread only (nothing is iterated). */
  if (!gasync_future_wait (handle, NULL, &value, error))
    return FALSE;
  say ("  joined: \"%s\"", g_value_get_string (&value));
  return TRUE;
}

/* 5. join: two operations at once, one of which fails. */

static GAsyncFuture *
after_delay_int (GAsyncFuture *completed,
                 gpointer      user_data)
{
  return gasync_future_new_for_int (GPOINTER_TO_INT (user_data));
}

static GAsyncFuture *
after_delay_fail (GAsyncFuture *completed,
                  gpointer      user_data)
{
  return gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE,
                                              "the second service is unreachable");
}

static GAsyncFuture *
job_answer (GCancellable *cancellable,
            gpointer      user_data)
{
  g_autoptr(GAsyncFuture) sleep = gasync_timeout_new (60);

  return gasync_future_and_then (sleep, after_delay_int, GINT_TO_POINTER (42), NULL);
}

static GAsyncFuture *
job_failing (GCancellable *cancellable,
             gpointer      user_data)
{
  g_autoptr(GAsyncFuture) sleep = gasync_timeout_new (30);

  return gasync_future_and_then (sleep, after_delay_fail, NULL, NULL);
}

static gboolean
step_join (GError **error)
{
  g_autoptr(GAsyncFuture) a = gasync_spawn (job_answer, NULL, NULL);
  g_autoptr(GAsyncFuture) b = gasync_spawn (job_failing, NULL, NULL);
  g_autoptr(GAsyncFuture) settled = NULL;
  g_autoptr(GAsyncFuture) all = NULL;
  g_autoptr(GError) all_error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GAsyncFuture *both[2];

  say ("join: two jobs at once (60 ms, and one failing after 30 ms)");
  settled = gasync_join (a, b, NULL);
  if (!gasync_future_wait (settled, NULL, &value, error))
    return FALSE;
  say ("  first: %d", gasync_future_get_int (a, NULL));
  say ("  second: failed: %s", gasync_future_get_error (b)->message);

  /* all() instead fails as soon as one input fails. */
  both[0] = a;
  both[1] = b;
  all = gasync_future_all (both, 2);
  g_value_unset (&value);
  if (gasync_future_wait (all, NULL, &value, &all_error))
    return FALSE;
  say ("  all() rejects with the first failure: %s", all_error->message);
  return TRUE;
}

/* 6. A timeout */

static GAsyncFuture *
job_slow (GCancellable *cancellable,
          gpointer      user_data)
{
  g_autoptr(GAsyncFuture) sleep = gasync_timeout_new (5000);

  return gasync_future_and_then (sleep, after_delay_int, GINT_TO_POINTER (1), NULL);
}

static gboolean
step_timeout (GError **error)
{
  g_autoptr(GAsyncFuture) slow = gasync_spawn (job_slow, NULL, NULL);
  g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (slow, 50);
  g_autoptr(GError) local = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gint64 start = g_get_monotonic_time ();

  say ("timeout: a 5 s job bounded to 50 ms");
  if (gasync_future_wait (bounded, NULL, &value, &local))
    return FALSE;
  say ("  gave up after %.0f ms: %s", (g_get_monotonic_time () - start) / 1000.0, local->message);
  gasync_future_cancel (slow);
  return TRUE;
}

/* 7. Cancellation of blocking work */

static gboolean
blocking_until_cancelled (GCancellable  *cancellable,
                          GValue        *result,
                          gpointer       user_data,
                          GError       **error)
{
  guint *rounds = user_data;

  /* Blocking work that checks its cancellable as it goes. */
  while (!g_cancellable_is_cancelled (cancellable))
    {
      g_usleep (1000);
      g_atomic_int_inc (rounds);
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped on request");
  return FALSE;
}

static gboolean
step_cancel (GError **error)
{
  /* The task may run a little longer than this function (the handle
   * settles at once on cancel, the work stops at its next check), so its
   * data lives on the heap and the runtime frees it when the task ends. */
  g_autoptr(GAsyncFuture) handle = gasync_spawn_blocking (blocking_until_cancelled,
                                                          g_new0 (guint, 1), g_free);
  g_autoptr(GAsyncFuture) later = gasync_timeout_new (30);
  g_autoptr(GError) local = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  say ("cancel: blocking work on the blocking pool, cancelled after 30 ms");
  if (!gasync_future_wait (later, NULL, &value, error))
    return FALSE;
  gasync_future_cancel (handle);
  g_value_unset (&value);
  if (gasync_future_wait (handle, NULL, &value, &local))
    return FALSE;
  say ("  the handle rejects at once: %s", local->message);
  return TRUE;
}

/* 8. Workers streaming through a channel to a main loop */

#define N_WORKERS 4
#define N_ITEMS   25000

typedef struct
{
  GMainLoop *loop;
  guint      received;
  gint64     sum;
  gint64     first;
} Stream;

static gboolean
producer (GCancellable  *cancellable,
          GValue        *result,
          gpointer       user_data,
          GError       **error)
{
  GAsyncSender *tx = user_data;
  g_auto(GValue) item = G_VALUE_INIT;

  /* One GValue for every item: the channel copies the number out of it. */
  g_value_init (&item, G_TYPE_INT64);
  for (gint64 i = 1; i <= N_ITEMS; i++)
    {
      g_value_set_int64 (&item, i);
      if (!gasync_sender_send (tx, &item, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
on_item (GAsyncReceiver *rx,
         const GValue   *item,
         gpointer        user_data)
{
  Stream *stream = user_data;

  if (item == NULL)
    {
      /* Every sender is closed and every item was delivered. */
      g_main_loop_quit (stream->loop);
      return G_SOURCE_REMOVE;
    }
  stream->received++;
  stream->sum += g_value_get_int64 (item);
  return G_SOURCE_CONTINUE;
}

static gboolean
step_channel (GError **error)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  GAsyncFuture *workers[N_WORKERS];
  Stream stream = { 0 };
  gint64 start;
  double ms;

  say ("channel: %d workers stream %d numbers each to a main loop", N_WORKERS, N_ITEMS);
  gasync_channel_new (G_TYPE_INT64, 1024, &tx, &rx);
  stream.loop = g_main_loop_new (context, FALSE);
  gasync_receiver_attach (rx, context, on_item, &stream, NULL);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_WORKERS; i++)
    workers[i] = gasync_spawn_blocking (producer, gasync_sender_clone (tx), g_object_unref);
  /* Only the workers' clones keep the channel open now. */
  gasync_sender_close (tx);

  g_main_loop_run (stream.loop);
  ms = (g_get_monotonic_time () - start) / 1000.0;
  for (guint i = 0; i < N_WORKERS; i++)
    g_object_unref (workers[i]);
  g_main_loop_unref (stream.loop);

  say ("  received %u items, sum %" G_GINT64_FORMAT " (expected %" G_GINT64_FORMAT "), %.1f ms",
       stream.received, stream.sum, (gint64) N_WORKERS * N_ITEMS * (N_ITEMS + 1) / 2, ms);
  if (stream.sum != (gint64) N_WORKERS * N_ITEMS * (N_ITEMS + 1) / 2)
    {
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_FAILED, "items were lost");
      return FALSE;
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  tour_start = g_get_monotonic_time ();
  say ("gasync %s tour: calling asynchronous GLib code from synchronous code", GASYNC_VERSION_S);

  if (!step_file (&error) ||
      !step_subprocess (&error) ||
      !step_socket (&error) ||
      !step_spawn (&error) ||
      !step_join (&error) ||
      !step_timeout (&error) ||
      !step_cancel (&error) ||
      !step_channel (&error))
    {
      fprintf (stderr, "tour: %s\n", error->message);
      return 1;
    }

  say ("done: main() never iterated a context it did not own");
  return 0;
}
