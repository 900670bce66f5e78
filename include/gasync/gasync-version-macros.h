/* gasync-version-macros.h: visibility and availability macros
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
#error "Only <gasync/gasync.h> can be included directly."
#endif

#include <glib.h>

#include "gasync-version.h"

#ifndef _GASYNC_EXTERN
# define _GASYNC_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * GASYNC_VERSION_0_1:
 *
 * A macro that evaluates to the 0.1 version of gasync, in a format
 * that can be used by %GASYNC_VERSION_MIN_REQUIRED and
 * %GASYNC_VERSION_MAX_ALLOWED.
 *
 * Since: 0.1
 */
#define GASYNC_VERSION_0_1 (G_ENCODE_VERSION (0, 1))

/**
 * GASYNC_VERSION_CUR_STABLE:
 *
 * The current stable version of gasync, in the format of
 * %GASYNC_VERSION_0_1.
 *
 * Since: 0.1
 */
#define GASYNC_VERSION_CUR_STABLE (G_ENCODE_VERSION (GASYNC_MAJOR_VERSION, GASYNC_MINOR_VERSION))

/**
 * GASYNC_VERSION_PREV_STABLE:
 *
 * The stable version of gasync before %GASYNC_VERSION_CUR_STABLE, in the
 * same format; 0.1 is the first, so both are the same.
 *
 * Since: 0.1
 */
#define GASYNC_VERSION_PREV_STABLE GASYNC_VERSION_CUR_STABLE

/**
 * GASYNC_VERSION_MIN_REQUIRED:
 *
 * Define it before including `<gasync/gasync.h>` to the oldest gasync
 * version (for example %GASYNC_VERSION_0_1) the program must build with:
 * API deprecated in later versions then stays warning-free. Defaults to
 * %GASYNC_VERSION_CUR_STABLE.
 *
 * Since: 0.1
 */
#ifndef GASYNC_VERSION_MIN_REQUIRED
# define GASYNC_VERSION_MIN_REQUIRED (GASYNC_VERSION_CUR_STABLE)
#endif

/**
 * GASYNC_VERSION_MAX_ALLOWED:
 *
 * Define it before including `<gasync/gasync.h>` to the newest gasync
 * version whose API the program may use: anything newer warns. Defaults
 * to %GASYNC_VERSION_CUR_STABLE.
 *
 * Since: 0.1
 */
#ifndef GASYNC_VERSION_MAX_ALLOWED
# define GASYNC_VERSION_MAX_ALLOWED (GASYNC_VERSION_CUR_STABLE)
#endif

#if GASYNC_VERSION_MAX_ALLOWED < GASYNC_VERSION_MIN_REQUIRED
# error "GASYNC_VERSION_MAX_ALLOWED must be >= GASYNC_VERSION_MIN_REQUIRED"
#endif

#define GASYNC_AVAILABLE_IN_ALL _GASYNC_EXTERN

#ifdef GASYNC_DISABLE_DEPRECATION_WARNINGS
# define GASYNC_DEPRECATED _GASYNC_EXTERN
# define GASYNC_DEPRECATED_FOR(f) _GASYNC_EXTERN
# define GASYNC_UNAVAILABLE(maj,min) _GASYNC_EXTERN
#else
# define GASYNC_DEPRECATED G_DEPRECATED _GASYNC_EXTERN
# define GASYNC_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _GASYNC_EXTERN
# define GASYNC_UNAVAILABLE(maj,min) G_UNAVAILABLE (maj, min) _GASYNC_EXTERN
#endif

#if GASYNC_VERSION_MIN_REQUIRED >= GASYNC_VERSION_0_1
# define GASYNC_DEPRECATED_IN_0_1 GASYNC_DEPRECATED
# define GASYNC_DEPRECATED_IN_0_1_FOR(f) GASYNC_DEPRECATED_FOR (f)
#else
# define GASYNC_DEPRECATED_IN_0_1 _GASYNC_EXTERN
# define GASYNC_DEPRECATED_IN_0_1_FOR(f) _GASYNC_EXTERN
#endif

#if GASYNC_VERSION_MAX_ALLOWED < GASYNC_VERSION_0_1
# define GASYNC_AVAILABLE_IN_0_1 GASYNC_UNAVAILABLE (0, 1)
#else
# define GASYNC_AVAILABLE_IN_0_1 _GASYNC_EXTERN
#endif
