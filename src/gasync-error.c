/* gasync-error.c: the GASYNC_ERROR domain
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-error.h"

/**
 * gasync_error_quark:
 *
 * Gets the #GQuark of the %GASYNC_ERROR domain.
 *
 * Returns: the error domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (gasync-error-quark, gasync_error)
