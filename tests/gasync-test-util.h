/* gasync-test-util.h: helpers shared by gasync's C tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gasync/gasync.h>

G_BEGIN_DECLS

/* TRUE under `meson test --setup thorough` (or -m thorough): long stress
 * runs go behind it. */
gboolean gasync_test_thorough        (void);
/* TRUE under `meson test --setup valgrind`: stress sizes shrink there. */
gboolean gasync_test_under_valgrind  (void);
/* A stress size: @quick normally, @thorough under the thorough setup,
 * @quick / 10 (at least 1) under valgrind. */
guint    gasync_test_size            (guint quick,
                                      guint thorough);

/* Iterates @context (NULL: the global default) until *@flag is non-zero,
 * failing the test after @timeout_msec. */
void     gasync_test_iterate_until   (GMainContext *context,
                                      const gint   *flag,
                                      guint         timeout_msec);

/* Iterates @context until no source is ready, without blocking. */
void     gasync_test_iterate_pending (GMainContext *context);

/* A one-shot latch that any thread may open and others wait on. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean open;
} GAsyncTestLatch;

void     gasync_test_latch_init      (GAsyncTestLatch *latch);
void     gasync_test_latch_clear     (GAsyncTestLatch *latch);
void     gasync_test_latch_open      (GAsyncTestLatch *latch);
gboolean gasync_test_latch_is_open   (GAsyncTestLatch *latch);
/* Waits up to @timeout_msec; returns whether the latch opened. */
gboolean gasync_test_latch_wait      (GAsyncTestLatch *latch,
                                      guint            timeout_msec);

/* Resolves promises[first], promises[first + step], … below n, each with
 * its index: the body of a resolver thread (g_thread_new data: a batch). */
typedef struct
{
  GAsyncPromise **promises;
  guint           n;
  guint           first;
  guint           step;
} GAsyncTestBatch;

gpointer gasync_test_resolve_batch   (gpointer data);

/* How long any test waits for something another thread or a source
 * should do: generous, only reached when something is broken. */
#define GASYNC_TEST_TIMEOUT_MS 30000

/* Futures settled by GIO calls or other threads, driven from the global
 * default context (where the tests' GIO calls complete). Each fails the
 * test after GASYNC_TEST_TIMEOUT_MS. */

/* Whether this is an AddressSanitizer or ThreadSanitizer build, which
 * runs several times slower. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GASYNC_TEST_SANITIZED TRUE
#else
#define GASYNC_TEST_SANITIZED FALSE
#endif

/* Whether a settled future whose last reference this thread drops is kept
 * for this thread's next one (gasync-future-pool.c): not under the
 * sanitizers. */
#define GASYNC_TEST_RECYCLING (!GASYNC_TEST_SANITIZED)

/* Iterates the global default context until @future settles. */
void     gasync_test_settle          (GAsyncFuture *future);
/* Settles @future (taking it) and asserts it resolved; sets @value. */
void     gasync_test_resolved        (GAsyncFuture *future,
                                      GValue       *value);
/* Settles @future (taking it) and asserts it was rejected with @domain/@code. */
void     gasync_test_rejected        (GAsyncFuture *future,
                                      GQuark        domain,
                                      gint          code);
/* Cancels the pending @future and asserts it is rejected with CANCELLED
 * at once. */
void     gasync_test_cancel_now      (GAsyncFuture *future);
/* Drops the caller's reference on @future and iterates until it is
 * finalized: whatever it started (a GIO call) has called back and let it
 * go. */
void     gasync_test_release         (GAsyncFuture *future);

G_END_DECLS
