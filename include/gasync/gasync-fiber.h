/* gasync-fiber.h: fibers, and gasync_await() for sequential async C
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
#error "Only <gasync/gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-future.h"
#include "gasync-runtime.h"
#include "gasync-version-macros.h"

G_BEGIN_DECLS

/**
 * GASYNC_FIBER_DEFAULT_STACK_SIZE:
 *
 * The size in bytes of a fiber's stack unless gasync_fiber_set_stack_size()
 * or the `GASYNC_FIBER_STACK_SIZE` environment variable says otherwise:
 * 256 KiB, enough for GTK and Pango text work. Only the pages a fiber
 * touches take memory.
 *
 * Since: 0.1
 */
#define GASYNC_FIBER_DEFAULT_STACK_SIZE (256 * 1024)

/**
 * GASYNC_FIBER_MIN_STACK_SIZE:
 *
 * The smallest stack gasync_fiber_set_stack_size() accepts, in bytes.
 *
 * Since: 0.1
 */
#define GASYNC_FIBER_MIN_STACK_SIZE (16 * 1024)

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_fiber_spawn            (GAsyncThreadFunc  func,
                                             gpointer          user_data,
                                             GDestroyNotify    destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_runtime_spawn_fiber    (GAsyncRuntime    *runtime,
                                             GAsyncThreadFunc  func,
                                             gpointer          user_data,
                                             GDestroyNotify    destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
gboolean      gasync_await                  (GAsyncFuture     *future,
                                             GValue           *value,
                                             GError          **error);
GASYNC_AVAILABLE_IN_ALL
gboolean      gasync_fiber_is_current       (void);
GASYNC_AVAILABLE_IN_ALL
void          gasync_fiber_set_stack_size   (gsize             size);
GASYNC_AVAILABLE_IN_ALL
gsize         gasync_fiber_get_stack_size   (void);

G_END_DECLS
