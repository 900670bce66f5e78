/* gasync-broadcast-source.c: delivering a broadcast's items on a main context
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-broadcast-private.h"

/* The source of gasync_broadcast_receiver_attach(), a subscriber source
 * (gasync-subscriber-source.c): a send, the close or the end of a
 * future's delivery wakes it, and a dispatch that finds nothing left puts
 * it back to sleep. One dispatch delivers everything there is, up to a
 * budget. */

#define ATTACH_BUDGET 1024   /* items delivered per dispatch before yielding */

/* Takes the next item for the source, or returns NULL if there is none
 * (*@last is then set if the broadcast is closed and drained; otherwise
 * the source sleeps until the next send). */
static GAsyncValueBox *
broadcast_source_take (BroadcastCursor  *c,
                       guint64          *missed,
                       GAsyncValueBox  **release,
                       gboolean         *last)
{
  BroadcastCore *core = c->core;
  GAsyncValueBox *item = NULL;
  guint64 seq;

  *last = FALSE;
  gasync_mutex_lock (&core->hub.mutex);
  if (!c->delivering && broadcast_cursor_take_locked (c, &item, &seq, missed))
    *release = broadcast_cursor_commit_locked (c, seq);
  else if (!c->delivering && core->hub.closed)
    *last = TRUE;
  else
    /* Woken by the next send, or by the delivery under way. */
    _gasync_subscriber_slot_sleep_locked (&c->slot);
  gasync_mutex_unlock (&core->hub.mutex);
  return item;
}

static gboolean
broadcast_source_dispatch (GAsyncSubscriberSource *self,
                           GCallback               callback,
                           gpointer                user_data)
{
  GAsyncBroadcastFunc func = (GAsyncBroadcastFunc) callback;
  GAsyncBroadcastReceiver *receiver = GASYNC_BROADCAST_RECEIVER (self->receiver);

  for (guint n = 0; n < ATTACH_BUDGET; n++)
    {
      GAsyncValueBox *item, *release = NULL;
      GValue value = G_VALUE_INIT;
      guint64 missed = 0;
      gboolean last, keep;

      item = broadcast_source_take (self->cursor, &missed, &release, &last);
      if (last)
        {
          func (receiver, NULL, 0, user_data);
          return G_SOURCE_REMOVE;
        }
      if (item == NULL)
        return G_SOURCE_CONTINUE;

      /* User code runs here, with no lock held. */
      _gasync_value_box_copy_into (item, &value);
      _gasync_value_box_unref (item);
      _gasync_value_box_unref (release);
      keep = func (receiver, &value, missed, user_data);
      g_value_unset (&value);
      if (!keep)
        return G_SOURCE_REMOVE;
    }

  /* Still busy: stay ready, but let the context's other sources run. */
  return G_SOURCE_CONTINUE;
}

/* Look once when attached: items or the close may be there. */
static gboolean
broadcast_source_has_news_locked (gpointer cursor)
{
  return TRUE;
}

static const GAsyncSubscriberOps broadcast_source_ops = {
  .source_name = "[gasync] broadcast receiver",
  .attach_func = "gasync_broadcast_receiver_attach",
  .stall_kind = "broadcast callback",
  .dispatch = broadcast_source_dispatch,
  .has_news_locked = broadcast_source_has_news_locked,
  .hub = &broadcast_hub_ops,
};

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
  return _gasync_subscriber_source_attach (&broadcast_source_ops, G_OBJECT (receiver), c, &c->slot,
                                           context, G_CALLBACK (func), user_data, destroy);
}
