/* gasync-gio-stream.h: GInputStream and GOutputStream operations as futures
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
#error "Only <gasync/gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-future.h"
#include "gasync-version-macros.h"

G_BEGIN_DECLS

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_input_stream_read_bytes  (GInputStream             *stream,
                                               gsize                     count) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_input_stream_read_all    (GInputStream             *stream) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_input_stream_close       (GInputStream             *stream) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_output_stream_write_all  (GOutputStream            *stream,
                                               GBytes                   *bytes) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_output_stream_splice     (GOutputStream            *stream,
                                               GInputStream             *source,
                                               GOutputStreamSpliceFlags  flags) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_output_stream_close      (GOutputStream            *stream) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
