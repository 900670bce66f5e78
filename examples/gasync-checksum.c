/* gasync-checksum.c: sha256sum, concurrently
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: gasync-checksum [-j N] PATH…
 *        gasync-checksum [-j N] -c [--quiet|--status] [--strict] [-w] [LIST…]
 *
 * Prints "sha256  path" lines exactly as sha256sum does (a name with a
 * backslash, newline or carriage return is escaped, and its line starts
 * with a backslash, so that "sha256sum -c" reads it back), in the order of
 * the arguments (directories are walked recursively, in sorted order),
 * while up to N files are hashed at once on gasync's blocking pool.
 * Results stream back over a channel attached to the main loop; a
 * progress bar is drawn on standard error when it is a terminal. An
 * unreadable path is reported and skipped; the exit status is then 1.
 * Ctrl-C cancels the work in flight and exits with status 130.
 *
 * With -c (--check) it verifies such lists instead, as "sha256sum -c"
 * does, with the same output and exit status (gasync-checksum-check.c).
 */

#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "common/checksum-names.h"
#include "common/hash-job.h"
#include "gasync-checksum-check.h"

typedef struct
{
  HashJob     *job;
  GMainLoop   *loop;
  HashResult **results;      /* by index, until printed */
  guint        next_print;   /* the first index not printed yet */
  guint        n_done;
  guint64      bytes;
  guint        n_failed;
  gboolean     progress;     /* standard error is a terminal */
  gboolean     interrupted;
  gint64       last_draw;
} Checksum;

static void
draw_progress (Checksum *self,
               gboolean  force)
{
  guint n = hash_job_get_n_files (self->job);
  gint64 now = g_get_monotonic_time ();
  char bar[31];
  guint filled;

  if (!self->progress || (!force && now - self->last_draw < 50 * 1000))
    return;
  self->last_draw = now;

  filled = n > 0 ? (guint) ((guint64) self->n_done * 30 / n) : 30;
  memset (bar, '#', filled);
  memset (bar + filled, '.', 30 - filled);
  bar[30] = '\0';
  fprintf (stderr, "\r[%s] %u/%u files, %.1f MiB", bar, self->n_done, n, self->bytes / 1048576.0);
  fflush (stderr);
}

static void
clear_progress (Checksum *self)
{
  if (self->progress)
    fprintf (stderr, "\r%*s\r", 70, "");
}

/* One line, as sha256sum writes it. */
static void
print_line (const char *digest,
            const char *path)
{
  gboolean escape = checksum_name_needs_escape (path);

  if (escape)
    putchar ('\\');
  printf ("%s  ", digest);
  checksum_name_print (stdout, path, escape);
  putchar ('\n');
}

/* Prints every result that is next in argument order. */
static void
flush_in_order (Checksum *self)
{
  gboolean cleared = FALSE;

  while (self->next_print < hash_job_get_n_files (self->job) &&
         self->results[self->next_print] != NULL)
    {
      HashResult *result = self->results[self->next_print];
      const char *path = hash_job_get_path (self->job, self->next_print);

      if (!cleared)
        {
          clear_progress (self);
          cleared = TRUE;
        }
      if (result->error == NULL)
        print_line (result->digest, path);
      else
        {
          g_autofree char *quoted = checksum_name_quote (path);

          fflush (stdout);
          fprintf (stderr, "gasync-checksum: %s: %s\n", quoted, result->error->message);
          self->n_failed++;
        }
      hash_result_free (result);
      self->results[self->next_print++] = NULL;
    }
  fflush (stdout);
  if (cleared)
    draw_progress (self, TRUE);
}

static void
on_result (HashJob    *job,
           HashResult *result,
           gpointer    user_data)
{
  Checksum *self = user_data;

  if (result == NULL)
    {
      /* Every worker has stopped. */
      g_main_loop_quit (self->loop);
      return;
    }

  self->n_done++;
  self->bytes += result->size;
  self->results[result->index] = result;
  flush_in_order (self);
  draw_progress (self, FALSE);
}

static gboolean
on_sigint (gpointer user_data)
{
  Checksum *self = user_data;

  if (!self->interrupted)
    {
      self->interrupted = TRUE;
      hash_job_cancel (self->job);
      /* Do not wait for a worker stuck in a read() that cannot be
       * interrupted; its file is simply not printed. */
      g_main_loop_quit (self->loop);
    }
  return G_SOURCE_CONTINUE;
}

/* Hashes @paths and prints their lines; returns the exit status. */
static int
run_listing (const char *const *paths,
             guint              jobs)
{
  Checksum self = { 0 };
  guint sigint;
  int status;

  self.job = hash_job_new (paths, jobs);
  self.results = g_new0 (HashResult *, hash_job_get_n_files (self.job) + 1);
  self.loop = g_main_loop_new (NULL, FALSE);
  self.progress = isatty (STDERR_FILENO);

  sigint = g_unix_signal_add (SIGINT, on_sigint, &self);
  hash_job_start (self.job, NULL, on_result, &self);
  g_main_loop_run (self.loop);
  g_source_remove (sigint);

  clear_progress (&self);
  if (self.interrupted)
    {
      fflush (stdout);
      fprintf (stderr, "gasync-checksum: interrupted, %u of %u files hashed\n",
               self.n_done, hash_job_get_n_files (self.job));
      /* Exit at once: a worker may be blocked in an uninterruptible read. */
      _exit (130);
    }

  status = self.n_failed > 0 ? 1 : 0;
  for (guint i = 0; i < hash_job_get_n_files (self.job); i++)
    g_clear_pointer (&self.results[i], hash_result_free);
  g_free (self.results);
  hash_job_free (self.job);
  g_main_loop_unref (self.loop);
  return status;
}

/* --quiet, --status and --warn exclude each other: the last one wins, as
 * for sha256sum. */
static CheckOptions check;

static gboolean
set_verbosity (const char  *option_name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  check.quiet = strcmp (option_name, "--quiet") == 0;
  check.status = strcmp (option_name, "--status") == 0;
  check.warn = strcmp (option_name, "-w") == 0 || strcmp (option_name, "--warn") == 0;
  return TRUE;
}

static const char *
check_only_option (void)
{
  if (check.quiet)
    return "--quiet";
  if (check.status)
    return "--status";
  if (check.strict)
    return "--strict";
  if (check.warn)
    return "--warn";
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  gint jobs = (gint) g_get_num_processors ();
  gboolean check_mode = FALSE;
  const char *const stdin_list[] = { "-", NULL };
  GOptionEntry entries[] = {
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Hash up to N files at once (default: the number of processors)", "N" },
    { "check", 'c', 0, G_OPTION_ARG_NONE, &check_mode, "Read checksums from the LISTs and verify them", NULL },
    { "quiet", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, set_verbosity, "With -c, don't print OK for each verified file", NULL },
    { "status", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, set_verbosity, "With -c, print nothing: the exit status tells", NULL },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &check.strict, "With -c, fail on improperly formatted lines", NULL },
    { "warn", 'w', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, set_verbosity, "With -c, warn about improperly formatted lines", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, "PATH…" },
    { NULL }
  };

  options = g_option_context_new ("PATH… — print or check SHA-256 checksums, like sha256sum, concurrently");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      fprintf (stderr, "gasync-checksum: %s\n", error->message);
      return 2;
    }
  if (jobs < 1 || (!check_mode && (paths == NULL || paths[0] == NULL)))
    {
      fprintf (stderr, "usage: gasync-checksum [-j N] PATH…\n"
                       "       gasync-checksum [-j N] -c [--quiet|--status] [--strict] [-w] [LIST…]\n");
      return 2;
    }
  if (!check_mode && check_only_option () != NULL)
    {
      fprintf (stderr, "gasync-checksum: the %s option is meaningful only when verifying checksums\n",
               check_only_option ());
      return 2;
    }

  if (!check_mode)
    return run_listing ((const char *const *) paths, (guint) jobs);
  check.jobs = (guint) jobs;
  return checksum_check_run (paths != NULL && paths[0] != NULL ? (const char *const *) paths : stdin_list,
                             &check);
}
