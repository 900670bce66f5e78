/* gasync-receiver-source-private.h: delivering a channel's items on a main context
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-channel-core-private.h"

G_BEGIN_DECLS

guint receiver_source_attach (GAsyncChannel     *chan,
                              GAsyncReceiver    *receiver,
                              GMainContext      *context,
                              GAsyncReceiveFunc  func,
                              gpointer           user_data,
                              GDestroyNotify     destroy);

G_END_DECLS
