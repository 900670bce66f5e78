/* gasync-gio-stream.c: GInputStream and GOutputStream operations as futures
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each function starts a GIO `_async()` call with the cancellable of a
 * new promise, so that gasync_future_cancel() on the returned future
 * cancels the call, and settles the promise from the call's
 * GAsyncReadyCallback with the `_finish()` result: through a
 * GAsyncGioCall (gasync-gio-bridge.c) and a finish function per call, or,
 * for the read loop of gasync_input_stream_read_all(), with a promise of
 * its own (gasync-promise.c). Built on the bridge and the promise; nothing
 * in the library calls into this file.
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-gio-bridge-private.h"
#include "gasync-gio-stream.h"
#include "gasync-promise.h"

/**
 * SECTION:gasync-gio-stream
 * @title: Stream futures
 * @short_description: reading and writing GIO streams as futures
 *
 * Each function here starts one GIO stream operation and returns a
 * #GAsyncFuture of its result; the value types are given per function.
 *
 * ## Contexts and cancellation
 *
 * The GIO call is started inside the function, on the caller's
 * thread-default #GMainContext (g_main_context_get_thread_default(), or
 * the global default context when none is pushed), exactly as calling the
 * `_async()` function directly would: it completes there, so that context
 * must be iterated (gasync_block_on() does it for its start function). The
 * future can then be waited for from any context or thread.
 *
 * gasync_future_cancel() on the returned future rejects it with
 * %G_IO_ERROR_CANCELLED at once and cancels the #GCancellable the GIO call
 * was given, so the operation stops. A GIO error rejects the future with
 * that error, unchanged. A stream has one pending operation at a time
 * (%G_IO_ERROR_PENDING otherwise), as in GIO.
 *
 * Invalid arguments return a future rejected with
 * %GASYNC_ERROR_INVALID_ARGUMENT, after a critical.
 *
 * Since: 0.1
 */

/* Chunk size of gasync_input_stream_read_all(). */
#define READ_ALL_CHUNK 65536

/* Resolves @promise with @bytes (a G_TYPE_BYTES value), taking @bytes. */
static void
resolve_bytes_take (GAsyncPromise *promise,
                    GBytes        *bytes)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_BYTES);
  g_value_take_boxed (&value, bytes);
  gasync_promise_resolve (promise, &value);
  g_value_unset (&value);
}

/* The GAsyncGioFinishFunc of each call, run on the caller's
 * thread-default context. The closes leave @value unset: their future
 * resolves with TRUE. */
static gboolean
read_bytes_finish (GObject       *source,
                   GAsyncResult  *result,
                   GValue        *value,
                   GError       **error)
{
  GBytes *bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, error);

  if (bytes == NULL)
    return FALSE;
  g_value_init (value, G_TYPE_BYTES);
  g_value_take_boxed (value, bytes);
  return TRUE;
}

/**
 * gasync_input_stream_read_bytes:
 * @stream: a #GInputStream
 * @count: how many bytes to read at most
 *
 * Reads up to @count bytes from @stream with
 * g_input_stream_read_bytes_async(). The future resolves with a #GBytes
 * (%G_TYPE_BYTES) of what was read: fewer than @count bytes if fewer were
 * available, and empty at the end of the stream.
 *
 * Returns: (transfer full): a future of the #GBytes read
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_input_stream_read_bytes (GInputStream *stream,
                                gsize         count)
{
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), _gasync_future_new_invalid_argument ("stream"));

  call = _gasync_gio_call_new (read_bytes_finish, &future);
  g_input_stream_read_bytes_async (stream, count, G_PRIORITY_DEFAULT,
                                   _gasync_gio_call_get_cancellable (call),
                                   _gasync_gio_call_done, call);
  return future;
}

/* gasync_input_stream_read_all(): one read_bytes after the other into a
 * growing array, on the caller's context, until an empty read. */
typedef struct
{
  GAsyncPromise *promise;  /* owned */
  GByteArray    *data;     /* owned */
} ReadAll;

static void
read_all_free (ReadAll *ra)
{
  g_object_unref (ra->promise);
  g_clear_pointer (&ra->data, g_byte_array_unref);
  g_free (ra);
}

static void
read_all_chunk_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ReadAll *ra = user_data;
  GInputStream *stream = G_INPUT_STREAM (source);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (stream, result, &error);
  if (chunk == NULL)
    {
      gasync_promise_reject (ra->promise, error);
      read_all_free (ra);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      resolve_bytes_take (ra->promise, g_byte_array_free_to_bytes (g_steal_pointer (&ra->data)));
      read_all_free (ra);
      return;
    }
  g_byte_array_append (ra->data, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (stream, READ_ALL_CHUNK, G_PRIORITY_DEFAULT,
                                   gasync_promise_get_cancellable (ra->promise),
                                   read_all_chunk_done, ra);
}

/**
 * gasync_input_stream_read_all:
 * @stream: a #GInputStream
 *
 * Reads @stream to its end, 64 KiB at a time with
 * g_input_stream_read_bytes_async(). The future resolves with a #GBytes
 * (%G_TYPE_BYTES) of everything read; on an error (or cancellation) what
 * was read so far is discarded. The stream is not closed.
 *
 * Returns: (transfer full): a future of the #GBytes read
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_input_stream_read_all (GInputStream *stream)
{
  ReadAll *ra;
  GAsyncFuture *future;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), _gasync_future_new_invalid_argument ("stream"));

  ra = g_new0 (ReadAll, 1);
  ra->promise = gasync_promise_new ();
  ra->data = g_byte_array_new ();
  future = g_object_ref (GASYNC_FUTURE (ra->promise));
  g_input_stream_read_bytes_async (stream, READ_ALL_CHUNK, G_PRIORITY_DEFAULT,
                                   gasync_promise_get_cancellable (ra->promise),
                                   read_all_chunk_done, ra);
  return future;
}

static gboolean
input_close_finish (GObject       *source,
                    GAsyncResult  *result,
                    GValue        *value,
                    GError       **error)
{
  return g_input_stream_close_finish (G_INPUT_STREAM (source), result, error);
}

/**
 * gasync_input_stream_close:
 * @stream: a #GInputStream
 *
 * Closes @stream with g_input_stream_close_async(). The future resolves
 * with %TRUE (%G_TYPE_BOOLEAN). As in GIO, a cancelled close still closes
 * the stream, and closing a closed stream succeeds.
 *
 * Returns: (transfer full): a future of %TRUE
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_input_stream_close (GInputStream *stream)
{
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), _gasync_future_new_invalid_argument ("stream"));

  call = _gasync_gio_call_new (input_close_finish, &future);
  g_input_stream_close_async (stream, G_PRIORITY_DEFAULT,
                              _gasync_gio_call_get_cancellable (call),
                              _gasync_gio_call_done, call);
  return future;
}

static gboolean
write_all_finish (GObject       *source,
                  GAsyncResult  *result,
                  GValue        *value,
                  GError       **error)
{
  gsize written = 0;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, error))
    return FALSE;
  g_value_init (value, G_TYPE_UINT64);
  g_value_set_uint64 (value, written);
  return TRUE;
}

/**
 * gasync_output_stream_write_all:
 * @stream: a #GOutputStream
 * @bytes: the data to write; a reference is kept until the write ends
 *
 * Writes all of @bytes to @stream with g_output_stream_write_all_async().
 * The future resolves with the number of bytes written, the size of
 * @bytes, as a %G_TYPE_UINT64. On an error, how much was written before it
 * is not reported (use the stream directly if it matters).
 *
 * Returns: (transfer full): a future of the number of bytes written
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_output_stream_write_all (GOutputStream *stream,
                                GBytes        *bytes)
{
  GAsyncFuture *future;
  GAsyncGioCall *call;
  gsize size;
  gconstpointer data;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), _gasync_future_new_invalid_argument ("stream"));
  g_return_val_if_fail (bytes != NULL, _gasync_future_new_invalid_argument ("bytes"));

  call = _gasync_gio_call_new (write_all_finish, &future);
  /* GIO writes from @data until the call ends: keep it alive until then. */
  _gasync_gio_call_set_data (call, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  data = g_bytes_get_data (bytes, &size);
  g_output_stream_write_all_async (stream, data, size, G_PRIORITY_DEFAULT,
                                   _gasync_gio_call_get_cancellable (call),
                                   _gasync_gio_call_done, call);
  return future;
}

static gboolean
splice_finish (GObject       *source,
               GAsyncResult  *result,
               GValue        *value,
               GError       **error)
{
  gssize n = g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, error);

  if (n < 0)
    return FALSE;
  g_value_init (value, G_TYPE_INT64);
  g_value_set_int64 (value, n);
  return TRUE;
}

/**
 * gasync_output_stream_splice:
 * @stream: a #GOutputStream
 * @source: the #GInputStream to copy from, to its end
 * @flags: whether to close either stream at the end
 *
 * Copies everything from @source to @stream with
 * g_output_stream_splice_async(). The future resolves with the number of
 * bytes copied, as a %G_TYPE_INT64 (a #gssize).
 *
 * Returns: (transfer full): a future of the number of bytes copied
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_output_stream_splice (GOutputStream            *stream,
                             GInputStream             *source,
                             GOutputStreamSpliceFlags  flags)
{
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), _gasync_future_new_invalid_argument ("stream"));
  g_return_val_if_fail (G_IS_INPUT_STREAM (source), _gasync_future_new_invalid_argument ("source"));

  call = _gasync_gio_call_new (splice_finish, &future);
  g_output_stream_splice_async (stream, source, flags, G_PRIORITY_DEFAULT,
                                _gasync_gio_call_get_cancellable (call),
                                _gasync_gio_call_done, call);
  return future;
}

static gboolean
output_close_finish (GObject       *source,
                     GAsyncResult  *result,
                     GValue        *value,
                     GError       **error)
{
  return g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, error);
}

/**
 * gasync_output_stream_close:
 * @stream: a #GOutputStream
 *
 * Flushes and closes @stream with g_output_stream_close_async(). The
 * future resolves with %TRUE (%G_TYPE_BOOLEAN). As in GIO, a cancelled
 * close still closes the stream (without flushing), and closing a closed
 * stream succeeds.
 *
 * Returns: (transfer full): a future of %TRUE
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_output_stream_close (GOutputStream *stream)
{
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), _gasync_future_new_invalid_argument ("stream"));

  call = _gasync_gio_call_new (output_close_finish, &future);
  g_output_stream_close_async (stream, G_PRIORITY_DEFAULT,
                               _gasync_gio_call_get_cancellable (call),
                               _gasync_gio_call_done, call);
  return future;
}
