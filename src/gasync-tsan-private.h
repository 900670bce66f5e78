/* gasync-tsan-private.h: locking that ThreadSanitizer can see through
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* On Linux, GLib's GMutex and GCond are built on futexes and atomics inside
 * libglib, which is not instrumented, so ThreadSanitizer cannot see the
 * happens-before edges they create and reports every access they protect
 * as a race. gasync therefore locks through these wrappers, which tell
 * TSan about each acquire and release explicitly (on the lock's address).
 * Outside -fsanitize=thread builds they compile to the plain GLib calls.
 *
 * The same annotations mark hand-offs through other uninstrumented GLib
 * primitives (GAsyncQueue push/pop, GObject's atomic reference count
 * before finalize): GASYNC_TSAN_RELEASE (obj) on the sending side,
 * GASYNC_TSAN_ACQUIRE (obj) on the receiving side. */

#if defined(__SANITIZE_THREAD__)
# define GASYNC_HAVE_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define GASYNC_HAVE_TSAN 1
# endif
#endif

#ifdef GASYNC_HAVE_TSAN
void __tsan_acquire (void *addr);
void __tsan_release (void *addr);
# define GASYNC_TSAN_ACQUIRE(addr) __tsan_acquire ((void *) (addr))
# define GASYNC_TSAN_RELEASE(addr) __tsan_release ((void *) (addr))
#else
# define GASYNC_TSAN_ACQUIRE(addr) G_STMT_START { (void) (addr); } G_STMT_END
# define GASYNC_TSAN_RELEASE(addr) G_STMT_START { (void) (addr); } G_STMT_END
#endif

static inline void
gasync_mutex_lock (GMutex *mutex)
{
  g_mutex_lock (mutex);
  GASYNC_TSAN_ACQUIRE (mutex);
}

static inline gboolean
gasync_mutex_trylock (GMutex *mutex)
{
  if (!g_mutex_trylock (mutex))
    return FALSE;
  GASYNC_TSAN_ACQUIRE (mutex);
  return TRUE;
}

static inline void
gasync_mutex_unlock (GMutex *mutex)
{
  GASYNC_TSAN_RELEASE (mutex);
  g_mutex_unlock (mutex);
}

static inline void
gasync_cond_wait (GCond  *cond,
                  GMutex *mutex)
{
  GASYNC_TSAN_RELEASE (mutex);
  g_cond_wait (cond, mutex);
  GASYNC_TSAN_ACQUIRE (mutex);
}

static inline gboolean
gasync_cond_wait_until (GCond  *cond,
                        GMutex *mutex,
                        gint64  end_time)
{
  gboolean ret;

  GASYNC_TSAN_RELEASE (mutex);
  ret = g_cond_wait_until (cond, mutex, end_time);
  GASYNC_TSAN_ACQUIRE (mutex);
  return ret;
}

G_END_DECLS
