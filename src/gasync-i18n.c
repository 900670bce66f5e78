/* gasync-i18n.c: translation of gasync's own messages
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <libintl.h>
#include <glib.h>

#include "gasync-i18n-private.h"

static void
ensure_text_domain (void)
{
  static gsize inited = 0;

  if (g_once_init_enter (&inited))
    {
      const char *localedir = g_getenv ("GASYNC_LOCALEDIR");

      bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : GASYNC_LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&inited, 1);
    }
}

const char *
_gasync_gettext (const char *msgid)
{
  ensure_text_domain ();
  return g_dgettext (GETTEXT_PACKAGE, msgid);
}
