/* tour.c: a walk through calling asynchronous GLib code from synchronous code
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every step is plain, synchronous C: main() never runs a main loop. Each
 * asynchronous GIO call is driven to completion by gasync_block_on(), which
 * iterates a private GMainContext until the work's future settles.
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
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (file == NULL)
    return FALSE;
  if (!g_file_replace_contents (file, "Hello from a file.\n", 19, NULL, FALSE,
                                G_FILE_CREATE_NONE, NULL, NULL, error))
    return FALSE;

  say ("block_on: reading %s with g_file_load_contents_async()", g_file_peek_path (file));
  result = gasync_block_on_object (start_load, file, NULL, error);
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
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GObject) proc = NULL;
  g_autofree char *out = NULL;

  say ("block_on: running `echo` with g_subprocess_communicate_utf8_async()");
  result = gasync_block_on_object (start_subprocess, argv, NULL, error);
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
  g_autofree char *greeting = NULL;
  g_autofree char *where = NULL;

  say ("block_on: a GSocketService and a GSocketClient on 127.0.0.1");
  greeting = gasync_block_on_string (start_roundtrip, &bound, NULL, error);
  if (greeting == NULL)
    return FALSE;
  where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (bound));
  say ("  connected to %s, got: \"%s\"", where, greeting);
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
      !step_socket (&error))
    {
      fprintf (stderr, "tour: %s\n", error->message);
      return 1;
    }

  say ("done: no main loop was run; each call iterated only a private context");
  return 0;
}
