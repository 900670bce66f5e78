/* gasync-task-group.h: GAsyncTaskGroup, futures that belong together
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

#define GASYNC_TYPE_TASK_GROUP (gasync_task_group_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GAsyncTaskGroup, gasync_task_group, GASYNC, TASK_GROUP, GObject)

GASYNC_AVAILABLE_IN_ALL
GAsyncTaskGroup *gasync_task_group_new            (GAsyncRuntime    *runtime) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture    *gasync_task_group_spawn          (GAsyncTaskGroup  *group,
                                                   GAsyncFunc        func,
                                                   gpointer          user_data,
                                                   GDestroyNotify    destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture    *gasync_task_group_spawn_blocking (GAsyncTaskGroup  *group,
                                                   GAsyncThreadFunc  func,
                                                   gpointer          user_data,
                                                   GDestroyNotify    destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
void             gasync_task_group_add            (GAsyncTaskGroup  *group,
                                                   GAsyncFuture     *future);

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture    *gasync_task_group_next           (GAsyncTaskGroup  *group) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture    *gasync_task_group_wait           (GAsyncTaskGroup  *group) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
void             gasync_task_group_cancel         (GAsyncTaskGroup  *group);
GASYNC_AVAILABLE_IN_ALL
guint            gasync_task_group_get_n_pending  (GAsyncTaskGroup  *group);

G_END_DECLS
