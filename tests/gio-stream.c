/* gio-stream.c: tests for the stream futures, on memory streams and pipes
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <string.h>

#include "gasync-test-util.h"

/* Cancels @future right after it started (taking it): the future is
 * rejected with CANCELLED whatever GIO's worker already did, and the GIO
 * call ends. */
static void
cancel_and_drain (GAsyncFuture *future)
{
  gasync_test_cancel_now (future);
  gasync_test_release (future);
}

/* A pipe whose ends are pollable streams; keeping both open means a read
 * waits until somebody writes, and a write until somebody reads. */
typedef struct
{
  GInputStream  *in;
  GOutputStream *out;
} Pipe;

static void
pipe_open (Pipe *p)
{
  g_autoptr(GError) error = NULL;
  int fds[2];

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_no_error (error);
  g_assert_true (g_unix_set_fd_nonblocking (fds[0], TRUE, NULL));
  g_assert_true (g_unix_set_fd_nonblocking (fds[1], TRUE, NULL));
  p->in = g_unix_input_stream_new (fds[0], TRUE);
  p->out = g_unix_output_stream_new (fds[1], TRUE);
}

static void
pipe_clear (Pipe *p)
{
  g_clear_object (&p->in);
  g_clear_object (&p->out);
}

static GInputStream *
memory_input (const char *data,
              gsize       size)
{
  return g_memory_input_stream_new_from_data (g_memdup2 (data, size), size, g_free);
}

static GInputStream *
closed_input (void)
{
  GInputStream *in = memory_input ("x", 1);

  g_assert_true (g_input_stream_close (in, NULL, NULL));
  return in;
}

static GOutputStream *
closed_output (void)
{
  GOutputStream *out = g_memory_output_stream_new_resizable ();

  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return out;
}

static void
assert_bytes (const GValue *value,
              const char   *data,
              gsize         size)
{
  GBytes *bytes;

  g_assert_true (G_VALUE_HOLDS (value, G_TYPE_BYTES));
  bytes = g_value_get_boxed (value);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), data, size);
}

static void
test_read_bytes (void)
{
  g_autoptr(GInputStream) in = memory_input ("hello", 5);
  g_autoptr(GInputStream) closed = closed_input ();
  g_auto(GValue) value = G_VALUE_INIT;
  Pipe p;

  g_test_summary ("read_bytes resolves with what was read, empty at the end; a closed "
                  "stream rejects CLOSED; cancelled while a pipe has no data, it "
                  "rejects CANCELLED and the read ends");

  gasync_test_resolved (gasync_input_stream_read_bytes (in, 3), &value);
  assert_bytes (&value, "hel", 3);
  g_value_unset (&value);
  gasync_test_resolved (gasync_input_stream_read_bytes (in, 10), &value);
  assert_bytes (&value, "lo", 2);
  g_value_unset (&value);
  gasync_test_resolved (gasync_input_stream_read_bytes (in, 10), &value);
  assert_bytes (&value, "", 0);

  gasync_test_rejected (gasync_input_stream_read_bytes (closed, 1), G_IO_ERROR, G_IO_ERROR_CLOSED);

  pipe_open (&p);
  cancel_and_drain (gasync_input_stream_read_bytes (p.in, 10));
  /* The stream is free again: the cancelled read is over. */
  g_assert_false (g_input_stream_has_pending (p.in));
  pipe_clear (&p);
}

static void
test_read_all (void)
{
  gsize size = 300 * 1024 + 7;
  g_autofree char *data = g_malloc (size);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GInputStream) closed = closed_input ();
  g_auto(GValue) value = G_VALUE_INIT;
  Pipe p;

  g_test_summary ("read_all reads to the end over several chunks; CLOSED rejects; "
                  "cancelled while a pipe has no more data, it rejects CANCELLED");

  for (gsize i = 0; i < size; i++)
    data[i] = (char) (i * 7);
  in = memory_input (data, size);
  gasync_test_resolved (gasync_input_stream_read_all (in), &value);
  assert_bytes (&value, data, size);

  gasync_test_rejected (gasync_input_stream_read_all (closed), G_IO_ERROR, G_IO_ERROR_CLOSED);

  pipe_open (&p);
  g_assert_true (g_output_stream_write_all (p.out, "part", 4, NULL, NULL, NULL));
  cancel_and_drain (gasync_input_stream_read_all (p.in));
  g_assert_false (g_input_stream_has_pending (p.in));
  pipe_clear (&p);
}

static void
test_write_all (void)
{
  gsize size = 1 << 20;
  g_autofree char *data = g_malloc0 (size);
  g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&data), size);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) closed = closed_output ();
  g_auto(GValue) value = G_VALUE_INIT;
  Pipe p;

  g_test_summary ("write_all writes everything and resolves with the size; CLOSED "
                  "rejects; cancelled while a pipe nobody reads is full, it rejects "
                  "CANCELLED and the write ends");

  gasync_test_resolved (gasync_output_stream_write_all (out, bytes), &value);
  g_assert_cmpuint (g_value_get_uint64 (&value), ==, size);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), ==, size);

  gasync_test_rejected (gasync_output_stream_write_all (closed, bytes), G_IO_ERROR, G_IO_ERROR_CLOSED);

  /* 1 MiB does not fit in a pipe (64 KiB on Linux): the write waits. */
  pipe_open (&p);
  cancel_and_drain (gasync_output_stream_write_all (p.out, bytes));
  g_assert_false (g_output_stream_has_pending (p.out));
  pipe_clear (&p);
}

static void
test_splice (void)
{
  g_autoptr(GInputStream) in = memory_input ("spliced data", 12);
  g_autoptr(GInputStream) in2 = memory_input ("more", 4);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) closed = closed_output ();
  g_auto(GValue) value = G_VALUE_INIT;
  GMemoryOutputStream *mem = G_MEMORY_OUTPUT_STREAM (out);
  Pipe p;

  g_test_summary ("splice copies to the end and resolves with the count, closing "
                  "as asked; CLOSED rejects; cancelled while the source pipe has "
                  "no data, it rejects CANCELLED");

  gasync_test_resolved (gasync_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                                  G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET), &value);
  g_assert_cmpint (g_value_get_int64 (&value), ==, 12);
  g_assert_true (g_input_stream_is_closed (in));
  g_assert_true (g_output_stream_is_closed (out));
  g_assert_cmpmem (g_memory_output_stream_get_data (mem), g_memory_output_stream_get_data_size (mem),
                   "spliced data", 12);

  gasync_test_rejected (gasync_output_stream_splice (closed, in2, G_OUTPUT_STREAM_SPLICE_NONE),
            G_IO_ERROR, G_IO_ERROR_CLOSED);

  pipe_open (&p);
  cancel_and_drain (gasync_output_stream_splice (sink, p.in, G_OUTPUT_STREAM_SPLICE_NONE));
  g_assert_false (g_output_stream_has_pending (sink));
  pipe_clear (&p);
}

static void
test_close (void)
{
  g_autoptr(GInputStream) in = memory_input ("x", 1);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) big = g_bytes_new_take (g_malloc0 (1 << 20), 1 << 20);
  g_auto(GValue) value = G_VALUE_INIT;
  GAsyncFuture *read, *write;
  Pipe p, q;

  g_test_summary ("close resolves with TRUE and closes; closing during another "
                  "operation rejects PENDING; a cancelled close rejects CANCELLED");

  gasync_test_resolved (gasync_input_stream_close (in), &value);
  g_assert_true (g_value_get_boolean (&value));
  g_assert_true (g_input_stream_is_closed (in));
  g_value_unset (&value);
  gasync_test_resolved (gasync_output_stream_close (out), &value);
  g_assert_true (g_value_get_boolean (&value));
  g_assert_true (g_output_stream_is_closed (out));

  /* Two pipes, so that the write does not feed the read. */
  pipe_open (&p);
  pipe_open (&q);
  read = gasync_input_stream_read_bytes (p.in, 1);
  write = gasync_output_stream_write_all (q.out, big);
  gasync_test_rejected (gasync_input_stream_close (p.in), G_IO_ERROR, G_IO_ERROR_PENDING);
  gasync_test_rejected (gasync_output_stream_close (q.out), G_IO_ERROR, G_IO_ERROR_PENDING);
  cancel_and_drain (read);
  cancel_and_drain (write);

  cancel_and_drain (gasync_input_stream_close (p.in));
  cancel_and_drain (gasync_output_stream_close (q.out));
  /* As in GIO, a cancelled close still closes. */
  g_assert_true (g_input_stream_is_closed (p.in));
  g_assert_true (g_output_stream_is_closed (q.out));
  pipe_clear (&p);
  pipe_clear (&q);
}

static void
test_invalid_arguments (void)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_test_summary ("Bad arguments give a future rejected with INVALID_ARGUMENT");

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*G_IS_INPUT_STREAM*");
  gasync_test_rejected (gasync_input_stream_read_all (NULL), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*bytes != NULL*");
  gasync_test_rejected (gasync_output_stream_write_all (out, NULL), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_test_assert_expected_messages ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gio/stream/read-bytes", test_read_bytes);
  g_test_add_func ("/gio/stream/read-all", test_read_all);
  g_test_add_func ("/gio/stream/write-all", test_write_all);
  g_test_add_func ("/gio/stream/splice", test_splice);
  g_test_add_func ("/gio/stream/close", test_close);
  g_test_add_func ("/gio/stream/invalid-arguments", test_invalid_arguments);

  return g_test_run ();
}
