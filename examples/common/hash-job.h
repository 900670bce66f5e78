/* hash-job.h: hash many files on gasync's blocking pool, results on a main context
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by examples/gasync-checksum.c (a command-line tool) and
 * examples/gtk/gasync-hasher.c (a GTK 4 application).
 */

#pragma once

#include <gasync/gasync.h>

G_BEGIN_DECLS

typedef struct
{
  guint    index;     /* position in the job's file list */
  guint64  size;      /* bytes hashed */
  char    *digest;    /* hex SHA-256, or NULL with error set */
  GError  *error;
} HashResult;

void hash_result_free (HashResult *result);

typedef struct _HashJob HashJob;

/* Called on the job's context for each file, in completion order (it owns
 * @result), then once with @result NULL when every worker has stopped:
 * after the last file, or after hash_job_cancel(). */
typedef void (*HashResultFunc) (HashJob    *job,
                                HashResult *result,
                                gpointer    user_data);

/* @paths: files, and directories whose regular files are hashed
 * recursively (in sorted order). A path that cannot be read is not an
 * error here: it becomes a file whose result carries the error. */
HashJob     *hash_job_new        (const char *const *paths,
                                  guint              n_workers);
/* @files: exactly these paths, in this order, directories included (their
 * results carry an error); nothing is walked. */
HashJob     *hash_job_new_for_files (const char *const *files,
                                     guint              n_files,
                                     guint              n_workers);
guint        hash_job_get_n_files (HashJob         *job);
const char  *hash_job_get_path   (HashJob          *job,
                                  guint             index);
/* Spawns the workers (gasync_spawn_blocking) and attaches the results
 * channel to @context (NULL: the global default). */
void         hash_job_start      (HashJob          *job,
                                  GMainContext     *context,
                                  HashResultFunc    func,
                                  gpointer          user_data);
/* Stops the workers: files not started are skipped, a file being hashed
 * stops at its next block. The final NULL result still comes. */
void         hash_job_cancel     (HashJob          *job);
gboolean     hash_job_is_cancelled (HashJob        *job);
void         hash_job_free       (HashJob          *job);

G_END_DECLS
