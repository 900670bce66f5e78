/* gasync-checksum-check.c: gasync-checksum --check, "sha256sum -c" concurrently
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every list is parsed first, exactly as coreutils 9.1 parses it
 * (GNU "HASH  NAME" and "HASH *NAME" lines, escaped names, BSD
 * "SHA256 (NAME) = HASH" lines, comments, CRLF line ends). The listed
 * files are then hashed by a HashJob, up to N at once on gasync's blocking
 * pool, and the verdicts are written in the order of the lists as the
 * results come back to the main loop, with the same lines, warnings and
 * exit status as sha256sum.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "common/checksum-names.h"
#include "common/hash-job.h"
#include "gasync-checksum-check.h"

#define PROGRAM "gasync-checksum"
#define HEX_LEN 64
#define IS_BLANK(c) ((c) == ' ' || (c) == '\t')

typedef enum
{
  LINE_FILE,        /* a file to verify */
  LINE_BAD,         /* an improperly formatted line */
  LIST_END,         /* the end of a list: its summary */
  LIST_UNREADABLE,  /* a list that could not be read */
} LineKind;

typedef struct
{
  LineKind  kind;
  guint     list;             /* index in the lists */
  guint64   number;           /* LINE_BAD: the line number in its list */
  char     *text;             /* LINE_FILE: the file name; LIST_UNREADABLE: why */
  char      digest[HEX_LEN + 1]; /* LINE_FILE: expected, lower case */
  guint     file;             /* LINE_FILE: index in the job */
} CheckLine;

typedef struct
{
  guint64  bad_lines;
  guint64  unreadable;
  guint64  mismatched;
  gboolean any_good;          /* a properly formatted line was seen */
} ListCounts;

typedef struct
{
  const CheckOptions *options;
  const char *const  *lists;
  int                 bsd_reversed;  /* -1 not yet known, 0 no, 1 yes, as coreutils */
  GArray             *lines;         /* CheckLine, in output order */
  GPtrArray          *files;         /* char*, borrowed from lines: what the job hashes */
  HashResult        **results;       /* by file index, until reported */
  guint               next;          /* the first line not reported yet */
  ListCounts          counts;        /* of the list being reported */
  gboolean            failed;
  HashJob            *job;
  GMainLoop          *loop;
} Check;

/* ---- Parsing ---------------------------------------------------------- */

/* Undoes the escapes of a name in place; FALSE if it is not valid. */
static gboolean
unescape_name (char  *s,
               gsize  len)
{
  char *dst = s;

  for (gsize i = 0; i < len; i++)
    {
      char c = s[i];

      if (c == '\0')
        return FALSE;
      if (c == '\\')
        {
          if (++i == len)
            return FALSE;
          c = s[i] == 'n' ? '\n' : s[i] == 'r' ? '\r' : s[i] == '\\' ? '\\' : '\0';
          if (c == '\0')
            return FALSE;
        }
      *dst++ = c;
    }
  *dst = '\0';
  return TRUE;
}

static gboolean
is_digest (const char *s)
{
  for (guint i = 0; i < HEX_LEN; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return s[HEX_LEN] == '\0';
}

/* "NAME) = HASH", after "SHA256 (". */
static gboolean
split_bsd (char      *s,
           gsize      len,
           gboolean   escaped,
           char     **digest,
           char     **name)
{
  gsize i;

  if (len == 0)
    return FALSE;
  for (i = len - 1; i > 0 && s[i] != ')'; i--)
    ;
  if (s[i] != ')')
    return FALSE;
  *name = s;
  if (escaped && !unescape_name (s, i))
    return FALSE;
  s[i++] = '\0';
  while (IS_BLANK (s[i]))
    i++;
  if (s[i++] != '=')
    return FALSE;
  while (IS_BLANK (s[i]))
    i++;
  *digest = s + i;
  return is_digest (*digest);
}

/* Splits a NUL-terminated line of @len bytes into its digest and name, in
 * place, as coreutils' split_3() does; FALSE if it is improperly formatted. */
static gboolean
split_line (Check  *self,
            char   *s,
            gsize   len,
            char  **digest,
            char  **name)
{
  gboolean escaped = FALSE;
  gsize i = 0;

  while (IS_BLANK (s[i]))
    i++;
  if (s[i] == '\\')
    {
      i++;
      escaped = TRUE;
    }
  if (strncmp (s + i, "SHA256", 6) == 0)
    {
      i += 6;
      if (s[i] == ' ')
        i++;
      if (s[i] != '(')
        return FALSE;
      i++;
      return split_bsd (s + i, len - i, escaped, digest, name);
    }
  if (len - i < HEX_LEN + 2 + (s[i] == '\\'))
    return FALSE;
  *digest = s + i;
  i += HEX_LEN;
  if (!IS_BLANK (s[i]))
    return FALSE;
  s[i++] = '\0';
  if (!is_digest (*digest))
    return FALSE;
  /* "HASH NAME" (BSD reversed) and "HASH  NAME" never mix in one run. */
  if (len - i == 1 || (s[i] != ' ' && s[i] != '*'))
    {
      if (self->bsd_reversed == 0)
        return FALSE;
      self->bsd_reversed = 1;
    }
  else if (self->bsd_reversed != 1)
    {
      self->bsd_reversed = 0;
      i++;
    }
  *name = s + i;
  return !escaped || unescape_name (s + i, len - i);
}

static void
add_line (Check      *self,
          LineKind    kind,
          guint       list,
          guint64     number,
          const char *text,
          const char *digest)
{
  CheckLine line = { kind, list, number, g_strdup (text), "", 0 };

  if (kind == LINE_FILE)
    {
      for (guint i = 0; i < HEX_LEN; i++)
        line.digest[i] = g_ascii_tolower (digest[i]);
      line.file = self->files->len;
      g_ptr_array_add (self->files, line.text);
    }
  g_array_append_val (self->lines, line);
}

/* Adds the lines of one list held in @data (@size bytes, NUL after them). */
static void
parse_list (Check *self,
            guint  list,
            char  *data,
            gsize  size)
{
  gboolean is_stdin = strcmp (self->lists[list], "-") == 0;
  guint64 number = 0;
  gsize start = 0;

  while (start < size)
    {
      char *line = data + start;
      char *newline = memchr (line, '\n', size - start);
      gsize len = newline != NULL ? (gsize) (newline - line) : size - start;
      char *digest, *name;

      start += len + 1;
      number++;
      if (line[0] == '#')
        continue;
      if (len > 0 && line[len - 1] == '\r')
        len--;
      if (len == 0)
        continue;
      line[len] = '\0';
      if (split_line (self, line, len, &digest, &name) && !(is_stdin && strcmp (name, "-") == 0))
        add_line (self, LINE_FILE, list, number, name, digest);
      else
        add_line (self, LINE_BAD, list, number, NULL, NULL);
    }
  add_line (self, LIST_END, list, number, NULL, NULL);
}

/* Reads a whole list; NULL with errno set if it cannot be read. */
static char *
read_list (const char *path,
           gsize      *size)
{
  FILE *in = strcmp (path, "-") == 0 ? stdin : fopen (path, "re");
  GByteArray *data;
  guint8 buffer[65536];
  size_t n;
  int saved;

  if (in == NULL)
    return NULL;
  data = g_byte_array_new ();
  while ((n = fread (buffer, 1, sizeof buffer, in)) > 0)
    g_byte_array_append (data, buffer, n);
  saved = ferror (in) ? errno : 0;
  if (in != stdin)
    fclose (in);
  if (saved != 0)
    {
      g_byte_array_unref (data);
      errno = saved;
      return NULL;
    }
  *size = data->len;
  g_byte_array_append (data, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (data, FALSE);
}

/* ---- Reporting, in list order ----------------------------------------- */

static const char *
list_name (Check *self,
           guint  list)
{
  return strcmp (self->lists[list], "-") == 0 ? "standard input" : self->lists[list];
}

/* Writes "prog: QUOTED-NAME: MESSAGE" (printf-style) on standard error. */
static void G_GNUC_PRINTF (2, 3)
complain (const char *name,
          const char *format,
          ...)
{
  g_autofree char *quoted = checksum_name_quote (name);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fflush (stdout);
  fprintf (stderr, "%s: %s: %s\n", PROGRAM, quoted, message);
}

static void
warn (const char *what,
      guint64     n,
      const char *one,
      const char *many)
{
  if (n == 0)
    return;
  fflush (stdout);
  fprintf (stderr, "%s: WARNING: %" G_GUINT64_FORMAT " %s %s\n", PROGRAM, n, n == 1 ? one : many, what);
}

static void
print_verdict (Check      *self,
               const char *name,
               const char *verdict)
{
  gboolean escape = strchr (name, '\n') != NULL;

  if (self->options->status)
    return;
  if (escape)
    putchar ('\\');
  checksum_name_print (stdout, name, escape);
  printf (": %s\n", verdict);
}

static void
report_file (Check     *self,
             CheckLine *line)
{
  HashResult *result = self->results[line->file];

  self->counts.any_good = TRUE;
  if (result->error != NULL)
    {
      self->counts.unreadable++;
      complain (line->text, "%s", result->error->message);
      print_verdict (self, line->text, "FAILED open or read");
    }
  else if (strcmp (result->digest, line->digest) != 0)
    {
      self->counts.mismatched++;
      print_verdict (self, line->text, "FAILED");
    }
  else if (!self->options->quiet)
    print_verdict (self, line->text, "OK");
  g_clear_pointer (&self->results[line->file], hash_result_free);
}

static void
report_list_end (Check     *self,
                 CheckLine *line)
{
  ListCounts *counts = &self->counts;

  if (!counts->any_good)
    complain (list_name (self, line->list), "no properly formatted checksum lines found");
  else if (!self->options->status)
    {
      warn ("improperly formatted", counts->bad_lines, "line is", "lines are");
      warn ("could not be read", counts->unreadable, "listed file", "listed files");
      warn ("did NOT match", counts->mismatched, "computed checksum", "computed checksums");
    }
  if (!counts->any_good || counts->unreadable > 0 || counts->mismatched > 0 ||
      (self->options->strict && counts->bad_lines > 0))
    self->failed = TRUE;
  memset (counts, 0, sizeof *counts);
}

/* Reports every line whose outcome is known, in order. */
static void
flush_in_order (Check *self)
{
  for (; self->next < self->lines->len; self->next++)
    {
      CheckLine *line = &g_array_index (self->lines, CheckLine, self->next);

      switch (line->kind)
        {
        case LINE_FILE:
          if (self->results[line->file] == NULL)
            return;
          report_file (self, line);
          break;
        case LINE_BAD:
          self->counts.bad_lines++;
          if (self->options->warn)
            complain (list_name (self, line->list),
                      "%" G_GUINT64_FORMAT ": improperly formatted SHA256 checksum line", line->number);
          break;
        case LIST_END:
          report_list_end (self, line);
          break;
        case LIST_UNREADABLE:
          complain (line->text, "%s", g_strerror (line->number));
          self->failed = TRUE;
          break;
        }
    }
  fflush (stdout);
}

/* ---- Running ---------------------------------------------------------- */

static void
on_result (HashJob    *job,
           HashResult *result,
           gpointer    user_data)
{
  Check *self = user_data;

  if (result == NULL)
    {
      g_main_loop_quit (self->loop);
      return;
    }
  self->results[result->index] = result;
  flush_in_order (self);
}

static gboolean
on_sigint (gpointer user_data)
{
  Check *self = user_data;

  hash_job_cancel (self->job);
  fflush (stdout);
  fprintf (stderr, "%s: interrupted\n", PROGRAM);
  /* As when listing: a worker may be blocked in a read that never ends. */
  _exit (130);
  return G_SOURCE_REMOVE;
}

static void
parse_lists (Check *self)
{
  for (guint i = 0; self->lists[i] != NULL; i++)
    {
      gsize size = 0;
      g_autofree char *data = read_list (self->lists[i], &size);

      if (data == NULL)
        {
          /* The list's own name, errno kept in the number field. */
          add_line (self, LIST_UNREADABLE, i, errno, self->lists[i], NULL);
          continue;
        }
      parse_list (self, i, data, size);
    }
}

int
checksum_check_run (const char *const  *lists,
                    const CheckOptions *options)
{
  Check self = { options, lists, -1 };
  guint sigint;

  self.lines = g_array_new (FALSE, TRUE, sizeof (CheckLine));
  self.files = g_ptr_array_new ();
  parse_lists (&self);

  self.job = hash_job_new_for_files ((const char *const *) self.files->pdata, self.files->len,
                                     options->jobs);
  self.results = g_new0 (HashResult *, self.files->len + 1);
  self.loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_sigint, &self);
  hash_job_start (self.job, NULL, on_result, &self);
  g_main_loop_run (self.loop);
  g_source_remove (sigint);
  flush_in_order (&self);

  for (guint i = 0; i < self.lines->len; i++)
    g_free (g_array_index (self.lines, CheckLine, i).text);
  g_array_unref (self.lines);
  g_ptr_array_unref (self.files);
  g_free (self.results);
  hash_job_free (self.job);
  g_main_loop_unref (self.loop);
  return self.failed ? 1 : 0;
}
