/* gasync-future-pool.c: settled futures kept for reuse, per thread
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Creating a GObject and dropping its last reference costs more than
 * everything a future does between the two: with GLib 2.74, g_object_new()
 * and the last g_object_unref() of a future take ~2,300 instructions and a
 * dozen bit-lock pairs (the notify queue GObject freezes around dispose,
 * GObject's qdata cleared twice, the type instance freed), two thirds of a
 * create + resolve + and_then round. So a settled future of a recyclable
 * type whose last reference is dropped keeps its memory: the state
 * machine's dispose (gasync-future.c) clears it and hands it here, taking
 * a reference back (GObject lets dispose resurrect an object), or, for a
 * future whose last reference gasync itself holds (the one a task's
 * function returned), _gasync_future_release() does the same without
 * going through dispose, the pool adopting that reference; and
 * _gasync_future_new_recycled() hands it out again as a new pending
 * future. That saves ~1,200 instructions per future, and ~650 more from
 * its second reuse on, once dispose holds its notify queue frozen (see
 * future_recycle()).
 *
 * A future is taken only when nothing outside gasync can still see it:
 * its reference count is 1 (a last unref, not g_object_run_dispose() on
 * an object somebody holds), it has no qdata but GObject's own notify
 * queue (so no weak reference, toggle reference, binding wrapper, watched
 * closure or user data; a GWeakRef is cleared before dispose, and outside
 * dispose its qdata entry refuses the future; gasync-qdata-check.c looks)
 * and no floating flag. The pool belongs to one thread: an object is
 * handed out again only after the g_object_unref() that parked it has
 * returned, on the same thread. Only threads that make futures of a type
 * keep a pool of it (one that only drops them does not fill up), and a
 * thread's pools are freed when it exits (the main thread's stay
 * reachable until the process ends).
 *
 * Under ThreadSanitizer or AddressSanitizer nothing is kept: TSan cannot
 * see the hand-over through GObject's (uninstrumented) reference count,
 * so the next user's writes would look like races with the last one's
 * reads, and ASan could not see a future used after its last unref.
 *
 * This file knows futures only as GObjects of the types it is asked for,
 * and calls nothing of the state machine.
 */

#include "config.h"

#include "gasync-future-private.h"
#include "gasync-qdata-check-private.h"

/* Per type and thread: a burst of futures dropped in a row, such as a
 * main loop's continuations or a window of spawned tasks joined one by
 * one. That is at most 4,096 × 176 bytes of task handles and 4,096 × 72
 * of plain futures or promises per thread. */
#define POOL_MAX   4096
#if defined(GASYNC_HAVE_TSAN) || defined(__SANITIZE_ADDRESS__)
#define KEEP_NOTHING TRUE
#else
#define KEEP_NOTHING FALSE
#endif
#define POOL_TYPES 3

typedef struct
{
  GType          type;
  guint          length;
  guint          allocated;          /* grows up to POOL_MAX */
  GObject      **items;
} FuturePool;

typedef struct
{
  gboolean    draining;              /* the thread exits: take nothing */
  FuturePool  pools[POOL_TYPES];
} FuturePools;

static void future_pools_free (gpointer data);

/* For the destructor only; the fast path reads tls_pools. */
static GPrivate pools_key = G_PRIVATE_INIT (future_pools_free);
static _Thread_local FuturePools *tls_pools
  __attribute__ ((tls_model ("initial-exec")));

static void
future_pools_free (gpointer data)
{
  FuturePools *pools = data;

  pools->draining = TRUE;
  for (guint t = 0; t < POOL_TYPES; t++)
    {
      while (pools->pools[t].length > 0)
        g_object_unref (pools->pools[t].items[--pools->pools[t].length]);
      g_free (pools->pools[t].items);
    }
  if (tls_pools == pools)
    tls_pools = NULL;
  g_free (pools);
}

/* This thread's pool of @type, if it has one. Inline: every future made
 * or parked asks, several times per spawned task. */
static inline FuturePool *
future_pool_lookup (GType type)
{
  FuturePools *pools = tls_pools;

  if G_UNLIKELY (pools == NULL || pools->draining)
    return NULL;
  for (guint t = 0; t < POOL_TYPES; t++)
    {
      if (pools->pools[t].type == type)
        return &pools->pools[t];
    }
  return NULL;
}

/* Makes this thread's pool of @type, if there is a free slot for it. */
static G_GNUC_NO_INLINE FuturePool *
future_pool_create (GType type)
{
  FuturePools *pools = tls_pools;

  if (pools == NULL)
    {
      pools = g_new0 (FuturePools, 1);
      g_private_set (&pools_key, pools);
      tls_pools = pools;
    }
  if (pools->draining)
    return NULL;

  for (guint t = 0; t < POOL_TYPES; t++)
    {
      if (pools->pools[t].type == 0)
        {
          pools->pools[t].type = type;
          return &pools->pools[t];
        }
    }
  return NULL;
}

/* Whether nothing but the last reference, being dropped, reaches @object:
 * no toggle reference or floating flag (the datalist's flags), nothing in
 * its qdata but GObject's notify queue. */
static gboolean
object_is_unobserved (GObject *object)
{
  if (g_atomic_int_get (&object->ref_count) != 1 ||
      ((guintptr) g_atomic_pointer_get (&object->qdata) & G_DATALIST_FLAGS_MASK) != 0)
    return FALSE;
  return _gasync_qdata_is_only_notify_queue (object);
}

gboolean
_gasync_future_pool_may_take (GObject *object)
{
  FuturePool *pool;

  if (KEEP_NOTHING)
    return FALSE;

  pool = future_pool_lookup (G_OBJECT_TYPE (object));
  return pool != NULL && pool->length < POOL_MAX && object_is_unobserved (object);
}

gboolean
_gasync_future_pool_put (GObject  *object,
                         gboolean  adopt)
{
  FuturePool *pool = future_pool_lookup (G_OBJECT_TYPE (object));

  if G_UNLIKELY (pool == NULL || pool->length == POOL_MAX)
    return FALSE;
  if G_UNLIKELY (pool->length == pool->allocated)
    {
      /* Grown as needed: a thread that makes few futures keeps few. */
      pool->allocated = CLAMP (pool->allocated * 2, 16, POOL_MAX);
      pool->items = g_renew (GObject *, pool->items, pool->allocated);
    }

  /* The pool's reference: from dispose, g_object_unref() sees it and
   * keeps @object. */
  pool->items[pool->length++] = adopt ? object : g_object_ref (object);
  return TRUE;
}

GAsyncFuture *
_gasync_future_pool_take (GType type)
{
  FuturePool *pool = future_pool_lookup (type);

  if G_UNLIKELY (pool == NULL)
    pool = future_pool_create (type);
  if (pool != NULL && pool->length > 0)
    return (GAsyncFuture *) pool->items[--pool->length];
  return NULL;
}
