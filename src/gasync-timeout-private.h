/* gasync-timeout-private.h: the timeout future that rejects
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-future.h"

G_BEGIN_DECLS

/* Like gasync_timeout_new(), but rejects with GASYNC_ERROR_TIMED_OUT when
 * @msec have passed: the timer half of gasync_future_with_timeout(). */
GAsyncFuture *_gasync_timeout_new_rejecting (guint msec) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
