/* gasync-gio-dbus.h: futures for GDBus calls and method replies
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

GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_dbus_connection_call                (GDBusConnection       *connection,
                                                          const char            *bus_name,
                                                          const char            *object_path,
                                                          const char            *interface_name,
                                                          const char            *method_name,
                                                          GVariant              *parameters,
                                                          const GVariantType    *reply_type,
                                                          GDBusCallFlags         flags,
                                                          gint                   timeout_msec) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
void          gasync_dbus_method_invocation_return_future (GDBusMethodInvocation *invocation,
                                                          GAsyncFuture          *future);

G_END_DECLS
