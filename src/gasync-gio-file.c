/* gasync-gio-file.c: GFile operations as futures
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each function starts a GIO `_async()` call with the cancellable of a
 * new promise (gasync-promise.c), so that gasync_future_cancel() on the
 * returned future cancels the call, and settles the promise from the
 * call's GAsyncReadyCallback with the `_finish()` result. The directory
 * listing feeds a channel (gasync-channel.c) batch by batch. Built on the
 * promise and the channel; nothing in the library calls into this file.
 *
 * Every callback here runs on the context that was thread-default when
 * the operation started (GIO's rule), one at a time, so the per-operation
 * structs below are only touched from that context's thread; the
 * exceptions are marked.
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-gio-file.h"
#include "gasync-gio-file-private.h"
#include "gasync-promise.h"
#include "gasync-tsan-private.h"

/**
 * SECTION:gasync-gio-file
 * @title: File futures
 * @short_description: GFile operations as futures
 *
 * Each function here starts one #GFile operation and returns a
 * #GAsyncFuture of its result; the value types are given per function.
 *
 * |[<!-- language="C" -->
 * static GAsyncFuture *
 * load_config (GCancellable *cancellable, gpointer user_data)
 * {
 *   return gasync_file_load_bytes (user_data);
 * }
 *
 * g_auto(GValue) value = G_VALUE_INIT;
 *
 * // Runs the GIO call on block_on's private context, and waits.
 * if (gasync_block_on (load_config, file, NULL, &value, &error))
 *   parse (g_value_get_boxed (&value));
 * ]|
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
 * was given, so the operation stops (GIO may still have done part of it:
 * a cancelled copy leaves no partial file, a cancelled delete may have
 * deleted). A GIO error rejects the future with that error, unchanged.
 *
 * Invalid arguments return a future rejected with
 * %GASYNC_ERROR_INVALID_ARGUMENT, after a critical.
 *
 * Since: 0.1
 */

/* The GAsyncReadyCallback of the calls whose result is only success:
 * resolves with TRUE. @finish is the call's `_finish()`. */
typedef gboolean (*FileFinishFunc) (GFile *, GAsyncResult *, GError **);

static void
settle_boolean (GAsyncPromise  *promise,
                FileFinishFunc  finish,
                GObject        *source,
                GAsyncResult   *result)
{
  GError *error = NULL;

  if (finish (G_FILE (source), result, &error))
    gasync_promise_resolve_boolean (promise, TRUE);
  else
    gasync_promise_reject (promise, error);
}

static void
load_bytes_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GAsyncPromise) promise = user_data;
  GError *error = NULL;
  GBytes *bytes;

  bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  if (bytes == NULL)
    {
      gasync_promise_reject (promise, error);
      return;
    }

  {
    GValue value = G_VALUE_INIT;

    g_value_init (&value, G_TYPE_BYTES);
    g_value_take_boxed (&value, bytes);
    gasync_promise_resolve (promise, &value);
    g_value_unset (&value);
  }
}

/**
 * gasync_file_load_bytes:
 * @file: a #GFile
 *
 * Loads the contents of @file with g_file_load_bytes_async(). The future
 * resolves with a #GBytes (%G_TYPE_BYTES) of the whole file; a missing
 * file rejects it with %G_IO_ERROR_NOT_FOUND.
 *
 * Returns: (transfer full): a future of the file's #GBytes
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_file_load_bytes (GFile *file)
{
  GAsyncPromise *promise;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));

  promise = gasync_promise_new ();
  g_file_load_bytes_async (file, gasync_promise_get_cancellable (promise),
                           load_bytes_done, g_object_ref (promise));
  return GASYNC_FUTURE (promise);
}

static void
replace_contents_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GAsyncPromise) promise = user_data;
  g_autofree char *etag = NULL;
  GError *error = NULL;

  if (g_file_replace_contents_finish (G_FILE (source), result, &etag, &error))
    gasync_promise_resolve_string (promise, etag);
  else
    gasync_promise_reject (promise, error);
}

/**
 * gasync_file_replace_contents:
 * @file: a #GFile
 * @contents: the new contents; a reference is kept until the write ends
 * @etag: (nullable): the entity tag @file is expected to have, or %NULL
 *   to replace it whatever it holds
 * @make_backup: whether to keep the old contents as a backup file
 * @flags: the #GFileCreateFlags of the new file
 *
 * Replaces the contents of @file with @contents, safely (written to a
 * temporary file, then renamed over it), with
 * g_file_replace_contents_bytes_async(). The future resolves with the new
 * entity tag of @file, a string (%G_TYPE_STRING, %NULL if the backend
 * has none); a mismatching @etag rejects it with
 * %G_IO_ERROR_WRONG_ETAG.
 *
 * Returns: (transfer full): a future of the new entity tag
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_file_replace_contents (GFile            *file,
                              GBytes           *contents,
                              const char       *etag,
                              gboolean          make_backup,
                              GFileCreateFlags  flags)
{
  GAsyncPromise *promise;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));
  g_return_val_if_fail (contents != NULL, _gasync_future_new_invalid_argument ("contents"));

  promise = gasync_promise_new ();
  g_file_replace_contents_bytes_async (file, contents, etag, make_backup, flags,
                                       gasync_promise_get_cancellable (promise),
                                       replace_contents_done, g_object_ref (promise));
  return GASYNC_FUTURE (promise);
}

static void
query_info_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GAsyncPromise) promise = user_data;
  g_autoptr(GFileInfo) info = NULL;
  GError *error = NULL;

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (info != NULL)
    gasync_promise_resolve_object (promise, info);
  else
    gasync_promise_reject (promise, error);
}

/**
 * gasync_file_query_info:
 * @file: a #GFile
 * @attributes: the attributes to query, such as
 *   `"standard::size,time::modified"`
 * @flags: the #GFileQueryInfoFlags
 *
 * Queries @attributes of @file with g_file_query_info_async(). The future
 * resolves with a #GFileInfo (an object value).
 *
 * Returns: (transfer full): a future of the #GFileInfo
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_file_query_info (GFile               *file,
                        const char          *attributes,
                        GFileQueryInfoFlags  flags)
{
  GAsyncPromise *promise;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));
  g_return_val_if_fail (attributes != NULL, _gasync_future_new_invalid_argument ("attributes"));

  promise = gasync_promise_new ();
  g_file_query_info_async (file, attributes, flags, G_PRIORITY_DEFAULT,
                           gasync_promise_get_cancellable (promise),
                           query_info_done, g_object_ref (promise));
  return GASYNC_FUTURE (promise);
}

/* gasync_file_enumerate(): open, then one batch of next_files at a time
 * into a bounded channel, waiting for room when it is full. */

static guint n_alive_enumerators;  /* atomic */

guint
_gasync_file_enumerate_get_n_alive (void)
{
  return (guint) g_atomic_int_get (&n_alive_enumerators);
}

static void
enumerator_finalized (gpointer  data,
                      GObject  *where_the_object_was)
{
  g_atomic_int_dec_and_test (&n_alive_enumerators);
}

typedef struct
{
  GAsyncPromise   *promise;     /* owned until resolved with the receiver (it
                                 * then holds the receiver, which must die
                                 * with its last outside reference) */
  GFileEnumerator *enumerator;  /* owned, once open */
  GAsyncSender    *sender;      /* owned, once open */
  GCancellable    *stop;        /* owned; cancelled from any thread when the
                                 * receiver is finalized (GCancellable is
                                 * thread-safe) */
  GList           *pending;     /* owned GFileInfo of the batch not sent yet */
} Enumeration;

static void enumeration_push (Enumeration *en);

static void
enumeration_free (Enumeration *en)
{
  g_clear_object (&en->promise);
  g_clear_object (&en->enumerator);
  g_clear_object (&en->sender);
  g_clear_object (&en->stop);
  g_list_free_full (en->pending, g_object_unref);
  g_free (en);
}

static void
enumeration_closed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  /* A failing close loses nothing: every item was sent or dropped. */
  g_file_enumerator_close_finish (G_FILE_ENUMERATOR (source), result, NULL);
  enumeration_free (user_data);
}

/* The end, for any reason: the receiver sees the channel close after the
 * items already sent, and the enumerator is closed. */
static void
enumeration_finish (Enumeration *en)
{
  gasync_sender_close (en->sender);
  g_file_enumerator_close_async (en->enumerator, G_PRIORITY_DEFAULT, NULL,
                                 enumeration_closed, en);
}

static void
enumeration_batch_done (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Enumeration *en = user_data;
  g_autoptr(GError) error = NULL;

  en->pending = g_file_enumerator_next_files_finish (G_FILE_ENUMERATOR (source), result, &error);
  if (error != NULL)
    g_debug ("gasync_file_enumerate: listing ended early: %s", error->message);
  if (en->pending == NULL)
    enumeration_finish (en);
  else
    enumeration_push (en);
}

static void
enumeration_next_batch (Enumeration *en)
{
  if (gasync_sender_is_closed (en->sender))
    {
      enumeration_finish (en);
      return;
    }
  g_file_enumerator_next_files_async (en->enumerator, GASYNC_FILE_ENUMERATE_BATCH,
                                      G_PRIORITY_DEFAULT, en->stop,
                                      enumeration_batch_done, en);
}

static void
enumeration_sent (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Enumeration *en = user_data;

  if (gasync_future_wait_finish (GASYNC_FUTURE (source), result, NULL, NULL))
    enumeration_push (en);
  else
    enumeration_finish (en);  /* the receiver is gone */
}

/* Sends the pending items; when the channel is full, waits for room for
 * one and comes back. */
static void
enumeration_push (Enumeration *en)
{
  while (en->pending != NULL)
    {
      g_autoptr(GError) error = NULL;
      GValue item = G_VALUE_INIT;
      gboolean sent;

      g_value_init (&item, G_TYPE_FILE_INFO);
      g_value_take_object (&item, en->pending->data);
      en->pending = g_list_delete_link (en->pending, en->pending);
      sent = gasync_sender_try_send (en->sender, &item, &error);
      if (!sent && g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_FULL))
        {
          g_autoptr(GAsyncFuture) send = gasync_sender_send_future (en->sender, &item);

          g_value_unset (&item);
          gasync_future_wait_async (send, NULL, enumeration_sent, en);
          return;
        }
      g_value_unset (&item);
      if (!sent)
        {
          enumeration_finish (en);  /* the receiver is closed */
          return;
        }
    }
  enumeration_next_batch (en);
}

/* The receiver's data: runs on whichever thread drops the receiver. */
static void
enumeration_stop (gpointer stop)
{
  g_cancellable_cancel (stop);
  g_object_unref (stop);
}

static void
enumeration_opened (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Enumeration *en = user_data;
  g_autoptr(GAsyncReceiver) receiver = NULL;
  GError *error = NULL;

  en->enumerator = g_file_enumerate_children_finish (G_FILE (source), result, &error);
  if (en->enumerator == NULL)
    {
      gasync_promise_reject (en->promise, error);
      enumeration_free (en);
      return;
    }
  g_atomic_int_inc (&n_alive_enumerators);
  g_object_weak_ref (G_OBJECT (en->enumerator), enumerator_finalized, NULL);

  gasync_channel_new (G_TYPE_FILE_INFO, 2 * GASYNC_FILE_ENUMERATE_BATCH, &en->sender, &receiver);
  en->stop = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (receiver), "gasync-file-enumerate-stop",
                          g_object_ref (en->stop), enumeration_stop);
  /* If the future was cancelled meanwhile, this does nothing and the
   * receiver dies below, which stops the listing. */
  gasync_promise_resolve_object (en->promise, receiver);
  g_clear_object (&en->promise);
  g_clear_object (&receiver);
  enumeration_next_batch (en);
}

/**
 * gasync_file_enumerate:
 * @file: a #GFile, a directory
 * @attributes: the attributes to query for each child, such as
 *   `"standard::name,standard::type"`
 * @flags: the #GFileQueryInfoFlags
 *
 * Lists the children of @file. The future resolves, once the directory
 * is open (g_file_enumerate_children_async()), with a #GAsyncReceiver (an
 * object value) of #GFileInfo items, one per child, in the order the
 * backend gives them; it is rejected with the GIO error if the directory
 * cannot be opened (%G_IO_ERROR_NOT_FOUND, %G_IO_ERROR_NOT_DIRECTORY, …).
 *
 * The children are read %GASYNC_FILE_ENUMERATE_BATCH at a time with
 * g_file_enumerator_next_files_async(), on the caller's context, into a
 * channel of at most twice as many items: a slow receiver slows the
 * listing down. After the last child the channel is closed, so receiving
 * fails with %GASYNC_ERROR_CLOSED (and an attached #GAsyncReceiveFunc
 * gets its last, %NULL, item).
 *
 * Like the opening, each batch is read on the context that was
 * thread-default when this function was called, so the listing advances
 * only while that context is iterated: receive there (with
 * gasync_receiver_recv_future(), gasync_receiver_recv_async() or
 * gasync_receiver_attach()), or with gasync_block_on() on the same thread
 * and nesting level as the call that opened the listing (it iterates the
 * same cached private context each time). A blocking
 * gasync_receiver_recv() iterates nothing: it would wait forever once the
 * channel is empty, unless that context runs on another thread.
 *
 * Closing the receiver stops the listing at the end of the batch in
 * progress; dropping it (its last reference, including the resolved
 * future's) also cancels the batch in progress. Either way the
 * #GFileEnumerator is closed and freed.
 *
 * An error while reading the children (rare: an I/O error, a vanished
 * network mount) ends the listing early, like its end: the channel is
 * closed after the children read until then.
 *
 * Returns: (transfer full): a future of the #GAsyncReceiver of #GFileInfo
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_file_enumerate (GFile               *file,
                       const char          *attributes,
                       GFileQueryInfoFlags  flags)
{
  Enumeration *en;
  GAsyncFuture *future;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));
  g_return_val_if_fail (attributes != NULL, _gasync_future_new_invalid_argument ("attributes"));

  en = g_new0 (Enumeration, 1);
  en->promise = gasync_promise_new ();
  future = g_object_ref (GASYNC_FUTURE (en->promise));
  g_file_enumerate_children_async (file, attributes, flags, G_PRIORITY_DEFAULT,
                                   gasync_promise_get_cancellable (en->promise),
                                   enumeration_opened, en);
  return future;
}

static void
make_directory_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GAsyncPromise) promise = user_data;

  settle_boolean (promise, g_file_make_directory_finish, source, result);
}

/**
 * gasync_file_make_directory:
 * @file: a #GFile
 *
 * Creates the directory @file with g_file_make_directory_async(). The
 * future resolves with %TRUE (%G_TYPE_BOOLEAN); it is rejected with
 * %G_IO_ERROR_EXISTS if @file exists, and %G_IO_ERROR_NOT_FOUND if its
 * parent does not.
 *
 * Returns: (transfer full): a future of %TRUE
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_file_make_directory (GFile *file)
{
  GAsyncPromise *promise;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));

  promise = gasync_promise_new ();
  g_file_make_directory_async (file, G_PRIORITY_DEFAULT,
                               gasync_promise_get_cancellable (promise),
                               make_directory_done, g_object_ref (promise));
  return GASYNC_FUTURE (promise);
}

/* gasync_file_make_directory_with_parents(): try the directory; while
 * its parent is missing, go up one level; then come back down. */
typedef struct
{
  GAsyncPromise *promise;  /* owned */
  GPtrArray     *todo;     /* owned GFile; the last one is made next */
} MakeDirs;

static void make_dirs_done (GObject *source, GAsyncResult *result, gpointer user_data);

static void
make_dirs_step (MakeDirs *md)
{
  GFile *dir = g_ptr_array_index (md->todo, md->todo->len - 1);

  g_file_make_directory_async (dir, G_PRIORITY_DEFAULT,
                               gasync_promise_get_cancellable (md->promise),
                               make_dirs_done, md);
}

static void
make_dirs_free (MakeDirs *md)
{
  g_object_unref (md->promise);
  g_ptr_array_unref (md->todo);
  g_free (md);
}

static void
make_dirs_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  MakeDirs *md = user_data;
  GFile *dir = G_FILE (source);
  GError *error = NULL;
  GFile *parent;

  if (!g_file_make_directory_finish (dir, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
          (parent = g_file_get_parent (dir)) != NULL)
        {
          g_clear_error (&error);
          g_ptr_array_add (md->todo, parent);
          make_dirs_step (md);
          return;
        }
      /* A parent that exists already is what we wanted; the directory
       * itself existing is an error, as for g_file_make_directory_with_parents(). */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS) && md->todo->len > 1)
        g_clear_error (&error);
    }
  if (error != NULL)
    {
      gasync_promise_reject (md->promise, error);
      make_dirs_free (md);
      return;
    }
  g_ptr_array_set_size (md->todo, md->todo->len - 1);
  if (md->todo->len > 0)
    make_dirs_step (md);
  else
    {
      gasync_promise_resolve_boolean (md->promise, TRUE);
      make_dirs_free (md);
    }
}

/**
 * gasync_file_make_directory_with_parents:
 * @file: a #GFile
 *
 * Creates the directory @file and any missing parent, the way
 * g_file_make_directory_with_parents() does, but one
 * g_file_make_directory_async() at a time: it walks up from @file while
 * the parent is missing, then creates each missing directory on the way
 * back down. The future resolves with %TRUE (%G_TYPE_BOOLEAN); it is
 * rejected with %G_IO_ERROR_EXISTS if @file exists already (parents that
 * exist are fine), or with the first other GIO error. Cancelling it may
 * leave some of the parents created.
 *
 * Returns: (transfer full): a future of %TRUE
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_file_make_directory_with_parents (GFile *file)
{
  MakeDirs *md;
  GAsyncFuture *future;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));

  md = g_new0 (MakeDirs, 1);
  md->promise = gasync_promise_new ();
  md->todo = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (md->todo, g_object_ref (file));
  future = g_object_ref (GASYNC_FUTURE (md->promise));
  make_dirs_step (md);
  return future;
}

static void
delete_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GAsyncPromise) promise = user_data;

  settle_boolean (promise, g_file_delete_finish, source, result);
}

/**
 * gasync_file_delete:
 * @file: a #GFile
 *
 * Deletes @file (a file, or an empty directory) with
 * g_file_delete_async(). The future resolves with %TRUE
 * (%G_TYPE_BOOLEAN); a missing file rejects it with
 * %G_IO_ERROR_NOT_FOUND.
 *
 * Returns: (transfer full): a future of %TRUE
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_file_delete (GFile *file)
{
  GAsyncPromise *promise;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));

  promise = gasync_promise_new ();
  g_file_delete_async (file, G_PRIORITY_DEFAULT,
                       gasync_promise_get_cancellable (promise),
                       delete_done, g_object_ref (promise));
  return GASYNC_FUTURE (promise);
}

/* Copy and move: the progress sender lives until the call ends. */
typedef struct
{
  GAsyncPromise  *promise;   /* owned */
  GAsyncSender   *progress;  /* owned, nullable; used from GIO's progress
                              * callback, on whichever thread GIO calls it
                              * (sending is thread-safe) */
  FileFinishFunc  finish;
} Transfer;

static void
transfer_progress (goffset  current_num_bytes,
                   goffset  total_num_bytes,
                   gpointer user_data)
{
  Transfer *tr = user_data;
  GValue item = G_VALUE_INIT;

  /* GLib 2.74 calls this on the caller's context for a copy but on its
   * worker thread for a move; GLib's own hand-offs are invisible to TSan. */
  GASYNC_TSAN_ACQUIRE (tr);
  g_value_init (&item, G_TYPE_VARIANT);
  g_value_set_variant (&item, g_variant_new ("(xx)", (gint64) current_num_bytes,
                                             (gint64) total_num_bytes));
  /* Never blocks GIO: a report that does not fit is skipped. */
  (void) gasync_sender_try_send (tr->progress, &item, NULL);
  g_value_unset (&item);
  GASYNC_TSAN_RELEASE (tr);
}

static void
transfer_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Transfer *tr = user_data;

  GASYNC_TSAN_ACQUIRE (tr);  /* after the last progress report */
  settle_boolean (tr->promise, tr->finish, source, result);
  if (tr->progress != NULL)
    {
      gasync_sender_close (tr->progress);
      g_object_unref (tr->progress);
    }
  g_object_unref (tr->promise);
  g_free (tr);
}

static gboolean
progress_is_valid (GAsyncSender *progress)
{
  return progress == NULL ||
         (GASYNC_IS_SENDER (progress) &&
          gasync_sender_get_item_type (progress) == G_TYPE_VARIANT);
}

static Transfer *
transfer_new (GAsyncSender   *progress,
              FileFinishFunc  finish)
{
  Transfer *tr = g_new0 (Transfer, 1);

  tr->promise = gasync_promise_new ();
  tr->progress = progress != NULL ? g_object_ref (progress) : NULL;
  tr->finish = finish;
  GASYNC_TSAN_RELEASE (tr);  /* for transfer_progress() on a GIO thread */
  return tr;
}

/**
 * gasync_file_copy:
 * @source: the #GFile to copy
 * @destination: where to copy it
 * @flags: the #GFileCopyFlags
 * @progress: (nullable): a sender of a %G_TYPE_VARIANT channel for
 *   progress reports, or %NULL
 *
 * Copies @source to @destination with g_file_copy_async(). The future
 * resolves with %TRUE (%G_TYPE_BOOLEAN); it is rejected with
 * %G_IO_ERROR_NOT_FOUND if @source is missing, %G_IO_ERROR_EXISTS if
 * @destination exists and @flags lack %G_FILE_COPY_OVERWRITE, and so on.
 *
 * If @progress is given, each progress report of GIO is sent on it as a
 * #GVariant of type `(xx)`: the bytes copied so far and the total, both
 * 64-bit integers; the last one has them equal. Reports are sent with
 * gasync_sender_try_send(), so a report that does not fit in a bounded
 * channel is skipped: use an unbounded one (capacity 0) to get every
 * report. @progress is closed when the copy ends, successfully or not, so
 * a loop receiving reports ends with %GASYNC_ERROR_CLOSED (pass a clone,
 * gasync_sender_clone(), to keep sending on the channel afterwards).
 *
 * Returns: (transfer full): a future of %TRUE
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_file_copy (GFile          *source,
                  GFile          *destination,
                  GFileCopyFlags  flags,
                  GAsyncSender   *progress)
{
  Transfer *tr;
  GAsyncFuture *future;

  g_return_val_if_fail (G_IS_FILE (source), _gasync_future_new_invalid_argument ("source"));
  g_return_val_if_fail (G_IS_FILE (destination), _gasync_future_new_invalid_argument ("destination"));
  g_return_val_if_fail (progress_is_valid (progress), _gasync_future_new_invalid_argument ("progress"));

  tr = transfer_new (progress, g_file_copy_finish);
  future = g_object_ref (GASYNC_FUTURE (tr->promise));
  g_file_copy_async (source, destination, flags, G_PRIORITY_DEFAULT,
                     gasync_promise_get_cancellable (tr->promise),
                     progress != NULL ? transfer_progress : NULL, tr,
                     transfer_done, tr);
  return future;
}

/**
 * gasync_file_move:
 * @source: the #GFile to move
 * @destination: where to move it
 * @flags: the #GFileCopyFlags
 * @progress: (nullable): a sender of a %G_TYPE_VARIANT channel for
 *   progress reports, or %NULL
 *
 * Moves @source to @destination with g_file_move_async(): a rename when
 * both are on the same file system (then GIO reports no progress), a copy
 * and a delete otherwise. The future resolves with %TRUE
 * (%G_TYPE_BOOLEAN), or is rejected with the GIO error. @progress works
 * as for gasync_file_copy(), and is closed when the move ends; GLib 2.74
 * reports a move's progress from its worker thread, so the reports are
 * sent from there (sending is thread-safe; they are received wherever the
 * receiver is).
 *
 * Returns: (transfer full): a future of %TRUE
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_file_move (GFile          *source,
                  GFile          *destination,
                  GFileCopyFlags  flags,
                  GAsyncSender   *progress)
{
  Transfer *tr;
  GAsyncFuture *future;

  g_return_val_if_fail (G_IS_FILE (source), _gasync_future_new_invalid_argument ("source"));
  g_return_val_if_fail (G_IS_FILE (destination), _gasync_future_new_invalid_argument ("destination"));
  g_return_val_if_fail (progress_is_valid (progress), _gasync_future_new_invalid_argument ("progress"));

  tr = transfer_new (progress, g_file_move_finish);
  future = g_object_ref (GASYNC_FUTURE (tr->promise));
  g_file_move_async (source, destination, flags, G_PRIORITY_DEFAULT,
                     gasync_promise_get_cancellable (tr->promise),
                     progress != NULL ? transfer_progress : NULL, tr,
                     transfer_done, tr);
  return future;
}
