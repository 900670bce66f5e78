/* gasync-gio-file-private.h: test hooks of the GFile futures
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many GFileEnumerator opened by gasync_file_enumerate() are still
 * alive (not finalized), from any thread: a test checks that dropping the
 * receiver closes and frees the enumerator. */
guint _gasync_file_enumerate_get_n_alive (void);

G_END_DECLS
