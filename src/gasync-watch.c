/* gasync-watch.c: a channel that holds the latest value and wakes receivers on change
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-watch.h"
#include "gasync-error.h"
#include "gasync-future-private.h"
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

/* How it works
 *
 * The value lives in a reference-counted box (WatchValue), so that a
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
 * Lock order: the core mutex, then a GMainContext's lock (in
 * g_source_set_ready_time()).
 */

typedef struct
{
  gint    ref_count;   /* atomic */
  GValue  value;       /* immutable */
} WatchValue;

typedef struct _WatchCore WatchCore;

typedef struct
{
  gint        ref_count;     /* atomic */
  WatchCore  *core;          /* owned, immutable */

  /* protected by core->mutex: */
  guint64     seen;          /* the version this receiver saw last */
  GSList     *waiters;       /* owned GAsyncPromise: parked changed() futures */
  gboolean    delivering;    /* a thread is settling waiters without the lock */
  GSource    *source;        /* owned reference while attached, or NULL */
  gboolean    source_woken;  /* its ready time is 0 */
} WatchCursor;

struct _WatchCore
{
  gint         ref_count;    /* atomic */
  GType        type;         /* immutable */

  GMutex       mutex;
  GCond        changed;      /* signalled on a change or close when n_blocked > 0 */

  /* protected by mutex: */
  WatchValue  *current;      /* owned */
  guint64      version;
  gboolean     closed;
  guint        n_blocked;    /* threads in gasync_watch_receiver_wait_changed() */
  GList       *cursors;      /* owned WatchCursor references, one per receiver */
};

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

/* Values */

/* Makes a box holding @value converted to @type, or returns NULL (with
 * @error set) if it does not convert. Runs the type's copy function. */
static WatchValue *
watch_value_new (GType          type,
                 const GValue  *value,
                 GError       **error)
{
  WatchValue *box = g_new0 (WatchValue, 1);

  box->ref_count = 1;
  g_value_init (&box->value, type);
  if (!_gasync_value_store (&box->value, value, error))
    {
      g_value_unset (&box->value);
      g_free (box);
      return NULL;
    }
  return box;
}

static WatchValue *
watch_value_ref (WatchValue *box)
{
  g_atomic_int_inc (&box->ref_count);
  return box;
}

/* Call without the lock: runs the type's free function. */
static void
watch_value_unref (WatchValue *box)
{
  if (box == NULL || !g_atomic_int_dec_and_test (&box->ref_count))
    return;

  g_value_unset (&box->value);
  g_free (box);
}

/* A new GValue (zero-filled first) holding a copy of the boxed value. */
static void
watch_value_copy_into (WatchValue *box,
                       GValue     *dest)
{
  g_value_init (dest, G_VALUE_TYPE (&box->value));
  g_value_copy (&box->value, dest);
}

/* An out GValue must be zero-filled or hold a type the value converts to. */
static gboolean
watch_check_out_value (GType          type,
                       const GValue  *value,
                       GError       **error)
{
  GType want;

  if (value == NULL || G_VALUE_TYPE (value) == G_TYPE_INVALID)
    return TRUE;

  want = G_VALUE_TYPE (value);
  if (g_value_type_compatible (type, want) || g_value_type_transformable (type, want))
    return TRUE;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH,
               _("The watch holds a value of type “%s”, which cannot be converted to “%s”"),
               g_type_name (type), g_type_name (want));
  return FALSE;
}

/* The core and the cursors */

static WatchCore *
watch_core_new (WatchValue *initial)
{
  WatchCore *core = g_new0 (WatchCore, 1);

  core->ref_count = 1;
  core->type = G_VALUE_TYPE (&initial->value);
  g_mutex_init (&core->mutex);
  g_cond_init (&core->changed);
  core->current = initial;
  core->version = 1;
  return core;
}

static WatchCore *
watch_core_ref (WatchCore *core)
{
  g_atomic_int_inc (&core->ref_count);
  return core;
}

static void
watch_core_unref (WatchCore *core)
{
  if (!g_atomic_int_dec_and_test (&core->ref_count))
    return;

  /* Every cursor holds a reference, so none is left. */
  GASYNC_TSAN_ACQUIRE (core);
  g_warn_if_fail (core->cursors == NULL);
  watch_value_unref (core->current);
  g_cond_clear (&core->changed);
  g_mutex_clear (&core->mutex);
  g_free (core);
}

static WatchCursor *
watch_cursor_ref (WatchCursor *c)
{
  g_atomic_int_inc (&c->ref_count);
  return c;
}

static void
watch_cursor_unref (WatchCursor *c)
{
  if (!g_atomic_int_dec_and_test (&c->ref_count))
    return;

  GASYNC_TSAN_ACQUIRE (c);
  g_warn_if_fail (c->waiters == NULL);
  g_warn_if_fail (c->source == NULL);
  watch_core_unref (c->core);
  g_free (c);
}

/* Settling parked futures, without the lock */

/* Resolves each future of @batch with a copy of @box's value and frees
 * the list. Returns TRUE if at least one took it (the others were
 * cancelled or dropped meanwhile). */
static gboolean
watch_waiters_resolve (GSList     *batch,
                       WatchValue *box)
{
  gboolean taken = FALSE;

  for (GSList *l = batch; l != NULL; l = l->next)
    {
      GAsyncFuture *future = l->data;
      GValue value = G_VALUE_INIT;

      watch_value_copy_into (box, &value);
      if (_gasync_future_resolve_steal (future, &value))
        taken = TRUE;
      g_object_unref (future);
    }
  g_slist_free (batch);
  return taken;
}

static void
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
watch_cursor_serve_locked (WatchCursor *c)
{
  WatchCore *core = c->core;

  while (c->waiters != NULL && !c->delivering)
    {
      GSList *batch = g_steal_pointer (&c->waiters);

      if (c->seen != core->version)
        {
          WatchValue *box = watch_value_ref (core->current);
          guint64 version = core->version;
          gboolean taken;

          c->delivering = TRUE;
          gasync_mutex_unlock (&core->mutex);
          taken = watch_waiters_resolve (batch, box);
          watch_value_unref (box);
          gasync_mutex_lock (&core->mutex);
          c->delivering = FALSE;
          if (taken && c->seen < version)
            c->seen = version;
        }
      else if (core->closed)
        {
          gasync_mutex_unlock (&core->mutex);
          watch_waiters_reject (batch, _("The watch is closed"));
          gasync_mutex_lock (&core->mutex);
        }
      else
        {
          c->waiters = batch;   /* nothing new for them */
          break;
        }
    }
}

/* After a change or close: wakes blocked threads and attached sources,
 * and returns the cursors whose parked futures are to be served (with a
 * reference each), or NULL. */
static GPtrArray *
watch_core_wake_locked (WatchCore *core)
{
  GPtrArray *serve = NULL;

  if (core->n_blocked > 0)
    g_cond_broadcast (&core->changed);

  for (GList *l = core->cursors; l != NULL; l = l->next)
    {
      WatchCursor *c = l->data;

      if (c->source != NULL && !c->source_woken)
        {
          c->source_woken = TRUE;
          g_source_set_ready_time (c->source, 0);
        }
      if (c->waiters != NULL && !c->delivering)
        {
          if (serve == NULL)
            serve = g_ptr_array_new ();
          g_ptr_array_add (serve, watch_cursor_ref (c));
        }
    }

  return serve;
}

/* Serves, without the lock held on entry, what watch_core_wake_locked()
 * returned. */
static void
watch_core_serve (WatchCore *core,
                  GPtrArray *serve)
{
  if (serve == NULL)
    return;

  for (guint i = 0; i < serve->len; i++)
    {
      WatchCursor *c = serve->pdata[i];

      gasync_mutex_lock (&core->mutex);
      watch_cursor_serve_locked (c);
      gasync_mutex_unlock (&core->mutex);
      watch_cursor_unref (c);
    }
  g_ptr_array_unref (serve);
}

static void
watch_core_close (WatchCore *core)
{
  GPtrArray *serve;

  gasync_mutex_lock (&core->mutex);
  if (core->closed)
    {
      gasync_mutex_unlock (&core->mutex);
      return;
    }
  core->closed = TRUE;
  serve = watch_core_wake_locked (core);
  gasync_mutex_unlock (&core->mutex);

  watch_core_serve (core, serve);
}

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
  WatchValue *box;

  g_return_val_if_fail (G_IS_VALUE (initial), NULL);

  box = watch_value_new (G_VALUE_TYPE (initial), initial, NULL);
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
  WatchCore *core;
  WatchValue *box, *old;
  GPtrArray *serve;

  g_return_val_if_fail (GASYNC_IS_WATCH (watch), FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);

  core = watch->core;
  box = watch_value_new (core->type, value, &error);
  if (box == NULL)
    {
      g_critical ("%s: %s", G_STRFUNC, error->message);
      return FALSE;
    }

  gasync_mutex_lock (&core->mutex);
  if (core->closed)
    {
      gasync_mutex_unlock (&core->mutex);
      watch_value_unref (box);
      return FALSE;
    }
  old = core->current;
  core->current = box;
  core->version++;
  serve = watch_core_wake_locked (core);
  gasync_mutex_unlock (&core->mutex);

  watch_value_unref (old);
  watch_core_serve (core, serve);
  return TRUE;
}

static WatchValue *
watch_core_ref_current (WatchCore *core)
{
  WatchValue *box;

  gasync_mutex_lock (&core->mutex);
  box = watch_value_ref (core->current);
  gasync_mutex_unlock (&core->mutex);
  return box;
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
  WatchValue *box;

  g_return_if_fail (GASYNC_IS_WATCH (watch));
  g_return_if_fail (value != NULL);

  box = watch_core_ref_current (watch->core);
  if (!_gasync_value_store (value, &box->value, &error))
    g_critical ("%s: %s", G_STRFUNC, error->message);
  watch_value_unref (box);
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
  WatchValue *box;
  GValue *ret;

  g_return_val_if_fail (GASYNC_IS_WATCH (watch), NULL);

  box = watch_core_ref_current (watch->core);
  ret = g_new0 (GValue, 1);
  watch_value_copy_into (box, ret);
  watch_value_unref (box);
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
  WatchCore *core;
  WatchCursor *c;

  g_return_val_if_fail (GASYNC_IS_WATCH (watch), NULL);

  core = watch->core;
  c = g_new0 (WatchCursor, 1);
  c->ref_count = 2;   /* the receiver's, the core list's */
  c->core = watch_core_ref (core);

  gasync_mutex_lock (&core->mutex);
  c->seen = core->version;
  core->cursors = g_list_prepend (core->cursors, c);
  gasync_mutex_unlock (&core->mutex);

  rx = g_object_new (GASYNC_TYPE_WATCH_RECEIVER, NULL);
  rx->cursor = c;
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
  WatchCursor *c = self->cursor;
  WatchCore *core = c->core;
  GSList *batch;

  /* An attached source holds a reference on us, so none is attached. */
  gasync_mutex_lock (&core->mutex);
  core->cursors = g_list_remove (core->cursors, c);
  batch = g_steal_pointer (&c->waiters);
  gasync_mutex_unlock (&core->mutex);

  /* Parked futures keep no reference on us: they cannot settle now. */
  watch_waiters_reject (batch, _("The watch receiver was dropped"));
  watch_cursor_unref (c);   /* the core list's */
  g_clear_pointer (&self->cursor, watch_cursor_unref);

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
  gasync_mutex_lock (&core->mutex);
  ret = receiver->cursor->seen != core->version;
  gasync_mutex_unlock (&core->mutex);
  return ret;
}

/* Takes the current value for @c and marks it seen. */
static WatchValue *
watch_cursor_take_locked (WatchCursor *c)
{
  c->seen = c->core->version;
  return watch_value_ref (c->core->current);
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
  WatchValue *box;
  GValue *ret;

  g_return_val_if_fail (GASYNC_IS_WATCH_RECEIVER (receiver), NULL);

  core = receiver->cursor->core;
  gasync_mutex_lock (&core->mutex);
  box = watch_cursor_take_locked (receiver->cursor);
  gasync_mutex_unlock (&core->mutex);

  ret = g_new0 (GValue, 1);
  watch_value_copy_into (box, ret);
  watch_value_unref (box);
  return ret;
}

/* Drops the parked futures that settled already (cancelled), so that
 * repeated timed-out waits do not pile up. Returns them, to be freed
 * without the lock. */
static GSList *
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

static GAsyncFuture *
watch_future_new_for_box (WatchValue *box)
{
  GAsyncFuture *ret = _gasync_future_new_pending ();
  GValue value = G_VALUE_INIT;

  watch_value_copy_into (box, &value);
  _gasync_future_resolve_steal (ret, &value);
  watch_value_unref (box);
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

  gasync_mutex_lock (&core->mutex);
  pruned = watch_cursor_prune_locked (c);
  if (!c->delivering && c->waiters == NULL && c->seen != core->version)
    {
      WatchValue *box = watch_cursor_take_locked (c);

      gasync_mutex_unlock (&core->mutex);
      g_slist_free_full (pruned, g_object_unref);
      g_object_unref (promise);
      return watch_future_new_for_box (box);
    }
  if (!c->delivering && c->waiters == NULL && core->closed)
    {
      gasync_mutex_unlock (&core->mutex);
      g_slist_free_full (pruned, g_object_unref);
      g_object_unref (promise);
      return gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                                                  _("The watch is closed"));
    }
  /* Served by the next change, the close, or the delivery under way. */
  c->waiters = g_slist_prepend (c->waiters, g_object_ref (promise));
  gasync_mutex_unlock (&core->mutex);

  g_slist_free_full (pruned, g_object_unref);
  return GASYNC_FUTURE (promise);
}

static void
watch_cancelled_cb (GCancellable *cancellable,
                    WatchCore    *core)
{
  /* Under the lock, so that a thread about to wait cannot miss it. */
  gasync_mutex_lock (&core->mutex);
  g_cond_broadcast (&core->changed);
  gasync_mutex_unlock (&core->mutex);
}

/* Waits, with the lock held, for a value @c has not seen. Returns it, or
 * NULL with @error set. */
static WatchValue *
watch_cursor_wait_locked (WatchCursor   *c,
                          GCancellable  *cancellable,
                          GError       **error)
{
  WatchCore *core = c->core;

  for (;;)
    {
      if (c->seen != core->version)
        return watch_cursor_take_locked (c);

      if (core->closed)
        {
          g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                               _("The watch is closed"));
          return NULL;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      core->n_blocked++;
      gasync_cond_wait (&core->changed, &core->mutex);
      core->n_blocked--;
    }
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
  WatchCore *core;
  WatchValue *box;
  gulong handler = 0;

  g_return_val_if_fail (GASYNC_IS_WATCH_RECEIVER (receiver), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  core = receiver->cursor->core;
  if (!_gasync_check_may_block ("gasync_watch_receiver_wait_changed()", error) ||
      !watch_check_out_value (core->type, value, error))
    {
      _gasync_value_init_for_error (value);
      return FALSE;
    }

  /* Connected without the lock: it runs at once if already cancelled. */
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (watch_cancelled_cb), core, NULL);

  gasync_mutex_lock (&core->mutex);
  box = watch_cursor_wait_locked (receiver->cursor, cancellable, error);
  gasync_mutex_unlock (&core->mutex);

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  if (box == NULL)
    {
      _gasync_value_init_for_error (value);
      return FALSE;
    }
  if (value != NULL)
    _gasync_value_store (value, &box->value, NULL);
  watch_value_unref (box);
  return TRUE;
}

/* Receiving on a main context */

typedef struct
{
  GSource              source;
  GAsyncWatchReceiver *receiver;   /* owned: an attached receiver stays subscribed */
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
static WatchValue *
watch_source_take (WatchSource *self,
                   gboolean    *last)
{
  WatchCursor *c = self->receiver->cursor;
  WatchCore *core = c->core;
  WatchValue *box = NULL;

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
  WatchValue *box;
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
  watch_value_copy_into (box, &value);
  watch_value_unref (box);
  keep = cb->func (self->receiver, &value, cb->user_data);
  g_value_unset (&value);
  return keep;
}

static void
watch_source_finalize (GSource *source)
{
  WatchSource *self = (WatchSource *) source;

  g_clear_object (&self->receiver);
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
  if (self->receiver != NULL)
    {
      WatchCursor *c = self->receiver->cursor;

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
watch_source_new (GAsyncWatchReceiver *receiver,
                  GAsyncWatchFunc      func,
                  gpointer             user_data,
                  GDestroyNotify       destroy,
                  WatchAttach        **out_cb)
{
  WatchSource *self;
  WatchAttach *cb;

  self = (WatchSource *) g_source_new (&watch_source_funcs, sizeof (WatchSource));
  g_source_set_static_name ((GSource *) self, "[gasync] watch receiver");
  g_source_set_priority ((GSource *) self, G_PRIORITY_DEFAULT);
  g_source_set_ready_time ((GSource *) self, -1);
  self->receiver = g_object_ref (receiver);

  cb = g_new0 (WatchAttach, 1);
  cb->source = self;
  cb->func = func;
  cb->user_data = user_data;
  cb->destroy = destroy;
  g_source_set_callback ((GSource *) self, watch_attach_stub, cb, watch_attach_free);

  *out_cb = cb;
  return self;
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
  WatchCursor *c;
  WatchSource *self;
  WatchAttach *cb;
  guint id;

  g_return_val_if_fail (GASYNC_IS_WATCH_RECEIVER (receiver), 0);
  g_return_val_if_fail (func != NULL, 0);

  c = receiver->cursor;
  self = watch_source_new (receiver, func, user_data, destroy, &cb);

  gasync_mutex_lock (&c->core->mutex);
  if G_UNLIKELY (c->source != NULL)
    {
      gasync_mutex_unlock (&c->core->mutex);
      g_critical ("%s: the GAsyncWatchReceiver %p is already attached; subscribe "
                  "one receiver per handler", G_STRFUNC, receiver);
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
