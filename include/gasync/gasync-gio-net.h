/* gasync-gio-net.h: futures for name resolution and socket connections
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
GAsyncFuture *gasync_resolver_lookup_by_name      (GResolver       *resolver,
                                                   const char      *hostname) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_socket_client_connect_to_host (GSocketClient   *client,
                                                   const char      *host_and_port,
                                                   guint16          default_port) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_ALL
GAsyncFuture *gasync_socket_listener_accept        (GSocketListener *listener) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
