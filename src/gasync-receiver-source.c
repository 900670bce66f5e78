/* gasync-receiver-source.c: delivering a channel's items on a main context
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-debug-private.h"
#include "gasync-receiver-source-private.h"

/* The source of gasync_receiver_attach(): a GSource with no file
 * descriptor, whose ready time the channel core sets to 0 when the queue
 * goes from empty to non-empty and this source sets back to -1 when it
 * finds the queue empty (both under the channel lock). One dispatch
 * delivers everything queued, a batch per lock. */

#define ATTACH_BATCH    256   /* items taken per lock by an attached receiver */
#define ATTACH_BUDGET   4096  /* items delivered per dispatch before yielding */

typedef struct
{
  GSource          source;
  GAsyncChannel   *channel;    /* owned */
  GAsyncReceiver  *receiver;   /* owned: an attached receiver stays open */
} AttachSource;

/* The callback data of an AttachSource. GLib frees it when the source is
 * destroyed (not finalized), which is when we detach from the channel. */
typedef struct
{
  AttachSource      *source;   /* not owned */
  GAsyncReceiveFunc  func;
  gpointer           user_data;
  GDestroyNotify     destroy;
} AttachCallback;

/* Hands a batch taken from the queue to the handler, one item at a time,
 * with no lock held. Returns FALSE if the handler is to be removed: it
 * asked to stop (the items it did not get are put back) or it closed the
 * receiver (they are freed). */
static gboolean
attach_source_deliver_batch (AttachSource   *self,
                             AttachCallback *cb,
                             Slot           *batch,
                             guint           n)
{
  GAsyncChannel *chan = self->channel;

  /* User code runs here, with no lock held. */
  for (guint i = 0; i < n; i++)
    {
      GValue value = G_VALUE_INIT;
      gboolean keep;

      slot_into_value (&chan->type, batch[i], &value);
      keep = cb->func (self->receiver, &value, cb->user_data);
      g_value_unset (&value);

      if G_UNLIKELY (!keep)
        {
          channel_put_back (chan, batch + i + 1, n - i - 1);
          return FALSE;
        }

      if G_UNLIKELY (channel_receiver_is_closed (chan))
        {
          /* Closed by the handler: the rest of the batch was queued. */
          for (guint j = i + 1; j < n; j++)
            slot_free (&chan->type, batch[j]);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
attach_source_deliver (AttachSource   *self,
                       AttachCallback *cb)
{
  Slot batch[ATTACH_BATCH];
  guint delivered = 0;

  while (delivered < ATTACH_BUDGET)
    {
      ChannelTake result;
      guint n;

      n = channel_take_for_source (self->channel, (GSource *) self, batch, ATTACH_BATCH, &result);
      switch (result)
        {
        case CHANNEL_TAKE_RECEIVER_CLOSED:
          return G_SOURCE_REMOVE;
        case CHANNEL_TAKE_SENDERS_GONE:
          cb->func (self->receiver, NULL, cb->user_data);
          return G_SOURCE_REMOVE;
        case CHANNEL_TAKE_EMPTY:
          /* Asleep until a sender finds the queue empty and wakes us. */
          return G_SOURCE_CONTINUE;
        case CHANNEL_TAKE_ITEMS:
        default:
          break;
        }

      if (!attach_source_deliver_batch (self, cb, batch, n))
        return G_SOURCE_REMOVE;
      delivered += n;
    }

  /* Still busy: stay ready (the ready time is still 0), but let the
   * context dispatch its other sources first. */
  return G_SOURCE_CONTINUE;
}

/* GASYNC_DEBUG=stalls: one dispatch (a batch of items), timed. */
static gboolean
attach_source_deliver_timed (AttachSource   *self,
                             AttachCallback *cb)
{
  gint64 start = g_get_monotonic_time ();
  gboolean ret = attach_source_deliver (self, cb);

  _gasync_debug_stall_check (start, "receiver callback", NULL, (gpointer) cb->func,
                             g_source_get_context ((GSource *) self));
  return ret;
}

static gboolean
attach_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  AttachSource *self = (AttachSource *) source;
  gboolean ret;

  /* Filled in on the attaching thread (see channel_attach_source()). */
  GASYNC_TSAN_ACQUIRE (source);
  if G_UNLIKELY (user_data == NULL)
    return G_SOURCE_REMOVE;

  if G_UNLIKELY (_gasync_debug_stalls)
    ret = attach_source_deliver_timed (self, user_data);
  else
    ret = attach_source_deliver (self, user_data);
  CHANNEL_CALL_DONE (self->channel);
  return ret;
}

static void
attach_source_finalize (GSource *source)
{
  AttachSource *self = (AttachSource *) source;

  g_clear_object (&self->receiver);
  g_clear_pointer (&self->channel, channel_unref);
}

static GSourceFuncs attach_source_funcs = {
  .dispatch = attach_source_dispatch,
  .finalize = attach_source_finalize,
};

static gboolean
attach_callback_stub (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* The source is being destroyed: detach it from the channel, then free the
 * handler's data, on the thread that destroys it (the context's own, unless
 * the application removes the source from elsewhere). */
static void
attach_callback_free (gpointer data)
{
  AttachCallback *cb = data;
  AttachSource *self = cb->source;
  GAsyncChannel *chan = self->channel;
  gboolean detached = FALSE;

  /* NULL only for a source that was never attached (finalized first). */
  if (chan != NULL)
    detached = channel_detach_source (chan, (GSource *) self);

  if (cb->destroy != NULL)
    cb->destroy (cb->user_data);
  g_free (cb);

  /* The context still holds its own reference while it destroys us. */
  if (chan != NULL)
    CHANNEL_CALL_DONE (chan);
  if (detached)
    g_source_unref ((GSource *) self);
}

static AttachSource *
attach_source_new (GAsyncChannel     *chan,
                   GAsyncReceiver    *receiver,
                   GAsyncReceiveFunc  func,
                   gpointer           user_data,
                   GDestroyNotify     destroy,
                   AttachCallback   **out_cb)
{
  AttachSource *self;
  AttachCallback *cb;

  self = (AttachSource *) g_source_new (&attach_source_funcs, sizeof (AttachSource));
  g_source_set_static_name ((GSource *) self, "[gasync] channel receiver");
  g_source_set_priority ((GSource *) self, G_PRIORITY_DEFAULT);
  self->channel = channel_ref (chan);
  self->receiver = g_object_ref (receiver);

  cb = g_new0 (AttachCallback, 1);
  cb->source = self;
  cb->func = func;
  cb->user_data = user_data;
  cb->destroy = destroy;
  g_source_set_callback ((GSource *) self, attach_callback_stub, cb, attach_callback_free);

  *out_cb = cb;
  return self;
}

/* Attaches a source that delivers @chan's items to @func on @context (NULL:
 * the thread-default one), holding a reference on @receiver, which @func
 * is given. Returns the source's ID, or 0 if a source is attached already
 * (a programming error, reported here; @destroy is then not called). */
guint
receiver_source_attach (GAsyncChannel     *chan,
                        GAsyncReceiver    *receiver,
                        GMainContext      *context,
                        GAsyncReceiveFunc  func,
                        gpointer           user_data,
                        GDestroyNotify     destroy)
{
  AttachSource *self;
  AttachCallback *cb;
  guint id;

  if (context != NULL)
    g_main_context_ref (context);
  else
    context = g_main_context_ref_thread_default ();
  /* GASYNC_DEBUG=stalls, for a program that has no future yet. */
  _gasync_debug_ensure_init ();

  self = attach_source_new (chan, receiver, func, user_data, destroy, &cb);
  id = channel_attach_source (chan, (GSource *) self, context);
  if G_UNLIKELY (id == 0)
    {
      g_critical ("%s: the GAsyncReceiver %p is already attached; a receiver has "
                  "one consumer", "gasync_receiver_attach", receiver);
      cb->destroy = NULL;
    }

  g_source_unref ((GSource *) self);
  g_main_context_unref (context);

  return id;
}
