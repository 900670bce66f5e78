/* gasync-runtime-private.h: GAsyncRuntime internals shared with the tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-runtime.h"

G_BEGIN_DECLS

/* Threads of every GAsyncRuntime that are still running, and a wait for
 * that number to reach @n (FALSE after @timeout_msec). Tests use them to
 * prove that no runtime leaves a thread behind. */
guint     _gasync_runtime_count_live_threads (void);
gboolean  _gasync_runtime_wait_live_threads  (guint n,
                                              guint timeout_msec);

G_END_DECLS
