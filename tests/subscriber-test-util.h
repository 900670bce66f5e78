/* subscriber-test-util.h: helpers shared by the watch and broadcast tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-test-util.h"

G_BEGIN_DECLS

/* The value of @future, which must be resolved with a guint. */
guint         future_uint                     (GAsyncFuture  *future);

/* For a GAsyncFunc that makes a blocking receive on a runtime worker: the
 * future of its outcome, TRUE if @ok, else @error (taken), after checking
 * that the failed call left @value a valid (G_TYPE_POINTER) GValue. */
GAsyncFuture *blocking_outcome                (gboolean       ok,
                                               const GValue  *value,
                                               GError        *error);

/* Runs @func (@data) on the async worker of a new runtime and checks that
 * its blocking receive was refused with WOULD_DEADLOCK; shuts the
 * runtime down. */
void          assert_would_deadlock_on_worker (GAsyncFunc     func,
                                               gpointer       data);

G_END_DECLS
