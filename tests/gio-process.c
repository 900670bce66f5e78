/* gio-process.c: tests for the GSubprocess futures
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"

/* Iterates the thread-default context, where the GIO call completes,
 * until @future settled. */
static GSubprocess *
spawn (GSubprocessFlags   flags,
       const char        *command)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *proc = g_subprocess_new (flags, &error, "/bin/sh", "-c", command, NULL);

  g_assert_no_error (error);
  return proc;
}

static void
test_wait_check_success (void)
{
  g_autoptr(GSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_NONE, "true");
  g_autoptr(GAsyncFuture) done = gasync_subprocess_wait_check (proc);
  g_autoptr(GError) error = NULL;

  g_test_summary ("wait_check resolves with TRUE when the process exits with 0");

  gasync_test_settle (done);
  g_assert_true (gasync_future_get_boolean (done, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (proc));
}

static void
test_wait_check_failure (void)
{
  g_autoptr(GSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_NONE, "false");
  g_autoptr(GAsyncFuture) done = gasync_subprocess_wait_check (proc);

  g_test_summary ("wait_check rejects with G_SPAWN_EXIT_ERROR and the status when the "
                  "process exits with another status");

  gasync_test_settle (done);
  g_assert_cmpint (gasync_future_get_state (done), ==, GASYNC_FUTURE_REJECTED);
  g_assert_error (gasync_future_get_error (done), G_SPAWN_EXIT_ERROR, 1);
}

static void
test_wait (void)
{
  g_autoptr(GSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_NONE, "exit 3");
  g_autoptr(GAsyncFuture) done = gasync_subprocess_wait (proc);
  g_autoptr(GError) error = NULL;

  g_test_summary ("wait resolves with TRUE whatever the exit status, then readable");

  gasync_test_settle (done);
  g_assert_true (gasync_future_get_boolean (done, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 3);
}

static void
test_communicate_utf8 (void)
{
  g_autoptr(GSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       "cat");
  g_autoptr(GAsyncFuture) done = gasync_subprocess_communicate_utf8 (proc, "héllo\nworld\n");
  g_autoptr(GVariant) output = NULL;
  g_autoptr(GError) error = NULL;
  const char *out = NULL, *err = NULL;

  g_test_summary ("communicate_utf8 writes stdin and resolves with (stdout, stderr) as "
                  "an (msms) GVariant, stderr absent when not piped");

  gasync_test_settle (done);
  output = gasync_future_dup_variant (done, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (output), ==, "(msms)");
  g_variant_get (output, "(m&sm&s)", &out, &err);
  g_assert_cmpstr (out, ==, "héllo\nworld\n");
  g_assert_null (err);
}

static void
test_communicate_utf8_stderr (void)
{
  g_autoptr(GSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                       "echo out; echo err >&2; exit 2");
  g_autoptr(GAsyncFuture) done = gasync_subprocess_communicate_utf8 (proc, NULL);
  g_autoptr(GVariant) output = NULL;
  g_autoptr(GError) error = NULL;
  const char *out = NULL, *err = NULL;

  g_test_summary ("communicate_utf8 gives both outputs and does not check the status");

  gasync_test_settle (done);
  output = gasync_future_dup_variant (done, &error);
  g_assert_no_error (error);
  g_variant_get (output, "(m&sm&s)", &out, &err);
  g_assert_cmpstr (out, ==, "out\n");
  g_assert_cmpstr (err, ==, "err\n");
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
}

/* Kills @proc and reaps it. */
static void
force_exit (GSubprocess *proc)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_force_exit (proc);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_if_exited (proc));
}

static void
test_wait_check_cancel (void)
{
  g_autoptr(GSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_NONE, "exec sleep 1000");
  GAsyncFuture *done = gasync_subprocess_wait_check (proc);

  g_test_summary ("Cancelling wait_check mid-way rejects it with CANCELLED at once and "
                  "cancels the GIO wait; the process runs until killed");

  gasync_test_iterate_pending (NULL);
  g_assert_cmpint (gasync_future_get_state (done), ==, GASYNC_FUTURE_PENDING);

  gasync_future_cancel (done);
  g_assert_error (gasync_future_get_error (done), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The GIO wait calls back (cancelled) and lets the future go, while
   * the process still runs. */
  gasync_test_release (done);
  g_assert_nonnull (g_subprocess_get_identifier (proc));
  force_exit (proc);
}

static void
test_communicate_utf8_cancel (void)
{
  g_autoptr(GSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, "exec sleep 1000");
  GAsyncFuture *done = gasync_subprocess_communicate_utf8 (proc, NULL);

  g_test_summary ("Cancelling communicate_utf8 mid-way rejects it with CANCELLED and "
                  "stops reading");

  gasync_test_iterate_pending (NULL);
  g_assert_cmpint (gasync_future_get_state (done), ==, GASYNC_FUTURE_PENDING);

  gasync_future_cancel (done);
  g_assert_error (gasync_future_get_error (done), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gasync_test_release (done);
  force_exit (proc);
}

static void
test_invalid_arguments (void)
{
  g_autoptr(GAsyncFuture) wait = NULL;
  g_autoptr(GAsyncFuture) check = NULL;
  g_autoptr(GAsyncFuture) communicate = NULL;

  g_test_summary ("A NULL subprocess is a critical and an already rejected future");

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*G_IS_SUBPROCESS*");
  wait = gasync_subprocess_wait (NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*G_IS_SUBPROCESS*");
  check = gasync_subprocess_wait_check (NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*G_IS_SUBPROCESS*");
  communicate = gasync_subprocess_communicate_utf8 (NULL, "x");
  g_test_assert_expected_messages ();

  g_assert_error (gasync_future_get_error (wait), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_assert_error (gasync_future_get_error (check), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_assert_error (gasync_future_get_error (communicate), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
}

static void
test_communicate_utf8_without_stdin_pipe (void)
{
  g_autoptr(GSubprocess) proc = spawn (G_SUBPROCESS_FLAGS_NONE, "true");
  g_autoptr(GAsyncFuture) communicate = NULL;
  g_autoptr(GAsyncFuture) done = NULL;

  g_test_summary ("Text for stdin without a stdin pipe is refused with a rejected future, "
                  "not a future GIO would never settle");

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*stdin_buf*");
  communicate = gasync_subprocess_communicate_utf8 (proc, "lost");
  g_test_assert_expected_messages ();
  g_assert_error (gasync_future_get_error (communicate), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);

  done = gasync_subprocess_wait_check (proc);
  gasync_test_settle (done);
  g_assert_cmpint (gasync_future_get_state (done), ==, GASYNC_FUTURE_RESOLVED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gio/process/wait-check/success", test_wait_check_success);
  g_test_add_func ("/gio/process/wait-check/failure", test_wait_check_failure);
  g_test_add_func ("/gio/process/wait-check/cancel", test_wait_check_cancel);
  g_test_add_func ("/gio/process/wait", test_wait);
  g_test_add_func ("/gio/process/communicate-utf8/stdin-echo", test_communicate_utf8);
  g_test_add_func ("/gio/process/communicate-utf8/stderr", test_communicate_utf8_stderr);
  g_test_add_func ("/gio/process/communicate-utf8/cancel", test_communicate_utf8_cancel);
  g_test_add_func ("/gio/process/invalid-arguments", test_invalid_arguments);
  g_test_add_func ("/gio/process/communicate-utf8/without-stdin-pipe",
                   test_communicate_utf8_without_stdin_pipe);

  return g_test_run ();
}
