/* gasync-broadcast-source.c: delivering a broadcast's items on a main context
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-broadcast-private.h"

/* The source of gasync_broadcast_receiver_attach(): a GSource with no file
 * descriptor, whose ready time a send (or the close, or the end of a
 * future's delivery) makes 0 and whose dispatch, finding nothing left,
 * sets back to -1 (both under the core lock). One dispatch delivers
 * everything there is, up to a budget. */

#define ATTACH_BUDGET 1024   /* items delivered per dispatch before yielding */

typedef struct
{
  GSource                  source;
  GAsyncBroadcastReceiver *receiver;   /* owned: an attached receiver stays subscribed */
  BroadcastCursor         *cursor;     /* owned: the receiver's */
} BroadcastSource;

/* The callback data of a BroadcastSource, freed when the source is
 * destroyed (on the thread that destroys it), which is when we detach. */
typedef struct
{
  BroadcastSource     *source;         /* not owned */
  GAsyncBroadcastFunc  func;
  gpointer             user_data;
  GDestroyNotify       destroy;
} BroadcastAttach;

/* Takes the next item for the source, or returns NULL if there is none
 * (*@last is then set if the broadcast is closed and drained; otherwise
 * the source sleeps until the next send). */
static GAsyncValueBox *
broadcast_source_take (BroadcastSource  *self,
                       guint64          *missed,
                       GAsyncValueBox  **release,
                       gboolean         *last)
{
  BroadcastCursor *c = self->cursor;
  BroadcastCore *core = c->core;
  GAsyncValueBox *item = NULL;
  guint64 seq;

  *last = FALSE;
  gasync_mutex_lock (&core->mutex);
  if (!c->delivering && broadcast_cursor_take_locked (c, &item, &seq, missed))
    *release = broadcast_cursor_commit_locked (c, seq);
  else if (!c->delivering && core->closed)
    *last = TRUE;
  else
    {
      /* Woken by the next send, or by the delivery under way. */
      c->source_woken = FALSE;
      g_source_set_ready_time ((GSource *) self, -1);
    }
  gasync_mutex_unlock (&core->mutex);
  return item;
}

static gboolean
broadcast_source_dispatch (GSource     *source,
                           GSourceFunc  callback,
                           gpointer     user_data)
{
  BroadcastSource *self = (BroadcastSource *) source;
  BroadcastAttach *cb = user_data;

  if G_UNLIKELY (cb == NULL)
    return G_SOURCE_REMOVE;

  for (guint n = 0; n < ATTACH_BUDGET; n++)
    {
      GAsyncValueBox *item, *release = NULL;
      GValue value = G_VALUE_INIT;
      guint64 missed = 0;
      gboolean last, keep;

      item = broadcast_source_take (self, &missed, &release, &last);
      if (last)
        {
          cb->func (self->receiver, NULL, 0, cb->user_data);
          return G_SOURCE_REMOVE;
        }
      if (item == NULL)
        return G_SOURCE_CONTINUE;

      /* User code runs here, with no lock held. */
      _gasync_value_box_copy_into (item, &value);
      _gasync_value_box_unref (item);
      _gasync_value_box_unref (release);
      keep = cb->func (self->receiver, &value, missed, cb->user_data);
      g_value_unset (&value);
      if (!keep)
        return G_SOURCE_REMOVE;
    }

  /* Still busy: stay ready, but let the context's other sources run. */
  return G_SOURCE_CONTINUE;
}

static void
broadcast_source_finalize (GSource *source)
{
  BroadcastSource *self = (BroadcastSource *) source;

  g_clear_object (&self->receiver);
  g_clear_pointer (&self->cursor, broadcast_cursor_unref);
}

static GSourceFuncs broadcast_source_funcs = {
  .dispatch = broadcast_source_dispatch,
  .finalize = broadcast_source_finalize,
};

static gboolean
broadcast_attach_stub (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* The source is being destroyed: detach it from the cursor, then free the
 * handler's data, on the thread that destroys it (the context's own,
 * unless the application removes the source from elsewhere). */
static void
broadcast_attach_free (gpointer data)
{
  BroadcastAttach *cb = data;
  BroadcastSource *self = cb->source;
  gboolean detached = FALSE;

  /* NULL only for a source that was never attached (finalized first). */
  if (self->cursor != NULL)
    {
      BroadcastCursor *c = self->cursor;

      gasync_mutex_lock (&c->core->mutex);
      if (c->source == (GSource *) self)
        {
          c->source = NULL;
          c->source_woken = FALSE;
          detached = TRUE;
        }
      gasync_mutex_unlock (&c->core->mutex);
    }

  if (cb->destroy != NULL)
    cb->destroy (cb->user_data);
  g_free (cb);

  /* The context still holds its own reference while it destroys us. */
  if (detached)
    g_source_unref ((GSource *) self);
}

static BroadcastSource *
broadcast_source_new (GAsyncBroadcastReceiver  *receiver,
                      BroadcastCursor          *c,
                      GAsyncBroadcastFunc       func,
                      gpointer                  user_data,
                      GDestroyNotify            destroy,
                      BroadcastAttach         **out_cb)
{
  BroadcastSource *self;
  BroadcastAttach *cb;

  self = (BroadcastSource *) g_source_new (&broadcast_source_funcs, sizeof (BroadcastSource));
  g_source_set_static_name ((GSource *) self, "[gasync] broadcast receiver");
  g_source_set_priority ((GSource *) self, G_PRIORITY_DEFAULT);
  g_source_set_ready_time ((GSource *) self, -1);
  self->receiver = g_object_ref (receiver);
  self->cursor = broadcast_cursor_ref (c);

  cb = g_new0 (BroadcastAttach, 1);
  cb->source = self;
  cb->func = func;
  cb->user_data = user_data;
  cb->destroy = destroy;
  g_source_set_callback ((GSource *) self, broadcast_attach_stub, cb, broadcast_attach_free);

  *out_cb = cb;
  return self;
}

/* Attaches a source that delivers the items of @c, @receiver's cursor (on
 * which it holds a reference), to @func on @context (NULL: the
 * thread-default one). Returns the source's ID, or 0 if a source is
 * attached already (a programming error, reported here; @destroy is then
 * not called). */
guint
broadcast_source_attach (GAsyncBroadcastReceiver *receiver,
                         BroadcastCursor         *c,
                         GMainContext            *context,
                         GAsyncBroadcastFunc      func,
                         gpointer                 user_data,
                         GDestroyNotify           destroy)
{
  BroadcastSource *self;
  BroadcastAttach *cb;
  guint id;

  self = broadcast_source_new (receiver, c, func, user_data, destroy, &cb);

  gasync_mutex_lock (&c->core->mutex);
  if G_UNLIKELY (c->source != NULL)
    {
      gasync_mutex_unlock (&c->core->mutex);
      g_critical ("%s: the GAsyncBroadcastReceiver %p is already attached; subscribe "
                  "one receiver per handler", "gasync_broadcast_receiver_attach", receiver);
      cb->destroy = NULL;
      g_source_unref ((GSource *) self);
      return 0;
    }
  c->source = g_source_ref ((GSource *) self);
  c->source_woken = TRUE;   /* look once: items or the close may be there */
  g_source_set_ready_time ((GSource *) self, 0);
  gasync_mutex_unlock (&c->core->mutex);

  if (context != NULL)
    g_main_context_ref (context);
  else
    context = g_main_context_ref_thread_default ();
  id = g_source_attach ((GSource *) self, context);
  g_source_unref ((GSource *) self);
  g_main_context_unref (context);

  return id;
}
