/* gasync-timer-private.h: the context that deadlines and intervals run on
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A GMainContext iterated by a thread of gasync's ("gasync-timers"),
 * started on first use and never stopped: a timer attached to it fires
 * whether or not the program iterates any context of its own (a thread
 * blocked in gasync_future_wait(), say). What a timer's dispatch does must
 * be short and must not run user code: it settles a future or sends an
 * item, and whoever waits on those runs on its own context. (transfer
 * none: the context lives for the rest of the process.) */
GMainContext *_gasync_timer_get_context (void);

G_END_DECLS
