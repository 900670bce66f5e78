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

G_END_DECLS
