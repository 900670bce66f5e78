/* gasync-checksum-check.h: gasync-checksum --check
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint    jobs;     /* files hashed at once */
  gboolean quiet;    /* no "NAME: OK" lines */
  gboolean status;   /* nothing on standard output, the exit status says it */
  gboolean strict;   /* an improperly formatted line fails the check */
  gboolean warn;     /* say which lines are improperly formatted */
} CheckOptions;

/* Verifies the sha256sum-format @lists ("-" is standard input) as
 * "sha256sum -c" does and returns its exit status: 0 when every listed
 * file matched, 1 otherwise. */
int checksum_check_run (const char *const  *lists,
                        const CheckOptions *options);

G_END_DECLS
