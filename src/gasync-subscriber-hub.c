/* gasync-subscriber-hub.c: the receivers' side of a watch or broadcast core
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-subscriber-hub-private.h"
#include "gasync-tsan-private.h"

/* How it works
 *
 * A change is announced in two steps, so that no lock is held while a
 * future settles (its continuations may be dispatched, its copy of the
 * value runs a boxed type's copy function): under the lock, the blocked
 * threads are signalled, every cursor is woken and the ones with parked
 * futures are picked (with a reference, as a receiver may unsubscribe
 * meanwhile); after it, each picked cursor is served under the lock,
 * which its serve releases around each settlement.
 *
 * Lock order: the hub mutex, then a GMainContext's lock (in
 * g_source_set_ready_time(), when a cursor is woken).
 */

void
_gasync_subscriber_hub_init (GAsyncSubscriberHub *hub)
{
  g_mutex_init (&hub->mutex);
  g_cond_init (&hub->changed);
}

void
_gasync_subscriber_hub_clear (GAsyncSubscriberHub *hub)
{
  /* Every cursor holds a reference on the core, so none is left. */
  g_warn_if_fail (hub->cursors == NULL);
  g_cond_clear (&hub->changed);
  g_mutex_clear (&hub->mutex);
}

GPtrArray *
_gasync_subscriber_hub_wake_locked (GAsyncSubscriberHub          *hub,
                                    const GAsyncSubscriberHubOps *ops)
{
  GPtrArray *serve = NULL;

  if (hub->n_blocked > 0)
    g_cond_broadcast (&hub->changed);

  for (GList *l = hub->cursors; l != NULL; l = l->next)
    {
      if (!ops->wake_cursor_locked (l->data))
        continue;
      if (serve == NULL)
        serve = g_ptr_array_new ();
      g_ptr_array_add (serve, ops->cursor_ref (l->data));
    }

  return serve;
}

void
_gasync_subscriber_hub_serve (GAsyncSubscriberHub          *hub,
                              const GAsyncSubscriberHubOps *ops,
                              GPtrArray                    *serve)
{
  if (serve == NULL)
    return;

  for (guint i = 0; i < serve->len; i++)
    {
      gasync_mutex_lock (&hub->mutex);
      ops->serve_cursor_locked (serve->pdata[i]);
      gasync_mutex_unlock (&hub->mutex);
      ops->cursor_unref (serve->pdata[i]);
    }
  g_ptr_array_unref (serve);
}

void
_gasync_subscriber_hub_close (GAsyncSubscriberHub          *hub,
                              const GAsyncSubscriberHubOps *ops)
{
  GPtrArray *serve;

  gasync_mutex_lock (&hub->mutex);
  if (hub->closed)
    {
      gasync_mutex_unlock (&hub->mutex);
      return;
    }
  hub->closed = TRUE;
  serve = _gasync_subscriber_hub_wake_locked (hub, ops);
  gasync_mutex_unlock (&hub->mutex);

  _gasync_subscriber_hub_serve (hub, ops, serve);
}

void
_gasync_subscriber_hub_wait_locked (GAsyncSubscriberHub *hub)
{
  hub->n_blocked++;
  gasync_cond_wait (&hub->changed, &hub->mutex);
  hub->n_blocked--;
}

static void
subscriber_hub_cancelled_cb (GCancellable        *cancellable,
                             GAsyncSubscriberHub *hub)
{
  /* Under the lock, so that a thread about to wait cannot miss it. */
  gasync_mutex_lock (&hub->mutex);
  g_cond_broadcast (&hub->changed);
  gasync_mutex_unlock (&hub->mutex);
}

gulong
_gasync_subscriber_hub_connect (GAsyncSubscriberHub *hub,
                                GCancellable        *cancellable)
{
  if (cancellable == NULL)
    return 0;
  /* It runs at once if already cancelled: the caller holds no lock. */
  return g_cancellable_connect (cancellable, G_CALLBACK (subscriber_hub_cancelled_cb), hub, NULL);
}
