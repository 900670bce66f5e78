/* gasync-gio-file.h: GFile operations as futures
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
#error "Only <gasync/gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-channel.h"
#include "gasync-future.h"
#include "gasync-version-macros.h"

G_BEGIN_DECLS

/**
 * GASYNC_FILE_ENUMERATE_BATCH:
 *
 * How many #GFileInfo gasync_file_enumerate() asks
 * g_file_enumerator_next_files_async() for at a time; the receiver's
 * channel holds at most twice as many.
 *
 * Since: 0.1
 */
#define GASYNC_FILE_ENUMERATE_BATCH 64

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_file_load_bytes                (GFile               *file) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_file_replace_contents          (GFile               *file,
                                                     GBytes              *contents,
                                                     const char          *etag,
                                                     gboolean             make_backup,
                                                     GFileCreateFlags     flags) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_file_query_info                (GFile               *file,
                                                     const char          *attributes,
                                                     GFileQueryInfoFlags  flags) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_file_enumerate                 (GFile               *file,
                                                     const char          *attributes,
                                                     GFileQueryInfoFlags  flags) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_file_make_directory            (GFile               *file) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_file_make_directory_with_parents (GFile             *file) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_file_delete                    (GFile               *file) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_file_copy                      (GFile               *source,
                                                     GFile               *destination,
                                                     GFileCopyFlags       flags,
                                                     GAsyncSender        *progress) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_file_move                      (GFile               *source,
                                                     GFile               *destination,
                                                     GFileCopyFlags       flags,
                                                     GAsyncSender        *progress) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
