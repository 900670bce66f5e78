/* gasync-error.h: the GASYNC_ERROR domain
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
#error "Only <gasync/gasync.h> can be included directly."
#endif

#include <glib.h>

#include "gasync-version-macros.h"

G_BEGIN_DECLS

/**
 * GASYNC_ERROR:
 *
 * The error domain of gasync's own errors. Errors of this domain carry a
 * #GAsyncError code. Cancellation is reported with GIO's own
 * %G_IO_ERROR_CANCELLED instead.
 *
 * Since: 0.1
 */
#define GASYNC_ERROR (gasync_error_quark ())

/**
 * GAsyncError:
 * @GASYNC_ERROR_FAILED: a generic failure without a more specific code.
 * @GASYNC_ERROR_CLOSED: the channel, runtime or other endpoint is closed
 *   and no longer accepts or delivers items.
 * @GASYNC_ERROR_TIMED_OUT: the operation did not complete within its
 *   timeout.
 * @GASYNC_ERROR_DROPPED: the last reference that could have completed a
 *   pending future was dropped, so the future can never complete.
 * @GASYNC_ERROR_WOULD_DEADLOCK: waiting here could only hang, for example
 *   blocking a runtime worker thread on work queued behind it.
 * @GASYNC_ERROR_FULL: a bounded channel has no room and the call does not
 *   wait.
 * @GASYNC_ERROR_EMPTY: a channel has no item and the call does not wait.
 * @GASYNC_ERROR_PENDING: the future has not completed yet.
 * @GASYNC_ERROR_TYPE_MISMATCH: a value does not have, and cannot be
 *   converted to, the requested type.
 * @GASYNC_ERROR_INVALID_ARGUMENT: an argument was not valid, for example a
 *   start function that returned no future.
 * @GASYNC_ERROR_ALL_FAILED: every input of a combinator such as
 *   gasync_future_any() was rejected.
 *
 * Error codes of the %GASYNC_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum /*< underscore_name=gasync_error >*/ {
  GASYNC_ERROR_FAILED,
  GASYNC_ERROR_CLOSED,
  GASYNC_ERROR_TIMED_OUT,
  GASYNC_ERROR_DROPPED,
  GASYNC_ERROR_WOULD_DEADLOCK,
  GASYNC_ERROR_FULL,
  GASYNC_ERROR_EMPTY,
  GASYNC_ERROR_PENDING,
  GASYNC_ERROR_TYPE_MISMATCH,
  GASYNC_ERROR_INVALID_ARGUMENT,
  GASYNC_ERROR_ALL_FAILED,
} GAsyncError;

GASYNC_AVAILABLE_IN_ALL
GQuark gasync_error_quark (void);

G_END_DECLS
