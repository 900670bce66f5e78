/* hash-job.c: hash many files on gasync's blocking pool, results on a main context
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * N workers run on the runtime's blocking pool (gasync_spawn_blocking);
 * each takes the next file index from a shared counter, hashes the file in
 * 64 KiB blocks, checking its GCancellable between blocks, and sends a
 * HashResult over a bounded channel. The receiving end is attached to the
 * caller's main context, so results arrive there in batches, one wakeup
 * per batch, and the bound gives back-pressure: workers wait when the main
 * loop falls behind. When every worker has closed its sender the handler
 * is called a last time with NULL.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hash-job.h"

#define BLOCK_SIZE (64 * 1024)

struct _HashJob
{
  GPtrArray      *paths;        /* char*, immutable once started */
  guint           n_workers;
  gint            next;         /* atomic: next file index to take */
  GCancellable   *cancellable;  /* shared by every worker */
  GPtrArray      *workers;      /* GAsyncFuture*: the workers' join handles */
  GAsyncReceiver *receiver;
  HashResultFunc  func;
  gpointer        user_data;
};

void
hash_result_free (HashResult *result)
{
  g_free (result->digest);
  g_clear_error (&result->error);
  g_free (result);
}

static gint
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static void
collect (GPtrArray  *paths,
         const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GPtrArray) names = NULL;

  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL) != G_FILE_TYPE_DIRECTORY)
    {
      /* Files, and anything unreadable: the worker reports the error. */
      g_ptr_array_add (paths, g_strdup (path));
      return;
    }

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children == NULL)
    {
      g_ptr_array_add (paths, g_strdup (path));
      return;
    }

  names = g_ptr_array_new_with_free_func (g_free);
  for (;;)
    {
      GFileInfo *info = NULL;

      if (!g_file_enumerator_iterate (children, &info, NULL, NULL, NULL) || info == NULL)
        break;
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY ||
          g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
        g_ptr_array_add (names, g_build_filename (path, g_file_info_get_name (info), NULL));
    }
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    collect (paths, g_ptr_array_index (names, i));
}

static HashJob *
hash_job_new_take (GPtrArray *paths,
                   guint      n_workers)
{
  HashJob *job = g_new0 (HashJob, 1);

  job->paths = paths;
  job->n_workers = MAX (n_workers, 1);
  job->cancellable = g_cancellable_new ();
  job->workers = g_ptr_array_new_with_free_func (g_object_unref);
  return job;
}

HashJob *
hash_job_new (const char *const *paths,
              guint              n_workers)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; paths[i] != NULL; i++)
    collect (files, paths[i]);
  return hash_job_new_take (files, n_workers);
}

HashJob *
hash_job_new_for_files (const char *const *files,
                        guint              n_files,
                        guint              n_workers)
{
  GPtrArray *copy = g_ptr_array_new_full (n_files, g_free);

  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (copy, g_strdup (files[i]));
  return hash_job_new_take (copy, n_workers);
}

guint
hash_job_get_n_files (HashJob *job)
{
  return job->paths->len;
}

const char *
hash_job_get_path (HashJob *job,
                   guint    index)
{
  return g_ptr_array_index (job->paths, index);
}

/* Sets @error from errno, with strerror's text alone as the message (the
 * caller names the file), as sha256sum reports it. */
static void
set_error_from_errno (GError **error)
{
  int saved = errno;

  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved), g_strerror (saved));
}

/* Plain open() and read(), so that a directory fails at read with EISDIR
 * as it does for sha256sum, and every message is strerror's. */
static char *
hash_file (const char    *path,
           guint64       *size,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (BLOCK_SIZE);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      set_error_from_errno (error);
      return NULL;
    }

  *size = 0;
  for (;;)
    {
      gssize n = read (fd, buffer, BLOCK_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        set_error_from_errno (error);
      if (n <= 0)
        break;
      g_checksum_update (checksum, buffer, n);
      *size += n;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
    }
  g_close (fd, NULL);
  if (error != NULL && *error != NULL)
    return NULL;
  return g_strdup (g_checksum_get_string (checksum));
}

typedef struct
{
  HashJob      *job;      /* outlives the workers: freed after the final result */
  GAsyncSender *sender;   /* owned: closing it (on free) ends our share of the channel */
} Worker;

static void
worker_free (gpointer data)
{
  Worker *worker = data;

  g_clear_object (&worker->sender);
  g_free (worker);
}

/* Runs on a blocking-pool thread. */
static gboolean
worker_run (GCancellable  *cancellable,
            GValue        *result,
            gpointer       user_data,
            GError       **error)
{
  Worker *worker = user_data;
  HashJob *job = worker->job;
  guint hashed = 0;

  for (;;)
    {
      guint index = (guint) g_atomic_int_add (&job->next, 1);
      HashResult *item;

      if (index >= job->paths->len || g_cancellable_is_cancelled (cancellable))
        break;

      item = g_new0 (HashResult, 1);
      item->index = index;
      item->digest = hash_file (g_ptr_array_index (job->paths, index), &item->size,
                                cancellable, &item->error);
      if (item->error != NULL && g_error_matches (item->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          hash_result_free (item);
          break;
        }

      /* Blocks while the channel is full; fails only if the receiver went
       * away or we were cancelled, and then the item is still ours. */
      if (!gasync_sender_send_pointer (worker->sender, item, cancellable, NULL))
        {
          hash_result_free (item);
          break;
        }
      hashed++;
    }

  /* Close now rather than when the runtime drops the task's data. */
  gasync_sender_close (worker->sender);
  g_value_init (result, G_TYPE_UINT);
  g_value_set_uint (result, hashed);
  return TRUE;
}

/* Runs on the job's context. */
static gboolean
on_result (GAsyncReceiver *receiver,
           const GValue   *item,
           gpointer        user_data)
{
  HashJob *job = user_data;

  job->func (job, item != NULL ? g_value_get_pointer (item) : NULL, job->user_data);
  return G_SOURCE_CONTINUE;
}

void
hash_job_start (HashJob        *job,
                GMainContext   *context,
                HashResultFunc  func,
                gpointer        user_data)
{
  g_autoptr(GAsyncSender) sender = NULL;

  g_return_if_fail (job->receiver == NULL);

  job->func = func;
  job->user_data = user_data;

  /* Bounded: a slow consumer slows the workers down instead of letting
   * results pile up in memory. */
  gasync_channel_new_full (G_TYPE_POINTER, 256, (GDestroyNotify) hash_result_free,
                           &sender, &job->receiver);
  gasync_receiver_attach (job->receiver, context, on_result, job, NULL);

  for (guint i = 0; i < job->n_workers; i++)
    {
      Worker *worker = g_new0 (Worker, 1);
      GAsyncFuture *handle;

      worker->job = job;
      worker->sender = gasync_sender_clone (sender);
      handle = gasync_spawn_blocking (worker_run, worker, worker_free);

      /* Named after what it does: GASYNC_DEBUG=pending lists it by name. */
      gasync_future_set_name (handle, "hash-worker");
      g_ptr_array_add (job->workers, handle);
    }
  /* Only the workers' clones keep the channel open now. */
  gasync_sender_close (sender);
}

void
hash_job_cancel (HashJob *job)
{
  /* Cancelling a join handle cancels the GCancellable its task was given. */
  for (guint i = 0; i < job->workers->len; i++)
    gasync_future_cancel (g_ptr_array_index (job->workers, i));
  g_cancellable_cancel (job->cancellable);
}

gboolean
hash_job_is_cancelled (HashJob *job)
{
  return g_cancellable_is_cancelled (job->cancellable);
}

void
hash_job_free (HashJob *job)
{
  if (job->receiver != NULL)
    gasync_receiver_close (job->receiver);
  g_clear_object (&job->receiver);
  g_ptr_array_unref (job->workers);
  g_ptr_array_unref (job->paths);
  g_clear_object (&job->cancellable);
  g_free (job);
}
