/* gasync-deadline-private.h: what tests can see of deadlines
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many deadline timers exist: attached, or fired and not yet freed. */
guint _gasync_deadline_get_n_timers (void);

G_END_DECLS
