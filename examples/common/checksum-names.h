/* checksum-names.h: file names written as GNU sha256sum writes them
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by examples/gasync-checksum.c (listing) and
 * examples/gasync-checksum-check.c (verifying).
 */

#pragma once

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

/* Whether a checksum line for @name must be escaped: it contains a
 * backslash, a newline or a carriage return. */
gboolean  checksum_name_needs_escape (const char *name);

/* Writes @name to @out; when @escape, '\\', '\n' and '\r' are written as
 * the two-character sequences "\\\\", "\\n" and "\\r". */
void      checksum_name_print        (FILE       *out,
                                      const char *name,
                                      gboolean    escape);

/* @name as coreutils quotes a name in a diagnostic (shell-escape quoting,
 * colons included): unchanged when it needs nothing, in double quotes when
 * an apostrophe is its only problem, otherwise in single quotes with
 * apostrophes as '\'' and control characters as '$'\n''. */
char     *checksum_name_quote        (const char *name) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
