/* gasync-dispatch.c: batched, coalesced delivery of work to a GMainContext
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-dispatch-private.h"
#include "gasync-tsan-private.h"

/* Every continuation, ready callback and receive handler that gasync runs
 * goes through the dispatcher of the context it was registered from. A
 * dispatcher is one GSource per GMainContext whose ready time another
 * thread sets to 0 when the queue becomes non-empty (that takes the context
 * lock and writes the context's wakeup fd once), and whose dispatch drains
 * everything queued in one go. So N completions landing while the context
 * is busy cost one wakeup, not N, and no GSource is created per item.
 *
 * Lifetime: the context owns the source. The registry maps a context to its
 * source without a reference; the source's finalize removes the entry. A
 * caller only looks a context up while holding a reference on it, so the
 * context (and the attached source) cannot be finalized during the lookup.
 * A per-thread cache remembers the last (context, source) pair with a
 * source reference, and checks g_source_is_destroyed() so that a new context
 * allocated at a dead one's address is never mistaken for it.
 */

/* How many times one dispatch re-drains the queue for items that were pushed
 * while it ran (continuations that complete other futures on this thread)
 * before it yields to the other sources of the context. */
#define MAX_ROUNDS 16

struct _GAsyncDispatcher
{
  GSource             source;
  GMainContext       *context;     /* not owned: the context owns us */

  GMutex              mutex;
  /* protected by mutex: */
  GAsyncDispatchItem *head;
  GAsyncDispatchItem *tail;
  gboolean            dispatching; /* a dispatch will re-check the queue */
};

static GMutex      registry_lock;
static GHashTable *registry;       /* GMainContext* → GAsyncDispatcher*, protected by registry_lock */

typedef struct
{
  GMainContext     *context;       /* compared by address only */
  GAsyncDispatcher *dispatcher;    /* owned source reference */
} DispatcherCache;

static void
dispatcher_cache_free (gpointer data)
{
  DispatcherCache *cache = data;

  if (cache->dispatcher != NULL)
    g_source_unref ((GSource *) cache->dispatcher);
  g_free (cache);
}

static GPrivate dispatcher_cache = G_PRIVATE_INIT (dispatcher_cache_free);

static gboolean
dispatcher_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  GAsyncDispatcher *self = (GAsyncDispatcher *) source;

  for (guint round = 0; round < MAX_ROUNDS; round++)
    {
      GAsyncDispatchItem *items;

      gasync_mutex_lock (&self->mutex);
      items = g_steal_pointer (&self->head);
      self->tail = NULL;
      if (items == NULL)
        {
          /* Set under our lock so that a push that finds the queue empty
           * after this point sees dispatching == FALSE and re-arms us. */
          self->dispatching = FALSE;
          g_source_set_ready_time (source, -1);
          gasync_mutex_unlock (&self->mutex);
          return G_SOURCE_CONTINUE;
        }
      self->dispatching = TRUE;
      gasync_mutex_unlock (&self->mutex);

      /* User code runs here, with no lock held. */
      while (items != NULL)
        {
          GAsyncDispatchItem *item = items;

          items = item->next;
          item->next = NULL;
          item->func (item);
        }
    }

  /* Still busy after MAX_ROUNDS: stay ready (ready time is still 0) but let
   * the context dispatch its other sources first. */
  gasync_mutex_lock (&self->mutex);
  self->dispatching = FALSE;
  if (self->head == NULL)
    g_source_set_ready_time (source, -1);
  gasync_mutex_unlock (&self->mutex);

  return G_SOURCE_CONTINUE;
}

static void
dispatcher_finalize (GSource *source)
{
  GAsyncDispatcher *self = (GAsyncDispatcher *) source;

  gasync_mutex_lock (&registry_lock);
  if (registry != NULL && g_hash_table_lookup (registry, self->context) == self)
    g_hash_table_remove (registry, self->context);
  gasync_mutex_unlock (&registry_lock);

  /* Items hold a reference on the context, so none can be queued once the
   * context is being finalized. The last source reference may be dropped
   * on another thread than the one that dispatched (a per-thread cache),
   * so the queue is read under its lock like everywhere else. */
  gasync_mutex_lock (&self->mutex);
  g_warn_if_fail (self->head == NULL);
  gasync_mutex_unlock (&self->mutex);
  g_mutex_clear (&self->mutex);
}

static GSourceFuncs dispatcher_funcs = {
  .dispatch = dispatcher_dispatch,
  .finalize = dispatcher_finalize,
};

static GAsyncDispatcher *
dispatcher_lookup_or_create (GMainContext *context)
{
  GAsyncDispatcher *self;

  gasync_mutex_lock (&registry_lock);

  if (registry == NULL)
    registry = g_hash_table_new (NULL, NULL);

  self = g_hash_table_lookup (registry, context);
  if (self == NULL || g_source_is_destroyed ((GSource *) self))
    {
      self = (GAsyncDispatcher *) g_source_new (&dispatcher_funcs, sizeof (GAsyncDispatcher));
      self->context = context;
      g_mutex_init (&self->mutex);
      g_source_set_static_name ((GSource *) self, "[gasync] dispatcher");
      g_source_set_priority ((GSource *) self, G_PRIORITY_DEFAULT);
      /* A continuation may run a nested main loop on this context and wait
       * for another continuation: let the nested loop dispatch us too. */
      g_source_set_can_recurse ((GSource *) self, TRUE);
      g_source_set_ready_time ((GSource *) self, -1);
      g_hash_table_replace (registry, context, self);
      g_source_attach ((GSource *) self, context);
      /* The context holds the only reference. */
      g_source_unref ((GSource *) self);
    }

  gasync_mutex_unlock (&registry_lock);

  return self;
}

GAsyncDispatcher *
_gasync_dispatcher_for_context (GMainContext *context)
{
  DispatcherCache *cache;
  GAsyncDispatcher *self;

  if (context == NULL)
    context = g_main_context_default ();

  cache = g_private_get (&dispatcher_cache);
  if G_LIKELY (cache != NULL &&
               cache->context == context &&
               !g_source_is_destroyed ((GSource *) cache->dispatcher))
    return cache->dispatcher;

  self = dispatcher_lookup_or_create (context);

  if (cache == NULL)
    {
      cache = g_new0 (DispatcherCache, 1);
      g_private_set (&dispatcher_cache, cache);
    }
  if (cache->dispatcher != NULL)
    g_source_unref ((GSource *) cache->dispatcher);
  cache->context = context;
  cache->dispatcher = (GAsyncDispatcher *) g_source_ref ((GSource *) self);

  return self;
}

GMainContext *
_gasync_dispatcher_get_context (GAsyncDispatcher *self)
{
  return self->context;
}

void
_gasync_dispatcher_push (GAsyncDispatcher   *self,
                         GAsyncDispatchItem *item)
{
  gboolean wake;

  item->next = NULL;

  gasync_mutex_lock (&self->mutex);
  wake = self->head == NULL && !self->dispatching;
  if (self->tail != NULL)
    self->tail->next = item;
  else
    self->head = item;
  self->tail = item;
  gasync_mutex_unlock (&self->mutex);

  /* Outside our lock: a concurrent dispatch sets -1 only under our lock and
   * only after seeing an empty queue, so this 0 can never be lost. At worst
   * it causes one spurious, empty dispatch. */
  if (wake)
    g_source_set_ready_time ((GSource *) self, 0);
}
