/* gasync.h: futures, block_on, spawn, join and channels for GLib
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define GASYNC_INSIDE

#include "gasync-version.h"
#include "gasync-version-macros.h"
#include "gasync-enums.h"
#include "gasync-error.h"
#include "gasync-future.h"
#include "gasync-promise.h"
#include "gasync-block-on.h"
#include "gasync-runtime.h"
#include "gasync-combinators.h"
#include "gasync-channel.h"
#include "gasync-limiter.h"
#include "gasync-task-group.h"
#include "gasync-watch.h"
#include "gasync-broadcast.h"
#include "gasync-deadline.h"
#include "gasync-map.h"
#include "gasync-gio-process.h"
#include "gasync-gio-dbus.h"
#include "gasync-gio-net.h"
#include "gasync-gio-file.h"
#include "gasync-gio-stream.h"
#include "gasync-fiber.h"

#undef GASYNC_INSIDE
