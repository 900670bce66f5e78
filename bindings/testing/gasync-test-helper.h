/* gasync-test-helper.h: C workers for the binding tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gasync/gasync.h>

G_BEGIN_DECLS

void          gasync_test_feed_channel        (GAsyncSender  *sender,
                                               guint          n_threads,
                                               guint          n_items);
void          gasync_test_resolve_later       (GAsyncPromise *promise,
                                               guint          delay_msec,
                                               gint           value);
void          gasync_test_reject_later        (GAsyncPromise *promise,
                                               guint          delay_msec,
                                               const char    *message);
GAsyncFuture *gasync_test_spawn_sum           (GAsyncRuntime *runtime,
                                               guint          n);
GAsyncFuture *gasync_test_spawn_delayed       (GAsyncRuntime *runtime,
                                               guint          delay_msec,
                                               gint           value);
GAsyncFuture *gasync_test_spawn_blocking_sleep (GAsyncRuntime *runtime,
                                                guint          msec);
gboolean      gasync_test_is_main_thread      (void);

G_END_DECLS
