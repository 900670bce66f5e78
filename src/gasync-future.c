/* gasync-future.c: GAsyncFuture, a value that becomes available later
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The state machine every future kind is built on: the state word, the
 * outcome, the notify list run once on completion, its dependents and
 * their withdrawal, the generic constructors and getters, and
 * cancellation. The typed constructors and getters
 * (gasync-future-typed.c), continuations (gasync-future-continuation.c),
 * waiting (gasync-future-wait.c), the GIO bridge (gasync-gio-bridge.c) and
 * GAsyncPromise (gasync-promise.c) sit on top of it through
 * gasync-future-private.h; this file calls none of them.
 */

#include "config.h"

#include <string.h>

#include "gasync-debug-private.h"
#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-handler-check-private.h"
#include "gasync-i18n-private.h"
#include "gasync-notify-private.h"

/**
 * GAsyncFuture:
 *
 * A value, or an error, that becomes available later.
 *
 * A future is pending until it settles exactly once: it is then either
 * resolved with a #GValue or rejected with a #GError, and never changes
 * again. Settling is thread-safe and may happen on any thread. Futures are
 * made by #GAsyncPromise (which its owner settles), by the constructors
 * below (already settled), by gasync_spawn() and the other runtime
 * functions, by channels and by the combinators.
 *
 * ## Calling an async function from synchronous code
 *
 * Any GIO `_async`/`_finish` pair can be driven to completion from plain
 * synchronous code (a command-line tool, a test, a worker thread, a GTK
 * callback that needs a quick answer) with gasync_block_on(). The start
 * function runs with a private #GMainContext pushed as thread-default, so
 * the operation is bound to that context, and only that context is
 * iterated until the future settles: the caller's own main loop is never
 * dispatched re-entrantly.
 *
 * |[<!-- language="C" -->
 * static GAsyncFuture *
 * start_load (GCancellable *cancellable,
 *             gpointer      user_data)
 * {
 *   GFile *file = user_data;
 *   GAsyncPromise *promise = gasync_promise_new ();
 *
 *   g_file_load_contents_async (file, cancellable,
 *                               gasync_promise_gio_callback,
 *                               g_object_ref (promise));
 *   return GASYNC_FUTURE (promise);
 * }
 *
 * static gboolean
 * load_file_sync (GFile   *file,
 *                 char   **contents,
 *                 gsize   *length,
 *                 GError **error)
 * {
 *   g_autoptr(GAsyncFuture) future = NULL;
 *   g_autoptr(GAsyncResult) result = NULL;
 *
 *   future = gasync_block_on_future (start_load, file, 0, NULL);
 *   result = gasync_future_dup_object (future, error);
 *   if (result == NULL)
 *     return FALSE;
 *   return g_file_load_contents_finish (file, result, contents, length,
 *                                       NULL, error);
 * }
 * ]|
 *
 * ## Continuations and the context contract
 *
 * gasync_future_and_then(), gasync_future_or_else(),
 * gasync_future_on_settled() and gasync_future_wait_async() register a
 * callback. Every such callback, and the #GDestroyNotify of its user data,
 * runs:
 *
 * - from the #GMainContext that was thread-default when it was registered
 *   (as with #GTask), on the thread iterating that context;
 * - never synchronously inside the call that settled the future, even on
 *   that same thread (there is no re-entrancy into the resolver, as with
 *   JavaScript promise jobs);
 * - never on a worker thread that merely happened to settle the future.
 *
 * So the registering context must keep being iterated until the callback
 * has run. Completions that reach one context while it is busy are
 * delivered in one batch with a single wakeup; no #GSource is created per
 * future.
 *
 * ## Ownership and dropped futures
 *
 * Whatever will settle a pending future holds a reference on it: the GIO
 * callback that resolves a #GAsyncPromise, a runtime task, a channel, a
 * timeout source. Waiting does not keep a future alive: continuations,
 * gasync_block_on() and the combinators are owned by the future they wait
 * for. When the last reference to a pending future is dropped, nobody can
 * settle it any more, so it is rejected with %GASYNC_ERROR_DROPPED and its
 * waiters see that instead of hanging. (gasync_future_wait() and
 * gasync_future_wait_async() keep a reference for as long as they wait, as
 * GIO's asynchronous calls keep their source object; so they never see
 * %GASYNC_ERROR_DROPPED for a future that can still be settled, and a
 * future that nobody will settle keeps them waiting until their
 * #GCancellable is cancelled.)
 *
 * The waiters of a dropped future are handed a stand-in in their callback
 * (the `completed` argument of a #GAsyncFutureCallback): another future,
 * rejected with the same %GASYNC_ERROR_DROPPED error, since the dropped
 * one is finalized inside the g_object_unref() that dropped it.
 *
 * ## Cancellation
 *
 * gasync_future_cancel() rejects a pending future with
 * %G_IO_ERROR_CANCELLED and cancels the #GCancellable of what produces it
 * (a spawned task's function, a promise's
 * gasync_promise_get_cancellable()). Cancellation then flows down to what
 * the cancelled future waits on, along *dependencies*:
 *
 * - A future's *dependents* are the registrations that wait for its
 *   outcome: each gasync_future_and_then(), gasync_future_or_else() and
 *   gasync_future_on_settled() continuation; each combinator that takes it
 *   as an input (gasync_future_all(), gasync_future_all_settled(),
 *   gasync_future_any(), gasync_future_race(), gasync_join(),
 *   gasync_future_with_timeout()); each gasync_future_wait(),
 *   gasync_future_wait_async(), gasync_future_return_to_task() and
 *   gasync_block_on() waiting for it; a continuation's derived future that
 *   adopted it (the future a callback returned). A reference is not a
 *   dependency: holding a future keeps it alive, not running.
 * - A *derived* future (a continuation's, a combinator's output) waits on
 *   its sources: a continuation on the future it follows, or once its
 *   callback returned a future, on that one; a combinator on its inputs
 *   that have not settled.
 * - Cancelling a derived future withdraws it from each source it still
 *   waits on. A source left pending without any dependent is cancelled in
 *   turn (and so on down the chain); a source that still has another
 *   dependent (another continuation, a waiter) is left running.
 * - A combinator whose output settles early (all() at the first error,
 *   any() at the first success, race() and with_timeout() at the first
 *   to settle) withdraws from the inputs still pending in the same way,
 *   so a timed-out source is cancelled unless something else waits on it.
 * - gasync_timeout_new() is cancellable: cancelling it removes its timer
 *   and rejects it with %G_IO_ERROR_CANCELLED.
 * - A waiter that gives up (the #GCancellable of gasync_future_wait() or
 *   gasync_future_wait_async()) stops only the wait, never the future.
 *
 * Settling a future that was cancelled meanwhile is allowed and does
 * nothing (for a promise, see #GAsyncPromise).
 *
 * ## Thread safety
 *
 * Every function here may be called from any thread. A settled future is
 * immutable, so its value can be read from several threads at once. The
 * last reference may be dropped on any thread; a pending future dropped on
 * a worker thread still delivers %GASYNC_ERROR_DROPPED to each waiter on
 * the waiter's own context.
 *
 * Since: 0.1
 */

typedef struct
{
  /* One word holds the state (bits 0-1), the cancelled flag (bit 2), the
   * number of dependents in the notify list (bits 3-28), the held-notify
   * flag (bit 29: see future_recycle()), the debug flag
   * (bit 30: gasync-debug.c's side tables hold an entry for the future,
   * a name or a GASYNC_DEBUG=pending record) and a bit lock
   * (bit 31) that protects everything below: a GMutex would cost 8 more
   * bytes per future. The state is set once, atomically, under the lock,
   * and read atomically without it; once it is not PENDING, outcome is
   * immutable and readable from any thread without the lock. The count
   * changes only under the lock. */
  gint               word;
  union {
    GValue           value;           /* RESOLVED */
    GError          *error;           /* REJECTED */
  } outcome;
  GAsyncNotify      *notifies;        /* PENDING only, newest first */
  GCancellable      *cancellable;     /* created on demand */
} GAsyncFuturePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (GAsyncFuture, gasync_future, G_TYPE_OBJECT)

#define GET_PRIV(f) ((GAsyncFuturePrivate *) gasync_future_get_instance_private (f))

#define WORD_STATE_MASK 0x3
#define WORD_CANCELLED  0x4
#define WORD_DEP_ONE    0x8
#define WORD_DEP_MASK   0x1ffffff8
#define WORD_NOTIFY_HELD 0x20000000
#define WORD_DEBUG      0x40000000
#define WORD_LOCK_BIT   31

#define STATE(priv) ((GAsyncFutureState) (g_atomic_int_get (&(priv)->word) & WORD_STATE_MASK))

/* g_bit_lock() lives in uninstrumented libglib: tell TSan about it. */
static inline void
future_lock (GAsyncFuturePrivate *priv)
{
  g_bit_lock (&priv->word, WORD_LOCK_BIT);
  GASYNC_TSAN_ACQUIRE (&priv->word);
}

static inline void
future_unlock (GAsyncFuturePrivate *priv)
{
  GASYNC_TSAN_RELEASE (&priv->word);
  g_bit_unlock (&priv->word, WORD_LOCK_BIT);
}

#define POINTER_DESTROY(v) _GASYNC_VALUE_POINTER_DESTROY (v)

static GAsyncNotify *future_settle_locked_and_unlock (GAsyncFuture *self,
                                                      GValue       *value,
                                                      GError       *error,
                                                      gint          flags);
static void notify_list_run_with_stand_in (GAsyncNotify *notifies,
                                           const GError *error);

static gboolean future_recycle (GAsyncFuture *self, gboolean in_dispose);

static void
gasync_future_dispose (GObject *object)
{
  GAsyncFuture *self = GASYNC_FUTURE (object);
  GAsyncFuturePrivate *priv = GET_PRIV (self);
  GAsyncNotify *notifies;

  if (STATE (priv) != GASYNC_FUTURE_PENDING)
    {
      /* Resurrected into this thread's pool: the object lives on, so
       * there is nothing for GObject's dispose to release (see
       * future_recycle() for why). */
      if (future_recycle (self, TRUE))
        return;
      goto chain_up;
    }

  /* The last reference to a pending future is going: nothing can settle it
   * any more. Reject it so that its waiters see DROPPED instead of hanging.
   * They get a stand-in, never this object: a reference taken on an object
   * inside its dispose could let another thread finalize it while the
   * dropping thread is still inside g_object_unref(). Without a waiter
   * there is nobody to tell (a future parked in this thread's pool, whose
   * thread exits, is one: gasync-future-pool.c). */
  future_lock (priv);
  if (STATE (priv) != GASYNC_FUTURE_PENDING || priv->notifies == NULL)
    {
      future_unlock (priv);
      goto chain_up;
    }
  notifies = future_settle_locked_and_unlock (self, NULL,
                                              g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_DROPPED,
                                                                   _("The future was dropped before it completed")),
                                              0);
  notify_list_run_with_stand_in (notifies, priv->outcome.error);

chain_up:
  G_OBJECT_CLASS (gasync_future_parent_class)->dispose (object);
}

/* Frees what a settled (or never settled) future holds, as finalize
 * does. */
static void
future_clear_outcome (GAsyncFuturePrivate *priv)
{
  /* The last reference may be dropped on another thread than the one that
   * settled us; GObject's reference count is not instrumented, so tell TSan
   * that everything done under our lock happened before. */
  GASYNC_TSAN_ACQUIRE (&priv->word);

  g_warn_if_fail (priv->notifies == NULL);

  if (STATE (priv) == GASYNC_FUTURE_RESOLVED)
    {
      GValue *value = &priv->outcome.value;
      gboolean plain = _gasync_value_type_is_plain (G_VALUE_TYPE (value));

      if ((plain ? G_VALUE_TYPE (value) == G_TYPE_POINTER : G_VALUE_HOLDS_POINTER (value)) &&
          POINTER_DESTROY (value) != NULL)
        ((GDestroyNotify) POINTER_DESTROY (value)) (value->data[0].v_pointer);
      if (plain)
        memset (value, 0, sizeof *value);
      else
        g_value_unset (value);
    }
  else if (STATE (priv) == GASYNC_FUTURE_REJECTED)
    g_clear_error (&priv->outcome.error);

  g_clear_object (&priv->cancellable);
}

static void
gasync_future_finalize (GObject *object)
{
  GAsyncFuture *self = GASYNC_FUTURE (object);
  GAsyncFuturePrivate *priv = GET_PRIV (self);

  future_clear_outcome (priv);

  /* One branch, whether or not GASYNC_DEBUG is set. */
  if G_UNLIKELY (g_atomic_int_get (&priv->word) & WORD_DEBUG)
    _gasync_debug_forget (self);

  G_OBJECT_CLASS (gasync_future_parent_class)->finalize (object);
}

static gboolean
future_is_pending_for_debug (gpointer instance)
{
  return STATE (GET_PRIV ((GAsyncFuture *) instance)) == GASYNC_FUTURE_PENDING;
}

static void
gasync_future_class_init (GAsyncFutureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* Before the first future exists: GASYNC_DEBUG is read once. */
  _gasync_debug_init (future_is_pending_for_debug);
  _gasync_future_type_add (G_TYPE_FROM_CLASS (klass));

  object_class->dispose = gasync_future_dispose;
  object_class->finalize = gasync_future_finalize;
}

static void
gasync_future_init (GAsyncFuture *self)
{
  if G_UNLIKELY (_gasync_debug_pending)
    {
      _gasync_debug_pending_register (self, __builtin_return_address (0));
      g_atomic_int_or (&GET_PRIV (self)->word, WORD_DEBUG);
    }
}

/* Recycling (the pool is gasync-future-pool.c's): from dispose
 * (@in_dispose), for a settled @self whose last reference is being
 * dropped, or from _gasync_future_release(), whose reference it adopts.
 * Frees what it holds as finalize would and parks it, pending and empty,
 * in this thread's pool, if the pool takes it; then @self lives on and
 * GObject's dispose has nothing to release (the pool checked that nothing
 * but the dropped reference reaches it; any signal handlers go here).
 *
 * g_object_unref() freezes an object's notify queue around the last
 * dispose and thaws it after, even for a class without properties. With
 * GLib 2.74 that allocates the queue, stores it in the object's qdata and
 * takes both out again: ~650 instructions of each such unref. So the
 * first time dispose recycles @self, it freezes the queue g_object_unref()
 * has just made once more, and holds it for @self's whole life
 * (WORD_NOTIFY_HELD): every later last unref of @self only steps its
 * count. Futures have no properties, so the held queue holds back no
 * signal; it is GObject's own qdata, which the pool expects, and finalize
 * frees it. _gasync_future_release() does not go through the freeze, so
 * it makes no queue for a future that has none. */
static gboolean
future_recycle (GAsyncFuture *self,
                gboolean      in_dispose)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);
  gint held;

  if G_UNLIKELY (_gasync_debug_pending ||
                 (g_atomic_int_get (&priv->word) & WORD_DEBUG) != 0)
    return FALSE;
  if (!_gasync_future_pool_may_take (G_OBJECT (self)))
    return FALSE;

  held = g_atomic_int_get (&priv->word) & WORD_NOTIFY_HELD;
  if (held == 0 && in_dispose)
    {
      g_object_freeze_notify (G_OBJECT (self));
      held = WORD_NOTIFY_HELD;
    }
  if (_gasync_object_may_have_handlers (self))
    g_signal_handlers_destroy (self);
  /* May run user code (a value's destroy notify): @self is in no pool
   * yet, and nothing else can reach it. If the pool is full afterwards,
   * @self is finalized as usual, as a cleared future. */
  future_clear_outcome (priv);
  memset (priv, 0, sizeof *priv);
  priv->word = held;
  return _gasync_future_pool_put (G_OBJECT (self), !in_dispose);
}

/* Drops the caller's reference to @self, which the caller may hold as the
 * last one (a future a task's function returned). A settled future is
 * then parked, the pool adopting that reference: no g_object_unref(), so
 * none of the notify-queue freeze and thaw it wraps dispose in (see
 * future_recycle()). */
void
_gasync_future_release (GAsyncFuture *self)
{
  if (STATE (GET_PRIV (self)) == GASYNC_FUTURE_PENDING || !future_recycle (self, FALSE))
    g_object_unref (self);
}

/* Internal machinery */

/* Frees a value (calling its pointer's destroy notify, if any) or an
 * error that came too late: the future had settled already. */
static void
outcome_discard (GValue *value,
                 GError *error)
{
  if (error != NULL)
    {
      g_error_free (error);
      return;
    }

  if (G_VALUE_HOLDS_POINTER (value) && POINTER_DESTROY (value) != NULL)
    ((GDestroyNotify) POINTER_DESTROY (value)) (g_value_get_pointer (value));
  g_value_unset (value);
}

/* Stores @value (stolen) or, when it is NULL, @error (taken) as the
 * outcome, then sets the settled state and @flags in one atomic or:
 * readers without the lock look at the state first. */
static void
outcome_store (GAsyncFuturePrivate *priv,
               GValue              *value,
               GError              *error,
               gint                 flags)
{
  if (value != NULL)
    {
      priv->outcome.value = *value;
      memset (value, 0, sizeof *value);
    }
  else
    priv->outcome.error = error;
  g_atomic_int_or (&priv->word, flags | (value != NULL ? GASYNC_FUTURE_RESOLVED : GASYNC_FUTURE_REJECTED));
}

/* Settles the locked, pending @self with @value (stolen) or @error
 * (taken), also setting @flags (WORD_CANCELLED) in the same critical
 * section, unlocks it and returns its notifies, for the caller to run
 * with no lock held. */
static GAsyncNotify *
future_settle_locked_and_unlock (GAsyncFuture *self,
                                 GValue       *value,
                                 GError       *error,
                                 gint          flags)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);
  GAsyncNotify *notifies = g_steal_pointer (&priv->notifies);

  outcome_store (priv, value, error, flags);
  future_unlock (priv);

  return notifies;
}

/* Runs @notifies of a future that must not be handed to them (being
 * disposed, or settled by a party without a reference on it) with a
 * stand-in: a new future rejected with a copy of @error. */
static void
notify_list_run_with_stand_in (GAsyncNotify *notifies,
                               const GError *error)
{
  GAsyncFuture *stand_in;

  if (notifies == NULL)
    return;

  stand_in = _gasync_future_new_settled (NULL, g_error_copy (error));
  _gasync_notify_list_run (notifies, stand_in);
  g_object_unref (stand_in);
}

/* Settles @self with @value (stolen) or @error (taken), also setting
 * @flags (WORD_CANCELLED) in the same critical section. */
static gboolean
future_complete (GAsyncFuture *self,
                 GValue       *value,
                 GError       *error,
                 gint          flags)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);
  GAsyncNotify *notifies;

  g_assert ((value == NULL) != (error == NULL));

  future_lock (priv);
  if (STATE (priv) != GASYNC_FUTURE_PENDING)
    {
      future_unlock (priv);
      outcome_discard (value, error);
      return FALSE;
    }
  notifies = future_settle_locked_and_unlock (self, value, error, flags);

  /* No lock is held: notifies only queue work or complete other futures. */
  _gasync_notify_list_run (notifies, self);

  return TRUE;
}

/* A pending future of the base type, for the layers above that settle it
 * themselves (continuations, combinators): the derived futures come from
 * here, so that this file never needs a subclass. */
GAsyncFuture *
_gasync_future_new_pending (void)
{
  return _gasync_future_new_recycled (GASYNC_TYPE_FUTURE);
}

/* The bit tells finalize to remove the future from gasync-debug.c's
 * tables, and get_name that a name may be there. Every writer of the word
 * uses an atomic read-modify-write, so no lock is needed. */
void
_gasync_future_mark_debug (GAsyncFuture *self)
{
  g_atomic_int_or (&GET_PRIV (self)->word, WORD_DEBUG);
}

gboolean
_gasync_future_has_debug (GAsyncFuture *self)
{
  return (g_atomic_int_get (&GET_PRIV (self)->word) & WORD_DEBUG) != 0;
}

GAsyncFutureState
_gasync_future_peek_state (GAsyncFuture *self)
{
  return STATE (GET_PRIV (self));
}

/* The stored value of a resolved future (immutable, readable without the
 * lock), or NULL if it is pending or rejected. */
const GValue *
_gasync_future_peek_value (GAsyncFuture *self)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);

  if (STATE (priv) != GASYNC_FUTURE_RESOLVED)
    return NULL;
  return &priv->outcome.value;
}

/* Returns the outcome of the settled @self on @task: its value with
 * g_task_return_value(), or a copy of its error. */
void
_gasync_future_return_outcome_to_task (GAsyncFuture *self,
                                       GTask        *task)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);

  g_return_if_fail (STATE (priv) != GASYNC_FUTURE_PENDING);

  if (STATE (priv) == GASYNC_FUTURE_RESOLVED)
    g_task_return_value (task, &priv->outcome.value);
  else
    g_task_return_error (task, g_error_copy (priv->outcome.error));
}

static void
future_add_notify (GAsyncFuture *self,
                   GAsyncNotify *notify,
                   gint          count)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);

  if (STATE (priv) == GASYNC_FUTURE_PENDING)
    {
      future_lock (priv);
      if (STATE (priv) == GASYNC_FUTURE_PENDING)
        {
          notify->next = priv->notifies;
          priv->notifies = notify;
          if (count != 0)
            g_atomic_int_add (&priv->word, count);
          future_unlock (priv);
          return;
        }
      future_unlock (priv);
    }

  notify->next = NULL;
  notify->func (notify, self);
}

void
_gasync_future_add_notify (GAsyncFuture *self,
                           GAsyncNotify *notify)
{
  future_add_notify (self, notify, 0);
}

void
_gasync_future_add_dependent (GAsyncFuture *self,
                              GAsyncNotify *notify)
{
  future_add_notify (self, notify, WORD_DEP_ONE);
}

/* Cancels the locked, pending @self in place, unlocks it and runs what
 * cancelling does: its notifies (with @completed, or with a stand-in if
 * @completed is NULL because the caller holds no reference on @self) and
 * the cancellation of its GCancellable. */
static void
future_cancel_locked_and_unlock (GAsyncFuture *self,
                                 GAsyncFuture *completed)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);
  GCancellable *cancellable = NULL;
  GAsyncNotify *notifies;
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       _("Operation was cancelled"));

  if (priv->cancellable != NULL)
    cancellable = g_object_ref (priv->cancellable);
  notifies = future_settle_locked_and_unlock (self, NULL, error, WORD_CANCELLED);

  /* Without a reference, @self may be finalized from here on: the error
   * is used only by a stand-in of our own. */
  if (completed != NULL)
    _gasync_notify_list_run (notifies, completed);
  else if (notifies != NULL)
    {
      GError *copy = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                          _("Operation was cancelled"));

      notify_list_run_with_stand_in (notifies, copy);
      g_error_free (copy);
    }

  if (cancellable != NULL)
    {
      g_cancellable_cancel (cancellable);
      g_object_unref (cancellable);
    }
}

/* Unlinks @notify from the list of the locked @self; returns whether it
 * was there. */
static gboolean
notify_list_unlink_locked (GAsyncFuturePrivate *priv,
                           GAsyncNotify        *notify)
{
  for (GAsyncNotify **p = &priv->notifies; *p != NULL; p = &(*p)->next)
    if (*p == notify)
      {
        *p = notify->next;
        notify->next = NULL;
        return TRUE;
      }
  return FALSE;
}

gboolean
_gasync_future_withdraw (GAsyncFuture *self,
                         GAsyncNotify *notify,
                         gboolean      cancel_if_orphaned)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);

  future_lock (priv);
  if (!notify_list_unlink_locked (priv, notify))
    {
      future_unlock (priv);
      return FALSE;
    }

  /* Still listed, so still pending. */
  g_atomic_int_add (&priv->word, -WORD_DEP_ONE);
  if (cancel_if_orphaned && (g_atomic_int_get (&priv->word) & WORD_DEP_MASK) == 0)
    future_cancel_locked_and_unlock (self, NULL);
  else
    future_unlock (priv);

  return TRUE;
}

void
_gasync_future_cancel_if_orphaned (GAsyncFuture *self)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);

  future_lock (priv);
  if (STATE (priv) == GASYNC_FUTURE_PENDING &&
      (g_atomic_int_get (&priv->word) & WORD_DEP_MASK) == 0)
    future_cancel_locked_and_unlock (self, self);
  else
    future_unlock (priv);
}

/* Links: a dependent's registration on a source it does not own */

void
_gasync_link_notified (gint *link)
{
  /* A canceller holds a pin for a few instructions: wait it out. */
  while (!g_atomic_int_compare_and_exchange (link, GASYNC_LINK_LINKED, GASYNC_LINK_DONE))
    ;
}

gboolean
_gasync_link_withdraw (gint                *link,
                       GAsyncFuture *const *source,
                       GAsyncNotify        *notify)
{
  gboolean withdrawn;

  /* While the link is pinned, @source cannot be finalized: it must run
   * @notify first, which waits for the unpin. */
  if (!g_atomic_int_compare_and_exchange (link, GASYNC_LINK_LINKED, GASYNC_LINK_PINNED))
    return FALSE;
  withdrawn = _gasync_future_withdraw (*source, notify, TRUE);
  g_atomic_int_set (link, withdrawn ? GASYNC_LINK_DONE : GASYNC_LINK_LINKED);

  return withdrawn;
}

gboolean
_gasync_future_resolve_steal (GAsyncFuture *self,
                              GValue       *value)
{
  return future_complete (self, value, NULL, 0);
}

gboolean
_gasync_future_resolve_copy (GAsyncFuture *self,
                             const GValue *value)
{
  GValue copy = G_VALUE_INIT;

  if (STATE (GET_PRIV (self)) != GASYNC_FUTURE_PENDING)
    return FALSE;

  _gasync_value_init_copy (&copy, value);
  return future_complete (self, &copy, NULL, 0);
}

gboolean
_gasync_future_reject (GAsyncFuture *self,
                       GError       *error)
{
  return future_complete (self, NULL, error, 0);
}

gboolean
_gasync_future_settle_like (GAsyncFuture *self,
                            GAsyncFuture *completed)
{
  GAsyncFuturePrivate *cpriv = GET_PRIV (completed);

  switch (STATE (cpriv))
    {
    case GASYNC_FUTURE_RESOLVED:
      return _gasync_future_resolve_copy (self, &cpriv->outcome.value);
    case GASYNC_FUTURE_REJECTED:
      return _gasync_future_reject (self, g_error_copy (cpriv->outcome.error));
    case GASYNC_FUTURE_PENDING:
    default:
      g_return_val_if_reached (FALSE);
    }
}

/* An adoption: @target settles like @source. It is a dependent of
 * @source, which it does not own, and watches @target: cancelling
 * @target withdraws it from @source (which is cancelled in turn if nothing
 * else depends on it). */
typedef struct
{
  GAsyncNotify  on_source;   /* a dependent of source */
  GAsyncNotify  on_target;   /* a producer notify on target */
  GAsyncFuture *target;      /* owned */
  GAsyncFuture *source;      /* not owned: alive while link is LINKED or PINNED */
  gint          link;        /* atomic: a GASYNC_LINK_ state */
  gint          ref_count;   /* atomic: on_source, on_target */
} Adopt;

static void
adopt_unref (Adopt *adopt)
{
  if (!g_atomic_int_dec_and_test (&adopt->ref_count))
    return;

  g_object_unref (adopt->target);
  g_free (adopt);
}

static void
adopt_source_settled (GAsyncNotify *notify,
                      GAsyncFuture *completed)
{
  Adopt *adopt = (Adopt *) notify;

  _gasync_link_notified (&adopt->link);
  _gasync_future_settle_like (adopt->target, completed);
  adopt_unref (adopt);
}

static void
adopt_target_settled (GAsyncNotify *notify,
                      GAsyncFuture *completed)
{
  Adopt *adopt = (Adopt *) ((char *) notify - G_STRUCT_OFFSET (Adopt, on_target));

  /* Settled by adopt_source_settled() (the link is DONE then), or
   * cancelled: then we no longer depend on the source. */
  if (_gasync_link_withdraw (&adopt->link, &adopt->source, &adopt->on_source))
    adopt_unref (adopt);
  adopt_unref (adopt);
}

void
_gasync_future_adopt (GAsyncFuture *self,
                      GAsyncFuture *source)
{
  Adopt *adopt;

  if (STATE (GET_PRIV (source)) != GASYNC_FUTURE_PENDING)
    {
      _gasync_future_settle_like (self, source);
      return;
    }

  adopt = g_new0 (Adopt, 1);
  adopt->on_source.func = adopt_source_settled;
  adopt->on_target.func = adopt_target_settled;
  adopt->target = g_object_ref (self);
  adopt->source = source;
  adopt->link = GASYNC_LINK_LINKED;
  adopt->ref_count = 2;
  _gasync_future_add_dependent (source, &adopt->on_source);
  _gasync_future_add_notify (self, &adopt->on_target);
}

gboolean
_gasync_future_was_cancelled (GAsyncFuture *self)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);
  gboolean ret;

  future_lock (priv);
  ret = (g_atomic_int_get (&priv->word) & WORD_CANCELLED) != 0;
  future_unlock (priv);

  return ret;
}

GCancellable *
_gasync_future_ensure_cancellable (GAsyncFuture *self)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);
  GCancellable *ret;
  gboolean cancel = FALSE;

  future_lock (priv);
  if (priv->cancellable == NULL)
    {
      priv->cancellable = g_cancellable_new ();
      cancel = (g_atomic_int_get (&priv->word) & WORD_CANCELLED) != 0;
    }
  ret = priv->cancellable;
  future_unlock (priv);

  if (cancel)
    g_cancellable_cancel (ret);

  return ret;
}

/* As _gasync_future_ensure_cancellable(), but with a cancellable the
 * caller supplies (the runtime recycles them): @future takes it unless it
 * has one already. Returns the future's cancellable (transfer none). */
GCancellable *
_gasync_future_take_cancellable (GAsyncFuture *self,
                                 GCancellable *cancellable)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);
  GCancellable *ret;
  gboolean cancel = FALSE;

  future_lock (priv);
  if (priv->cancellable == NULL)
    {
      priv->cancellable = g_steal_pointer (&cancellable);
      cancel = (g_atomic_int_get (&priv->word) & WORD_CANCELLED) != 0;
    }
  ret = priv->cancellable;
  future_unlock (priv);

  g_clear_object (&cancellable);
  if (cancel)
    g_cancellable_cancel (ret);

  return ret;
}

/* Takes the cancellable back from a settled future, with the future's
 * reference (gasync_future_cancel() on a settled future no longer looks at
 * it), or returns NULL if it has none. */
GCancellable *
_gasync_future_steal_cancellable (GAsyncFuture *self)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);
  GCancellable *ret;

  g_return_val_if_fail (STATE (priv) != GASYNC_FUTURE_PENDING, NULL);

  future_lock (priv);
  ret = g_steal_pointer (&priv->cancellable);
  future_unlock (priv);

  return ret;
}

/* Constructors */

/* A new future of the base type, settled from the start with @value
 * (stolen) or @error (taken). Nobody else can see it yet, so it is
 * settled without the lock and has no notifies to run. */
GAsyncFuture *
_gasync_future_new_settled (GValue *value,
                            GError *error)
{
  GAsyncFuture *self = _gasync_future_new_pending ();

  g_assert ((value == NULL) != (error == NULL));

  outcome_store (GET_PRIV (self), value, error, 0);
  return self;
}

/* Accessors */

/**
 * gasync_future_get_state:
 * @future: a #GAsyncFuture
 *
 * Gets whether @future is pending, resolved or rejected. Once it is not
 * pending it never changes. To test whether a future is still pending,
 * compare with %GASYNC_FUTURE_PENDING.
 *
 * Returns: the state of @future
 *
 * Since: 0.1
 */
GAsyncFutureState
gasync_future_get_state (GAsyncFuture *future)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (future), GASYNC_FUTURE_PENDING);

  return STATE (GET_PRIV (future));
}

/**
 * gasync_future_get_value_type:
 * @future: a #GAsyncFuture
 *
 * Gets the type of the value @future resolved with.
 *
 * Returns: the value's #GType, or %G_TYPE_INVALID while @future is pending
 *   or if it was rejected
 *
 * Since: 0.1
 */
GType
gasync_future_get_value_type (GAsyncFuture *future)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (future), G_TYPE_INVALID);

  if (STATE (GET_PRIV (future)) != GASYNC_FUTURE_RESOLVED)
    return G_TYPE_INVALID;
  return G_VALUE_TYPE (&GET_PRIV (future)->outcome.value);
}

/**
 * gasync_future_get_error:
 * @future: a #GAsyncFuture
 *
 * Gets the error @future was rejected with.
 *
 * Returns: (transfer none) (nullable): the error, or %NULL if @future is
 *   pending or resolved
 *
 * Since: 0.1
 */
const GError *
gasync_future_get_error (GAsyncFuture *future)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);

  if (STATE (GET_PRIV (future)) != GASYNC_FUTURE_REJECTED)
    return NULL;
  return GET_PRIV (future)->outcome.error;
}

/* Checks that @future resolved, setting @error otherwise. */
const GValue *
_gasync_future_peek_value_or_error (GAsyncFuture  *self,
                                    GError       **error)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);

  switch (STATE (priv))
    {
    case GASYNC_FUTURE_RESOLVED:
      return &priv->outcome.value;
    case GASYNC_FUTURE_REJECTED:
      g_propagate_error (error, g_error_copy (priv->outcome.error));
      return NULL;
    case GASYNC_FUTURE_PENDING:
    default:
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_PENDING,
                           _("The future has not completed yet"));
      return NULL;
    }
}

/**
 * gasync_future_get_value: (skip)
 * @future: a #GAsyncFuture
 * @value: (out caller-allocates) (optional): a zero-filled #GValue, or one
 *   initialized with a type the value converts to; or %NULL to only check
 *   the outcome
 * @error: return location for an error
 *
 * Gets the value @future resolved with. If it was rejected, its error is
 * copied to @error; if it is still pending, @error is set to
 * %GASYNC_ERROR_PENDING. On failure a zero-filled @value is initialized to
 * %G_TYPE_POINTER, %NULL, so it can always be unset.
 *
 * This is the getter for every value type that has no typed one below
 * (unsigned and 64-bit integers, doubles, boxed types, enums, …).
 *
 * Returns: %TRUE if @future resolved (and @value, if given, was set)
 *
 * Since: 0.1
 */
gboolean
gasync_future_get_value (GAsyncFuture  *future,
                         GValue        *value,
                         GError       **error)
{
  const GValue *stored;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stored = _gasync_future_peek_value_or_error (future, error);
  if (value == NULL)
    return stored != NULL;
  if (stored != NULL && _gasync_value_store (value, stored, error))
    return TRUE;

  _gasync_value_init_for_error (value);
  return FALSE;
}

/**
 * gasync_future_dup_value: (rename-to gasync_future_get_value)
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets a copy of the value @future resolved with. If it was rejected, its
 * error is copied to @error; if it is still pending, @error is set to
 * %GASYNC_ERROR_PENDING.
 *
 * Returns: (transfer full) (nullable): a newly allocated copy of the value,
 *   or %NULL with @error set
 *
 * Since: 0.1
 */
GValue *
gasync_future_dup_value (GAsyncFuture  *future,
                         GError       **error)
{
  const GValue *stored;
  GValue *ret;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stored = _gasync_future_peek_value_or_error (future, error);
  if (stored == NULL)
    return NULL;

  ret = g_new0 (GValue, 1);
  g_value_init (ret, G_VALUE_TYPE (stored));
  g_value_copy (stored, ret);
  return ret;
}

/**
 * gasync_future_cancel:
 * @future: a #GAsyncFuture
 *
 * Cancels @future: if it is still pending it is rejected at once with
 * %G_IO_ERROR_CANCELLED, and the #GCancellable of whatever was producing it
 * (a spawned task's, or a promise's, see gasync_promise_get_cancellable())
 * is cancelled, so the work can stop. A later attempt of the producer to
 * settle it is ignored. Cancelling a future that has settled does nothing.
 *
 * Cancelling a derived future (from gasync_future_and_then() and friends,
 * or a combinator) rejects it, skips its callback, and withdraws it from
 * what it waits on: a source left without any other dependent is
 * cancelled in turn, one that something else still waits on keeps
 * running (see "Cancellation" in #GAsyncFuture for what depends on what).
 *
 * Since: 0.1
 */
void
gasync_future_cancel (GAsyncFuture *future)
{
  GAsyncFuturePrivate *priv;

  g_return_if_fail (GASYNC_IS_FUTURE (future));

  priv = GET_PRIV (future);

  /* Flag and rejection in one critical section: a producer that settles
   * concurrently either wins (and the future was never cancelled) or
   * finds it cancelled (and is ignored quietly). */
  future_lock (priv);
  if (STATE (priv) != GASYNC_FUTURE_PENDING)
    {
      future_unlock (priv);
      return;
    }
  future_cancel_locked_and_unlock (future, future);
}
