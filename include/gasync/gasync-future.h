/* gasync-future.h: GAsyncFuture, a value that becomes available later
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
#error "Only <gasync/gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-version-macros.h"

G_BEGIN_DECLS

/**
 * GAsyncFutureState:
 * @GASYNC_FUTURE_PENDING: the future has not completed yet.
 * @GASYNC_FUTURE_RESOLVED: the future completed with a value.
 * @GASYNC_FUTURE_REJECTED: the future completed with an error.
 *
 * The state of a #GAsyncFuture. A future leaves %GASYNC_FUTURE_PENDING
 * exactly once and never changes afterwards.
 *
 * Since: 0.1
 */
typedef enum /*< underscore_name=gasync_future_state >*/ {
  GASYNC_FUTURE_PENDING,
  GASYNC_FUTURE_RESOLVED,
  GASYNC_FUTURE_REJECTED,
} GAsyncFutureState;

#define GASYNC_TYPE_FUTURE (gasync_future_get_type ())

GASYNC_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (GAsyncFuture, gasync_future, GASYNC, FUTURE, GObject)

/**
 * GAsyncFutureClass:
 * @parent_class: the parent class.
 *
 * The class of #GAsyncFuture. It has no virtual functions: gasync derives
 * its own future types (such as #GAsyncPromise) from it, applications use
 * those rather than subclassing.
 *
 * Since: 0.1
 */
struct _GAsyncFutureClass
{
  GObjectClass parent_class;
};

/**
 * GAsyncFunc:
 * @cancellable: (nullable): a #GCancellable the work should honour
 * @user_data: (closure): the data passed along with the function
 *
 * Starts asynchronous work and returns the future that completes when the
 * work does. It is called with the #GMainContext the work should use as
 * thread-default, so GIO operations started inside it complete there.
 *
 * Returns: (transfer full): the future of the work
 *
 * Since: 0.1
 */
typedef GAsyncFuture *(*GAsyncFunc) (GCancellable *cancellable,
                                     gpointer      user_data);

/**
 * GAsyncFutureCallback:
 * @completed: the future that completed
 * @user_data: (closure): the data passed when the callback was registered
 *
 * A continuation run after @completed settled, from the #GMainContext that
 * was thread-default when it was registered.
 *
 * Returns: (transfer full) (nullable): a future whose outcome the derived
 *   future takes over, or %NULL for the derived future to settle like
 *   @completed
 *
 * Since: 0.1
 */
typedef GAsyncFuture *(*GAsyncFutureCallback) (GAsyncFuture *completed,
                                               gpointer      user_data);

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_new_resolved        (const GValue  *value) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_new_for_error       (GError        *error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_new_for_error_literal (GQuark       domain,
                                                      gint          code,
                                                      const char   *message) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_new_for_boolean     (gboolean       v_boolean) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_new_for_int         (gint           v_int) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_new_for_string      (const char    *v_string) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_new_for_object      (gpointer       v_object) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_new_for_variant     (GVariant      *v_variant) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_new_for_pointer     (gpointer       v_pointer,
                                                      GDestroyNotify destroy) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_ALL
void               gasync_future_set_name            (GAsyncFuture  *future,
                                                      const char    *name);
GASYNC_AVAILABLE_IN_ALL
const char        *gasync_future_get_name            (GAsyncFuture  *future);
GASYNC_AVAILABLE_IN_ALL
GAsyncFutureState  gasync_future_get_state           (GAsyncFuture  *future);
GASYNC_AVAILABLE_IN_ALL
GType              gasync_future_get_value_type      (GAsyncFuture  *future);
GASYNC_AVAILABLE_IN_ALL
gboolean           gasync_future_get_value           (GAsyncFuture  *future,
                                                      GValue        *value,
                                                      GError       **error);
GASYNC_AVAILABLE_IN_ALL
GValue            *gasync_future_dup_value           (GAsyncFuture  *future,
                                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
const GError      *gasync_future_get_error           (GAsyncFuture  *future);
GASYNC_AVAILABLE_IN_ALL
gboolean           gasync_future_get_boolean         (GAsyncFuture  *future,
                                                      GError       **error);
GASYNC_AVAILABLE_IN_ALL
gint               gasync_future_get_int             (GAsyncFuture  *future,
                                                      GError       **error);
GASYNC_AVAILABLE_IN_ALL
char              *gasync_future_dup_string          (GAsyncFuture  *future,
                                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
gpointer           gasync_future_dup_object          (GAsyncFuture  *future,
                                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GVariant          *gasync_future_dup_variant         (GAsyncFuture  *future,
                                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
gpointer           gasync_future_get_pointer         (GAsyncFuture  *future,
                                                      GError       **error);

GASYNC_AVAILABLE_IN_ALL
void               gasync_future_cancel              (GAsyncFuture  *future);

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_and_then            (GAsyncFuture         *future,
                                                      GAsyncFutureCallback  callback,
                                                      gpointer              user_data,
                                                      GDestroyNotify        destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_or_else             (GAsyncFuture         *future,
                                                      GAsyncFutureCallback  callback,
                                                      gpointer              user_data,
                                                      GDestroyNotify        destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture      *gasync_future_on_settled          (GAsyncFuture         *future,
                                                      GAsyncFutureCallback  callback,
                                                      gpointer              user_data,
                                                      GDestroyNotify        destroy) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_ALL
void               gasync_future_wait_async          (GAsyncFuture         *future,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GASYNC_AVAILABLE_IN_ALL
gboolean           gasync_future_wait_finish         (GAsyncFuture         *future,
                                                      GAsyncResult         *result,
                                                      GValue               *value,
                                                      GError              **error);
GASYNC_AVAILABLE_IN_ALL
gboolean           gasync_future_wait                (GAsyncFuture         *future,
                                                      GCancellable         *cancellable,
                                                      GValue               *value,
                                                      GError              **error);

GASYNC_AVAILABLE_IN_ALL
void               gasync_future_return_to_task      (GAsyncFuture         *future,
                                                      GTask                *task);


G_END_DECLS
