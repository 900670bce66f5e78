/* gasync-fiber-private.h: what the tests and benchmarks read of fibers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The stacks and the switch have their own private headers
 * (gasync-fiber-stack-private.h, gasync-fiber-switch-private.h).
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many times fibers suspended on the calling thread (a fiber that
 * reads this before and after a gasync_await() sees whether it switched). */
guint64  _gasync_fiber_thread_count_suspends (void);

G_END_DECLS
