/* gasync-watch-source.c: delivering a watch's changes on a main context
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-watch-private.h"

/* The source of gasync_watch_receiver_attach(): a GSource with no file
 * descriptor, whose ready time a set (or the close) makes 0 and whose
 * dispatch, having taken the latest value, sets back to -1 (both under the
 * core lock). One dispatch delivers the latest value, once, however many
 * sets were made since the last. */

typedef struct
{
  GSource              source;
  GAsyncWatchReceiver *receiver;   /* owned: an attached receiver stays subscribed */
  WatchCursor         *cursor;     /* owned: the receiver's */
} WatchSource;

/* The callback data of a WatchSource, freed when the source is destroyed
 * (on the thread that destroys it), which is when we detach. */
typedef struct
{
  WatchSource     *source;         /* not owned */
  GAsyncWatchFunc  func;
  gpointer         user_data;
  GDestroyNotify   destroy;
} WatchAttach;

/* Takes the value to deliver, or NULL if there is none; *@last is set when
 * the watch is closed and everything was delivered. The source sleeps
 * until the next change once it took the latest value (a closed watch
 * keeps it awake for the last call). */
static GAsyncValueBox *
watch_source_take (WatchSource *self,
                   gboolean    *last)
{
  WatchCursor *c = self->cursor;
  WatchCore *core = c->core;
  GAsyncValueBox *box = NULL;

  *last = FALSE;
  gasync_mutex_lock (&core->mutex);
  if (c->seen != core->version)
    box = watch_cursor_take_locked (c);
  else if (core->closed)
    *last = TRUE;

  if (!core->closed)
    {
      c->source_woken = FALSE;
      g_source_set_ready_time ((GSource *) self, -1);
    }
  gasync_mutex_unlock (&core->mutex);
  return box;
}

static gboolean
watch_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  WatchSource *self = (WatchSource *) source;
  WatchAttach *cb = user_data;
  GValue value = G_VALUE_INIT;
  GAsyncValueBox *box;
  gboolean last, keep;

  if G_UNLIKELY (cb == NULL)
    return G_SOURCE_REMOVE;

  box = watch_source_take (self, &last);
  if (last)
    {
      cb->func (self->receiver, NULL, cb->user_data);
      return G_SOURCE_REMOVE;
    }
  if (box == NULL)
    return G_SOURCE_CONTINUE;

  /* User code runs here, with no lock held. */
  _gasync_value_box_copy_into (box, &value);
  _gasync_value_box_unref (box);
  keep = cb->func (self->receiver, &value, cb->user_data);
  g_value_unset (&value);
  return keep;
}

static void
watch_source_finalize (GSource *source)
{
  WatchSource *self = (WatchSource *) source;

  g_clear_object (&self->receiver);
  g_clear_pointer (&self->cursor, watch_cursor_unref);
}

static GSourceFuncs watch_source_funcs = {
  .dispatch = watch_source_dispatch,
  .finalize = watch_source_finalize,
};

static gboolean
watch_attach_stub (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* The source is being destroyed: detach it from the cursor, then free the
 * handler's data, on the thread that destroys it (the context's own,
 * unless the application removes the source from elsewhere). */
static void
watch_attach_free (gpointer data)
{
  WatchAttach *cb = data;
  WatchSource *self = cb->source;
  gboolean detached = FALSE;

  /* NULL only for a source that was never attached (finalized first). */
  if (self->cursor != NULL)
    {
      WatchCursor *c = self->cursor;

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

static WatchSource *
watch_source_new (GAsyncWatchReceiver  *receiver,
                  WatchCursor          *c,
                  GAsyncWatchFunc       func,
                  gpointer              user_data,
                  GDestroyNotify        destroy,
                  WatchAttach         **out_cb)
{
  WatchSource *self;
  WatchAttach *cb;

  self = (WatchSource *) g_source_new (&watch_source_funcs, sizeof (WatchSource));
  g_source_set_static_name ((GSource *) self, "[gasync] watch receiver");
  g_source_set_priority ((GSource *) self, G_PRIORITY_DEFAULT);
  g_source_set_ready_time ((GSource *) self, -1);
  self->receiver = g_object_ref (receiver);
  self->cursor = watch_cursor_ref (c);

  cb = g_new0 (WatchAttach, 1);
  cb->source = self;
  cb->func = func;
  cb->user_data = user_data;
  cb->destroy = destroy;
  g_source_set_callback ((GSource *) self, watch_attach_stub, cb, watch_attach_free);

  *out_cb = cb;
  return self;
}

/* Attaches a source that calls @func on @context (NULL: the thread-default
 * one) with the latest value after changes of @c, @receiver's cursor, on
 * which it holds a reference. Returns the source's ID, or 0 if a source is
 * attached already (a programming error, reported here; @destroy is then
 * not called). */
guint
watch_source_attach (GAsyncWatchReceiver *receiver,
                     WatchCursor         *c,
                     GMainContext        *context,
                     GAsyncWatchFunc      func,
                     gpointer             user_data,
                     GDestroyNotify       destroy)
{
  WatchSource *self;
  WatchAttach *cb;
  guint id;

  self = watch_source_new (receiver, c, func, user_data, destroy, &cb);

  gasync_mutex_lock (&c->core->mutex);
  if G_UNLIKELY (c->source != NULL)
    {
      gasync_mutex_unlock (&c->core->mutex);
      g_critical ("%s: the GAsyncWatchReceiver %p is already attached; subscribe "
                  "one receiver per handler", "gasync_watch_receiver_attach", receiver);
      cb->destroy = NULL;
      g_source_unref ((GSource *) self);
      return 0;
    }
  c->source = g_source_ref ((GSource *) self);
  if (c->seen != c->core->version || c->core->closed)
    {
      c->source_woken = TRUE;
      g_source_set_ready_time ((GSource *) self, 0);
    }
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
