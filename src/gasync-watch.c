/* gasync-watch.c: a channel that holds the latest value and wakes receivers on change
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-watch-private.h"
#include "gasync-error.h"
#include "gasync-i18n-private.h"

/**
 * GAsyncWatch:
 *
 * A watch channel holds one value, the latest, and tells its receivers
 * when it changed: the channel for state that only matters as of now, such
 * as a progress fraction, a connection status or a setting. Setting the
 * value never blocks and never queues; a receiver that is slower than the
 * setters skips the values in between and always ends up with the last
 * one (like `tokio::sync::watch`).
 *
 * Each #GAsyncWatchReceiver made by gasync_watch_subscribe() remembers
 * which version of the value it saw last. It learns about changes in one
 * of three ways: gasync_watch_receiver_changed() returns a future of the
 * next change, gasync_watch_receiver_wait_changed() blocks a thread until
 * then, and gasync_watch_receiver_attach() calls a function on a main
 * context after each change. Each of them delivers the latest value and
 * marks it seen, so several sets made meanwhile cost one wake-up. A new
 * receiver has seen the current value.
 *
 * gasync_watch_close(), or dropping the last reference to the watch,
 * closes it: a receiver that has not seen the last value still gets it,
 * then its futures reject with %GASYNC_ERROR_CLOSED, its blocking waits
 * fail with it and an attached function gets a last call with %NULL.
 *
 * |[<!-- language="C" -->
 * static gpointer
 * download (gpointer data)
 * {
 *   g_autoptr(GAsyncWatch) progress = data;
 *
 *   for (guint percent = 0; percent <= 100; percent++)
 *     {
 *       g_auto(GValue) value = G_VALUE_INIT;
 *
 *       g_value_init (&value, G_TYPE_UINT);
 *       g_value_set_uint (&value, percent);
 *       gasync_watch_set (progress, &value);   // never blocks
 *     }
 *   return NULL;   // dropping the last reference closes the watch
 * }
 *
 * static gboolean
 * on_progress (GAsyncWatchReceiver *rx,
 *              const GValue        *value,
 *              gpointer             user_data)
 * {
 *   if (value == NULL)   // closed, and the last value was delivered
 *     g_main_loop_quit (user_data);
 *   else
 *     g_print ("%u%%\n", g_value_get_uint (value));   // 100 comes last
 *   return G_SOURCE_CONTINUE;
 * }
 *
 * int
 * main (void)
 * {
 *   g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
 *   g_auto(GValue) zero = G_VALUE_INIT;
 *   GAsyncWatch *progress;
 *   g_autoptr(GAsyncWatchReceiver) rx = NULL;
 *
 *   g_value_init (&zero, G_TYPE_UINT);
 *   progress = gasync_watch_new (&zero);
 *   rx = gasync_watch_subscribe (progress);
 *   gasync_watch_receiver_attach (rx, NULL, on_progress, loop, NULL);
 *   g_thread_unref (g_thread_new ("download", download, progress));
 *   g_main_loop_run (loop);
 *   return 0;
 * }
 * ]|
 *
 * ## Thread safety
 *
 * Every function of a watch and of its receivers may be called from any
 * thread. gasync_watch_set() stores a copy of the value and wakes what
 * waits; it runs no user code besides the value type's copy and free
 * functions, and never with a lock held. Futures returned by
 * gasync_watch_receiver_changed() are settled on the thread that made the
 * change (or closed the watch), and their continuations run, as always,
 * on the context they were registered from. An attached #GAsyncWatchFunc
 * and its #GDestroyNotify run on the thread iterating the #GMainContext
 * it was attached to, never inside gasync_watch_set(). The blocking wait
 * is refused on an async worker thread of a #GAsyncRuntime.
 *
 * A receiver is meant for one consumer: two consumers of one receiver
 * share its "seen" mark, so one of them may miss a change the other took.
 * Subscribe a receiver per consumer instead.
 *
 * Since: 0.1
 */

/**
 * GAsyncWatchReceiver:
 *
 * One receiver of a #GAsyncWatch, made by gasync_watch_subscribe(): it
 * remembers which version of the value it saw last. See #GAsyncWatch.
 *
 * Since: 0.1
 */

struct _GAsyncWatch
{
  GObject     parent_instance;

  WatchCore  *core;          /* owned, immutable */
};

struct _GAsyncWatchReceiver
{
  GObject      parent_instance;

  WatchCursor *cursor;       /* owned, immutable */
};

G_DEFINE_FINAL_TYPE (GAsyncWatch, gasync_watch, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (GAsyncWatchReceiver, gasync_watch_receiver, G_TYPE_OBJECT)

/* GAsyncWatch */

static void
gasync_watch_finalize (GObject *object)
{
  GAsyncWatch *self = GASYNC_WATCH (object);

  watch_core_close (self->core);
  g_clear_pointer (&self->core, watch_core_unref);

  G_OBJECT_CLASS (gasync_watch_parent_class)->finalize (object);
}

static void
gasync_watch_class_init (GAsyncWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gasync_watch_finalize;
}

static void
gasync_watch_init (GAsyncWatch *self)
{
}

/**
 * gasync_watch_new:
 * @initial: the first value; its type is the type of every value of the
 *   watch
 *
 * Makes a watch channel holding a copy of @initial. Make receivers with
 * gasync_watch_subscribe(); dropping the last reference to the watch
 * closes it (see gasync_watch_close()).
 *
 * Returns: (transfer full): a new #GAsyncWatch
 *
 * Since: 0.1
 */
GAsyncWatch *
gasync_watch_new (const GValue *initial)
{
  GAsyncWatch *self;
  GAsyncValueBox *box;

  g_return_val_if_fail (G_IS_VALUE (initial), NULL);

  box = _gasync_value_box_new (G_VALUE_TYPE (initial), initial, NULL);
  self = g_object_new (GASYNC_TYPE_WATCH, NULL);
  self->core = watch_core_new (box);
  return self;
}

/**
 * gasync_watch_get_value_type:
 * @watch: a #GAsyncWatch
 *
 * Gets the type of @watch's values: the type of the value it was made with.
 *
 * Returns: the value type
 *
 * Since: 0.1
 */
GType
gasync_watch_get_value_type (GAsyncWatch *watch)
{
  g_return_val_if_fail (GASYNC_IS_WATCH (watch), G_TYPE_INVALID);

  return watch->core->type;
}

/**
 * gasync_watch_set:
 * @watch: a #GAsyncWatch
 * @value: the new value, of the watch's value type or one that converts
 *   to it
 *
 * Replaces the value with a copy of @value and tells every receiver that
 * it changed: parked gasync_watch_receiver_changed() futures resolve with
 * it, blocked waits return it and attached functions are scheduled on
 * their contexts. Never blocks for long (no receiver can hold it up) and
 * may be called from any thread. Receivers that did not look since the
 * previous set see only this value.
 *
 * Once the watch is closed the value no longer changes, and this returns
 * %FALSE.
 *
 * Returns: %TRUE if the value was set, %FALSE if the watch is closed
 *
 * Since: 0.1
 */
gboolean
gasync_watch_set (GAsyncWatch  *watch,
                  const GValue *value)
{
  g_autoptr(GError) error = NULL;
  GAsyncValueBox *box;

  g_return_val_if_fail (GASYNC_IS_WATCH (watch), FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);

  box = _gasync_value_box_new (watch->core->type, value, &error);
  if (box == NULL)
    {
      g_critical ("%s: %s", G_STRFUNC, error->message);
      return FALSE;
    }
  return watch_core_set (watch->core, box);
}

/**
 * gasync_watch_get_value: (skip)
 * @watch: a #GAsyncWatch
 * @value: (out caller-allocates): a zero-filled #GValue, or one
 *   initialized with a type the value converts to
 *
 * Gets a copy of the current value. This marks nothing seen: receivers
 * are not involved.
 *
 * Bindings call gasync_watch_dup_value() under this name.
 *
 * Since: 0.1
 */
void
gasync_watch_get_value (GAsyncWatch *watch,
                        GValue      *value)
{
  g_autoptr(GError) error = NULL;
  GAsyncValueBox *box;

  g_return_if_fail (GASYNC_IS_WATCH (watch));
  g_return_if_fail (value != NULL);

  box = watch_core_ref_current (watch->core);
  if (!_gasync_value_store (value, &box->value, &error))
    g_critical ("%s: %s", G_STRFUNC, error->message);
  _gasync_value_box_unref (box);
}

/**
 * gasync_watch_dup_value: (rename-to gasync_watch_get_value)
 * @watch: a #GAsyncWatch
 *
 * Gets a copy of the current value, as gasync_watch_get_value() does.
 *
 * Returns: (transfer full): a newly allocated copy of the value
 *
 * Since: 0.1
 */
GValue *
gasync_watch_dup_value (GAsyncWatch *watch)
{
  GAsyncValueBox *box;
  GValue *ret;

  g_return_val_if_fail (GASYNC_IS_WATCH (watch), NULL);

  box = watch_core_ref_current (watch->core);
  ret = g_new0 (GValue, 1);
  _gasync_value_box_copy_into (box, ret);
  _gasync_value_box_unref (box);
  return ret;
}

/**
 * gasync_watch_subscribe:
 * @watch: a #GAsyncWatch
 *
 * Makes a receiver of @watch's changes. It has seen the current value:
 * its first change is the next gasync_watch_set(). Read the current value
 * with gasync_watch_receiver_dup_value() if it matters too (that marks it
 * seen, so nothing is delivered twice).
 *
 * Subscribing to a closed watch works: the receiver reports the watch
 * closed at once.
 *
 * Returns: (transfer full): a new #GAsyncWatchReceiver
 *
 * Since: 0.1
 */
GAsyncWatchReceiver *
gasync_watch_subscribe (GAsyncWatch *watch)
{
  GAsyncWatchReceiver *rx;

  g_return_val_if_fail (GASYNC_IS_WATCH (watch), NULL);

  rx = g_object_new (GASYNC_TYPE_WATCH_RECEIVER, NULL);
  rx->cursor = watch_cursor_new (watch->core);
  return rx;
}

/**
 * gasync_watch_close:
 * @watch: a #GAsyncWatch
 *
 * Closes @watch: its value no longer changes (gasync_watch_set() returns
 * %FALSE). A receiver that has not seen the last value still gets it;
 * after that its gasync_watch_receiver_changed() futures reject with
 * %GASYNC_ERROR_CLOSED, gasync_watch_receiver_wait_changed() fails with
 * it, and an attached function is called one last time with %NULL.
 * gasync_watch_get_value() keeps working. Closing twice does nothing;
 * dropping the last reference to @watch closes it.
 *
 * Since: 0.1
 */
void
gasync_watch_close (GAsyncWatch *watch)
{
  g_return_if_fail (GASYNC_IS_WATCH (watch));

  watch_core_close (watch->core);
}

/* GAsyncWatchReceiver */

static void
gasync_watch_receiver_finalize (GObject *object)
{
  GAsyncWatchReceiver *self = GASYNC_WATCH_RECEIVER (object);

  /* An attached source holds a reference on us, so none is attached. */
  watch_cursor_unsubscribe (g_steal_pointer (&self->cursor));

  G_OBJECT_CLASS (gasync_watch_receiver_parent_class)->finalize (object);
}

static void
gasync_watch_receiver_class_init (GAsyncWatchReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gasync_watch_receiver_finalize;
}

static void
gasync_watch_receiver_init (GAsyncWatchReceiver *self)
{
}

/**
 * gasync_watch_receiver_has_changed:
 * @receiver: a #GAsyncWatchReceiver
 *
 * Checks, without waiting or marking anything seen, whether the value
 * changed since @receiver last saw it.
 *
 * Returns: %TRUE if there is a value @receiver has not seen
 *
 * Since: 0.1
 */
gboolean
gasync_watch_receiver_has_changed (GAsyncWatchReceiver *receiver)
{
  WatchCore *core;
  gboolean ret;

  g_return_val_if_fail (GASYNC_IS_WATCH_RECEIVER (receiver), FALSE);

  core = receiver->cursor->core;
  gasync_mutex_lock (&core->hub.mutex);
  ret = receiver->cursor->seen != core->version;
  gasync_mutex_unlock (&core->hub.mutex);
  return ret;
}

/**
 * gasync_watch_receiver_dup_value:
 * @receiver: a #GAsyncWatchReceiver
 *
 * Gets a copy of the current value and marks it seen by @receiver, so
 * that its next change is the next gasync_watch_set(). Use it to show the
 * current state before waiting for changes.
 *
 * Returns: (transfer full): a newly allocated copy of the value
 *
 * Since: 0.1
 */
GValue *
gasync_watch_receiver_dup_value (GAsyncWatchReceiver *receiver)
{
  WatchCore *core;
  GAsyncValueBox *box;
  GValue *ret;

  g_return_val_if_fail (GASYNC_IS_WATCH_RECEIVER (receiver), NULL);

  core = receiver->cursor->core;
  gasync_mutex_lock (&core->hub.mutex);
  box = watch_cursor_take_locked (receiver->cursor);
  gasync_mutex_unlock (&core->hub.mutex);

  ret = g_new0 (GValue, 1);
  _gasync_value_box_copy_into (box, ret);
  _gasync_value_box_unref (box);
  return ret;
}

static GAsyncFuture *
watch_future_new_for_box (GAsyncValueBox *box)
{
  GAsyncFuture *ret = _gasync_future_new_pending ();
  GValue value = G_VALUE_INIT;

  _gasync_value_box_copy_into (box, &value);
  _gasync_future_resolve_steal (ret, &value);
  _gasync_value_box_unref (box);
  return ret;
}

/**
 * gasync_watch_receiver_changed:
 * @receiver: a #GAsyncWatchReceiver
 *
 * Returns a future of the next change: it resolves with the latest value
 * once the value differs from the one @receiver saw last (at once if it
 * does already), and marks that value seen. Several sets made before it
 * resolves give one resolution, with the last value.
 *
 * Once the watch is closed and @receiver saw its last value, the future
 * rejects with %GASYNC_ERROR_CLOSED. Cancelling the future (for example
 * through gasync_future_with_timeout()) withdraws it: a change it did not
 * take stays unseen for the next call.
 *
 * Returns: (transfer full): a future of the changed value
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_watch_receiver_changed (GAsyncWatchReceiver *receiver)
{
  WatchCursor *c;
  WatchCore *core;
  GAsyncPromise *promise;
  GSList *pruned;

  g_return_val_if_fail (GASYNC_IS_WATCH_RECEIVER (receiver), NULL);

  c = receiver->cursor;
  core = c->core;
  promise = gasync_promise_new ();

  gasync_mutex_lock (&core->hub.mutex);
  pruned = watch_cursor_prune_locked (c);
  if (!c->delivering && c->waiters == NULL && c->seen != core->version)
    {
      GAsyncValueBox *box = watch_cursor_take_locked (c);

      gasync_mutex_unlock (&core->hub.mutex);
      g_slist_free_full (pruned, g_object_unref);
      g_object_unref (promise);
      return watch_future_new_for_box (box);
    }
  if (!c->delivering && c->waiters == NULL && core->hub.closed)
    {
      gasync_mutex_unlock (&core->hub.mutex);
      g_slist_free_full (pruned, g_object_unref);
      g_object_unref (promise);
      return gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                                                  _("The watch is closed"));
    }
  /* Served by the next change, the close, or the delivery under way. */
  c->waiters = g_slist_prepend (c->waiters, g_object_ref (promise));
  gasync_mutex_unlock (&core->hub.mutex);

  g_slist_free_full (pruned, g_object_unref);
  return GASYNC_FUTURE (promise);
}

/**
 * gasync_watch_receiver_wait_changed: (skip)
 * @receiver: a #GAsyncWatchReceiver
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @value: (out caller-allocates) (optional): a zero-filled #GValue for the
 *   value, or one initialized with a type the value converts to, or %NULL
 * @error: return location for an error
 *
 * Blocks until the value differs from the one @receiver saw last (returns
 * at once if it does already), then stores the latest value in @value and
 * marks it seen. Iterates no main context.
 *
 * Fails with %GASYNC_ERROR_CLOSED once the watch is closed and @receiver
 * saw its last value, with %G_IO_ERROR_CANCELLED if @cancellable is
 * cancelled first, with %GASYNC_ERROR_TYPE_MISMATCH (marking nothing seen)
 * if @value cannot hold the value type, and with
 * %GASYNC_ERROR_WOULD_DEADLOCK, every time, on an async worker thread of
 * a #GAsyncRuntime. On failure a zero-filled @value is initialized to
 * %G_TYPE_POINTER, %NULL.
 *
 * Bindings wait for gasync_watch_receiver_changed() instead.
 *
 * Returns: %TRUE if a changed value was received
 *
 * Since: 0.1
 */
gboolean
gasync_watch_receiver_wait_changed (GAsyncWatchReceiver  *receiver,
                                    GCancellable         *cancellable,
                                    GValue               *value,
                                    GError              **error)
{
  GAsyncValueBox *box;

  g_return_val_if_fail (GASYNC_IS_WATCH_RECEIVER (receiver), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  box = NULL;
  if (_gasync_check_may_block ("gasync_watch_receiver_wait_changed()", error) &&
      watch_check_out_value (receiver->cursor->core->type, value, error))
    box = watch_cursor_wait (receiver->cursor, cancellable, error);

  if (box == NULL)
    {
      _gasync_value_init_for_error (value);
      return FALSE;
    }
  if (value != NULL)
    _gasync_value_store (value, &box->value, NULL);
  _gasync_value_box_unref (box);
  return TRUE;
}

/**
 * gasync_watch_receiver_attach:
 * @receiver: a #GAsyncWatchReceiver
 * @context: (nullable): the #GMainContext to call @func on, or %NULL for
 *   the caller's thread-default context
 * @func: (scope notified) (closure user_data) (destroy destroy): called
 *   with the latest value after changes, on the thread iterating @context
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func will not be called
 *   again
 *
 * Calls @func on @context with the latest value each time the value
 * changed since @receiver saw it (at once, in a later iteration, if it
 * changed already). A set wakes @context; the sets made before @func runs
 * are delivered once, with the last value, which @func's call marks seen.
 * No #GSource is created per change.
 *
 * @func returns %G_SOURCE_REMOVE to stop. Once the watch is closed and the
 * last value was delivered, @func is called one last time with %NULL and
 * the handler is removed. @destroy runs when the handler is removed, on
 * @context's thread.
 *
 * While attached, the handler holds a reference on @receiver, so the
 * caller may drop its own. A receiver has one handler: attaching twice is
 * a programming error.
 *
 * Returns: the ID of the #GSource (for g_source_remove()), or 0 on a
 *   programming error
 *
 * Since: 0.1
 */
guint
gasync_watch_receiver_attach (GAsyncWatchReceiver *receiver,
                              GMainContext        *context,
                              GAsyncWatchFunc      func,
                              gpointer             user_data,
                              GDestroyNotify       destroy)
{
  g_return_val_if_fail (GASYNC_IS_WATCH_RECEIVER (receiver), 0);
  g_return_val_if_fail (func != NULL, 0);

  return watch_source_attach (receiver, receiver->cursor, context, func, user_data, destroy);
}
