/* bounded-reader.c: count bytes and lines under a directory, bounded, under a deadline
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bounded-reader [-j N] [--deadline-ms MS] [--stats] [PATH…]
 *
 * Prints "BYTES LINES FILES" on one line: the bytes, the newline
 * characters and the files it read. A directory is walked recursively
 * (symbolic links are not followed) and its regular files are read, as
 * "find DIR -type f" lists them; any other PATH is read as it is named, as
 * cat reads it (a named pipe too). The default PATH is ".". An unreadable
 * path is reported on standard error and skipped: the exit status is then 1.
 *
 * At most N directory listings and at most N reads are in flight (-j N,
 * --jobs N; default 8). With --deadline-ms MS everything still running
 * after MS milliseconds is cancelled: the counts so far are printed, then
 * "deadline reached" on standard error, and the exit status is 2. --stats
 * prints on standard error, once everything has stopped, what is still
 * pending in the task group and how many permits each limiter has free.
 *
 * The structure, all of it on the private main context of
 * gasync_block_on() (one thread: the counts need no lock):
 *
 *   main ─ gasync_block_on (count_paths)
 *            │
 *            ├─ group     GAsyncTaskGroup: every listing and every read is
 *            │            a member; cancelling it cancels them all
 *            ├─ listings  GAsyncLimiter (N): directory listings in flight
 *            ├─ reads     GAsyncLimiter (N): file reads in flight
 *            │
 *            └─ walked ──and_then──▶ close the group, wait for its members
 *                        ──with_timeout──▶ the deadline, one call
 *                        ──on_settled──▶ however it ended: cancel what is
 *                                        left, wait until every member has
 *                                        settled and every permit is back
 *
 * A listing member enumerates a directory in batches and adds a member
 * for each entry: a listing for a directory, a read for a regular file.
 * Each GIO call is a future (gasync_promise_gio_callback()); each member's
 * GIO calls get the GCancellable of its member future, so cancelling the
 * group cancels every operation in flight.
 */

#include <stdlib.h>
#include <string.h>

#include <gasync/gasync.h>

#define PROGRAM      "bounded-reader"
#define CHUNK_SIZE   (64 * 1024)   /* bytes per read: big files stream */
#define BATCH_SIZE   64            /* directory entries per next_files call */
#define EXIT_FAILED  1
#define EXIT_EXPIRED 2

typedef struct
{
  GAsyncTaskGroup *group;       /* every listing and read is a member */
  GAsyncLimiter   *listings;    /* at most n_jobs listings in flight */
  GAsyncLimiter   *reads;       /* at most n_jobs reads in flight */
  guint            deadline_ms; /* 0: none */
  const char *const *paths;     /* what to count, from the command line */
  GAsyncPromise   *walked;      /* resolved when the last listing is done */
  guint            n_listings;  /* listings added and not finished */
  GError          *stop_error;  /* why the walk stopped early (the deadline) */
  guint64          bytes;
  guint64          lines;
  guint            files;
  guint            n_errors;    /* paths reported as unreadable */
} Reader;

/* One member's work: a directory listing or a file read. Refcounted (an
 * rc box): the limiter holds one reference until the member starts, each
 * pending GIO step another. */
typedef struct
{
  Reader          *reader;      /* not owned: main's, which outlives the
                                 * walk (a GIO callback that comes after
                                 * gasync_block_on() returned is never run) */
  GFile           *file;
  gboolean         named;       /* given on the command line */
  GCancellable    *cancellable; /* the member's: cancelled with it */
  GAsyncPromise   *done;        /* the future the member settles like */
  GFileEnumerator *children;    /* a listing, once opened */
  GInputStream    *stream;      /* a read, once opened */
} Job;

static void reader_add_listing (Reader *reader, GFile *dir, gboolean named);
static void reader_add_read    (Reader *reader, GFile *file);

static Job *
job_new (Reader   *reader,
         GFile    *file,
         gboolean  named)
{
  Job *job = g_rc_box_new0 (Job);

  job->reader = reader;
  job->file = g_object_ref (file);
  job->named = named;
  job->done = gasync_promise_new ();
  return job;
}

static void
job_clear (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->file);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->done);
  g_clear_object (&job->children);
  g_clear_object (&job->stream);
}

static gpointer
job_ref (Job *job)
{
  return g_rc_box_acquire (job);
}

static void
job_unref (gpointer job)
{
  g_rc_box_release_full (job, job_clear);
}

/* The member starts (its limiter had a permit free): its future is
 * job->done, and every GIO call it makes gets its cancellable. */
static GAsyncFuture *
job_begin (Job          *job,
           GCancellable *cancellable)
{
  job->cancellable = g_object_ref (cancellable);
  return g_object_ref (GASYNC_FUTURE (job->done));
}

/* Calls @then (job) on this context once the GIO call behind @step has
 * completed. Each step's own derived future is dropped at once: the
 * member's future (job->done) is settled by hand at the end, so a file of
 * many chunks never builds a chain of futures. Consumes @step. */
static void
job_continue (Job                  *job,
              GAsyncFuture         *step,
              GAsyncFutureCallback  then)
{
  g_object_unref (gasync_future_on_settled (step, then, job_ref (job), job_unref));
  g_object_unref (step);
}

/* The GAsyncResult a GIO step's future resolved with. */
static GAsyncResult *
step_result (GAsyncFuture *step)
{
  return gasync_future_dup_object (step, NULL);
}

/* Ends a job: reports @error (consumed) unless it is the cancellation,
 * which is what the member's future rejects with. */
static void
job_finish (Job    *job,
            GError *error)
{
  if (error == NULL)
    gasync_promise_resolve_boolean (job->done, TRUE);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gasync_promise_reject (job->done, error);
  else
    {
      g_printerr ("%s: %s\n", PROGRAM, error->message);
      job->reader->n_errors++;
      g_error_free (error);
      gasync_promise_resolve_boolean (job->done, FALSE);
    }
}

/* Reads ---------------------------------------------------------------- */

static GAsyncFuture *read_got_chunk (GAsyncFuture *step, gpointer data);

static void
read_next_chunk (Job *job)
{
  GAsyncPromise *chunk = gasync_promise_new ();

  g_input_stream_read_bytes_async (job->stream, CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   job->cancellable, gasync_promise_gio_callback,
                                   g_object_ref (chunk));
  job_continue (job, GASYNC_FUTURE (chunk), read_got_chunk);
}

static guint64
count_newlines (const char *data,
                gsize       size)
{
  const char *end = data + size;
  guint64 n = 0;

  while ((data = memchr (data, '\n', end - data)) != NULL)
    {
      n++;
      data++;
    }
  return n;
}

static GAsyncFuture *
read_got_chunk (GAsyncFuture *step,
                gpointer      data)
{
  Job *job = data;
  g_autoptr(GAsyncResult) result = step_result (step);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  gsize size;
  const char *chunk;

  bytes = g_input_stream_read_bytes_finish (job->stream, result, &error);
  if (bytes == NULL)
    {
      job_finish (job, error);
      return NULL;
    }

  chunk = g_bytes_get_data (bytes, &size);
  if (size == 0)
    {
      job->reader->files++;   /* end of file: counted whole */
      job_finish (job, NULL);
      return NULL;
    }
  job->reader->bytes += size;
  job->reader->lines += count_newlines (chunk, size);
  read_next_chunk (job);
  return NULL;
}

static GAsyncFuture *
read_opened (GAsyncFuture *step,
             gpointer      data)
{
  Job *job = data;
  g_autoptr(GAsyncResult) result = step_result (step);
  GError *error = NULL;

  job->stream = G_INPUT_STREAM (g_file_read_finish (job->file, result, &error));
  if (job->stream == NULL)
    job_finish (job, error);
  else
    read_next_chunk (job);
  return NULL;
}

/* A read member: opens the file, then reads it chunk by chunk. */
static GAsyncFuture *
read_start (GCancellable *cancellable,
            gpointer      data)
{
  Job *job = data;
  GAsyncFuture *member = job_begin (job, cancellable);
  GAsyncPromise *opened = gasync_promise_new ();

  g_file_read_async (job->file, G_PRIORITY_DEFAULT, job->cancellable,
                     gasync_promise_gio_callback, g_object_ref (opened));
  job_continue (job, GASYNC_FUTURE (opened), read_opened);
  return member;
}

/* Listings ------------------------------------------------------------- */

static GAsyncFuture *listing_got_batch (GAsyncFuture *step, gpointer data);

/* Ends a listing; the last one to end ends the walk: no member can be
 * added any more. */
static void
listing_finish (Job    *job,
                GError *error)
{
  Reader *reader = job->reader;

  job_finish (job, error);
  if (--reader->n_listings == 0)
    gasync_promise_resolve_boolean (reader->walked, TRUE);
}

static void
listing_next_batch (Job *job)
{
  GAsyncPromise *batch = gasync_promise_new ();

  g_file_enumerator_next_files_async (job->children, BATCH_SIZE, G_PRIORITY_DEFAULT,
                                      job->cancellable, gasync_promise_gio_callback,
                                      g_object_ref (batch));
  job_continue (job, GASYNC_FUTURE (batch), listing_got_batch);
}

static GAsyncFuture *
listing_got_batch (GAsyncFuture *step,
                   gpointer      data)
{
  Job *job = data;
  g_autoptr(GAsyncResult) result = step_result (step);
  GError *error = NULL;
  GList *infos;

  infos = g_file_enumerator_next_files_finish (job->children, result, &error);
  if (infos == NULL)
    {
      listing_finish (job, error);   /* the end of the directory, or an error */
      return NULL;
    }

  for (GList *l = infos; l != NULL; l = l->next)
    {
      g_autoptr(GFile) child = g_file_enumerator_get_child (job->children, l->data);

      if (g_file_info_get_file_type (l->data) == G_FILE_TYPE_DIRECTORY)
        reader_add_listing (job->reader, child, FALSE);
      else if (g_file_info_get_file_type (l->data) == G_FILE_TYPE_REGULAR)
        reader_add_read (job->reader, child);
    }
  g_list_free_full (infos, g_object_unref);
  listing_next_batch (job);
  return NULL;
}

static GAsyncFuture *
listing_opened (GAsyncFuture *step,
                gpointer      data)
{
  Job *job = data;
  g_autoptr(GAsyncResult) result = step_result (step);
  GError *error = NULL;

  job->children = g_file_enumerate_children_finish (job->file, result, &error);
  if (job->children != NULL)
    listing_next_batch (job);
  else if (job->named && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
    {
      /* A path named on the command line that is not a directory: read it. */
      g_error_free (error);
      reader_add_read (job->reader, job->file);
      listing_finish (job, NULL);
    }
  else
    listing_finish (job, error);
  return NULL;
}

/* A listing member: enumerates a directory in batches. */
static GAsyncFuture *
listing_start (GCancellable *cancellable,
               gpointer      data)
{
  Job *job = data;
  GAsyncFuture *member = job_begin (job, cancellable);
  GAsyncPromise *opened = gasync_promise_new ();

  g_file_enumerate_children_async (job->file,
                                   G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                   G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                   G_PRIORITY_DEFAULT, job->cancellable,
                                   gasync_promise_gio_callback, g_object_ref (opened));
  job_continue (job, GASYNC_FUTURE (opened), listing_opened);
  return member;
}

/* The reader ----------------------------------------------------------- */

/* Adds a member that lists @dir once a listing permit is free. */
static void
reader_add_listing (Reader   *reader,
                    GFile    *dir,
                    gboolean  named)
{
  g_autoptr(GAsyncFuture) member = NULL;

  reader->n_listings++;
  member = gasync_limiter_run (reader->listings, listing_start,
                               job_new (reader, dir, named), job_unref);
  gasync_task_group_add (reader->group, member);
}

/* Adds a member that reads @file once a read permit is free. */
static void
reader_add_read (Reader *reader,
                 GFile  *file)
{
  g_autoptr(GAsyncFuture) member = NULL;

  member = gasync_limiter_run (reader->reads, read_start,
                               job_new (reader, file, TRUE), job_unref);
  gasync_task_group_add (reader->group, member);
}

/* Waiting until every permit of a limiter is back: each acquire is held
 * until all of them resolved, then every permit is given back at once. */
typedef struct
{
  GAsyncLimiter *limiter;
  GPtrArray     *acquires;   /* GAsyncFuture*: the limiter drops a waiting
                              * acquire nobody holds */
} Drain;

static void
drain_free (gpointer data)
{
  Drain *drain = data;

  g_object_unref (drain->limiter);
  g_ptr_array_unref (drain->acquires);
  g_free (drain);
}

static GAsyncFuture *
drain_give_back (GAsyncFuture *all,
                 gpointer      data)
{
  Drain *drain = data;

  for (guint i = 0; i < drain->acquires->len; i++)
    gasync_limiter_release (drain->limiter);
  return NULL;
}

/* A future that resolves once all the permits of @limiter are free at the
 * same time: nothing it admitted is still running. A cancelled member
 * settles at once, and its permit comes back in a later dispatch. */
static GAsyncFuture *
limiter_drained (GAsyncLimiter *limiter)
{
  Drain *drain = g_new0 (Drain, 1);
  g_autoptr(GAsyncFuture) all = NULL;

  drain->limiter = g_object_ref (limiter);
  drain->acquires = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < gasync_limiter_get_permits (limiter); i++)
    g_ptr_array_add (drain->acquires, gasync_limiter_acquire (limiter));
  all = gasync_future_all ((GAsyncFuture **) drain->acquires->pdata, drain->acquires->len);
  return gasync_future_and_then (all, drain_give_back, drain, drain_free);
}

/* The walk is over: no member can be added any more, so the group can be
 * closed. Its wait() resolves once every read has. */
static GAsyncFuture *
close_group (GAsyncFuture *walked,
             gpointer      data)
{
  Reader *reader = data;

  return gasync_task_group_wait (reader->group);
}

/* However the work ended: the deadline (or an error) cancels every member
 * still pending, and their GIO calls with them. The future returned
 * settles once every member has settled and every permit is back: then
 * nothing is running or waiting any more. */
static GAsyncFuture *
settle_group (GAsyncFuture *outcome,
              gpointer      data)
{
  Reader *reader = data;
  g_autoptr(GAsyncFuture) members = NULL;
  g_autoptr(GAsyncFuture) reads = NULL;
  g_autoptr(GAsyncFuture) listings = NULL;

  if (gasync_future_get_state (outcome) == GASYNC_FUTURE_REJECTED)
    {
      reader->stop_error = g_error_copy (gasync_future_get_error (outcome));
      gasync_task_group_cancel (reader->group);
    }
  /* wait() again: the walk may not have got to the first call, or its
   * future is part of the chain the deadline cancelled. */
  members = gasync_task_group_wait (reader->group);
  reads = limiter_drained (reader->reads);
  listings = limiter_drained (reader->listings);
  return gasync_join (members, reads, listings, NULL);
}

/* gasync_block_on()'s start function: runs on its private main context,
 * so every GIO callback and continuation below runs on this thread. */
static GAsyncFuture *
count_paths (GCancellable *cancellable,
             gpointer      data)
{
  Reader *reader = data;
  const char *const *paths = reader->paths;
  g_autoptr(GAsyncFuture) finished = NULL;

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (paths[i]);

      reader_add_listing (reader, file, TRUE);
    }

  finished = gasync_future_and_then (GASYNC_FUTURE (reader->walked), close_group, reader, NULL);
  if (reader->deadline_ms > 0)
    {
      GAsyncFuture *bounded = gasync_future_with_timeout (finished, reader->deadline_ms);

      g_object_unref (finished);
      finished = bounded;
    }
  return gasync_future_on_settled (finished, settle_group, reader, NULL);
}

static void
print_stats (Reader *reader)
{
  g_printerr ("%s: stats: %u members pending, %u/%u read permits free, "
              "%u/%u listing permits free\n", PROGRAM,
              gasync_task_group_get_n_pending (reader->group),
              gasync_limiter_get_available (reader->reads),
              gasync_limiter_get_permits (reader->reads),
              gasync_limiter_get_available (reader->listings),
              gasync_limiter_get_permits (reader->listings));
}

/* Counts, then reports: the exit status. */
static int
run (Reader   *reader,
     gboolean  stats)
{
  g_autoptr(GError) error = NULL;

  if (!gasync_block_on (count_paths, reader, NULL, NULL, &error))
    {
      g_printerr ("%s: %s\n", PROGRAM, error->message);
      return EXIT_FAILED;
    }

  g_print ("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %u\n",
           reader->bytes, reader->lines, reader->files);
  if (stats)
    print_stats (reader);
  if (g_error_matches (reader->stop_error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT))
    {
      g_printerr ("%s: deadline reached after %u ms\n", PROGRAM, reader->deadline_ms);
      return EXIT_EXPIRED;
    }
  if (reader->stop_error != NULL)
    {
      g_printerr ("%s: %s\n", PROGRAM, reader->stop_error->message);
      return EXIT_FAILED;
    }
  return reader->n_errors > 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

int
main (int   argc,
      char *argv[])
{
  static const char *dot[] = { ".", NULL };
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  int jobs = 8, deadline_ms = 0, status;
  gboolean stats = FALSE;
  Reader reader = { 0 };
  GOptionEntry entries[] = {
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "At most N reads and N listings in flight (default 8)", "N" },
    { "deadline-ms", 0, 0, G_OPTION_ARG_INT, &deadline_ms, "Cancel everything after MS milliseconds", "MS" },
    { "stats", 0, 0, G_OPTION_ARG_NONE, &stats, "Print what is left pending once stopped", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, "[PATH…]" },
    G_OPTION_ENTRY_NULL
  };

  options = g_option_context_new ("— count the bytes, lines and files under directories");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error) || jobs < 1 || deadline_ms < 0)
    {
      g_printerr ("%s: %s\n", PROGRAM, error != NULL ? error->message : "N and MS must be positive");
      return EXIT_FAILED;
    }

  reader.paths = paths != NULL ? (const char *const *) paths : dot;
  reader.deadline_ms = deadline_ms;
  reader.group = gasync_task_group_new (NULL);
  reader.reads = gasync_limiter_new (jobs);
  reader.listings = gasync_limiter_new (jobs);
  reader.walked = gasync_promise_new ();

  status = run (&reader, stats);

  g_clear_error (&reader.stop_error);
  g_object_unref (reader.walked);
  g_object_unref (reader.listings);
  g_object_unref (reader.reads);
  g_object_unref (reader.group);
  return status;
}
