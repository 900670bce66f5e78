/* gasync-fiber-stack-private.h: the stacks fibers run on
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GAsyncFiberStack      GAsyncFiberStack;
typedef struct _GAsyncFiberStackCache GAsyncFiberStackCache;

/* One mapping: a PROT_NONE guard page at the bottom (while the process's
 * mapping budget allows, see gasync-fiber-stack.c), the usable stack, and
 * this header in the top bytes. Only the thread that runs the fiber uses
 * it. */
struct _GAsyncFiberStack
{
  GAsyncFiberStack *next;       /* in a cache's free list */
  gpointer          map;        /* the whole mapping */
  gsize             map_size;
  gpointer          base;       /* lowest usable byte */
  gsize             size;       /* usable bytes, up to this header */
  gboolean          guarded;    /* a guard page sits below base */
  guint             valgrind_id; /* the stack as valgrind knows it */
};

/* A thread's stacks that finished fibers gave back, for the next fibers
 * of that thread. Only the owning thread touches it. */
struct _GAsyncFiberStackCache
{
  GAsyncFiberStack *free;
  guint             n_free;
};

/* @size is rounded up to whole pages. Returns NULL (with errno set) if the
 * system refused the mapping. */
GAsyncFiberStack *_gasync_fiber_stack_acquire     (GAsyncFiberStackCache *cache,
                                                   gsize                  size);
void              _gasync_fiber_stack_release     (GAsyncFiberStackCache *cache,
                                                   GAsyncFiberStack      *stack);
void              _gasync_fiber_stack_cache_clear (GAsyncFiberStackCache *cache);
/* FALSE if the fiber overflowed an unguarded stack (its canary is gone). */
gboolean          _gasync_fiber_stack_check       (GAsyncFiberStack      *stack);
/* Stacks mapped now, and how many of them have a guard page (tests). */
guint             _gasync_fiber_stack_count_live  (guint                 *n_guarded);
/* How many stacks may be guarded at once, instead of what the mapping
 * limit allows (-1: that again). Tests only. */
void              _gasync_fiber_stack_set_guard_budget (gint             budget);

G_END_DECLS
