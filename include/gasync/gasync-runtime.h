/* gasync-runtime.h: GAsyncRuntime, worker threads that run spawned tasks
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
#include "gasync-version-macros.h"

G_BEGIN_DECLS

/**
 * GAsyncThreadFunc:
 * @cancellable: (nullable): a #GCancellable the work should honour; it is
 *   cancelled when the task's future is cancelled
 * @result: (out caller-allocates): a zero-filled #GValue to initialize
 *   and set to the result; leaving it unset means "no value"
 * @user_data: (closure): the data passed along with the function
 * @error: return location for an error
 *
 * Blocking work run on a thread of a #GAsyncRuntime's blocking pool by
 * gasync_runtime_spawn_blocking(). It may block for as long as it likes:
 * read files, wait on locks, call gasync_block_on().
 *
 * Returns: %TRUE on success, with @result set (or left unset for no
 *   value); %FALSE with @error set on failure
 *
 * Since: 0.1
 */
typedef gboolean (*GAsyncThreadFunc) (GCancellable  *cancellable,
                                      GValue        *result,
                                      gpointer       user_data,
                                      GError       **error);

#define GASYNC_TYPE_RUNTIME (gasync_runtime_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GAsyncRuntime, gasync_runtime, GASYNC, RUNTIME, GObject)

/**
 * GASYNC_RUNTIME_DEFAULT_MAX_BLOCKING_THREADS:
 *
 * The number of threads the blocking pool of a #GAsyncRuntime grows to at
 * most, unless #GAsyncRuntime:max-blocking-threads says otherwise.
 *
 * Since: 0.1
 */
#define GASYNC_RUNTIME_DEFAULT_MAX_BLOCKING_THREADS 512

GASYNC_AVAILABLE_IN_ALL
GAsyncRuntime *gasync_runtime_new                       (guint              n_workers) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncRuntime *gasync_runtime_get_default               (void);
GASYNC_AVAILABLE_IN_ALL
guint          gasync_runtime_get_n_workers             (GAsyncRuntime     *runtime);
GASYNC_AVAILABLE_IN_ALL
guint          gasync_runtime_get_max_blocking_threads  (GAsyncRuntime     *runtime);
GASYNC_AVAILABLE_IN_ALL
gboolean       gasync_runtime_is_closed                 (GAsyncRuntime     *runtime);

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture  *gasync_runtime_spawn                     (GAsyncRuntime     *runtime,
                                                         GAsyncFunc         func,
                                                         gpointer           user_data,
                                                         GDestroyNotify     destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture  *gasync_runtime_spawn_blocking            (GAsyncRuntime     *runtime,
                                                         GAsyncThreadFunc   func,
                                                         gpointer           user_data,
                                                         GDestroyNotify     destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GVariant      *gasync_runtime_get_stats                 (GAsyncRuntime     *runtime) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
gboolean       gasync_runtime_shutdown                  (GAsyncRuntime     *runtime,
                                                         GCancellable      *cancellable,
                                                         GError           **error);

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture  *gasync_spawn                             (GAsyncFunc         func,
                                                         gpointer           user_data,
                                                         GDestroyNotify     destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture  *gasync_spawn_blocking                    (GAsyncThreadFunc   func,
                                                         gpointer           user_data,
                                                         GDestroyNotify     destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture  *gasync_spawn_local                       (GMainContext      *context,
                                                         GAsyncFunc         func,
                                                         gpointer           user_data,
                                                         GDestroyNotify     destroy) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
