/* gio-file.c: tests for the GFile futures, against real files
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gasync-test-util.h"
#include "gasync-gio-file-private.h"

#define TIMEOUT_S 30

/* A temporary directory per test, removed (with what it holds) at the end. */
typedef struct
{
  char  *path;
  GFile *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->path = g_dir_make_tmp ("gasync-gio-file-XXXXXX", &error);
  g_assert_no_error (error);
  fx->dir = g_file_new_for_path (fx->path);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  remove_tree (fx->path);
  g_clear_object (&fx->dir);
  g_free (fx->path);
}

static GFile *
child (Fixture    *fx,
       const char *name)
{
  return g_file_get_child (fx->dir, name);
}

static void
write_file (GFile      *file,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

/* Cancels @future right after it started (taking it): the future is
 * rejected with CANCELLED whatever GIO's worker already did, and the GIO
 * call ends. */
static void
cancel_and_drain (GAsyncFuture *future)
{
  gasync_test_cancel_now (future);
  gasync_test_release (future);
}

static void
test_load_bytes (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GFile) file = child (fx, "hello.txt");
  g_autoptr(GFile) missing = child (fx, "missing.txt");
  g_auto(GValue) value = G_VALUE_INIT;
  GBytes *bytes;

  g_test_summary ("load_bytes resolves with the file's GBytes, rejects NOT_FOUND");

  write_file (file, "hello, world", -1);
  gasync_test_resolved (gasync_file_load_bytes (file), &value);
  g_assert_true (G_VALUE_HOLDS (&value, G_TYPE_BYTES));
  bytes = g_value_get_boxed (&value);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "hello, world", 12);

  gasync_test_rejected (gasync_file_load_bytes (missing), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static gpointer
open_for_writing (gpointer path)
{
  int fd = open (path, O_WRONLY);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  return NULL;
}

static void
test_load_bytes_cancel (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GFile) fifo = child (fx, "fifo");
  g_autofree char *path = g_file_get_path (fifo);
  GAsyncFuture *future;
  GThread *writer;
  int fd;

  g_test_summary ("Cancelling load_bytes while GIO waits on a FIFO nobody writes "
                  "rejects CANCELLED, and the GIO call ends");

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  future = gasync_file_load_bytes (fifo);
  /* GIO's worker blocks in open() until a writer comes: the call is
   * really pending. */
  gasync_test_cancel_now (future);
  /* A writer lets the open() return, so that the cancelled call ends. */
  writer = g_thread_new ("fifo-writer", open_for_writing, path);
  gasync_test_release (future);
  /* Had GIO given up before opening, this releases the writer. */
  fd = open (path, O_RDONLY | O_NONBLOCK);
  g_assert_cmpint (fd, >=, 0);
  g_thread_join (writer);
  close (fd);
}

static void
test_replace_contents (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GFile) file = child (fx, "doc.txt");
  g_autoptr(GBytes) first = g_bytes_new_static ("first", 5);
  g_autoptr(GBytes) second = g_bytes_new_static ("second", 6);
  g_auto(GValue) etag = G_VALUE_INIT;
  g_autofree char *contents = NULL;
  g_autofree char *path = g_file_get_path (file);

  g_test_summary ("replace_contents writes and resolves with the new etag; a stale "
                  "etag rejects WRONG_ETAG; cancelling rejects CANCELLED");

  gasync_test_resolved (gasync_file_replace_contents (file, first, NULL, FALSE, G_FILE_CREATE_NONE), &etag);
  g_assert_nonnull (g_value_get_string (&etag));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "first");

  gasync_test_rejected (gasync_file_replace_contents (file, second, "not-the-etag", FALSE, G_FILE_CREATE_NONE),
            G_IO_ERROR, G_IO_ERROR_WRONG_ETAG);

  cancel_and_drain (gasync_file_replace_contents (file, second, NULL, FALSE, G_FILE_CREATE_NONE));
}

static void
test_query_info (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GFile) file = child (fx, "sized");
  g_autoptr(GFile) missing = child (fx, "missing");
  g_auto(GValue) value = G_VALUE_INIT;
  GFileInfo *info;

  g_test_summary ("query_info resolves with a GFileInfo, rejects NOT_FOUND, cancels");

  write_file (file, "12345", 5);
  gasync_test_resolved (gasync_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE),
            &value);
  info = g_value_get_object (&value);
  g_assert_true (G_IS_FILE_INFO (info));
  g_assert_cmpint (g_file_info_get_size (info), ==, 5);

  gasync_test_rejected (gasync_file_query_info (missing, "standard::*", G_FILE_QUERY_INFO_NONE),
            G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  cancel_and_drain (gasync_file_query_info (file, "standard::*", G_FILE_QUERY_INFO_NONE));
}

static void
test_make_directory (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GFile) dir = child (fx, "sub");
  g_autoptr(GFile) orphan = g_file_resolve_relative_path (fx->dir, "no/such/parent");
  g_autoptr(GFile) other = child (fx, "other");
  g_auto(GValue) value = G_VALUE_INIT;

  g_test_summary ("make_directory creates; EXISTS and NOT_FOUND reject; cancels");

  gasync_test_resolved (gasync_file_make_directory (dir), &value);
  g_assert_true (g_value_get_boolean (&value));
  g_assert_true (g_file_query_exists (dir, NULL));
  gasync_test_rejected (gasync_file_make_directory (dir), G_IO_ERROR, G_IO_ERROR_EXISTS);
  gasync_test_rejected (gasync_file_make_directory (orphan), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  cancel_and_drain (gasync_file_make_directory (other));
}

static void
test_make_directory_with_parents (Fixture       *fx,
                                  gconstpointer  data)
{
  g_autoptr(GFile) deep = g_file_resolve_relative_path (fx->dir, "a/b/c/d");
  g_autoptr(GFile) sibling = g_file_resolve_relative_path (fx->dir, "a/b/e");
  g_autoptr(GFile) plain = child (fx, "plain");
  g_autoptr(GFile) under_plain = g_file_resolve_relative_path (fx->dir, "plain/x/y");
  g_autoptr(GFile) other = g_file_resolve_relative_path (fx->dir, "p/q/r");
  g_auto(GValue) value = G_VALUE_INIT;

  g_test_summary ("make_directory_with_parents walks up to the first existing parent "
                  "and creates the rest; the directory itself existing rejects EXISTS; "
                  "a file in the way rejects; cancels");

  gasync_test_resolved (gasync_file_make_directory_with_parents (deep), &value);
  g_assert_true (g_file_query_file_type (deep, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY);
  /* Existing parents are fine. */
  g_value_unset (&value);
  gasync_test_resolved (gasync_file_make_directory_with_parents (sibling), &value);
  g_assert_true (g_file_query_exists (sibling, NULL));
  gasync_test_rejected (gasync_file_make_directory_with_parents (deep), G_IO_ERROR, G_IO_ERROR_EXISTS);

  write_file (plain, "", 0);
  gasync_test_rejected (gasync_file_make_directory_with_parents (under_plain), G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  cancel_and_drain (gasync_file_make_directory_with_parents (other));
}

static void
test_delete (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GFile) file = child (fx, "doomed");
  g_autoptr(GFile) other = child (fx, "other");
  g_auto(GValue) value = G_VALUE_INIT;

  g_test_summary ("delete removes the file; a missing one rejects NOT_FOUND; cancels");

  write_file (file, "x", 1);
  write_file (other, "x", 1);
  gasync_test_resolved (gasync_file_delete (file), &value);
  g_assert_false (g_file_query_exists (file, NULL));
  gasync_test_rejected (gasync_file_delete (file), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  cancel_and_drain (gasync_file_delete (other));
}

/* Receives every progress report left in @rx (closed by then) and checks
 * them: increasing, the last one complete. Returns how many there were. */
static guint
check_progress (GAsyncReceiver *rx,
                gint64          size)
{
  gint64 last_current = -1, last_total = -1;
  guint n = 0;

  for (;;)
    {
      g_auto(GValue) item = G_VALUE_INIT;
      g_autoptr(GError) error = NULL;
      gint64 current, total;

      if (!gasync_receiver_try_recv (rx, &item, &error))
        {
          g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
          break;
        }
      g_variant_get (g_value_get_variant (&item), "(xx)", &current, &total);
      g_assert_cmpint (current, >=, last_current);
      last_current = current;
      last_total = total;
      n++;
    }
  if (n > 0)
    {
      g_assert_cmpint (last_current, ==, size);
      g_assert_cmpint (last_total, ==, size);
    }
  return n;
}

static void
test_copy (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GFile) source = child (fx, "big");
  g_autoptr(GFile) copy = child (fx, "big-copy");
  g_autoptr(GFile) missing = child (fx, "missing");
  g_autoptr(GFile) elsewhere = child (fx, "elsewhere");
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *big = g_malloc0 (4 << 20);
  g_autofree char *copied = NULL;
  g_autofree char *copy_path = g_file_get_path (copy);
  gsize length;

  g_test_summary ("copy copies and reports progress through a channel, the last report "
                  "complete, and closes it; NOT_FOUND and EXISTS reject; cancels");

  memset (big, 'z', 4 << 20);
  write_file (source, big, 4 << 20);
  gasync_channel_new (G_TYPE_VARIANT, 0, &tx, &rx);
  gasync_test_resolved (gasync_file_copy (source, copy, G_FILE_COPY_NONE, tx), &value);
  g_assert_true (gasync_sender_is_closed (tx));
  g_assert_cmpuint (check_progress (rx, 4 << 20), >=, 1);
  g_assert_true (g_file_get_contents (copy_path, &copied, &length, NULL));
  g_assert_cmpmem (copied, length, big, 4 << 20);

  gasync_test_rejected (gasync_file_copy (missing, elsewhere, G_FILE_COPY_NONE, NULL), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  gasync_test_rejected (gasync_file_copy (source, copy, G_FILE_COPY_NONE, NULL), G_IO_ERROR, G_IO_ERROR_EXISTS);
  cancel_and_drain (gasync_file_copy (source, elsewhere, G_FILE_COPY_NONE, NULL));
}

static void
test_move (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GFile) source = child (fx, "from");
  g_autoptr(GFile) dest = child (fx, "to");
  g_autoptr(GFile) other = child (fx, "other");
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_test_summary ("move renames (progress, if any, complete; the channel closed); "
                  "a missing source rejects NOT_FOUND; cancels");

  write_file (source, "moving", 6);
  gasync_channel_new (G_TYPE_VARIANT, 0, &tx, &rx);
  gasync_test_resolved (gasync_file_move (source, dest, G_FILE_COPY_NONE, tx), &value);
  g_assert_false (g_file_query_exists (source, NULL));
  g_assert_true (g_file_query_exists (dest, NULL));
  check_progress (rx, 6);

  gasync_test_rejected (gasync_file_move (source, other, G_FILE_COPY_NONE, NULL), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  cancel_and_drain (gasync_file_move (dest, other, G_FILE_COPY_NONE, NULL));
}

static gboolean
keep_polling (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Waits until no enumerator of gasync_file_enumerate() is alive. The last
 * reference may be dropped by a GIO worker thread (a cancelled
 * next_files_async() returns before its worker is done), which wakes no
 * context: a periodic source keeps the loop checking the counter. */
static void
wait_enumerators_gone (void)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;
  guint poll_id = g_timeout_add (5, keep_polling, NULL);

  while (_gasync_file_enumerate_get_n_alive () > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (poll_id);
}

static void
make_children (Fixture *fx,
               guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%04u", i);
      g_autoptr(GFile) file = child (fx, name);

      write_file (file, "", 0);
    }
}

static GAsyncReceiver *
open_listing (Fixture *fx)
{
  g_auto(GValue) value = G_VALUE_INIT;

  gasync_test_resolved (gasync_file_enumerate (fx->dir, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NONE),
            &value);
  return g_value_dup_object (&value);
}

/* Receives one item, iterating the default context; FALSE once closed. */
static gboolean
recv_info (GAsyncReceiver  *rx,
           GFileInfo      **info)
{
  g_autoptr(GAsyncFuture) recv = gasync_receiver_recv_future (rx);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  gasync_test_settle (recv);
  if (!gasync_future_get_value (recv, &value, &error))
    {
      g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
      return FALSE;
    }
  *info = g_value_dup_object (&value);
  return TRUE;
}

static void
test_enumerate (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GFile) missing = child (fx, "missing");
  g_autoptr(GFile) plain = child (fx, "f0000");
  GFileInfo *info;

  g_test_summary ("enumerate sends each of 1,000 children exactly once, then closes "
                  "the receiver and the enumerator; NOT_FOUND and NOT_DIRECTORY reject");

  make_children (fx, 1000);
  rx = open_listing (fx);
  while (recv_info (rx, &info))
    {
      g_assert_true (g_hash_table_add (seen, g_strdup (g_file_info_get_name (info))));
      g_object_unref (info);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 1000);
  g_assert_true (g_hash_table_contains (seen, "f0999"));
  g_clear_object (&rx);
  wait_enumerators_gone ();

  gasync_test_rejected (gasync_file_enumerate (missing, "standard::name", G_FILE_QUERY_INFO_NONE),
            G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  gasync_test_rejected (gasync_file_enumerate (plain, "standard::name", G_FILE_QUERY_INFO_NONE),
            G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  cancel_and_drain (gasync_file_enumerate (fx->dir, "standard::name", G_FILE_QUERY_INFO_NONE));
  wait_enumerators_gone ();
}

static void
test_enumerate_stop (Fixture       *fx,
                     gconstpointer  data)
{
  GAsyncReceiver *rx;
  GFileInfo *info;

  g_test_summary ("Dropping the receiver of a listing, or closing it, stops the "
                  "listing: the GFileEnumerator is closed and freed");

  make_children (fx, 1000);
  for (guint round = 0; round < 2; round++)
    {
      rx = open_listing (fx);
      for (guint i = 0; i < 10; i++)
        {
          g_assert_true (recv_info (rx, &info));
          g_object_unref (info);
        }
      g_assert_cmpuint (_gasync_file_enumerate_get_n_alive (), ==, 1);
      if (round == 1)
        gasync_receiver_close (rx);
      g_object_unref (rx);
      /* Nothing else would end it: 990 children are left. */
      wait_enumerators_gone ();
    }
}

static void
test_invalid_arguments (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent");

  g_test_summary ("Bad arguments give a future rejected with INVALID_ARGUMENT");

  gasync_channel_new (G_TYPE_INT, 0, &tx, &rx);
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*G_IS_FILE*");
  gasync_test_rejected (gasync_file_load_bytes (NULL), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*progress_is_valid*");
  gasync_test_rejected (gasync_file_copy (file, file, G_FILE_COPY_NONE, tx), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*attributes != NULL*");
  gasync_test_rejected (gasync_file_query_info (file, NULL, 0), GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_test_assert_expected_messages ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
  ADD ("/gio/file/load-bytes", test_load_bytes);
  ADD ("/gio/file/load-bytes/cancel", test_load_bytes_cancel);
  ADD ("/gio/file/replace-contents", test_replace_contents);
  ADD ("/gio/file/query-info", test_query_info);
  ADD ("/gio/file/make-directory", test_make_directory);
  ADD ("/gio/file/make-directory-with-parents", test_make_directory_with_parents);
  ADD ("/gio/file/delete", test_delete);
  ADD ("/gio/file/copy", test_copy);
  ADD ("/gio/file/move", test_move);
  ADD ("/gio/file/enumerate", test_enumerate);
  ADD ("/gio/file/enumerate/stop", test_enumerate_stop);
#undef ADD
  g_test_add_func ("/gio/file/invalid-arguments", test_invalid_arguments);

  return g_test_run ();
}
