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

/* One gasync_block_on_future() call, from the moment it waits. */
typedef struct
{
  GMainContext *context;          /* this depth's private context */
  GCancellable *cancellable;      /* the caller's, or NULL */
  GCancellable *own_cancellable;  /* owned: the work's, with a timeout */
  guint         timeout_msec;
  Waiter       *waiter;           /* owned */
  GSource      *timeout;          /* owned */
  gulong        handler;
  gulong        chain_handler;
  gboolean      timed_out;
} BlockOn;

/* A future rejected with why this thread may not block now, or NULL. */
static GAsyncFuture *
block_on_refuse (GCancellable *cancellable)
{
  GError *error = NULL;

  if (!_gasync_check_may_block ("gasync_block_on()", &error))
    return gasync_future_new_for_error (error);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    return gasync_future_new_for_error (error);

  return NULL;
}

/* Calls the start function (inside the private context) and returns its
 * future, or a rejected one if it returned none. */
static GAsyncFuture *
block_on_call (GAsyncFunc    func,
               gpointer      user_data,
               GCancellable *work_cancellable)
{
  GAsyncFuture *future = func (work_cancellable, user_data);

  if G_UNLIKELY (future == NULL || !GASYNC_IS_FUTURE (future))
    {
      if (future != NULL)
        g_critical ("The function given to gasync_block_on() returned something that is not a GAsyncFuture");
      return gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                  _("The function given to gasync_block_on() returned no future"));
    }

  return future;
}

/* Waits for @future through a notify, without keeping it alive: if
 * whatever would settle it drops it, it is rejected with DROPPED and the
 * notify wakes us. Consumes @future. */
static void
block_on_add_waiter (BlockOn      *self,
                     GAsyncFuture *future)
{
  Waiter *waiter = g_new0 (Waiter, 1);

  waiter->notify.func = waiter_notify;
  waiter->context = g_main_context_ref (self->context);
  waiter->thread = g_thread_self ();
  waiter->ref_count = 2;
  self->waiter = waiter;
  _gasync_future_add_notify (future, &waiter->notify);
  g_object_unref (future);
}

/* Makes the caller's cancellable and the timeout wake the context. */
static void
block_on_watch (BlockOn *self)
{
  if (self->cancellable != NULL)
    {
      GASYNC_TSAN_RELEASE (self->cancellable);
      self->handler = g_cancellable_connect (self->cancellable, G_CALLBACK (wake_context),
                                             g_main_context_ref (self->context),
                                             (GDestroyNotify) g_main_context_unref);
      if (self->own_cancellable != NULL)
        self->chain_handler = g_cancellable_connect (self->cancellable, G_CALLBACK (chain_cancel),
                                                     g_object_ref (self->own_cancellable),
                                                     g_object_unref);
    }

  if (self->timeout_msec > 0)
    {
      self->timeout = g_timeout_source_new (self->timeout_msec);
      g_source_set_static_name (self->timeout, "[gasync] block_on timeout");
      g_source_set_callback (self->timeout, timeout_reached, &self->timed_out, NULL);
      g_source_attach (self->timeout, self->context);
    }
}

/* Iterates only the private context until the future settles, the
 * timeout fires or the caller's cancellable is cancelled; returns whether
 * it was cancelled. */
static gboolean
block_on_iterate (BlockOn *self)
{
  while (!g_atomic_int_get (&self->waiter->done))
    {
      if (self->timed_out)
        return FALSE;
      if (g_cancellable_is_cancelled (self->cancellable))
        return TRUE;
      g_main_context_iteration (self->context, TRUE);
    }

  return FALSE;
}

static void
block_on_unwatch (BlockOn *self)
{
  if (self->timeout != NULL)
    {
      g_source_destroy (self->timeout);
      g_clear_pointer (&self->timeout, g_source_unref);
    }
  if (self->handler != 0)
    g_cancellable_disconnect (self->cancellable, self->handler);
  if (self->chain_handler != 0)
    g_cancellable_disconnect (self->cancellable, self->chain_handler);
}

/* The settled future to return; work given up on is cancelled. */
static GAsyncFuture *
block_on_outcome (BlockOn  *self,
                  gboolean  cancelled)
{
  if (g_atomic_int_get (&self->waiter->done))
    return g_object_ref (self->waiter->completed);

  if (cancelled)
    {
      if (self->own_cancellable != NULL)
        g_cancellable_cancel (self->own_cancellable);
      return gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("Operation was cancelled"));
    }

  g_cancellable_cancel (self->own_cancellable);
  return gasync_future_new_for_error (g_error_new (GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT,
                                                   _("Timed out after %u ms"),
                                                   self->timeout_msec));
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
 * returns it settled. This is the primitive under gasync_block_on(); it
 * never returns a pending future. Read the value with the future's typed
 * getter (gasync_future_get_int(), gasync_future_dup_string(),
 * gasync_future_dup_object(), …) or gasync_future_get_value().
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
  BlockOn self = { NULL, };
  GAsyncFuture *future;
  gboolean cancelled;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  future = block_on_refuse (cancellable);
  if (future != NULL)
    return future;

  self.cancellable = cancellable;
  self.timeout_msec = timeout_msec;
  /* With a timeout the work gets a cancellable of ours, cancelled on
   * timeout and whenever the caller's is. */
  if (timeout_msec > 0)
    self.own_cancellable = g_cancellable_new ();

  self.context = block_on_enter ();
  future = block_on_call (func, user_data,
                          self.own_cancellable != NULL ? self.own_cancellable : cancellable);

  /* Already settled: no iteration at all. */
  if (gasync_future_get_state (future) != GASYNC_FUTURE_PENDING)
    {
      block_on_leave (self.context);
      g_clear_object (&self.own_cancellable);
      return future;
    }

  block_on_add_waiter (&self, future);
  block_on_watch (&self);
  cancelled = block_on_iterate (&self);
  block_on_unwatch (&self);
  future = block_on_outcome (&self, cancelled);

  block_on_leave (self.context);
  waiter_unref (self.waiter);
  g_clear_object (&self.own_cancellable);

  return future;
}

/**
 * gasync_block_on: (skip)
 * @func: (scope call) (closure user_data): starts the work and returns its
 *   future
 * @user_data: data for @func
 * @cancellable: (nullable): a #GCancellable, or %NULL; it is passed to @func
 * @value: (out caller-allocates) (optional): a zero-filled #GValue for the
 *   value, or one initialized with a type the value converts to; or %NULL
 *   to discard the value
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
 * %G_TYPE_POINTER, %NULL. With a %NULL @value, the value is discarded (and
 * freed) and only success or the error is reported.
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
 * @value: (out caller-allocates) (optional): a zero-filled #GValue for the
 *   value, or one initialized with a type the value converts to; or %NULL
 *   to discard the value
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
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  future = gasync_block_on_future (func, user_data, timeout_msec, cancellable);
  if (value != NULL)
    return gasync_future_get_value (future, value, error);

  /* Only the outcome is wanted: the value is freed with the future. */
  if (gasync_future_get_state (future) == GASYNC_FUTURE_RESOLVED)
    return TRUE;
  g_propagate_error (error, g_error_copy (gasync_future_get_error (future)));
  return FALSE;
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
