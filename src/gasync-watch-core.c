/* gasync-watch-core.c: the value, version and receiver cursors of a watch channel
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-watch-private.h"
#include "gasync-error.h"
#include "gasync-i18n-private.h"

/* How it works
 *
 * The value lives in a reference-counted box (GAsyncValueBox), so that a
 * receiver takes a reference under the lock and copies the value out
 * without it (a boxed type's copy function is user code). A set replaces
 * the box and bumps the version; each receiver's cursor (WatchCursor)
 * holds the version it saw. The core keeps a reference on every cursor so
 * that a set can find the parked futures and attached sources to wake.
 *
 * A cursor's parked futures are settled by one thread at a time (the
 * `delivering` flag): it resolves them without the lock, then marks the
 * version seen only if one of them took the value (they may have been
 * cancelled meanwhile, and a cancelled wait must not hide a change). A
 * future asked for while a delivery runs is parked, and the delivering
 * thread serves it before it stops, so the same change is never delivered
 * twice and a change made meanwhile is never lost.
 *
 * Announcing a change (blocked threads, attached sources, cursors to
 * serve) is gasync-subscriber-hub.c's, which calls back here to wake and
 * serve a cursor.
 *
 * Lock order: the core (hub) mutex, then a GMainContext's lock (in
 * g_source_set_ready_time()).
 */

/* An out GValue must be zero-filled or hold a type the value converts to. */
gboolean
watch_check_out_value (GType          type,
                       const GValue  *value,
                       GError       **error)
{
  if (_gasync_value_box_out_accepts (type, value))
    return TRUE;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH,
               _("The watch holds a value of type “%s”, which cannot be converted to “%s”"),
               g_type_name (type), g_type_name (G_VALUE_TYPE (value)));
  return FALSE;
}

/* The core and the cursors */

WatchCore *
watch_core_new (GAsyncValueBox *initial)
{
  WatchCore *core = g_new0 (WatchCore, 1);

  core->ref_count = 1;
  core->type = G_VALUE_TYPE (&initial->value);
  _gasync_subscriber_hub_init (&core->hub);
  core->current = initial;
  core->version = 1;
  return core;
}

WatchCore *
watch_core_ref (WatchCore *core)
{
  g_atomic_int_inc (&core->ref_count);
  return core;
}

void
watch_core_unref (WatchCore *core)
{
  if (!g_atomic_int_dec_and_test (&core->ref_count))
    return;

  /* Every cursor holds a reference, so none is left. */
  GASYNC_TSAN_ACQUIRE (core);
  _gasync_subscriber_hub_clear (&core->hub);
  _gasync_value_box_unref (core->current);
  g_free (core);
}

WatchCursor *
watch_cursor_ref (WatchCursor *c)
{
  g_atomic_int_inc (&c->ref_count);
  return c;
}

void
watch_cursor_unref (WatchCursor *c)
{
  if (!g_atomic_int_dec_and_test (&c->ref_count))
    return;

  GASYNC_TSAN_ACQUIRE (c);
  g_warn_if_fail (c->waiters == NULL);
  g_warn_if_fail (c->slot.source == NULL);
  watch_core_unref (c->core);
  g_free (c);
}

/* Settling parked futures, without the lock */

/* Resolves each future of @batch with a copy of @box's value and frees
 * the list. Returns TRUE if at least one took it (the others were
 * cancelled or dropped meanwhile). */
static gboolean
watch_waiters_resolve (GSList         *batch,
                       GAsyncValueBox *box)
{
  gboolean taken = FALSE;

  for (GSList *l = batch; l != NULL; l = l->next)
    {
      GAsyncFuture *future = l->data;
      GValue value = G_VALUE_INIT;

      _gasync_value_box_copy_into (box, &value);
      if (_gasync_future_resolve_steal (future, &value))
        taken = TRUE;
      g_object_unref (future);
    }
  g_slist_free (batch);
  return taken;
}

void
watch_waiters_reject (GSList     *batch,
                      const char *message)
{
  for (GSList *l = batch; l != NULL; l = l->next)
    {
      GAsyncFuture *future = l->data;

      _gasync_future_reject (future, g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED, message));
      g_object_unref (future);
    }
  g_slist_free (batch);
}

/* Settles @c's parked futures if it has something for them: the latest
 * value once it differs from what @c saw, CLOSED once the watch is closed
 * and @c saw the last value. Releases the lock while it settles them;
 * called and returns with it held. */
static void
watch_cursor_serve_locked (gpointer cursor)
{
  WatchCursor *c = cursor;
  WatchCore *core = c->core;

  while (c->waiters != NULL && !c->delivering)
    {
      GSList *batch = g_steal_pointer (&c->waiters);

      if (c->seen != core->version)
        {
          GAsyncValueBox *box = _gasync_value_box_ref (core->current);
          guint64 version = core->version;
          gboolean taken;

          c->delivering = TRUE;
          gasync_mutex_unlock (&core->hub.mutex);
          taken = watch_waiters_resolve (batch, box);
          _gasync_value_box_unref (box);
          gasync_mutex_lock (&core->hub.mutex);
          c->delivering = FALSE;
          if (taken && c->seen < version)
            c->seen = version;
        }
      else if (core->hub.closed)
        {
          gasync_mutex_unlock (&core->hub.mutex);
          watch_waiters_reject (batch, _("The watch is closed"));
          gasync_mutex_lock (&core->hub.mutex);
        }
      else
        {
          c->waiters = batch;   /* nothing new for them */
          break;
        }
    }
}

/* After a change or close: wakes @cursor's attached source; are its
 * parked futures to be served? */
static gboolean
watch_cursor_wake_locked (gpointer cursor)
{
  WatchCursor *c = cursor;

  _gasync_subscriber_slot_wake_locked (&c->slot);
  return c->waiters != NULL && !c->delivering;
}

static gpointer
watch_hub_cursor_ref (gpointer cursor)
{
  return watch_cursor_ref (cursor);
}

static void
watch_hub_cursor_unref (gpointer cursor)
{
  watch_cursor_unref (cursor);
}

const GAsyncSubscriberHubOps watch_hub_ops = {
  .cursor_ref = watch_hub_cursor_ref,
  .cursor_unref = watch_hub_cursor_unref,
  .wake_cursor_locked = watch_cursor_wake_locked,
  .serve_cursor_locked = watch_cursor_serve_locked,
};

void
watch_core_close (WatchCore *core)
{
  _gasync_subscriber_hub_close (&core->hub, &watch_hub_ops);
}

GAsyncValueBox *
watch_core_ref_current (WatchCore *core)
{
  GAsyncValueBox *box;

  gasync_mutex_lock (&core->hub.mutex);
  box = _gasync_value_box_ref (core->current);
  gasync_mutex_unlock (&core->hub.mutex);
  return box;
}

/* Takes the current value for @c and marks it seen. */
GAsyncValueBox *
watch_cursor_take_locked (WatchCursor *c)
{
  c->seen = c->core->version;
  return _gasync_value_box_ref (c->core->current);
}

/* Drops the parked futures that settled already (cancelled), so that
 * repeated timed-out waits do not pile up. Returns them, to be freed
 * without the lock. */
GSList *
watch_cursor_prune_locked (WatchCursor *c)
{
  GSList *pruned = NULL;
  GSList **link = &c->waiters;

  while (*link != NULL)
    {
      GSList *l = *link;

      if (_gasync_future_peek_state (l->data) != GASYNC_FUTURE_PENDING)
        {
          *link = l->next;
          l->next = pruned;
          pruned = l;
        }
      else
        link = &l->next;
    }
  return pruned;
}

/* Waits, with the lock held, for a value @c has not seen. Returns it, or
 * NULL with @error set. */
static GAsyncValueBox *
watch_cursor_wait_locked (WatchCursor   *c,
                          GCancellable  *cancellable,
                          GError       **error)
{
  WatchCore *core = c->core;

  for (;;)
    {
      if (c->seen != core->version)
        return watch_cursor_take_locked (c);

      if (core->hub.closed)
        {
          g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                               _("The watch is closed"));
          return NULL;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      _gasync_subscriber_hub_wait_locked (&core->hub);
    }
}

/* Waits for a value @c has not seen and takes it; returns NULL with
 * @error set if the watch closed (and @c saw its last value) or
 * @cancellable was cancelled first. */
GAsyncValueBox *
watch_cursor_wait (WatchCursor   *c,
                   GCancellable  *cancellable,
                   GError       **error)
{
  WatchCore *core = c->core;
  GAsyncValueBox *box;
  gulong handler;

  handler = _gasync_subscriber_hub_connect (&core->hub, cancellable);
  gasync_mutex_lock (&core->hub.mutex);
  box = watch_cursor_wait_locked (c, cancellable, error);
  gasync_mutex_unlock (&core->hub.mutex);

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  return box;
}

/* A cursor that has seen the current value, in the core's list. */
WatchCursor *
watch_cursor_new (WatchCore *core)
{
  WatchCursor *c = g_new0 (WatchCursor, 1);

  c->ref_count = 2;   /* the caller's, the core list's */
  c->core = watch_core_ref (core);
  c->slot.mutex = &core->hub.mutex;

  gasync_mutex_lock (&core->hub.mutex);
  c->seen = core->version;
  core->hub.cursors = g_list_prepend (core->hub.cursors, c);
  gasync_mutex_unlock (&core->hub.mutex);
  return c;
}

/* The receiver of @c is gone: takes @c out of the core's list and rejects
 * its parked futures (they keep no reference on the receiver, so nothing
 * can settle them now). Drops the caller's reference. */
void
watch_cursor_unsubscribe (WatchCursor *c)
{
  WatchCore *core = c->core;
  GSList *batch;

  gasync_mutex_lock (&core->hub.mutex);
  core->hub.cursors = g_list_remove (core->hub.cursors, c);
  batch = g_steal_pointer (&c->waiters);
  gasync_mutex_unlock (&core->hub.mutex);

  watch_waiters_reject (batch, _("The watch receiver was dropped"));
  watch_cursor_unref (c);   /* the core list's */
  watch_cursor_unref (c);
}

/* Makes @box the current value and wakes what waits. Returns FALSE (and
 * drops @box) if the watch is closed. */
gboolean
watch_core_set (WatchCore      *core,
                GAsyncValueBox *box)
{
  GAsyncValueBox *old;
  GPtrArray *serve;

  gasync_mutex_lock (&core->hub.mutex);
  if (core->hub.closed)
    {
      gasync_mutex_unlock (&core->hub.mutex);
      _gasync_value_box_unref (box);
      return FALSE;
    }
  old = core->current;
  core->current = box;
  core->version++;
  serve = _gasync_subscriber_hub_wake_locked (&core->hub, &watch_hub_ops);
  gasync_mutex_unlock (&core->hub.mutex);

  _gasync_value_box_unref (old);
  _gasync_subscriber_hub_serve (&core->hub, &watch_hub_ops, serve);
  return TRUE;
}
