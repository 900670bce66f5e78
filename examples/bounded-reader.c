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
 * Each member is a chain of GIO futures (<gasync/gasync.h>'s
 * gasync_file_enumerate() and gasync_file_load_bytes()) that reads in the
 * order it runs:
 *
 *   read     load the file ──▶ count its bytes and lines
 *   listing  open the directory ──▶ receive its children, a member for
 *            each directory and regular file ──▶ receive more … ──▶ closed
 *
 * A member's future is its chain: cancelling it (the group does, at the
 * deadline) cancels the step in flight, and with it the GIO call. A read
 * loads the whole file (gasync_input_stream_read_bytes() would stream a
 * huge one); at most N are in memory at once.
 */

#include <stdlib.h>
#include <string.h>

#include <gasync/gasync.h>

#define PROGRAM      "bounded-reader"
#define ATTRIBUTES   G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE
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
  guint            n_listings;  /* listings added and not settled */
  GError          *stop_error;  /* why the walk stopped early (the deadline) */
  guint64          bytes;
  guint64          lines;
  guint            files;
  guint            n_errors;    /* paths reported as unreadable */
} Reader;

/* What one member works on. Refcounted (an rc box): the limiter holds one
 * reference until the member starts, each pending step of a listing
 * another. */
typedef struct
{
  Reader         *reader;       /* not owned: main's, which outlives the
                                 * walk (a continuation that comes after
                                 * gasync_block_on() returned never runs) */
  GFile          *file;
  gboolean        named;        /* given on the command line */
  GAsyncReceiver *children;     /* a listing's, once the directory is open */
} Member;

static void reader_add_listing (Reader *reader, GFile *dir, gboolean named);
static void reader_add_read    (Reader *reader, GFile *file);

static Member *
member_new (Reader   *reader,
            GFile    *file,
            gboolean  named)
{
  Member *member = g_rc_box_new0 (Member);

  member->reader = reader;
  member->file = g_object_ref (file);
  member->named = named;
  return member;
}

static void
member_clear (gpointer data)
{
  Member *member = data;

  g_clear_object (&member->file);
  g_clear_object (&member->children);
}

static gpointer
member_ref (Member *member)
{
  return g_rc_box_acquire (member);
}

static void
member_unref (gpointer member)
{
  g_rc_box_release_full (member, member_clear);
}

/* A member's step failed with @error (consumed): the cancellation is what
 * the member's future rejects with; anything else is reported, and the
 * member resolves (an unreadable path does not stop the others). */
static GAsyncFuture *
member_failed (Reader *reader,
               GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return gasync_future_new_for_error (error);

  g_printerr ("%s: %s\n", PROGRAM, error->message);
  reader->n_errors++;
  g_error_free (error);
  return gasync_future_new_for_boolean (FALSE);
}

/* Reads ---------------------------------------------------------------- */

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

/* The file is loaded: count it. */
static GAsyncFuture *
read_count (GAsyncFuture *loaded,
            gpointer      data)
{
  Reader *reader = data;
  g_auto(GValue) value = G_VALUE_INIT;
  GError *error = NULL;
  const char *contents;
  gsize size;

  if (!gasync_future_get_value (loaded, &value, &error))
    return member_failed (reader, error);

  contents = g_bytes_get_data (g_value_get_boxed (&value), &size);
  reader->bytes += size;
  reader->lines += count_newlines (contents, size);
  reader->files++;
  return NULL;   /* settles like @loaded: resolved */
}

/* A read member: load the file, then count it. */
static GAsyncFuture *
read_start (GCancellable *cancellable,
            gpointer      data)
{
  Member *member = data;
  g_autoptr(GAsyncFuture) loaded = gasync_file_load_bytes (member->file);

  return gasync_future_on_settled (loaded, read_count, member->reader, NULL);
}

/* Listings ------------------------------------------------------------- */

static GAsyncFuture *listing_got_children (GAsyncFuture *got, gpointer data);

/* The next step of a listing: wait for more children. */
static GAsyncFuture *
listing_next (Member *member)
{
  g_autoptr(GAsyncFuture) next = gasync_receiver_recv_future (member->children);

  return gasync_future_on_settled (next, listing_got_children, member_ref (member), member_unref);
}

static void
listing_add_child (Member    *member,
                   GFileInfo *info)
{
  g_autoptr(GFile) child = g_file_get_child (member->file, g_file_info_get_name (info));

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    reader_add_listing (member->reader, child, FALSE);
  else if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
    reader_add_read (member->reader, child);
}

/* A child arrived: add it and every child queued behind it (the listing
 * reads them in batches), then wait for more. The channel closes after
 * the last one. */
static GAsyncFuture *
listing_got_children (GAsyncFuture *got,
                      gpointer      data)
{
  Member *member = data;
  g_auto(GValue) info = G_VALUE_INIT;
  GError *error = NULL;

  if (!gasync_future_get_value (got, &info, &error))
    {
      if (!g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
        return member_failed (member->reader, error);
      g_error_free (error);   /* the end of the directory */
      return gasync_future_new_for_boolean (TRUE);
    }

  do
    {
      listing_add_child (member, g_value_get_object (&info));
      g_value_unset (&info);
    }
  while (gasync_receiver_try_recv (member->children, &info, NULL));

  return listing_next (member);
}

/* The directory is open (or is not a directory). */
static GAsyncFuture *
listing_opened (GAsyncFuture *opened,
                gpointer      data)
{
  Member *member = data;
  GError *error = NULL;

  member->children = gasync_future_dup_object (opened, &error);
  if (member->children != NULL)
    return listing_next (member);

  if (member->named && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
    {
      /* A path named on the command line that is not a directory: read it. */
      g_error_free (error);
      reader_add_read (member->reader, member->file);
      return gasync_future_new_for_boolean (TRUE);
    }
  return member_failed (member->reader, error);
}

/* A listing member: open the directory, then receive its children. */
static GAsyncFuture *
listing_start (GCancellable *cancellable,
               gpointer      data)
{
  Member *member = data;
  g_autoptr(GAsyncFuture) opened = gasync_file_enumerate (member->file, ATTRIBUTES,
                                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS);

  return gasync_future_on_settled (opened, listing_opened, member_ref (member), member_unref);
}

/* The reader ----------------------------------------------------------- */

/* A listing settled, whichever way: the last one to settle ends the
 * walk (every listing it added was counted before it settled). */
static GAsyncFuture *
listing_settled (GAsyncFuture *listing,
                 gpointer      data)
{
  Reader *reader = data;

  if (--reader->n_listings == 0)
    gasync_promise_resolve_boolean (reader->walked, TRUE);
  return NULL;
}

/* Adds a member that lists @dir once a listing permit is free. */
static void
reader_add_listing (Reader   *reader,
                    GFile    *dir,
                    gboolean  named)
{
  g_autoptr(GAsyncFuture) member = NULL;

  reader->n_listings++;
  member = gasync_limiter_run (reader->listings, listing_start,
                               member_new (reader, dir, named), member_unref);
  gasync_task_group_add (reader->group, member);
  g_object_unref (gasync_future_on_settled (member, listing_settled, reader, NULL));
}

/* Adds a member that reads @file once a read permit is free. */
static void
reader_add_read (Reader *reader,
                 GFile  *file)
{
  g_autoptr(GAsyncFuture) member = NULL;

  member = gasync_limiter_run (reader->reads, read_start,
                               member_new (reader, file, TRUE), member_unref);
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
 * settles at once, and its permit is back as soon as the future its
 * function returned has settled. */
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
