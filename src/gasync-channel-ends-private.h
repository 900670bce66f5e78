/* gasync-channel-ends-private.h: making a channel's sender and receiver
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-channel-core-private.h"

G_BEGIN_DECLS

/* Each takes a new reference to @chan. gasync_channel_new()
 * (gasync-channel.c) makes the first sender and the receiver with them. */
GAsyncSender   *_gasync_sender_new_for_channel   (GAsyncChannel *chan);
GAsyncReceiver *_gasync_receiver_new_for_channel (GAsyncChannel *chan);

G_END_DECLS
