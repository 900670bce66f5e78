/* gasync-fiber-stack.c: the stacks fibers run on
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each stack is an anonymous mapping made with MAP_NORESERVE: the kernel
 * gives it pages only as the fiber touches them, so a parked fiber costs
 * the few pages its frames use, not its whole size. Below the usable
 * stack lies a PROT_NONE guard page, so that a fiber that overflows dies
 * of SIGSEGV instead of writing over another stack.
 *
 * A guard page splits the mapping in two, and Linux caps the mappings of
 * a process (vm.max_map_count, 65530 by default). So stacks get a guard
 * page while fewer than half of that budget, less a reserve for the rest
 * of the process, are guarded; past that (tens of thousands of parked
 * fibers), a new stack has a 64-byte canary at its bottom instead, checked
 * each time its fiber switches out (_gasync_fiber_stack_check()): an
 * overflow of up to a page (where the guard would have been) is caught,
 * late, and the program aborted, rather than never.
 *
 * Finished fibers give their stack back to their thread's cache, which
 * keeps up to CACHE_MAX of them (with whatever pages they touched), so a
 * stream of short fibers maps nothing.
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gasync-fiber-stack-private.h"

#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#else
# define VALGRIND_STACK_REGISTER(start, end) 0
# define VALGRIND_STACK_DEREGISTER(id) G_STMT_START { (void) (id); } G_STMT_END
#endif

#define CACHE_MAX          16
#define CANARY             G_GUINT64_CONSTANT (0x6761737966696265)  /* "gasyfibe" */
/* 64 bytes: more than any gap a frame leaves unwritten (alignment). */
#define CANARY_WORDS       8
/* Mappings left to the rest of the process before guards stop. */
#define MAP_COUNT_RESERVE  16384

static gint n_live;        /* atomic: stacks mapped */
static gint n_guarded;     /* atomic: of which guarded */
static gint budget_override = -1;   /* atomic: tests only */

static gsize
page_size (void)
{
  static gsize size;

  if G_UNLIKELY (g_atomic_pointer_get (&size) == 0)
    g_atomic_pointer_set (&size, (gsize) sysconf (_SC_PAGESIZE));
  return g_atomic_pointer_get (&size);
}

/* How many stacks may carry a guard page (two mappings each). */
static gint
guard_budget (void)
{
  static gsize budget;
  gint override = g_atomic_int_get (&budget_override);

  if G_UNLIKELY (override >= 0)
    return override;

  if (g_once_init_enter (&budget))
    {
      gint64 max_maps = 65530;
      FILE *f = fopen ("/proc/sys/vm/max_map_count", "re");

      if (f != NULL)
        {
          long long v;

          if (fscanf (f, "%lld", &v) == 1 && v > 0)
            max_maps = v;
          fclose (f);
        }
      g_once_init_leave (&budget, (gsize) MAX ((max_maps - MAP_COUNT_RESERVE) / 2, 1) + 1);
    }
  return (gint) (budget - 1);
}

static gboolean
stack_take_guard_slot (void)
{
  gint budget = guard_budget ();
  gint n;

  do
    {
      n = g_atomic_int_get (&n_guarded);
      if (n >= budget)
        return FALSE;
    }
  while (!g_atomic_int_compare_and_exchange (&n_guarded, n, n + 1));
  return TRUE;
}

static GAsyncFiberStack *
stack_map (gsize size)
{
  gsize page = page_size ();
  gsize map_size = ((size + page - 1) / page) * page + page;
  GAsyncFiberStack *stack;
  guint8 *map;
  gboolean guarded;

  map = mmap (NULL, map_size, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (map == MAP_FAILED)
    return NULL;

  guarded = stack_take_guard_slot ();
  if (guarded && mprotect (map, page, PROT_NONE) != 0)
    {
      g_atomic_int_add (&n_guarded, -1);
      guarded = FALSE;
    }

  stack = (GAsyncFiberStack *) (map + map_size - sizeof (GAsyncFiberStack));
  stack->next = NULL;
  stack->map = map;
  stack->map_size = map_size;
  stack->base = map + page;
  stack->size = (gsize) ((guint8 *) stack - (guint8 *) stack->base);
  stack->size &= ~(gsize) 63;
  stack->guarded = guarded;
  if (!guarded)
    for (guint i = 0; i < CANARY_WORDS; i++)
      ((guint64 *) stack->base)[i] = CANARY;
  /* Under valgrind, so that memcheck follows the switches to it. */
  stack->valgrind_id = VALGRIND_STACK_REGISTER (stack->base, (guint8 *) stack->base + stack->size);

  g_atomic_int_inc (&n_live);
  return stack;
}

static void
stack_unmap (GAsyncFiberStack *stack)
{
  VALGRIND_STACK_DEREGISTER (stack->valgrind_id);
  if (stack->guarded)
    g_atomic_int_add (&n_guarded, -1);
  g_atomic_int_add (&n_live, -1);
  munmap (stack->map, stack->map_size);
}

GAsyncFiberStack *
_gasync_fiber_stack_acquire (GAsyncFiberStackCache *cache,
                             gsize                  size)
{
  gsize page = page_size ();
  gsize want = ((size + page - 1) / page) * page + page;

  while (cache->free != NULL)
    {
      GAsyncFiberStack *stack = cache->free;

      cache->free = stack->next;
      cache->n_free--;
      stack->next = NULL;
      if (stack->map_size == want)
        return stack;
      /* The size knob changed since: drop stacks of the old size. */
      stack_unmap (stack);
    }

  return stack_map (size);
}

void
_gasync_fiber_stack_release (GAsyncFiberStackCache *cache,
                             GAsyncFiberStack      *stack)
{
  if (cache->n_free >= CACHE_MAX)
    {
      stack_unmap (stack);
      return;
    }
  stack->next = cache->free;
  cache->free = stack;
  cache->n_free++;
}

void
_gasync_fiber_stack_cache_clear (GAsyncFiberStackCache *cache)
{
  while (cache->free != NULL)
    {
      GAsyncFiberStack *stack = cache->free;

      cache->free = stack->next;
      stack_unmap (stack);
    }
  cache->n_free = 0;
}

gboolean
_gasync_fiber_stack_check (GAsyncFiberStack *stack)
{
  const guint64 *words = stack->base;

  if G_LIKELY (stack->guarded)
    return TRUE;
  for (guint i = 0; i < CANARY_WORDS; i++)
    if (words[i] != CANARY)
      return FALSE;
  return TRUE;
}

guint
_gasync_fiber_stack_count_live (guint *guarded)
{
  if (guarded != NULL)
    *guarded = (guint) g_atomic_int_get (&n_guarded);
  return (guint) g_atomic_int_get (&n_live);
}

void
_gasync_fiber_stack_set_guard_budget (gint budget)
{
  g_atomic_int_set (&budget_override, budget);
}
