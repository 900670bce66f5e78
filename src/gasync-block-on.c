/* gasync-block-on.c: run asynchronous work to completion from synchronous code
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-block-on.h"
#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"
#include "gasync-tsan-private.h"

/* Each thread keeps one private GMainContext per nesting depth, made on
 * first use and reused afterwards: a fresh context costs an eventfd and a
 * global lock (about 1 µs), a reused one nothing. Depth d of nested
 * gasync_block_on() calls uses contexts[d], so an inner call never iterates
 * the outer call's context (whose sources belong to the outer work). */
typedef struct
{
  GPtrArray *contexts;
  guint      depth;
} BlockOnThread;

static void
block_on_thread_free (gpointer data)
{
  BlockOnThread *thread = data;

  g_ptr_array_unref (thread->contexts);
  g_free (thread);
}

static GPrivate block_on_thread = G_PRIVATE_INIT (block_on_thread_free);

static GMainContext *
block_on_enter (void)
{
  BlockOnThread *thread = g_private_get (&block_on_thread);
  GMainContext *context;

  if G_UNLIKELY (thread == NULL)
    {
      thread = g_new0 (BlockOnThread, 1);
      thread->contexts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_main_context_unref);
      g_private_set (&block_on_thread, thread);
    }

  if (thread->depth == thread->contexts->len)
    g_ptr_array_add (thread->contexts, g_main_context_new ());
  context = g_ptr_array_index (thread->contexts, thread->depth);
  thread->depth++;

  g_main_context_push_thread_default (context);
  return context;
}

static void
block_on_leave (GMainContext *context)
{
  BlockOnThread *thread = g_private_get (&block_on_thread);

  g_main_context_pop_thread_default (context);
  thread->depth--;
}

/* Shared by the waiting thread and the notify on the future. */
typedef struct
{
  GAsyncNotify   notify;
  GMainContext  *context;     /* owned */
  GThread       *thread;      /* the waiting thread */
  GAsyncFuture  *completed;   /* owned; set once, before done */
  gint           done;        /* atomic */
  gint           ref_count;   /* atomic */
} Waiter;

static void
waiter_unref (Waiter *waiter)
{
  if (!g_atomic_int_dec_and_test (&waiter->ref_count))
    return;

  g_clear_object (&waiter->completed);
  g_main_context_unref (waiter->context);
  g_free (waiter);
}

static void
waiter_notify (GAsyncNotify *notify,
               GAsyncFuture *completed)
{
  Waiter *waiter = (Waiter *) notify;

  waiter->completed = g_object_ref (completed);
  g_atomic_int_set (&waiter->done, TRUE);
  /* Settled from inside our own iteration (the usual case for GIO work):
   * the loop checks done when the iteration returns, no wakeup needed. */
  if (waiter->thread != g_thread_self ())
    g_main_context_wakeup (waiter->context);
  waiter_unref (waiter);
}

static void
wake_context (GCancellable *cancellable,
              gpointer      data)
{
  GASYNC_TSAN_ACQUIRE (cancellable);
  g_main_context_wakeup (data);
}

static void
chain_cancel (GCancellable *cancellable,
              gpointer      data)
{
  GASYNC_TSAN_ACQUIRE (cancellable);
  g_cancellable_cancel (data);
}

static gboolean
timeout_reached (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * gasync_block_on_future:
 * @func: (scope call) (closure user_data): starts the work and returns its
 *   future
 * @user_data: data for @func
 * @timeout_msec: how long to wait at most, in milliseconds; 0 waits
 *   without limit
 * @cancellable: (nullable): a #GCancellable, or %NULL
 *
 * Runs @func with a private #GMainContext pushed as thread-default, then
 * iterates only that context until the future @func returned settles, and
 * returns it settled. This is the primitive under gasync_block_on() and its
 * typed variants; it never returns a pending future.
 *
 * The returned future is rejected with %G_IO_ERROR_CANCELLED if
 * @cancellable was cancelled first, with %GASYNC_ERROR_TIMED_OUT if the
 * timeout came first, with %GASYNC_ERROR_DROPPED if every reference that
 * could have settled the work's future was dropped, with
 * %GASYNC_ERROR_INVALID_ARGUMENT if @func returned %NULL, and with
 * %GASYNC_ERROR_WOULD_DEADLOCK on an async worker thread of a
 * #GAsyncRuntime. On cancellation and timeout, the #GCancellable @func was
 * given is cancelled so that the work can stop.
 *
 * Returns: (transfer full): the settled future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_block_on_future (GAsyncFunc    func,
                        gpointer      user_data,
                        guint         timeout_msec,
                        GCancellable *cancellable)
{
  g_autoptr(GCancellable) own_cancellable = NULL;
  GCancellable *work_cancellable = cancellable;
  GError *error = NULL;
  GMainContext *context;
  GAsyncFuture *future;
  GSource *timeout = NULL;
  Waiter *waiter;
  gulong handler = 0;
  gulong chain_handler = 0;
  gboolean timed_out = FALSE;
  gboolean cancelled = FALSE;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (!_gasync_check_may_block ("gasync_block_on()", &error))
    return gasync_future_new_for_error (error);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    return gasync_future_new_for_error (error);

  /* With a timeout the work gets a cancellable of ours, cancelled on
   * timeout and whenever the caller's is. */
  if (timeout_msec > 0)
    {
      own_cancellable = g_cancellable_new ();
      work_cancellable = own_cancellable;
    }

  context = block_on_enter ();

  future = func (work_cancellable, user_data);

  if G_UNLIKELY (future == NULL || !GASYNC_IS_FUTURE (future))
    {
      if (future != NULL)
        g_critical ("The function given to gasync_block_on() returned something that is not a GAsyncFuture");
      block_on_leave (context);
      return gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                  _("The function given to gasync_block_on() returned no future"));
    }

  /* Already settled: no iteration at all. */
  if (gasync_future_get_state (future) != GASYNC_FUTURE_PENDING)
    {
      block_on_leave (context);
      return future;
    }

  waiter = g_new0 (Waiter, 1);
  waiter->notify.func = waiter_notify;
  waiter->context = g_main_context_ref (context);
  waiter->thread = g_thread_self ();
  waiter->ref_count = 2;
  _gasync_future_add_notify (future, &waiter->notify);

  /* We do not keep the future alive: if whatever would settle it drops it,
   * it is rejected with DROPPED and our notify wakes us. */
  g_object_unref (future);
  future = NULL;

  if (cancellable != NULL)
    {
      GASYNC_TSAN_RELEASE (cancellable);
      handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_context),
                                       g_main_context_ref (context),
                                       (GDestroyNotify) g_main_context_unref);
      if (own_cancellable != NULL)
        chain_handler = g_cancellable_connect (cancellable, G_CALLBACK (chain_cancel),
                                               g_object_ref (own_cancellable), g_object_unref);
    }

  if (timeout_msec > 0)
    {
      timeout = g_timeout_source_new (timeout_msec);
      g_source_set_static_name (timeout, "[gasync] block_on timeout");
      g_source_set_callback (timeout, timeout_reached, &timed_out, NULL);
      g_source_attach (timeout, context);
    }

  while (!g_atomic_int_get (&waiter->done))
    {
      if (timed_out)
        break;
      if (g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          break;
        }
      g_main_context_iteration (context, TRUE);
    }

  if (timeout != NULL)
    {
      g_source_destroy (timeout);
      g_source_unref (timeout);
    }
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  if (chain_handler != 0)
    g_cancellable_disconnect (cancellable, chain_handler);

  if (g_atomic_int_get (&waiter->done))
    future = g_object_ref (waiter->completed);
  else if (cancelled)
    {
      if (own_cancellable != NULL)
        g_cancellable_cancel (own_cancellable);
      future = gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                    _("Operation was cancelled"));
    }
  else
    {
      g_cancellable_cancel (own_cancellable);
      future = gasync_future_new_for_error (g_error_new (GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT,
                                                         _("Timed out after %u ms"), timeout_msec));
    }

  block_on_leave (context);
  waiter_unref (waiter);

  return future;
}

/**
 * gasync_block_on: (skip)
 * @func: (scope call) (closure user_data): starts the work and returns its
 *   future
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable, or %NULL; it is passed to @func
 * @value: (out caller-allocates): a zero-filled #GValue for the value, or
 *   one initialized with a type the value converts to
 * @error: return location for an error
 *
 * Runs asynchronous work to completion from synchronous code.
 *
 * @func is called with a private #GMainContext pushed as thread-default,
 * so any GIO operation it starts is bound to that context; then only that
 * context is iterated until the future @func returned settles. The
 * caller's own contexts (a GTK application's main loop, for instance) are
 * never dispatched, so no callback of the application runs re-entrantly
 * while this blocks. The private context is cached per thread and nesting
 * depth, so calls after the first are cheap, and a future that has already
 * settled is returned without iterating at all. Nested calls work: each
 * level has its own context.
 *
 * If every reference that could settle the future is dropped while
 * waiting, this fails with %GASYNC_ERROR_DROPPED instead of hanging.
 *
 * Work abandoned on a timeout or a cancellation stays bound to this
 * thread's private context: its callbacks (typically reporting
 * %G_IO_ERROR_CANCELLED) run during a later gasync_block_on() call on the
 * same thread and nesting depth, never in the caller's own main loop. On an
 * async worker thread of a #GAsyncRuntime it fails at once with
 * %GASYNC_ERROR_WOULD_DEADLOCK. See gasync_block_on_with_timeout() for a
 * bounded wait. On failure a zero-filled @value is initialized to
 * %G_TYPE_POINTER, %NULL.
 *
 * Bindings call gasync_block_on_value() under this name.
 *
 * Returns: %TRUE if the work's future resolved and @value was set
 *
 * Since: 0.1
 */
gboolean
gasync_block_on (GAsyncFunc     func,
                 gpointer       user_data,
                 GCancellable  *cancellable,
                 GValue        *value,
                 GError       **error)
{
  return gasync_block_on_with_timeout (func, user_data, 0, cancellable, value, error);
}

/**
 * gasync_block_on_with_timeout: (skip)
 * @func: (scope call) (closure user_data): starts the work and returns its
 *   future
 * @user_data: data for @func
 * @timeout_msec: how long to wait at most, in milliseconds; 0 waits
 *   without limit
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @value: (out caller-allocates): a zero-filled #GValue for the value, or
 *   one initialized with a type the value converts to
 * @error: return location for an error
 *
 * Like gasync_block_on(), but gives up after @timeout_msec milliseconds
 * with %GASYNC_ERROR_TIMED_OUT, cancelling the #GCancellable @func was
 * given so that the work stops.
 *
 * Returns: %TRUE if the work's future resolved and @value was set
 *
 * Since: 0.1
 */
gboolean
gasync_block_on_with_timeout (GAsyncFunc     func,
                              gpointer       user_data,
                              guint          timeout_msec,
                              GCancellable  *cancellable,
                              GValue        *value,
                              GError       **error)
{
  g_autoptr(GAsyncFuture) future = NULL;

  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  future = gasync_block_on_future (func, user_data, timeout_msec, cancellable);
  return gasync_future_get_value (future, value, error);
}

/**
 * gasync_block_on_value: (rename-to gasync_block_on)
 * @func: (scope call) (closure user_data): starts the work and returns its
 *   future
 * @user_data: data for @func
 * @timeout_msec: how long to wait at most, in milliseconds; 0 waits
 *   without limit
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * Runs asynchronous work to completion from synchronous code and returns
 * its value; see gasync_block_on() for how. This is the form bindings see
 * as `block_on`: the value comes back directly and an error is raised.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with @error set
 *
 * Since: 0.1
 */
GValue *
gasync_block_on_value (GAsyncFunc     func,
                       gpointer       user_data,
                       guint          timeout_msec,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GAsyncFuture) future = NULL;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  future = gasync_block_on_future (func, user_data, timeout_msec, cancellable);
  return gasync_future_dup_value (future, error);
}

/* The future layer has no typed getters for these types any more
 * (issue 9): read them through gasync_future_get_value(). */
static gint64
block_on_get_int64 (GAsyncFuture  *future,
                    GError       **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT64);
  return gasync_future_get_value (future, &value, error) ? g_value_get_int64 (&value) : 0;
}

static gdouble
block_on_get_double (GAsyncFuture  *future,
                     GError       **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_DOUBLE);
  return gasync_future_get_value (future, &value, error) ? g_value_get_double (&value) : 0.0;
}

#define DEFINE_BLOCK_ON(name, ctype, getter, fallback)                      \
  ctype                                                                     \
  gasync_block_on_##name (GAsyncFunc     func,                              \
                          gpointer       user_data,                         \
                          GCancellable  *cancellable,                       \
                          GError       **error)                             \
  {                                                                         \
    g_autoptr(GAsyncFuture) future = NULL;                                  \
                                                                            \
    g_return_val_if_fail (func != NULL, fallback);                          \
    g_return_val_if_fail (error == NULL || *error == NULL, fallback);       \
                                                                            \
    future = gasync_block_on_future (func, user_data, 0, cancellable);      \
    return getter (future, error);                                          \
  }

/**
 * gasync_block_on_boolean: (skip)
 * @func: (scope call) (closure user_data): starts the work
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * gasync_block_on() for work that resolves with a #gboolean.
 *
 * Returns: the value, or %FALSE with @error set
 *
 * Since: 0.1
 */
DEFINE_BLOCK_ON (boolean, gboolean, gasync_future_get_boolean, FALSE)

/**
 * gasync_block_on_int: (skip)
 * @func: (scope call) (closure user_data): starts the work
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * gasync_block_on() for work that resolves with a #gint.
 *
 * Returns: the value, or 0 with @error set
 *
 * Since: 0.1
 */
DEFINE_BLOCK_ON (int, gint, gasync_future_get_int, 0)

/**
 * gasync_block_on_int64: (skip)
 * @func: (scope call) (closure user_data): starts the work
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * gasync_block_on() for work that resolves with a #gint64.
 *
 * Returns: the value, or 0 with @error set
 *
 * Since: 0.1
 */
DEFINE_BLOCK_ON (int64, gint64, block_on_get_int64, 0)

/**
 * gasync_block_on_double: (skip)
 * @func: (scope call) (closure user_data): starts the work
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * gasync_block_on() for work that resolves with a #gdouble.
 *
 * Returns: the value, or 0 with @error set
 *
 * Since: 0.1
 */
DEFINE_BLOCK_ON (double, gdouble, block_on_get_double, 0.0)

/**
 * gasync_block_on_string: (skip)
 * @func: (scope call) (closure user_data): starts the work
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * gasync_block_on() for work that resolves with a string.
 *
 * Returns: (transfer full) (nullable): the string, or %NULL with @error set
 *
 * Since: 0.1
 */
DEFINE_BLOCK_ON (string, char *, gasync_future_dup_string, NULL)

/**
 * gasync_block_on_object: (skip)
 * @func: (scope call) (closure user_data): starts the work
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * gasync_block_on() for work that resolves with an object, such as the
 * #GAsyncResult that gasync_promise_gio_callback() resolves with.
 *
 * Returns: (transfer full) (type GObject) (nullable): the object, or %NULL
 *   with @error set
 *
 * Since: 0.1
 */
DEFINE_BLOCK_ON (object, gpointer, gasync_future_dup_object, NULL)

/**
 * gasync_block_on_variant: (skip)
 * @func: (scope call) (closure user_data): starts the work
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * gasync_block_on() for work that resolves with a #GVariant.
 *
 * Returns: (transfer full) (nullable): the variant, or %NULL with @error
 *   set
 *
 * Since: 0.1
 */
DEFINE_BLOCK_ON (variant, GVariant *, gasync_future_dup_variant, NULL)

/**
 * gasync_block_on_pointer: (skip)
 * @func: (scope call) (closure user_data): starts the work
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * gasync_block_on() for work that resolves with a plain pointer
 * (%G_TYPE_POINTER). A pointer the future owned (one resolved with a
 * destroy notify) is freed with the future when this returns, so use it
 * for pointers the future does not own.
 *
 * Returns: (transfer none) (nullable): the pointer, or %NULL with @error
 *   set
 *
 * Since: 0.1
 */
DEFINE_BLOCK_ON (pointer, gpointer, gasync_future_get_pointer, NULL)

#undef DEFINE_BLOCK_ON
