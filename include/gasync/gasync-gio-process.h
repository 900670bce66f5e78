/* gasync-gio-process.h: futures for GSubprocess
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
GAsyncFuture *gasync_subprocess_wait             (GSubprocess *subprocess) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_subprocess_wait_check       (GSubprocess *subprocess) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_subprocess_communicate_utf8 (GSubprocess *subprocess,
                                                  const char  *stdin_buf) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
