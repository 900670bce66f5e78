/* gasync-interval-private.h: what tests can see of intervals
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  GASYNC_INTERVAL_TICK_DELIVERED,   /* @tick was sent */
  GASYNC_INTERVAL_TICK_SKIPPED,     /* @tick was due, the channel was full */
  GASYNC_INTERVAL_STOPPED,          /* the timer source is gone (@tick: 0) */
} GAsyncIntervalEvent;

/* Called on the timer thread after each tick, and wherever an interval's
 * timer is freed (STOPPED), with no gasync lock held. One hook for the
 * process; NULL removes it. */
typedef void (*GAsyncIntervalHook) (GAsyncIntervalEvent event,
                                    gint64              tick,
                                    gpointer            user_data);

void _gasync_interval_set_hook (GAsyncIntervalHook hook,
                                gpointer           user_data);

G_END_DECLS
