/* gasync-watch-source.c: delivering a watch's changes on a main context
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-watch-private.h"

/* The source of gasync_watch_receiver_attach(), a subscriber source
 * (gasync-subscriber-source.c): a set (or the close) wakes it, and its
 * dispatch, having taken the latest value, puts it back to sleep. One
 * dispatch delivers the latest value, once, however many sets were made
 * since the last. */

/* Takes the value to deliver, or NULL if there is none; *@last is set when
 * the watch is closed and everything was delivered. The source sleeps
 * until the next change once it took the latest value (a closed watch
 * keeps it awake for the last call). */
static GAsyncValueBox *
watch_source_take (WatchCursor *c,
                   gboolean    *last)
{
  WatchCore *core = c->core;
  GAsyncValueBox *box = NULL;

  *last = FALSE;
  gasync_mutex_lock (&core->hub.mutex);
  if (c->seen != core->version)
    box = watch_cursor_take_locked (c);
  else if (core->hub.closed)
    *last = TRUE;

  if (!core->hub.closed)
    _gasync_subscriber_slot_sleep_locked (&c->slot);
  gasync_mutex_unlock (&core->hub.mutex);
  return box;
}

static gboolean
watch_source_dispatch (GAsyncSubscriberSource *self,
                       GCallback               callback,
                       gpointer                user_data)
{
  GAsyncWatchFunc func = (GAsyncWatchFunc) callback;
  GAsyncWatchReceiver *receiver = GASYNC_WATCH_RECEIVER (self->receiver);
  GValue value = G_VALUE_INIT;
  GAsyncValueBox *box;
  gboolean last, keep;

  box = watch_source_take (self->cursor, &last);
  if (last)
    {
      func (receiver, NULL, user_data);
      return G_SOURCE_REMOVE;
    }
  if (box == NULL)
    return G_SOURCE_CONTINUE;

  /* User code runs here, with no lock held. */
  _gasync_value_box_copy_into (box, &value);
  _gasync_value_box_unref (box);
  keep = func (receiver, &value, user_data);
  g_value_unset (&value);
  return keep;
}

static gboolean
watch_source_has_news_locked (gpointer cursor)
{
  WatchCursor *c = cursor;

  return c->seen != c->core->version || c->core->hub.closed;
}

static const GAsyncSubscriberOps watch_source_ops = {
  .source_name = "[gasync] watch receiver",
  .attach_func = "gasync_watch_receiver_attach",
  .stall_kind = "watch callback",
  .dispatch = watch_source_dispatch,
  .has_news_locked = watch_source_has_news_locked,
  .hub = &watch_hub_ops,
};

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
  return _gasync_subscriber_source_attach (&watch_source_ops, G_OBJECT (receiver), c, &c->slot,
                                           context, G_CALLBACK (func), user_data, destroy);
}
