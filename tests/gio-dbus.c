/* gio-dbus.c: tests for the GDBus futures, on a private session bus
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test starts its own dbus-daemon with GTestDBus and connects a
 * service and a client to it; both run on this thread's default context.
 * The tests are skipped where dbus-daemon is not installed (Debian's
 * `dbus-daemon` package; build-aux/quickstart installs it).
 */

#include "gasync-test-util.h"

#define OBJECT_PATH "/org/gasync/Test"
#define INTERFACE "org.gasync.Test"

static void
set_flag (GObject      *source,
          GAsyncResult *result,
          gpointer      flag)
{
  g_atomic_int_set ((gint *) flag, TRUE);
}

static const char introspection_xml[] =
  "<node>"
  "  <interface name='" INTERFACE "'>"
  "    <method name='Echo'>"
  "      <arg type='s' name='text' direction='in'/>"
  "      <arg type='s' name='echo' direction='out'/>"
  "    </method>"
  "    <method name='Fail'/>"
  "    <method name='Done'/>"
  "    <method name='Wrong'/>"
  "    <method name='NoFuture'/>"
  "    <method name='Never'/>"
  "  </interface>"
  "</node>";

typedef struct
{
  GTestDBus       *bus;
  GDBusConnection *service;
  GDBusConnection *client;
  guint            registration;
  /* The pending answer of the last Echo or Never call, for the test to
   * settle (or to see cancelled). */
  GAsyncPromise   *answer;
} Fixture;

/* The service's methods, each answered from a future. */
static void
handle_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GAsyncFuture) answer = NULL;

  if (g_str_equal (method_name, "Fail"))
    answer = gasync_future_new_for_error (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                               "no such thing"));
  else if (g_str_equal (method_name, "Done"))
    answer = gasync_future_new_for_boolean (TRUE);
  else if (g_str_equal (method_name, "Wrong"))
    answer = gasync_future_new_for_int (42);
  else if (g_str_equal (method_name, "NoFuture"))
    {
      g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_FUTURE*");
      gasync_dbus_method_invocation_return_future (invocation, NULL);
      g_test_assert_expected_messages ();
      return;
    }
  else
    {
      /* Echo and Never: answered later, or never, by the test. */
      g_assert_null (fixture->answer);
      fixture->answer = gasync_promise_new ();
      answer = g_object_ref (GASYNC_FUTURE (fixture->answer));
    }
  gasync_dbus_method_invocation_return_future (invocation, answer);
}

static const GDBusInterfaceVTable vtable = { handle_method_call, NULL, NULL, { 0 } };

static GDBusConnection *
connect_to_bus (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fixture->bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  return connection;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *daemon = g_find_program_in_path ("dbus-daemon");

  if (daemon == NULL)
    return;

  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->service = connect_to_bus (fixture);
  fixture->client = connect_to_bus (fixture);

  node = g_dbus_node_info_new_for_xml (introspection_xml, &error);
  g_assert_no_error (error);
  fixture->registration = g_dbus_connection_register_object (fixture->service, OBJECT_PATH,
                                                             node->interfaces[0], &vtable,
                                                             fixture, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->bus == NULL)
    return;

  g_dbus_connection_unregister_object (fixture->service, fixture->registration);
  g_dbus_connection_close_sync (fixture->client, NULL, NULL);
  g_dbus_connection_close_sync (fixture->service, NULL, NULL);
  /* An answer still pending is cancelled by the close (and its invocation
   * let go): wait for that, so that nothing is left for the next test. */
  while (fixture->answer != NULL &&
         gasync_future_get_state (GASYNC_FUTURE (fixture->answer)) == GASYNC_FUTURE_PENDING)
    g_main_context_iteration (NULL, TRUE);
  gasync_test_iterate_pending (NULL);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->service);
  g_clear_object (&fixture->answer);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

static gboolean
skip_without_bus (Fixture *fixture)
{
  if (fixture->bus != NULL)
    return FALSE;
  g_test_skip ("dbus-daemon is not installed (Debian package: dbus-daemon)");
  return TRUE;
}

static GAsyncFuture *
call_service (Fixture    *fixture,
              const char *method,
              GVariant   *parameters,
              const char *reply_type)
{
  return gasync_dbus_connection_call (fixture->client, g_dbus_connection_get_unique_name (fixture->service),
                                      OBJECT_PATH, INTERFACE, method, parameters,
                                      G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE, -1);
}

static void
test_call_bus (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GAsyncFuture) call = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *id = NULL;

  g_test_summary ("connection_call resolves with the reply of the bus's own GetId");
  if (skip_without_bus (fixture))
    return;

  call = gasync_dbus_connection_call (fixture->client, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetId", NULL, G_VARIANT_TYPE ("(s)"),
                                      G_DBUS_CALL_FLAGS_NONE, -1);
  gasync_test_settle (call);
  reply = gasync_future_dup_variant (call, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &id);
  g_assert_cmpuint (strlen (id), ==, 32);
}

static void
test_return_future_value (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GAsyncFuture) call = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *echo = NULL;

  g_test_summary ("A method handler answers from a future it settles later: the caller "
                  "gets the future's GVariant (a bare value wrapped in a tuple)");
  if (skip_without_bus (fixture))
    return;

  call = call_service (fixture, "Echo", g_variant_new ("(s)", "hello"), "(s)");
  while (fixture->answer == NULL)
    g_main_context_iteration (NULL, TRUE);
  /* The invocation waits on the pending answer; so does the call. */
  gasync_test_iterate_pending (NULL);
  g_assert_cmpint (gasync_future_get_state (call), ==, GASYNC_FUTURE_PENDING);

  gasync_promise_resolve_variant (fixture->answer, g_variant_new_string ("hello back"));
  gasync_test_settle (call);
  reply = gasync_future_dup_variant (call, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &echo);
  g_assert_cmpstr (echo, ==, "hello back");
}

static void
test_return_future_boolean (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GAsyncFuture) call = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A future resolved with TRUE answers with an empty reply");
  if (skip_without_bus (fixture))
    return;

  call = call_service (fixture, "Done", NULL, "()");
  gasync_test_settle (call);
  reply = gasync_future_dup_variant (call, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (reply), ==, 0);
}

static void
test_return_future_error (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GAsyncFuture) call = NULL;
  const GError *error;

  g_test_summary ("A rejected future answers with its GError as a D-Bus error, which the "
                  "caller gets back with the same domain and code");
  if (skip_without_bus (fixture))
    return;

  call = call_service (fixture, "Fail", NULL, "()");
  gasync_test_settle (call);
  error = gasync_future_get_error (call);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_dbus_error_is_remote_error (error));
  g_assert_nonnull (strstr (error->message, "no such thing"));
}

static void
test_return_future_wrong_type (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GAsyncFuture) wrong = NULL;
  g_autoptr(GAsyncFuture) no_future = NULL;

  g_test_summary ("A future resolving with something that is not a reply, or none at "
                  "all, still answers the caller, with an error");
  if (skip_without_bus (fixture))
    return;

  wrong = call_service (fixture, "Wrong", NULL, "()");
  no_future = call_service (fixture, "NoFuture", NULL, "()");
  gasync_test_settle (wrong);
  gasync_test_settle (no_future);
  g_assert_error (gasync_future_get_error (wrong), G_DBUS_ERROR, G_DBUS_ERROR_FAILED);
  g_assert_nonnull (strstr (gasync_future_get_error (wrong)->message, "gint"));
  g_assert_error (gasync_future_get_error (no_future), G_DBUS_ERROR, G_DBUS_ERROR_FAILED);
}

static void
test_call_cancel (Fixture       *fixture,
                  gconstpointer  data)
{
  GAsyncFuture *call;

  g_test_summary ("Cancelling a call mid-way (the service never answers) rejects it with "
                  "CANCELLED at once and stops GDBus's wait for the reply");
  if (skip_without_bus (fixture))
    return;

  call = call_service (fixture, "Never", NULL, "()");
  while (fixture->answer == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gasync_future_get_state (call), ==, GASYNC_FUTURE_PENDING);

  gasync_future_cancel (call);
  g_assert_error (gasync_future_get_error (call), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gasync_test_release (call);
}

static void
test_return_future_connection_closed (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(GAsyncFuture) call = NULL;
  gint closed = FALSE;

  g_test_summary ("The future answering an invocation is cancelled when the connection "
                  "it came on closes first");
  if (skip_without_bus (fixture))
    return;

  call = call_service (fixture, "Never", NULL, "()");
  while (fixture->answer == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_dbus_connection_close (fixture->service, NULL, set_flag, &closed);
  gasync_test_iterate_until (NULL, &closed, GASYNC_TEST_TIMEOUT_MS);
  while (gasync_future_get_state (GASYNC_FUTURE (fixture->answer)) == GASYNC_FUTURE_PENDING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (fixture->answer)),
                  G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The caller learns that its peer went away. */
  gasync_test_settle (call);
  g_assert_cmpint (gasync_future_get_state (call), ==, GASYNC_FUTURE_REJECTED);
}

static void
test_invalid_arguments (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GAsyncFuture) no_connection = NULL;
  g_autoptr(GAsyncFuture) bad_path = NULL;

  g_test_summary ("Bad arguments are a critical and an already rejected future; a "
                  "floating parameters variant is consumed anyway");
  if (skip_without_bus (fixture))
    return;

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*G_IS_DBUS_CONNECTION*");
  no_connection = gasync_dbus_connection_call (NULL, "org.freedesktop.DBus", "/", "org.freedesktop.DBus",
                                               "GetId", g_variant_new ("()"), NULL,
                                               G_DBUS_CALL_FLAGS_NONE, -1);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*object_path*");
  bad_path = gasync_dbus_connection_call (fixture->client, "org.freedesktop.DBus", "not a path",
                                          "org.freedesktop.DBus", "GetId", NULL, NULL,
                                          G_DBUS_CALL_FLAGS_NONE, -1);
  g_test_assert_expected_messages ();

  g_assert_error (gasync_future_get_error (no_connection), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_assert_error (gasync_future_get_error (bad_path), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/gio/dbus/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("call/bus-get-id", test_call_bus);
  ADD ("call/cancel", test_call_cancel);
  ADD ("call/invalid-arguments", test_invalid_arguments);
  ADD ("return-future/value", test_return_future_value);
  ADD ("return-future/boolean", test_return_future_boolean);
  ADD ("return-future/error", test_return_future_error);
  ADD ("return-future/wrong-type", test_return_future_wrong_type);
  ADD ("return-future/connection-closed", test_return_future_connection_closed);
#undef ADD

  return g_test_run ();
}
