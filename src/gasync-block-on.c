/* gasync-block-on.c: run asynchronous work to completion from synchronous code
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-block-on.h"
#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-handler-check-private.h"
#include "gasync-i18n-private.h"
#include "gasync-tsan-private.h"

/* How long a thread that exits waits for the work its gasync_block_on()
 * calls gave up on (see block_on_thread_free()). */
#define THREAD_EXIT_DRAIN_MSEC 1000

/* One nesting depth of one thread: its private context, and the work given
 * up on there whose future is still alive. The thread owns one reference,
 * each abandoned future's weak notify another, so a level outlives the
 * thread if work it gave up on outlives the thread's last drain. */
typedef struct
{
  GMainContext *context;    /* owned, immutable */
  gint          ref_count;  /* atomic */
  gint          abandoned;  /* atomic: futures given up on, not finalized */
} BlockOnLevel;

/* Each thread keeps one level per nesting depth, made on first use and
 * reused afterwards: a fresh context costs an eventfd and a global lock
 * (about 1 µs), a reused one nothing. Depth d of nested gasync_block_on()
 * calls uses levels[d], so an inner call never iterates the outer call's
 * context (whose sources belong to the outer work). Only this thread
 * touches it. */
typedef struct
{
  GPtrArray    *levels;     /* of BlockOnLevel, owned */
  guint         depth;
  GCancellable *spare;      /* owned: the last work's, if it left it clean */
} BlockOnThread;

static BlockOnLevel *
block_on_level_new (void)
{
  BlockOnLevel *level = g_new0 (BlockOnLevel, 1);

  level->context = g_main_context_new ();
  level->ref_count = 1;
  return level;
}

static void
block_on_level_unref (BlockOnLevel *level)
{
  if (!g_atomic_int_dec_and_test (&level->ref_count))
    return;

  g_main_context_unref (level->context);
  g_free (level);
}

/* The weak notify of a future given up on: whatever produced it has let go
 * of it (a GIO callback ran, a task returned), on any thread. */
static void
block_on_level_work_gone (gpointer  data,
                          GObject  *where_the_object_was)
{
  BlockOnLevel *level = data;

  g_atomic_int_add (&level->abandoned, -1);
  g_main_context_wakeup (level->context);
  block_on_level_unref (level);
}

static gboolean block_on_level_drain (BlockOnLevel  *level,
                                      gint64         deadline,
                                      GCancellable  *cancellable,
                                      GError       **error);

/* At thread exit: give the work given up on a bounded chance to finish
 * here, so that its callbacks run and its memory is freed, instead of
 * staying attached to a context nobody will iterate again. */
static void
block_on_thread_free (gpointer data)
{
  BlockOnThread *thread = data;
  gint64 deadline = g_get_monotonic_time () + THREAD_EXIT_DRAIN_MSEC * G_TIME_SPAN_MILLISECOND;

  for (guint i = thread->levels->len; i > 0; i--)
    {
      BlockOnLevel *level = g_ptr_array_index (thread->levels, i - 1);

      if (g_atomic_int_get (&level->abandoned) > 0)
        block_on_level_drain (level, deadline, NULL, NULL);
    }

  g_ptr_array_unref (thread->levels);
  g_clear_object (&thread->spare);
  g_free (thread);
}

static GPrivate block_on_thread = G_PRIVATE_INIT (block_on_thread_free);

static BlockOnThread *
block_on_thread_get (void)
{
  BlockOnThread *thread = g_private_get (&block_on_thread);

  if G_UNLIKELY (thread == NULL)
    {
      thread = g_new0 (BlockOnThread, 1);
      thread->levels = g_ptr_array_new_with_free_func ((GDestroyNotify) block_on_level_unref);
      g_private_set (&block_on_thread, thread);
    }

  return thread;
}

static BlockOnLevel *
block_on_enter (BlockOnThread *thread)
{
  BlockOnLevel *level;

  if (thread->depth == thread->levels->len)
    g_ptr_array_add (thread->levels, block_on_level_new ());
  level = g_ptr_array_index (thread->levels, thread->depth);
  thread->depth++;

  g_main_context_push_thread_default (level->context);
  return level;
}

static void
block_on_leave (BlockOnThread *thread,
                BlockOnLevel  *level)
{
  g_main_context_pop_thread_default (level->context);
  thread->depth--;
}

/* The start function always gets a GCancellable. Creating and finalizing
 * one costs about as much as a whole block_on of ready work, so each
 * thread keeps the one its last work got if that work left nothing on it
 * (see _gasync_cancellable_is_reusable()). */
static GCancellable *
block_on_take_cancellable (BlockOnThread *thread)
{
  if (thread->spare != NULL)
    return g_steal_pointer (&thread->spare);
  return g_cancellable_new ();
}

static void
block_on_recycle_cancellable (BlockOnThread *thread,
                              GCancellable  *cancellable)
{
  if (thread->spare == NULL && _gasync_cancellable_is_reusable (cancellable))
    thread->spare = cancellable;
  else
    g_object_unref (cancellable);
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
  const GError *error = gasync_future_get_error (completed);

  /* Dropped: @completed is inside its dispose, on the thread that dropped
   * it. A reference taken here could make the waiting thread finalize it
   * while that thread is still inside g_object_unref() (issue 10, bug 1),
   * so keep a copy of the outcome instead. */
  if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_DROPPED))
    waiter->completed = gasync_future_new_for_error (g_error_copy (error));
  else
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

static gulong
connect_wakeup (GCancellable *cancellable,
                GMainContext *context)
{
  GASYNC_TSAN_RELEASE (cancellable);
  return g_cancellable_connect (cancellable, G_CALLBACK (wake_context),
                                g_main_context_ref (context),
                                (GDestroyNotify) g_main_context_unref);
}

static GSource *
attach_timeout (guint         msec,
                GMainContext *context,
                gboolean     *timed_out)
{
  GSource *source = g_timeout_source_new (msec);

  g_source_set_static_name (source, "[gasync] block_on timeout");
  g_source_set_callback (source, timeout_reached, timed_out, NULL);
  g_source_attach (source, context);
  return source;
}

static void
destroy_timeout (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* One gasync_block_on_future() call, from the moment it waits. */
typedef struct
{
  BlockOnLevel *level;            /* this depth's */
  GCancellable *cancellable;      /* the caller's, or NULL */
  GCancellable *own_cancellable;  /* owned: the work's, unless it got the caller's */
  guint         timeout_msec;
  Waiter       *waiter;           /* owned */
  GWeakRef      work;             /* the start function's future, if we may give up */
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

static gboolean
block_on_may_give_up (BlockOn *self)
{
  return self->timeout_msec > 0 || self->cancellable != NULL;
}

/* Waits for @future through a notify, without keeping it alive: if
 * whatever would settle it drops it, it is rejected with DROPPED and the
 * notify wakes us. A call that may give up keeps a weak reference, to
 * cancel the work if it does. Consumes @future. */
static void
block_on_add_waiter (BlockOn      *self,
                     GAsyncFuture *future)
{
  Waiter *waiter = g_new0 (Waiter, 1);

  waiter->notify.func = waiter_notify;
  waiter->context = g_main_context_ref (self->level->context);
  waiter->thread = g_thread_self ();
  waiter->ref_count = 2;
  self->waiter = waiter;
  if (block_on_may_give_up (self))
    g_weak_ref_init (&self->work, future);
  _gasync_future_add_dependent (future, &waiter->notify);
  g_object_unref (future);
}

/* Makes the caller's cancellable and the timeout wake the context. */
static void
block_on_watch (BlockOn *self)
{
  if (self->cancellable != NULL)
    {
      self->handler = connect_wakeup (self->cancellable, self->level->context);
      if (self->own_cancellable != NULL)
        self->chain_handler = g_cancellable_connect (self->cancellable, G_CALLBACK (chain_cancel),
                                                     g_object_ref (self->own_cancellable),
                                                     g_object_unref);
    }

  if (self->timeout_msec > 0)
    self->timeout = attach_timeout (self->timeout_msec, self->level->context, &self->timed_out);
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
      g_main_context_iteration (self->level->context, TRUE);
    }

  return FALSE;
}

static void
block_on_unwatch (BlockOn *self)
{
  destroy_timeout (&self->timeout);
  if (self->handler != 0)
    g_cancellable_disconnect (self->cancellable, self->handler);
  if (self->chain_handler != 0)
    g_cancellable_disconnect (self->cancellable, self->chain_handler);
}

/* Gives up on the work: cancels its future (which cancels what produces
 * it, a spawned task's cancellable for instance) and counts it as
 * abandoned on this level until it is finalized, for
 * gasync_block_on_drain() and the drain at thread exit. */
static void
block_on_abandon (BlockOn *self)
{
  GAsyncFuture *work;

  if (self->own_cancellable != NULL)
    g_cancellable_cancel (self->own_cancellable);

  /* NULL: dropped meanwhile, so it settled and nobody holds it. */
  work = g_weak_ref_get (&self->work);
  if (work == NULL)
    return;

  gasync_future_cancel (work);
  g_atomic_int_inc (&self->level->abandoned);
  g_atomic_int_inc (&self->level->ref_count);
  g_object_weak_ref (G_OBJECT (work), block_on_level_work_gone, self->level);
  g_object_unref (work);
}

/* The settled future to return; work given up on is cancelled. */
static GAsyncFuture *
block_on_outcome (BlockOn  *self,
                  gboolean  cancelled)
{
  GAsyncFuture *outcome;

  if (g_atomic_int_get (&self->waiter->done))
    return g_object_ref (self->waiter->completed);

  if (cancelled)
    outcome = gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   _("Operation was cancelled"));
  else
    outcome = gasync_future_new_for_error (g_error_new (GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT,
                                                        _("Timed out after %u ms"),
                                                        self->timeout_msec));
  block_on_abandon (self);
  return outcome;
}

/* Waits for the pending @future (consumed) and returns the outcome. */
static GAsyncFuture *
block_on_wait (BlockOn      *self,
               GAsyncFuture *future)
{
  GAsyncFuture *outcome;
  gboolean cancelled;

  block_on_add_waiter (self, future);
  block_on_watch (self);
  cancelled = block_on_iterate (self);
  block_on_unwatch (self);
  outcome = block_on_outcome (self, cancelled);

  if (block_on_may_give_up (self))
    g_weak_ref_clear (&self->work);
  waiter_unref (self->waiter);
  return outcome;
}

/* Iterates @level's context until no work given up on there is alive any
 * more, then dispatches what that left ready (the rest of a GTask's
 * completion, say). Fails when @deadline (-1: none) passes or @cancellable
 * is cancelled first. */
static gboolean
block_on_level_drain (BlockOnLevel  *level,
                      gint64         deadline,
                      GCancellable  *cancellable,
                      GError       **error)
{
  GSource *timeout = NULL;
  gboolean timed_out = FALSE;
  gulong handler = 0;

  if (deadline >= 0)
    {
      gint64 left = MAX (deadline - g_get_monotonic_time (), 0);

      timeout = attach_timeout ((guint) MIN ((left + 999) / 1000, G_MAXUINT), level->context, &timed_out);
    }
  if (cancellable != NULL)
    handler = connect_wakeup (cancellable, level->context);

  while (g_atomic_int_get (&level->abandoned) > 0 && !timed_out &&
         !g_cancellable_is_cancelled (cancellable))
    g_main_context_iteration (level->context, TRUE);
  while (!timed_out && !g_cancellable_is_cancelled (cancellable) &&
         g_main_context_iteration (level->context, FALSE))
    ;

  destroy_timeout (&timeout);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (timed_out)
    {
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT,
                           _("Work that gasync_block_on() gave up on is still running"));
      return FALSE;
    }
  return TRUE;
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
 * #GAsyncRuntime. What a timeout or a cancellation cancels is described
 * under gasync_block_on().
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
  BlockOnThread *thread;
  GAsyncFuture *future;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  future = block_on_refuse (cancellable);
  if (future != NULL)
    return future;

  thread = block_on_thread_get ();
  self.cancellable = cancellable;
  self.timeout_msec = timeout_msec;
  /* The work gets the caller's cancellable as it is, or one of ours:
   * always when the caller gave none, and with a timeout (cancelled on
   * timeout, and whenever the caller's is). */
  if (cancellable == NULL || timeout_msec > 0)
    self.own_cancellable = block_on_take_cancellable (thread);

  self.level = block_on_enter (thread);
  future = block_on_call (func, user_data,
                          self.own_cancellable != NULL ? self.own_cancellable : cancellable);

  /* Already settled: no iteration at all. */
  if (gasync_future_get_state (future) == GASYNC_FUTURE_PENDING)
    future = block_on_wait (&self, future);

  block_on_leave (thread, self.level);
  if (self.own_cancellable != NULL)
    block_on_recycle_cancellable (thread, g_steal_pointer (&self.own_cancellable));

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
 * @func always gets a #GCancellable: @cancellable itself, or, when the
 * caller passed %NULL, one of gasync's (cached per thread while nothing
 * else holds it), so that work can always be cancelled.
 *
 * If every reference that could settle the future is dropped while
 * waiting, this fails with %GASYNC_ERROR_DROPPED instead of hanging. On
 * an async worker thread of a #GAsyncRuntime it fails at once with
 * %GASYNC_ERROR_WOULD_DEADLOCK, even when the work would be ready at
 * once. See gasync_block_on_with_timeout() for a bounded wait. On failure
 * a zero-filled @value is initialized to %G_TYPE_POINTER, %NULL. With a
 * %NULL @value, the value is discarded (and freed) and only success or
 * the error is reported.
 *
 * ## Giving up: what a timeout or a cancellation cancels
 *
 * When @cancellable is cancelled (or the timeout of
 * gasync_block_on_with_timeout() passes) before the work settles, the
 * call returns %G_IO_ERROR_CANCELLED (or %GASYNC_ERROR_TIMED_OUT) at once
 * and gives up on the work, in this order:
 *
 * - the #GCancellable @func was given is cancelled (with a timeout, @func
 *   gets a cancellable of gasync's, which is also cancelled whenever
 *   @cancellable is);
 * - the future @func returned is cancelled with gasync_future_cancel(),
 *   if something still holds it: that rejects it with
 *   %G_IO_ERROR_CANCELLED and cancels whatever produces it, for a task
 *   from gasync_runtime_spawn() or gasync_runtime_spawn_blocking() the
 *   #GCancellable its function was given, for a #GAsyncPromise the one
 *   from gasync_promise_get_cancellable(), and for a derived future what
 *   gasync_future_cancel() documents.
 *
 * Work that honours either cancellable stops; work that ignores both runs
 * on, and its result is dropped. A result that arrives in the same moment
 * as the timeout is dropped too.
 *
 * The work given up on stays bound to this thread's private context: its
 * GIO callbacks (typically reporting %G_IO_ERROR_CANCELLED) still have to
 * run there, never in the caller's own main loop. They run during a later
 * gasync_block_on() call on the same thread and nesting depth, during
 * gasync_block_on_drain(), or when the thread exits (see
 * gasync_block_on_drain()).
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
 * given and the future it returned, so that the work stops (see
 * gasync_block_on() for exactly what is cancelled).
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

/**
 * gasync_block_on_drain:
 * @timeout_msec: how long to wait at most, in milliseconds; 0 waits
 *   without limit
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for an error
 *
 * Finishes what this thread's gasync_block_on() calls gave up on.
 *
 * Work abandoned on a timeout or a cancellation was cancelled, but its
 * callbacks are bound to the thread's private #GMainContext, and it keeps
 * its memory until they have run. This iterates the private contexts of
 * this thread (those of the current nesting depth and deeper; never the
 * context of a gasync_block_on() call that is still waiting, nor the
 * caller's own) until every future given up on has been let go of by
 * whatever produced it (it was finalized: a GIO callback ran, a task's
 * function returned), then dispatches what was left ready there, and
 * returns %TRUE. With nothing given up on, it only dispatches what is
 * ready and returns at once.
 *
 * Work that never lets go of its future (it ignores its cancellable, or
 * your own code still holds a reference to the future @func returned)
 * makes this fail with %GASYNC_ERROR_TIMED_OUT after @timeout_msec; it
 * stays bound to the context, and a later call can drain it. Cancelling
 * @cancellable stops the drain with %G_IO_ERROR_CANCELLED. Like every
 * blocking call, it fails with %GASYNC_ERROR_WOULD_DEADLOCK on an async
 * worker thread of a #GAsyncRuntime.
 *
 * A thread that exits drains the same way by itself, for at most one
 * second: a program needs this function only on a thread that keeps
 * running (the main thread, typically before checking for leaks), or to
 * choose its own bound.
 *
 * Returns: (skip): %TRUE if nothing given up on is left
 *
 * Since: 0.1
 */
gboolean
gasync_block_on_drain (guint          timeout_msec,
                       GCancellable  *cancellable,
                       GError       **error)
{
  BlockOnThread *thread;
  gint64 deadline = -1;
  gboolean ok = TRUE;
  guint depth;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_gasync_check_may_block ("gasync_block_on_drain()", error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  thread = g_private_get (&block_on_thread);
  if (thread == NULL)
    return TRUE;

  if (timeout_msec > 0)
    deadline = g_get_monotonic_time () + (gint64) timeout_msec * G_TIME_SPAN_MILLISECOND;

  /* Deepest first; a gasync_block_on() from a callback run on level i
   * nests one level below it, as it would have in the call that gave up. */
  depth = thread->depth;
  for (guint i = thread->levels->len; ok && i > depth; i--)
    {
      BlockOnLevel *level = g_ptr_array_index (thread->levels, i - 1);

      thread->depth = i;
      g_main_context_push_thread_default (level->context);
      ok = block_on_level_drain (level, deadline, cancellable, error);
      g_main_context_pop_thread_default (level->context);
    }
  thread->depth = depth;

  return ok;
}
