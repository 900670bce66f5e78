/* gasync-gio-file.c: GFile operations as futures
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each function starts a GIO `_async()` call with the cancellable of a
 * new promise, so that gasync_future_cancel() on the returned future
 * cancels the call, and settles the promise from the call's
 * GAsyncReadyCallback with the `_finish()` result: through a
 * GAsyncGioCall (gasync-gio-bridge.c) and a finish function per call, or,
 * for the operations made of several GIO calls (the listing, the
 * directory with its parents), with a promise of their own
 * (gasync-promise.c). The directory listing feeds a channel
 * (gasync-channel.c) batch by batch. Built on the bridge, the promise and
 * the channel; nothing in the library calls into this file.
 *
 * Every callback here runs on the context that was thread-default when
 * the operation started (GIO's rule), one at a time, so the per-operation
 * structs below are only touched from that context's thread; the
 * exceptions are marked.
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-gio-bridge-private.h"
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

/* Each single-call operation has a GAsyncGioFinishFunc, run on the
 * caller's thread-default context; those whose result is only success
 * leave @value unset, so their future resolves with TRUE. */
static gboolean
load_bytes_finish (GObject       *source,
                   GAsyncResult  *result,
                   GValue        *value,
                   GError       **error)
{
  GBytes *bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, error);

  if (bytes == NULL)
    return FALSE;
  g_value_init (value, G_TYPE_BYTES);
  g_value_take_boxed (value, bytes);
  return TRUE;
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
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));

  call = _gasync_gio_call_new (load_bytes_finish, &future);
  g_file_load_bytes_async (file, _gasync_gio_call_get_cancellable (call),
                           _gasync_gio_call_done, call);
  return future;
}

static gboolean
replace_contents_finish (GObject       *source,
                         GAsyncResult  *result,
                         GValue        *value,
                         GError       **error)
{
  char *etag = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, &etag, error))
    return FALSE;
  g_value_init (value, G_TYPE_STRING);
  g_value_take_string (value, etag);
  return TRUE;
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
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));
  g_return_val_if_fail (contents != NULL, _gasync_future_new_invalid_argument ("contents"));

  call = _gasync_gio_call_new (replace_contents_finish, &future);
  g_file_replace_contents_bytes_async (file, contents, etag, make_backup, flags,
                                       _gasync_gio_call_get_cancellable (call),
                                       _gasync_gio_call_done, call);
  return future;
}

static gboolean
query_info_finish (GObject       *source,
                   GAsyncResult  *result,
                   GValue        *value,
                   GError       **error)
{
  GFileInfo *info = g_file_query_info_finish (G_FILE (source), result, error);

  if (info == NULL)
    return FALSE;
  g_value_init (value, G_OBJECT_TYPE (info));
  g_value_take_object (value, info);
  return TRUE;
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
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));
  g_return_val_if_fail (attributes != NULL, _gasync_future_new_invalid_argument ("attributes"));

  call = _gasync_gio_call_new (query_info_finish, &future);
  g_file_query_info_async (file, attributes, flags, G_PRIORITY_DEFAULT,
                           _gasync_gio_call_get_cancellable (call),
                           _gasync_gio_call_done, call);
  return future;
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

static gboolean
make_directory_finish (GObject       *source,
                       GAsyncResult  *result,
                       GValue        *value,
                       GError       **error)
{
  return g_file_make_directory_finish (G_FILE (source), result, error);
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
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));

  call = _gasync_gio_call_new (make_directory_finish, &future);
  g_file_make_directory_async (file, G_PRIORITY_DEFAULT,
                               _gasync_gio_call_get_cancellable (call),
                               _gasync_gio_call_done, call);
  return future;
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

static gboolean
delete_finish (GObject       *source,
               GAsyncResult  *result,
               GValue        *value,
               GError       **error)
{
  return g_file_delete_finish (G_FILE (source), result, error);
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
  GAsyncFuture *future;
  GAsyncGioCall *call;

  g_return_val_if_fail (G_IS_FILE (file), _gasync_future_new_invalid_argument ("file"));

  call = _gasync_gio_call_new (delete_finish, &future);
  g_file_delete_async (file, G_PRIORITY_DEFAULT,
                       _gasync_gio_call_get_cancellable (call),
                       _gasync_gio_call_done, call);
  return future;
}

/* Copy and move: the same call but for its name (g_file_copy_async() and
 * g_file_move_async() have one signature). The progress sender is the
 * call's data: it is closed once the call settled its future. */
typedef void (*FileTransferAsyncFunc) (GFile                 *source,
                                       GFile                 *destination,
                                       GFileCopyFlags         flags,
                                       int                    io_priority,
                                       GCancellable          *cancellable,
                                       GFileProgressCallback  progress_callback,
                                       gpointer               progress_data,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data);

/* @user_data is the progress sender, used on whichever thread GIO calls
 * this from (sending is thread-safe). */
static void
transfer_progress (goffset  current_num_bytes,
                   goffset  total_num_bytes,
                   gpointer user_data)
{
  GAsyncSender *progress = user_data;
  GValue item = G_VALUE_INIT;

  /* GLib 2.74 calls this on the caller's context for a copy but on its
   * worker thread for a move; GLib's own hand-offs are invisible to TSan. */
  GASYNC_TSAN_ACQUIRE (progress);
  g_value_init (&item, G_TYPE_VARIANT);
  g_value_set_variant (&item, g_variant_new ("(xx)", (gint64) current_num_bytes,
                                             (gint64) total_num_bytes));
  /* Never blocks GIO: a report that does not fit is skipped. */
  (void) gasync_sender_try_send (progress, &item, NULL);
  g_value_unset (&item);
  GASYNC_TSAN_RELEASE (progress);
}

/* The call's destroy notify, once its future settled. */
static void
transfer_progress_close (gpointer progress)
{
  GASYNC_TSAN_ACQUIRE (progress);  /* after the last progress report */
  gasync_sender_close (progress);
  g_object_unref (progress);
}

static gboolean
progress_is_valid (GAsyncSender *progress)
{
  return progress == NULL ||
         (GASYNC_IS_SENDER (progress) &&
          gasync_sender_get_item_type (progress) == G_TYPE_VARIANT);
}

static gboolean
copy_finish (GObject       *source,
             GAsyncResult  *result,
             GValue        *value,
             GError       **error)
{
  return g_file_copy_finish (G_FILE (source), result, error);
}

static gboolean
move_finish (GObject       *source,
             GAsyncResult  *result,
             GValue        *value,
             GError       **error)
{
  return g_file_move_finish (G_FILE (source), result, error);
}

/* Starts @transfer_async, finished by @finish, with @progress (nullable)
 * receiving its reports; returns the future of %TRUE. */
static GAsyncFuture *
transfer_start (FileTransferAsyncFunc  transfer_async,
                GAsyncGioFinishFunc    finish,
                GFile                 *source,
                GFile                 *destination,
                GFileCopyFlags         flags,
                GAsyncSender          *progress)
{
  GAsyncFuture *future;
  GAsyncGioCall *call;

  call = _gasync_gio_call_new (finish, &future);
  if (progress != NULL)
    {
      _gasync_gio_call_set_data (call, g_object_ref (progress), transfer_progress_close);
      GASYNC_TSAN_RELEASE (progress);  /* for transfer_progress() on a GIO thread */
    }
  transfer_async (source, destination, flags, G_PRIORITY_DEFAULT,
                  _gasync_gio_call_get_cancellable (call),
                  progress != NULL ? transfer_progress : NULL, progress,
                  _gasync_gio_call_done, call);
  return future;
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
  g_return_val_if_fail (G_IS_FILE (source), _gasync_future_new_invalid_argument ("source"));
  g_return_val_if_fail (G_IS_FILE (destination), _gasync_future_new_invalid_argument ("destination"));
  g_return_val_if_fail (progress_is_valid (progress), _gasync_future_new_invalid_argument ("progress"));

  return transfer_start (g_file_copy_async, copy_finish, source, destination, flags, progress);
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
  g_return_val_if_fail (G_IS_FILE (source), _gasync_future_new_invalid_argument ("source"));
  g_return_val_if_fail (G_IS_FILE (destination), _gasync_future_new_invalid_argument ("destination"));
  g_return_val_if_fail (progress_is_valid (progress), _gasync_future_new_invalid_argument ("progress"));

  return transfer_start (g_file_move_async, move_finish, source, destination, flags, progress);
}
