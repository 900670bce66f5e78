/* gasync-i18n-private.h: translation of gasync's own messages
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Binds the gasync-1 text domain on first use (as GLib's ggettext.c does),
 * so an application never has to initialize gasync for its messages to be
 * translated. */
const char *_gasync_gettext (const char *msgid) G_GNUC_FORMAT (1);

#define _(String) _gasync_gettext (String)
#define N_(String) (String)

G_END_DECLS
