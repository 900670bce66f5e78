/* stress-util.h: what the stress scenarios share
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The stress suite is randomized and seeded. The seed comes from
 * GASYNC_STRESS_SEED (decimal) or the clock; it is printed at the start
 * and in every failure message. Each thread of a scenario draws from its
 * own GRand derived from the seed, the test path and the thread's index,
 * so a seed reproduces every random choice (the interleaving of threads
 * is the machine's, but the outcome checks are the same for any
 * interleaving).
 */

#pragma once

#include <gasync/gasync.h>

#include "gasync-test-util.h"

G_BEGIN_DECLS

guint64  stress_seed            (void);
/* A PRNG for thread @index of the running test; free with g_rand_free. */
GRand   *stress_rand_new        (guint index);
/* A size scaled for the build: @quick normally, @thorough under the
 * thorough setup, smaller under valgrind and the sanitizers. */
guint    stress_size            (guint quick,
                                 guint thorough);
/* Sleeps 0 to @max_usec microseconds: pacing only, never a decision. */
void     stress_pace            (GRand *rand,
                                 guint  max_usec);

/* Aborts the test like g_assert_*, with the seed in the message. */
G_NORETURN
void     stress_fail            (const char *file,
                                 int         line,
                                 const char *func,
                                 const char *expr,
                                 const char *format,
                                 ...) G_GNUC_PRINTF (5, 6);

#define stress_assert(expr, ...) \
  G_STMT_START { \
    if G_LIKELY (expr) ; \
    else stress_fail (__FILE__, __LINE__, G_STRFUNC, #expr, __VA_ARGS__); \
  } G_STMT_END

/* A counted GObject used as an item or a value: every instance must be
 * finalized exactly once by the end of a scenario. */
#define STRESS_TYPE_ITEM (stress_item_get_type ())
G_DECLARE_FINAL_TYPE (StressItem, stress_item, STRESS, ITEM, GObject)

StressItem *stress_item_new      (guint id);
guint       stress_item_get_id   (StressItem *item);
/* Instances made and finalized since the last reset (atomic counters). */
void        stress_items_reset   (void);
guint       stress_items_created (void);
guint       stress_items_alive   (void);

/* A thread with its own GMainContext, pushed as its thread-default, that
 * runs jobs from a queue in order. A job returns when it is done; it may
 * iterate the thread's context (stress_worker_context()) meanwhile. */
typedef struct _StressWorker StressWorker;
typedef void (*StressJobFunc) (StressWorker *worker,
                               gpointer      job);

StressWorker *stress_worker_new     (const char    *name,
                                     guint          index,
                                     StressJobFunc  func);
void          stress_worker_push    (StressWorker  *worker,
                                     gpointer       job);
/* Runs the queued jobs, then joins and frees the worker. */
void          stress_worker_join    (StressWorker  *worker);
GMainContext *stress_worker_context (StressWorker  *worker);
GRand        *stress_worker_rand    (StressWorker  *worker);
guint         stress_worker_index   (StressWorker  *worker);

/* Iterates @context until *@counter reaches @target (atomic read), failing
 * after a generous timeout. */
void          stress_iterate_until  (GMainContext  *context,
                                     const gint    *counter,
                                     gint           target);
/* The same with a timeout of @seconds, for a wait that a bug may leave
 * hanging; returns whether the target was reached. */
gboolean      stress_iterate_until_for (GMainContext *context,
                                        const gint   *counter,
                                        gint          target,
                                        guint         seconds);

void          stress_channel_add_tests    (void);
void          stress_promise_add_tests    (void);
void          stress_combinators_add_tests (void);
void          stress_block_on_add_tests   (void);
void          stress_runtime_add_tests    (void);
void          stress_cancel_add_tests     (void);

G_END_DECLS
