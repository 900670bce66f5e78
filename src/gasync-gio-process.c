/* gasync-gio-process.c: futures for GSubprocess
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each function starts a GSubprocess `_async()` call through a
 * GAsyncGioCall (gasync-gio-bridge.c): with the cancellable of the
 * future's promise, and a `_finish()` function of its own that the
 * bridge's callback calls to settle the promise. Built on the bridge;
 * nothing in the library calls into this file.
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-gio-bridge-private.h"
#include "gasync-gio-process.h"

/**
 * SECTION:gasync-gio-process
 * @title: Subprocesses as futures
 * @short_description: waiting for a #GSubprocess and talking to it
 *
 * gasync_subprocess_wait(), gasync_subprocess_wait_check() and
 * gasync_subprocess_communicate_utf8() are the #GSubprocess asynchronous
 * calls as futures: each returns a #GAsyncFuture that settles like the
 * GIO call, resolving with its result or rejecting with its #GError.
 *
 * ## Cancellation
 *
 * Cancelling the returned future with gasync_future_cancel() rejects it
 * at once with %G_IO_ERROR_CANCELLED and cancels the #GCancellable the
 * GIO call was started with: the wait or the communication stops. It does
 * not stop the process: call g_subprocess_force_exit() (or
 * g_subprocess_send_signal()) for that.
 *
 * ## Thread and context contract
 *
 * These functions may be called from any thread. The GIO call starts on
 * the caller's thread-default #GMainContext and completes there: that
 * context must be iterated (by a main loop, or by gasync_block_on(),
 * which pushes its own) for the future to settle. Continuations of the
 * future run, as always, on the context they were registered from.
 *
 * ## Example
 *
 * |[<!-- language="C" -->
 * static GAsyncFuture *
 * run_git_version (GCancellable *cancellable,
 *                  gpointer      user_data)
 * {
 *   g_autoptr(GSubprocess) proc = NULL;
 *   GError *error = NULL;
 *
 *   proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
 *                            "git", "--version", NULL);
 *   if (proc == NULL)
 *     return gasync_future_new_for_error (error);
 *   return gasync_subprocess_communicate_utf8 (proc, NULL);
 * }
 *
 * // … then, from synchronous code:
 * g_autoptr(GAsyncFuture) done = gasync_block_on_future (run_git_version, NULL, 0, NULL);
 * g_autoptr(GVariant) output = gasync_future_dup_variant (done, &error);
 * const char *out = NULL;
 *
 * if (output != NULL)
 *   g_variant_get (output, "(m&sm&s)", &out, NULL);
 * ]|
 */

/* The GAsyncGioFinishFunc of each call, run on the caller's
 * thread-default context. The waits leave @value unset: their future
 * resolves with TRUE. */
static gboolean
wait_finish (GObject       *source,
             GAsyncResult  *result,
             GValue        *value,
             GError       **error)
{
  return g_subprocess_wait_finish (G_SUBPROCESS (source), result, error);
}

/**
 * gasync_subprocess_wait:
 * @subprocess: a #GSubprocess
 *
 * Waits for @subprocess to exit, whatever its exit status, with
 * g_subprocess_wait_async(). Once the future resolved, read the status
 * with g_subprocess_get_if_exited(), g_subprocess_get_exit_status() and
 * their siblings.
 *
 * The GIO call starts on the caller's thread-default #GMainContext and
 * completes there. Cancelling the future cancels the wait (not the
 * process).
 *
 * Returns: (transfer full): a future resolving with %TRUE (a #gboolean)
 *   once @subprocess exited, or rejecting with the GIO error
 *   (%G_IO_ERROR_CANCELLED if cancelled); on bad arguments, a future
 *   already rejected with %GASYNC_ERROR_INVALID_ARGUMENT
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_subprocess_wait (GSubprocess *subprocess)
{
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_SUBPROCESS (subprocess), _gasync_future_new_invalid_argument ("subprocess"));

  call = _gasync_gio_call_new (wait_finish, &future);
  g_subprocess_wait_async (subprocess, _gasync_gio_call_get_cancellable (call),
                           _gasync_gio_call_done, call);
  return future;
}

static gboolean
wait_check_finish (GObject       *source,
                   GAsyncResult  *result,
                   GValue        *value,
                   GError       **error)
{
  return g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, error);
}

/**
 * gasync_subprocess_wait_check:
 * @subprocess: a #GSubprocess
 *
 * Waits for @subprocess to exit, and checks that it exited with status 0,
 * with g_subprocess_wait_check_async().
 *
 * The GIO call starts on the caller's thread-default #GMainContext and
 * completes there. Cancelling the future cancels the wait (not the
 * process).
 *
 * Returns: (transfer full): a future resolving with %TRUE (a #gboolean)
 *   once @subprocess exited successfully; rejecting with a
 *   %G_SPAWN_EXIT_ERROR error (the code is the exit status) if it
 *   exited with another status, a %G_SPAWN_ERROR if it was killed by a
 *   signal, or %G_IO_ERROR_CANCELLED if cancelled; on bad arguments, a
 *   future already rejected with %GASYNC_ERROR_INVALID_ARGUMENT
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_subprocess_wait_check (GSubprocess *subprocess)
{
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_SUBPROCESS (subprocess), _gasync_future_new_invalid_argument ("subprocess"));

  call = _gasync_gio_call_new (wait_check_finish, &future);
  g_subprocess_wait_check_async (subprocess, _gasync_gio_call_get_cancellable (call),
                                 _gasync_gio_call_done, call);
  return future;
}

static gboolean
communicate_utf8_finish (GObject       *source,
                         GAsyncResult  *result,
                         GValue        *value,
                         GError       **error)
{
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                             &stdout_buf, &stderr_buf, error))
    return FALSE;
  g_value_init (value, G_TYPE_VARIANT);
  g_value_set_variant (value, g_variant_new ("(msms)", stdout_buf, stderr_buf));
  return TRUE;
}

/**
 * gasync_subprocess_communicate_utf8:
 * @subprocess: a #GSubprocess
 * @stdin_buf: (nullable): text to write to the process's standard input
 *   (@subprocess must then have been created with
 *   %G_SUBPROCESS_FLAGS_STDIN_PIPE), or %NULL
 *
 * Writes @stdin_buf to @subprocess, closes its standard input, reads its
 * standard output and error until they close, and waits for it to exit,
 * with g_subprocess_communicate_utf8_async().
 *
 * The value is a #GVariant of type `(msms)`: the standard output and the
 * standard error as UTF-8 strings, each present only if @subprocess was
 * created with %G_SUBPROCESS_FLAGS_STDOUT_PIPE or
 * %G_SUBPROCESS_FLAGS_STDERR_PIPE respectively. Read it in C with
 * `g_variant_get (v, "(msms)", &out, &err)`; Python sees a tuple of two
 * strings or `None` (`future.dup_variant().unpack()`), JavaScript an array
 * (`future.dup_variant().deepUnpack()`).
 *
 * The exit status is not checked: read it with
 * g_subprocess_get_exit_status() or chain gasync_subprocess_wait_check().
 *
 * The GIO call starts on the caller's thread-default #GMainContext and
 * completes there. Cancelling the future cancels the communication (not
 * the process).
 *
 * Returns: (transfer full): a future resolving with a `(msms)` #GVariant,
 *   or rejecting with the GIO error (%G_IO_ERROR_INVALID_DATA if an output
 *   is not UTF-8, %G_IO_ERROR_CANCELLED if cancelled); on bad arguments
 *   (@stdin_buf without a stdin pipe too), a future already rejected with
 *   %GASYNC_ERROR_INVALID_ARGUMENT
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_subprocess_communicate_utf8 (GSubprocess *subprocess,
                                    const char  *stdin_buf)
{
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_SUBPROCESS (subprocess), _gasync_future_new_invalid_argument ("subprocess"));
  /* GIO would refuse with a critical and never call back, leaving the
   * future pending forever: refuse first, with an answer. */
  g_return_val_if_fail (stdin_buf == NULL || g_subprocess_get_stdin_pipe (subprocess) != NULL,
                        _gasync_future_new_invalid_argument ("stdin_buf"));

  call = _gasync_gio_call_new (communicate_utf8_finish, &future);
  g_subprocess_communicate_utf8_async (subprocess, stdin_buf,
                                       _gasync_gio_call_get_cancellable (call),
                                       _gasync_gio_call_done, call);
  return future;
}
