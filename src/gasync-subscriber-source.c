/* gasync-subscriber-source.c: attaching a subscriber to a main context
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-subscriber-source-private.h"
#include "gasync-debug-private.h"
#include "gasync-tsan-private.h"

/* The callback data of a source, freed when the source is destroyed (on
 * the thread that destroys it), which is when it detaches. */
typedef struct
{
  GAsyncSubscriberSource *source;      /* not owned */
  GCallback               func;
  gpointer                user_data;
  GDestroyNotify          destroy;
} Attach;

void
_gasync_subscriber_slot_wake_locked (GAsyncSubscriberSlot *slot)
{
  if (slot->source != NULL && !slot->woken)
    {
      slot->woken = TRUE;
      g_source_set_ready_time (slot->source, 0);
    }
}

void
_gasync_subscriber_slot_sleep_locked (GAsyncSubscriberSlot *slot)
{
  slot->woken = FALSE;
  if (slot->source != NULL)
    g_source_set_ready_time (slot->source, -1);
}

/* GASYNC_DEBUG=stalls: one dispatch (what there was to deliver), timed. */
static gboolean
subscriber_source_dispatch_timed (GAsyncSubscriberSource *self,
                                  Attach                 *cb)
{
  gint64 start = g_get_monotonic_time ();
  gboolean ret = self->ops->dispatch (self, cb->func, cb->user_data);

  _gasync_debug_stall_check (start, self->ops->stall_kind, NULL, (gpointer) cb->func,
                             g_source_get_context ((GSource *) self));
  return ret;
}

static gboolean
subscriber_source_dispatch (GSource     *source,
                            GSourceFunc  callback,
                            gpointer     user_data)
{
  GAsyncSubscriberSource *self = (GAsyncSubscriberSource *) source;
  Attach *cb = user_data;

  if G_UNLIKELY (cb == NULL)
    return G_SOURCE_REMOVE;

  if G_UNLIKELY (_gasync_debug_stalls)
    return subscriber_source_dispatch_timed (self, cb);
  return self->ops->dispatch (self, cb->func, cb->user_data);
}

static void
subscriber_source_finalize (GSource *source)
{
  GAsyncSubscriberSource *self = (GAsyncSubscriberSource *) source;

  g_clear_object (&self->receiver);
  if (self->cursor != NULL)
    self->ops->hub->cursor_unref (g_steal_pointer (&self->cursor));
}

static GSourceFuncs subscriber_source_funcs = {
  .dispatch = subscriber_source_dispatch,
  .finalize = subscriber_source_finalize,
};

static gboolean
attach_stub (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* The source is being destroyed: detach it from the slot, then free the
 * handler's data, on the thread that destroys it (the context's own,
 * unless the application removes the source from elsewhere). */
static void
attach_free (gpointer data)
{
  Attach *cb = data;
  GAsyncSubscriberSource *self = cb->source;
  gboolean detached = FALSE;

  /* NULL only for a source that was never attached (finalized first). */
  if (self->cursor != NULL)
    {
      GAsyncSubscriberSlot *slot = self->slot;

      gasync_mutex_lock (slot->mutex);
      if (slot->source == (GSource *) self)
        {
          slot->source = NULL;
          slot->woken = FALSE;
          detached = TRUE;
        }
      gasync_mutex_unlock (slot->mutex);
    }

  if (cb->destroy != NULL)
    cb->destroy (cb->user_data);
  g_free (cb);

  /* The context still holds its own reference while it destroys us. */
  if (detached)
    g_source_unref ((GSource *) self);
}

static GAsyncSubscriberSource *
subscriber_source_new (const GAsyncSubscriberOps  *ops,
                       GObject                    *receiver,
                       gpointer                    cursor,
                       GAsyncSubscriberSlot       *slot,
                       Attach                     *cb)
{
  GAsyncSubscriberSource *self;

  self = (GAsyncSubscriberSource *) g_source_new (&subscriber_source_funcs,
                                                  sizeof (GAsyncSubscriberSource));
  g_source_set_static_name ((GSource *) self, ops->source_name);
  g_source_set_priority ((GSource *) self, G_PRIORITY_DEFAULT);
  g_source_set_ready_time ((GSource *) self, -1);
  self->ops = ops;
  self->receiver = g_object_ref (receiver);
  self->cursor = ops->hub->cursor_ref (cursor);
  self->slot = slot;

  cb->source = self;
  g_source_set_callback ((GSource *) self, attach_stub, cb, attach_free);
  return self;
}

guint
_gasync_subscriber_source_attach (const GAsyncSubscriberOps *ops,
                                  GObject                   *receiver,
                                  gpointer                   cursor,
                                  GAsyncSubscriberSlot      *slot,
                                  GMainContext              *context,
                                  GCallback                  func,
                                  gpointer                   user_data,
                                  GDestroyNotify             destroy)
{
  GAsyncSubscriberSource *self;
  Attach *cb = g_new0 (Attach, 1);
  guint id;

  /* GASYNC_DEBUG=stalls, for a program that has no future yet. */
  _gasync_debug_ensure_init ();
  cb->func = func;
  cb->user_data = user_data;
  cb->destroy = destroy;
  self = subscriber_source_new (ops, receiver, cursor, slot, cb);

  gasync_mutex_lock (slot->mutex);
  if G_UNLIKELY (slot->source != NULL)
    {
      gasync_mutex_unlock (slot->mutex);
      g_critical ("%s: the %s %p is already attached; subscribe one receiver "
                  "per handler", ops->attach_func, G_OBJECT_TYPE_NAME (receiver), receiver);
      cb->destroy = NULL;
      g_source_unref ((GSource *) self);
      return 0;
    }
  slot->source = g_source_ref ((GSource *) self);
  if (ops->has_news_locked (cursor))
    _gasync_subscriber_slot_wake_locked (slot);
  gasync_mutex_unlock (slot->mutex);

  if (context != NULL)
    g_main_context_ref (context);
  else
    context = g_main_context_ref_thread_default ();
  id = g_source_attach ((GSource *) self, context);
  g_source_unref ((GSource *) self);
  g_main_context_unref (context);

  return id;
}
