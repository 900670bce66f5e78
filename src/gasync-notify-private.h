/* gasync-notify-private.h: running a settled future's notifies
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-future-private.h"

G_BEGIN_DECLS

/* Runs @notifies (taken off a future that just settled, newest first) in
 * registration order, with @completed (the caller holds a reference on
 * it). A notify may settle another future, whose notifies run in turn:
 * past a depth, they are queued and run, on this thread, before the
 * outermost call returns, so that a chain of any length settles in
 * bounded stack. */
void _gasync_notify_list_run (GAsyncNotify *notifies,
                              GAsyncFuture *completed);

G_END_DECLS
