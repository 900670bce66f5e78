/* gio-net.c: tests for the resolver and socket futures, on loopback only
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"

/* Listens on 127.0.0.1 on a port the kernel picks; returns it. */
static guint16
listen_on_loopback (GSocketListener *listener)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) wanted = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, wanted, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static char *
loopback_host_and_port (guint16 port)
{
  return g_strdup_printf ("127.0.0.1:%u", port);
}

/* Writes @line on @from and reads it back on @to; both ends are local, so
 * the kernel buffers the line and the blocking read finds it there. */
static void
assert_line_passes (GSocketConnection *from,
                    GSocketConnection *to,
                    const char        *line)
{
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (to)));
  g_autofree char *wire = g_strconcat (line, "\n", NULL);
  g_autofree char *got = NULL;
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (from)), wire, strlen (wire),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  got = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, line);
}

static void
test_lookup_localhost (void)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GAsyncFuture) with_default = gasync_resolver_lookup_by_name (NULL, "localhost");
  g_autoptr(GAsyncFuture) with_resolver = gasync_resolver_lookup_by_name (resolver, "localhost");
  GAsyncFuture *lookups[] = { with_default, with_resolver };

  g_test_summary ("lookup_by_name resolves localhost, without any network, with a "
                  "GListModel of GInetAddress holding a loopback address");

  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      g_autoptr(GListModel) addresses = NULL;
      g_autoptr(GError) error = NULL;
      gboolean loopback = FALSE;

      gasync_test_settle (lookups[i]);
      addresses = gasync_future_dup_object (lookups[i], &error);
      g_assert_no_error (error);
      g_assert_true (G_IS_LIST_MODEL (addresses));
      g_assert_true (g_list_model_get_item_type (addresses) == G_TYPE_INET_ADDRESS);
      g_assert_cmpuint (g_list_model_get_n_items (addresses), >, 0);
      for (guint j = 0; j < g_list_model_get_n_items (addresses); j++)
        {
          g_autoptr(GInetAddress) address = g_list_model_get_item (addresses, j);
          g_autofree char *text = g_inet_address_to_string (address);

          loopback |= g_str_equal (text, "127.0.0.1") || g_str_equal (text, "::1");
        }
      g_assert_true (loopback);
    }
}

static void
test_lookup_cancel (void)
{
  GAsyncFuture *lookup = gasync_resolver_lookup_by_name (NULL, "localhost");

  g_test_summary ("Cancelling a lookup before the context ran its completion rejects it "
                  "with CANCELLED, whatever the resolver does next");

  /* Nothing iterated the context since the lookup started: its result,
   * even one the resolver had at once, cannot have settled the future. */
  gasync_future_cancel (lookup);
  g_assert_error (gasync_future_get_error (lookup), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gasync_test_release (lookup);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  GSocketConnection **accepted = user_data;

  g_assert_null (*accepted);
  *accepted = g_object_ref (connection);
  return TRUE;
}

static void
test_connect_exchange (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GSocketConnection) accepted = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GAsyncFuture) connect = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host_and_port = NULL;
  guint16 port;

  g_test_summary ("connect_to_host resolves with a connection to a GSocketService on "
                  "127.0.0.1, and a line goes each way");

  port = listen_on_loopback (G_SOCKET_LISTENER (service));
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), &accepted);
  g_socket_service_start (service);

  host_and_port = loopback_host_and_port (port);
  connect = gasync_socket_client_connect_to_host (NULL, host_and_port, 1);
  gasync_test_settle (connect);
  connection = gasync_future_dup_object (connect, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TCP_CONNECTION (connection));
  while (accepted == NULL)
    g_main_context_iteration (NULL, TRUE);

  assert_line_passes (connection, accepted, "ping");
  assert_line_passes (accepted, connection, "pong");

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

static void
test_accept_and_default_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GAsyncFuture) accept = NULL;
  g_autoptr(GAsyncFuture) connect = NULL;
  g_autoptr(GSocketConnection) server_end = NULL;
  g_autoptr(GSocketConnection) client_end = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port = listen_on_loopback (listener);

  g_test_summary ("listener_accept resolves with the server end of a connection that "
                  "connect_to_host (with its own client, port by default) made");

  accept = gasync_socket_listener_accept (listener);
  gasync_test_iterate_pending (NULL);
  g_assert_cmpint (gasync_future_get_state (accept), ==, GASYNC_FUTURE_PENDING);

  connect = gasync_socket_client_connect_to_host (client, "127.0.0.1", port);
  gasync_test_settle (accept);
  gasync_test_settle (connect);
  server_end = gasync_future_dup_object (accept, &error);
  g_assert_no_error (error);
  client_end = gasync_future_dup_object (connect, &error);
  g_assert_no_error (error);

  assert_line_passes (client_end, server_end, "hello");
  assert_line_passes (server_end, client_end, "hello yourself");
  g_socket_listener_close (listener);
}

static void
test_connect_refused (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GAsyncFuture) connect = NULL;
  g_autofree char *host_and_port = NULL;

  g_test_summary ("connect_to_host rejects with the GIO error when nobody listens");

  /* A port that was just free on loopback, and is closed again. */
  host_and_port = loopback_host_and_port (listen_on_loopback (listener));
  g_socket_listener_close (listener);

  connect = gasync_socket_client_connect_to_host (NULL, host_and_port, 0);
  gasync_test_settle (connect);
  g_assert_error (gasync_future_get_error (connect), G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_connect_cancel (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *host_and_port = loopback_host_and_port (listen_on_loopback (listener));
  GAsyncFuture *connect = gasync_socket_client_connect_to_host (NULL, host_and_port, 0);

  g_test_summary ("Cancelling a connection before the context ran its completion rejects "
                  "it with CANCELLED, and GIO's attempt is called off");

  /* The connect cannot have completed: completions run from the context,
   * which nothing has iterated since the call. So the cancel wins, even
   * though the listener would accept. */
  gasync_future_cancel (connect);
  g_assert_error (gasync_future_get_error (connect), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gasync_test_release (connect);
  g_socket_listener_close (listener);
}

static void
test_accept_cancel (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  GAsyncFuture *accept;

  g_test_summary ("Cancelling an accept mid-way (nobody connects) rejects it with "
                  "CANCELLED and stops the wait");

  listen_on_loopback (listener);
  accept = gasync_socket_listener_accept (listener);
  gasync_test_iterate_pending (NULL);
  g_assert_cmpint (gasync_future_get_state (accept), ==, GASYNC_FUTURE_PENDING);

  gasync_future_cancel (accept);
  g_assert_error (gasync_future_get_error (accept), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gasync_test_release (accept);
  g_socket_listener_close (listener);
}

static void
test_invalid_arguments (void)
{
  g_autoptr(GAsyncFuture) lookup = NULL;
  g_autoptr(GAsyncFuture) connect = NULL;
  g_autoptr(GAsyncFuture) accept = NULL;

  g_test_summary ("Bad arguments are a critical and an already rejected future");

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*hostname*");
  lookup = gasync_resolver_lookup_by_name (NULL, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*host_and_port*");
  connect = gasync_socket_client_connect_to_host (NULL, NULL, 80);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*G_IS_SOCKET_LISTENER*");
  accept = gasync_socket_listener_accept (NULL);
  g_test_assert_expected_messages ();

  g_assert_error (gasync_future_get_error (lookup), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_assert_error (gasync_future_get_error (connect), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_assert_error (gasync_future_get_error (accept), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gio/net/resolver/localhost", test_lookup_localhost);
  g_test_add_func ("/gio/net/resolver/cancel", test_lookup_cancel);
  g_test_add_func ("/gio/net/connect/exchange", test_connect_exchange);
  g_test_add_func ("/gio/net/connect/refused", test_connect_refused);
  g_test_add_func ("/gio/net/connect/cancel", test_connect_cancel);
  g_test_add_func ("/gio/net/accept/exchange", test_accept_and_default_port);
  g_test_add_func ("/gio/net/accept/cancel", test_accept_cancel);
  g_test_add_func ("/gio/net/invalid-arguments", test_invalid_arguments);

  return g_test_run ();
}
