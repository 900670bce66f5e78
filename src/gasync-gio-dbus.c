/* gasync-gio-dbus.c: futures for GDBus calls and method replies
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both directions of a D-Bus method call: gasync_dbus_connection_call()
 * makes a call as a GAsyncGioCall (gasync-gio-bridge.c), a promise settled
 * from g_dbus_connection_call()'s callback;
 * gasync_dbus_method_invocation_return_future() answers a call once a
 * future settles, waiting for it with gasync_future_wait_async(). Built on
 * the bridge and the public future API; nothing in the library calls into
 * this file.
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-gio-bridge-private.h"
#include "gasync-gio-dbus.h"
#include "gasync-i18n-private.h"

/**
 * SECTION:gasync-gio-dbus
 * @title: D-Bus as futures
 * @short_description: calling D-Bus methods, and answering them, with futures
 *
 * gasync_dbus_connection_call() calls a D-Bus method and returns a future
 * of its reply. gasync_dbus_method_invocation_return_future() is the
 * other side: a service's method handler hands the #GDBusMethodInvocation
 * and a future over, and the reply is sent when the future settles, so a
 * method can be implemented with asynchronous work.
 *
 * ## Cancellation
 *
 * Cancelling the future of gasync_dbus_connection_call() with
 * gasync_future_cancel() rejects it at once with %G_IO_ERROR_CANCELLED
 * and cancels the call's #GCancellable: GDBus stops waiting for the reply
 * (the service is not told; a late reply is dropped). A future answering
 * an invocation is cancelled when the connection the call came on is
 * closed before it settled, so that the service's work stops when nobody
 * can receive its reply.
 *
 * ## Thread and context contract
 *
 * These functions may be called from any thread. The call's completion,
 * and the reply to an invocation, happen on the caller's thread-default
 * #GMainContext, which must be iterated: in a method handler, that is the
 * context the object was registered from.
 *
 * ## Example
 *
 * |[<!-- language="C" -->
 * static void
 * handle_method_call (GDBusConnection       *connection,
 *                     const char            *sender,
 *                     const char            *object_path,
 *                     const char            *interface_name,
 *                     const char            *method_name,
 *                     GVariant              *parameters,
 *                     GDBusMethodInvocation *invocation,
 *                     gpointer               user_data)
 * {
 *   // my_lookup_future() resolves with a "(s)" GVariant
 *   g_autoptr(GAsyncFuture) reply = my_lookup_future (parameters);
 *
 *   gasync_dbus_method_invocation_return_future (invocation, reply);
 * }
 * ]|
 */

/* The GAsyncGioFinishFunc of the call, run on the caller's thread-default
 * context. */
static gboolean
connection_call_finish (GObject       *source,
                        GAsyncResult  *result,
                        GValue        *value,
                        GError       **error)
{
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, error);

  if (reply == NULL)
    return FALSE;
  g_value_init (value, G_TYPE_VARIANT);
  g_value_take_variant (value, reply);
  return TRUE;
}

/* A message bus connection needs a destination, a peer-to-peer one has none. */
static gboolean
bus_name_fits (GDBusConnection *connection,
               const char      *bus_name)
{
  gboolean on_bus = (g_dbus_connection_get_flags (connection) &
                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION) != 0;

  if (bus_name == NULL)
    return !on_bus;
  return on_bus && g_dbus_is_name (bus_name);
}

/**
 * gasync_dbus_connection_call:
 * @connection: a #GDBusConnection
 * @bus_name: (nullable): a unique or well-known bus name, or %NULL if
 *   @connection is not a message bus connection
 * @object_path: the path of the remote object
 * @interface_name: the D-Bus interface to invoke the method on
 * @method_name: the name of the method to invoke
 * @parameters: (nullable): a #GVariant tuple with the parameters, or %NULL
 *   for none; a floating reference is consumed
 * @reply_type: (nullable): the expected type of the reply (a tuple), or
 *   %NULL
 * @flags: flags from #GDBusCallFlags
 * @timeout_msec: the timeout in milliseconds, -1 for the default one or
 *   %G_MAXINT for none
 *
 * Calls @method_name on the remote object @object_path, as
 * g_dbus_connection_call() does, and returns a future of the reply.
 *
 * The call starts on the caller's thread-default #GMainContext and
 * completes there. Cancelling the future stops waiting for the reply.
 *
 * Returns: (transfer full): a future resolving with the reply (a #GVariant
 *   tuple of the out arguments, of @reply_type if given), or rejecting
 *   with the error: the remote one (see g_dbus_error_get_remote_error()),
 *   %G_IO_ERROR_TIMED_OUT, %G_IO_ERROR_CANCELLED if cancelled, …; on bad
 *   arguments, a future already rejected with
 *   %GASYNC_ERROR_INVALID_ARGUMENT
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_dbus_connection_call (GDBusConnection    *connection,
                             const char         *bus_name,
                             const char         *object_path,
                             const char         *interface_name,
                             const char         *method_name,
                             GVariant           *parameters,
                             const GVariantType *reply_type,
                             GDBusCallFlags      flags,
                             gint                timeout_msec)
{
  /* Sunk first, so that a floating reference is consumed on every path. */
  g_autoptr(GVariant) params = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), _gasync_future_new_invalid_argument ("connection"));
  g_return_val_if_fail (bus_name_fits (connection, bus_name), _gasync_future_new_invalid_argument ("bus_name"));
  g_return_val_if_fail (object_path != NULL && g_variant_is_object_path (object_path),
                        _gasync_future_new_invalid_argument ("object_path"));
  g_return_val_if_fail (interface_name != NULL && g_dbus_is_interface_name (interface_name),
                        _gasync_future_new_invalid_argument ("interface_name"));
  g_return_val_if_fail (method_name != NULL && g_dbus_is_member_name (method_name),
                        _gasync_future_new_invalid_argument ("method_name"));
  g_return_val_if_fail (params == NULL || g_variant_is_of_type (params, G_VARIANT_TYPE_TUPLE),
                        _gasync_future_new_invalid_argument ("parameters"));
  g_return_val_if_fail (timeout_msec >= -1, _gasync_future_new_invalid_argument ("timeout_msec"));

  call = _gasync_gio_call_new (connection_call_finish, &future);
  g_dbus_connection_call (connection, bus_name, object_path, interface_name, method_name,
                          params, reply_type, flags, timeout_msec,
                          _gasync_gio_call_get_cancellable (call),
                          _gasync_gio_call_done, call);
  return future;
}

/* Answering an invocation from a future */

typedef struct
{
  GDBusMethodInvocation *invocation;      /* owned; consumed by the reply */
  GDBusConnection       *connection;      /* owned */
  gulong                 closed_handler;  /* on @connection; holds a ref on the future */
} ReturnFuture;

/* May run on any thread (the one the connection's "closed" signal is
 * emitted from): cancelling a future is thread-safe. */
static void
return_future_connection_closed (GDBusConnection *connection,
                                 gboolean         remote_peer_vanished,
                                 GError          *error,
                                 gpointer         future)
{
  gasync_future_cancel (future);
}

/* Sends @value as the reply to @invocation, consuming it. */
static void
return_future_value (GDBusMethodInvocation *invocation,
                     const GValue          *value)
{
  GVariant *variant;

  if (G_VALUE_HOLDS_BOOLEAN (value))
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }
  if (!G_VALUE_HOLDS_VARIANT (value))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                             _("The reply is a %s, not a GVariant"),
                                             G_VALUE_TYPE_NAME (value));
      return;
    }

  variant = g_value_get_variant (value);
  if (variant != NULL && !g_variant_is_of_type (variant, G_VARIANT_TYPE_TUPLE))
    variant = g_variant_new_tuple (&variant, 1);
  g_dbus_method_invocation_return_value (invocation, variant);
}

/* Runs on the context that was thread-default in
 * gasync_dbus_method_invocation_return_future(). */
static void
return_future_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ReturnFuture *rf = user_data;
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  /* Drops the handler's reference on the future (a handler running on
   * another thread keeps its closure until it returns). */
  g_signal_handler_disconnect (rf->connection, rf->closed_handler);

  if (gasync_future_wait_finish (GASYNC_FUTURE (source), result, &value, &error))
    return_future_value (g_steal_pointer (&rf->invocation), &value);
  else
    g_dbus_method_invocation_take_error (g_steal_pointer (&rf->invocation), error);

  g_value_unset (&value);
  g_object_unref (rf->connection);
  g_free (rf);
}

/**
 * gasync_dbus_method_invocation_return_future:
 * @invocation: (transfer full): the #GDBusMethodInvocation to answer
 * @future: the future whose outcome is the reply
 *
 * Answers a D-Bus method call when @future settles: a service's method
 * handler calls this and returns at once, and the reply is sent later.
 *
 * - If @future resolves with a #GVariant, it is the reply: a tuple as it
 *   is, any other value as a one-element tuple, and %NULL as an empty
 *   reply (with g_dbus_method_invocation_return_value()).
 * - If it resolves with a #gboolean (as futures that only say "done"
 *   do), the reply is empty.
 * - If it resolves with any other type, the caller gets a
 *   %G_DBUS_ERROR_FAILED error naming the type.
 * - If it rejects, its #GError is the reply, sent as a D-Bus error with
 *   g_dbus_method_invocation_return_gerror() (the caller gets the
 *   same domain and code back if it knows the error domain).
 *
 * If the connection the call came on is closed before @future settled,
 * @future is cancelled (gasync_future_cancel()), so that work nobody can
 * receive the result of stops.
 *
 * This takes over the reference on @invocation that the method handler
 * got, as the `g_dbus_method_invocation_return_` functions do, and keeps
 * @future alive until it settled. The reply is sent from the caller's
 * thread-default #GMainContext (in a method handler: the one the object
 * was registered from), in a later iteration, never inside the call that
 * settled @future.
 *
 * Since: 0.1
 */
void
gasync_dbus_method_invocation_return_future (GDBusMethodInvocation *invocation,
                                             GAsyncFuture          *future)
{
  ReturnFuture *rf;

  g_return_if_fail (G_IS_DBUS_METHOD_INVOCATION (invocation));
  if (!GASYNC_IS_FUTURE (future))
    {
      /* Answer anyway: a caller must not wait for its timeout. */
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                             _("Invalid argument: %s"), "future");
      g_return_if_fail (GASYNC_IS_FUTURE (future));
    }

  rf = g_new0 (ReturnFuture, 1);
  rf->invocation = invocation;
  rf->connection = g_object_ref (g_dbus_method_invocation_get_connection (invocation));
  rf->closed_handler = g_signal_connect_data (rf->connection, "closed",
                                              G_CALLBACK (return_future_connection_closed),
                                              g_object_ref (future),
                                              (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  gasync_future_wait_async (future, NULL, return_future_done, rf);

  /* Closed before we connected: no "closed" signal will come. */
  if (g_dbus_connection_is_closed (rf->connection))
    gasync_future_cancel (future);
}
