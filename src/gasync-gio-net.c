/* gasync-gio-net.c: futures for name resolution and socket connections
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each function starts a GResolver or GSocket* `_async()` call through a
 * GAsyncGioCall (gasync-gio-bridge.c): with the cancellable of the
 * future's promise, and a `_finish()` function of its own that the
 * bridge's callback calls to settle the promise. Built on the bridge;
 * nothing in the library calls into this file.
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-gio-bridge-private.h"
#include "gasync-gio-net.h"

/**
 * SECTION:gasync-gio-net
 * @title: Networking as futures
 * @short_description: resolving names, connecting and accepting with futures
 *
 * gasync_resolver_lookup_by_name(), gasync_socket_client_connect_to_host()
 * and gasync_socket_listener_accept() are the #GResolver,
 * #GSocketClient and #GSocketListener asynchronous calls as futures: each
 * returns a #GAsyncFuture that resolves with the call's result or rejects
 * with its #GError.
 *
 * ## Cancellation
 *
 * Cancelling the returned future with gasync_future_cancel() rejects it
 * at once with %G_IO_ERROR_CANCELLED and cancels the #GCancellable the
 * GIO call was started with. If the GIO call had already succeeded by
 * then (a connection made, say), its result is dropped and closed when
 * its last reference goes.
 *
 * ## Thread and context contract
 *
 * These functions may be called from any thread. The GIO call starts on
 * the caller's thread-default #GMainContext and completes there: that
 * context must be iterated (by a main loop, or by gasync_block_on(),
 * which pushes its own) for the future to settle.
 *
 * ## Example
 *
 * |[<!-- language="C" -->
 * static GAsyncFuture *
 * connect_to_server (GCancellable *cancellable,
 *                    gpointer      user_data)
 * {
 *   return gasync_socket_client_connect_to_host (NULL, "example.org:80", 80);
 * }
 *
 * // … then, from synchronous code:
 * g_autoptr(GAsyncFuture) done = gasync_block_on_future (connect_to_server, NULL, 5000, NULL);
 * g_autoptr(GSocketConnection) connection = gasync_future_dup_object (done, &error);
 * ]|
 */

/* The GAsyncGioFinishFunc of each call, run on the caller's
 * thread-default context. */
static gboolean
lookup_by_name_finish (GObject       *source,
                       GAsyncResult  *result,
                       GValue        *value,
                       GError       **error)
{
  GListStore *store;
  GList *addresses;

  /* Never empty on success. */
  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, error);
  if (addresses == NULL)
    return FALSE;

  store = g_list_store_new (G_TYPE_INET_ADDRESS);
  for (GList *l = addresses; l != NULL; l = l->next)
    g_list_store_append (store, l->data);
  g_resolver_free_addresses (addresses);
  g_value_init (value, G_TYPE_LIST_STORE);
  g_value_take_object (value, store);
  return TRUE;
}

/**
 * gasync_resolver_lookup_by_name:
 * @resolver: (nullable): a #GResolver, or %NULL for g_resolver_get_default()
 * @hostname: the host name to look up (an IP address literal is returned
 *   as it is)
 *
 * Resolves @hostname to its addresses with
 * g_resolver_lookup_by_name_async().
 *
 * The value is a #GListModel (a #GListStore) of #GInetAddress, in the
 * order the resolver gave them (the order to try them in).
 *
 * The call starts on the caller's thread-default #GMainContext and
 * completes there. Cancelling the future cancels the lookup.
 *
 * Returns: (transfer full): a future resolving with a #GListStore of
 *   #GInetAddress (never empty), or rejecting with the #GResolverError
 *   (%G_RESOLVER_ERROR_NOT_FOUND, …) or %G_IO_ERROR_CANCELLED if
 *   cancelled; on bad arguments, a future already rejected with
 *   %GASYNC_ERROR_INVALID_ARGUMENT
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_resolver_lookup_by_name (GResolver  *resolver,
                                const char *hostname)
{
  g_autoptr(GResolver) used = NULL;
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (resolver == NULL || G_IS_RESOLVER (resolver), _gasync_future_new_invalid_argument ("resolver"));
  g_return_val_if_fail (hostname != NULL, _gasync_future_new_invalid_argument ("hostname"));

  used = resolver != NULL ? g_object_ref (resolver) : g_resolver_get_default ();
  call = _gasync_gio_call_new (lookup_by_name_finish, &future);
  g_resolver_lookup_by_name_async (used, hostname, _gasync_gio_call_get_cancellable (call),
                                   _gasync_gio_call_done, call);
  return future;
}

/* Resolves with @connection, of its own type, if the call made one. */
static gboolean
take_connection (GValue            *value,
                 GSocketConnection *connection)
{
  if (connection == NULL)
    return FALSE;
  g_value_init (value, G_OBJECT_TYPE (connection));
  g_value_take_object (value, connection);
  return TRUE;
}

static gboolean
connect_to_host_finish (GObject       *source,
                        GAsyncResult  *result,
                        GValue        *value,
                        GError       **error)
{
  return take_connection (value, g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source),
                                                                         result, error));
}

/**
 * gasync_socket_client_connect_to_host:
 * @client: (nullable): a #GSocketClient, or %NULL for a new one with the
 *   default settings
 * @host_and_port: the host name or address, with an optional port
 *   (`"example.org"`, `"example.org:8080"`, `"[::1]:8080"`)
 * @default_port: the port to use if @host_and_port has none
 *
 * Resolves @host_and_port and connects to the first address that
 * accepts, as g_socket_client_connect_to_host_async() does (with
 * @client's proxy, TLS and timeout settings).
 *
 * The call starts on the caller's thread-default #GMainContext and
 * completes there. Cancelling the future cancels the connection attempt.
 *
 * Returns: (transfer full): a future resolving with the
 *   #GSocketConnection, or rejecting with the GIO error
 *   (%G_IO_ERROR_CONNECTION_REFUSED, a #GResolverError, …) or
 *   %G_IO_ERROR_CANCELLED if cancelled; on bad arguments, a future
 *   already rejected with %GASYNC_ERROR_INVALID_ARGUMENT
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_socket_client_connect_to_host (GSocketClient *client,
                                      const char    *host_and_port,
                                      guint16        default_port)
{
  g_autoptr(GSocketClient) used = NULL;
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (client == NULL || G_IS_SOCKET_CLIENT (client), _gasync_future_new_invalid_argument ("client"));
  g_return_val_if_fail (host_and_port != NULL, _gasync_future_new_invalid_argument ("host_and_port"));

  used = client != NULL ? g_object_ref (client) : g_socket_client_new ();
  call = _gasync_gio_call_new (connect_to_host_finish, &future);
  g_socket_client_connect_to_host_async (used, host_and_port, default_port,
                                         _gasync_gio_call_get_cancellable (call),
                                         _gasync_gio_call_done, call);
  return future;
}

static gboolean
accept_finish (GObject       *source,
               GAsyncResult  *result,
               GValue        *value,
               GError       **error)
{
  return take_connection (value, g_socket_listener_accept_finish (G_SOCKET_LISTENER (source),
                                                                  result, NULL, error));
}

/**
 * gasync_socket_listener_accept:
 * @listener: a #GSocketListener with at least one address or port added
 *   (not a #GSocketService that is active: it accepts by itself)
 *
 * Waits for the next incoming connection on any of @listener's sockets,
 * with g_socket_listener_accept_async().
 *
 * The call starts on the caller's thread-default #GMainContext and
 * completes there. Cancelling the future stops waiting (a connection
 * that arrives later waits in the listen queue for the next accept).
 *
 * Returns: (transfer full): a future resolving with the accepted
 *   #GSocketConnection, or rejecting with the GIO error
 *   (%G_IO_ERROR_CANCELLED if cancelled); on bad arguments, a future
 *   already rejected with %GASYNC_ERROR_INVALID_ARGUMENT
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_socket_listener_accept (GSocketListener *listener)
{
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_SOCKET_LISTENER (listener), _gasync_future_new_invalid_argument ("listener"));

  call = _gasync_gio_call_new (accept_finish, &future);
  g_socket_listener_accept_async (listener, _gasync_gio_call_get_cancellable (call),
                                  _gasync_gio_call_done, call);
  return future;
}
