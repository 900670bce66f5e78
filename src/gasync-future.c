/* gasync-future.c: GAsyncFuture, a value that becomes available later
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"

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
 *   g_autoptr(GAsyncResult) result = NULL;
 *
 *   result = gasync_block_on_object (start_load, file, NULL, error);
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
 * GIO's asynchronous calls keep their source object.)
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
  /* One word holds the state (bits 0-1), the cancelled flag (bit 2) and a
   * bit lock (bit 31) that protects everything below: a GMutex would cost
   * 8 more bytes per future. The state is set once, atomically, under the
   * lock, and read atomically without it; once it is not PENDING, outcome
   * is immutable and readable from any thread without the lock. */
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

static gboolean future_complete (GAsyncFuture *self,
                                 GValue       *value,
                                 GError       *error,
                                 gint          flags);

static void
gasync_future_dispose (GObject *object)
{
  GAsyncFuture *self = GASYNC_FUTURE (object);

  /* The last reference to a pending future is going: nothing can settle it
   * any more. Reject it so that its waiters see DROPPED instead of hanging.
   * Notifies may take references, which GObject allows in dispose; the
   * future is then finalized when they drop them. */
  if (STATE (GET_PRIV (self)) == GASYNC_FUTURE_PENDING)
    future_complete (self, NULL,
                     g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_DROPPED,
                                          _("The future was dropped before it completed")),
                     0);

  G_OBJECT_CLASS (gasync_future_parent_class)->dispose (object);
}

static void
gasync_future_finalize (GObject *object)
{
  GAsyncFuture *self = GASYNC_FUTURE (object);
  GAsyncFuturePrivate *priv = GET_PRIV (self);

  /* The last reference may be dropped on another thread than the one that
   * settled us; GObject's reference count is not instrumented, so tell TSan
   * that everything done under our lock happened before. */
  GASYNC_TSAN_ACQUIRE (&priv->word);

  g_warn_if_fail (priv->notifies == NULL);

  if (STATE (priv) == GASYNC_FUTURE_RESOLVED)
    {
      GDestroyNotify destroy = NULL;

      if (G_VALUE_HOLDS_POINTER (&priv->outcome.value))
        destroy = (GDestroyNotify) POINTER_DESTROY (&priv->outcome.value);
      if (destroy != NULL)
        destroy (g_value_get_pointer (&priv->outcome.value));
      g_value_unset (&priv->outcome.value);
    }
  else if (STATE (priv) == GASYNC_FUTURE_REJECTED)
    g_clear_error (&priv->outcome.error);

  g_clear_object (&priv->cancellable);

  G_OBJECT_CLASS (gasync_future_parent_class)->finalize (object);
}

static void
gasync_future_class_init (GAsyncFutureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gasync_future_dispose;
  object_class->finalize = gasync_future_finalize;
}

static void
gasync_future_init (GAsyncFuture *self)
{
}

/* Internal machinery */

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
  GAsyncNotify *ordered = NULL;

  g_assert ((value == NULL) != (error == NULL));

  future_lock (priv);
  if (STATE (priv) != GASYNC_FUTURE_PENDING)
    {
      future_unlock (priv);
      if (error != NULL)
        g_error_free (error);
      else
        {
          if (G_VALUE_HOLDS_POINTER (value) && POINTER_DESTROY (value) != NULL)
            ((GDestroyNotify) POINTER_DESTROY (value)) (g_value_get_pointer (value));
          g_value_unset (value);
        }
      return FALSE;
    }

  if (error != NULL)
    priv->outcome.error = error;
  else
    {
      priv->outcome.value = *value;
      memset (value, 0, sizeof *value);
    }
  notifies = g_steal_pointer (&priv->notifies);
  g_atomic_int_or (&priv->word, flags | (error != NULL ? GASYNC_FUTURE_REJECTED : GASYNC_FUTURE_RESOLVED));
  future_unlock (priv);

  /* Registration order. */
  while (notifies != NULL)
    {
      GAsyncNotify *next = notifies->next;

      notifies->next = ordered;
      ordered = notifies;
      notifies = next;
    }

  /* No lock is held: notifies only queue work or complete other futures. */
  while (ordered != NULL)
    {
      GAsyncNotify *notify = ordered;

      ordered = notify->next;
      notify->next = NULL;
      notify->func (notify, self);
    }

  return TRUE;
}

void
_gasync_future_add_notify (GAsyncFuture *self,
                           GAsyncNotify *notify)
{
  GAsyncFuturePrivate *priv = GET_PRIV (self);

  if (STATE (priv) == GASYNC_FUTURE_PENDING)
    {
      future_lock (priv);
      if (STATE (priv) == GASYNC_FUTURE_PENDING)
        {
          notify->next = priv->notifies;
          priv->notifies = notify;
          future_unlock (priv);
          return;
        }
      future_unlock (priv);
    }

  notify->next = NULL;
  notify->func (notify, self);
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

  g_value_init (&copy, G_VALUE_TYPE (value));
  g_value_copy (value, &copy);
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

typedef struct
{
  GAsyncNotify  notify;
  GAsyncFuture *target;   /* owned */
} Adopt;

static void
adopt_notify (GAsyncNotify *notify,
              GAsyncFuture *completed)
{
  Adopt *adopt = (Adopt *) notify;

  _gasync_future_settle_like (adopt->target, completed);
  g_object_unref (adopt->target);
  g_free (adopt);
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

  adopt = g_new (Adopt, 1);
  adopt->notify.func = adopt_notify;
  adopt->target = g_object_ref (self);
  _gasync_future_add_notify (source, &adopt->notify);
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

void
_gasync_value_init_for_error (GValue *value)
{
  if (value != NULL && G_VALUE_TYPE (value) == G_TYPE_INVALID)
    g_value_init (value, G_TYPE_POINTER);
}

gboolean
_gasync_value_store (GValue        *dest,
                     const GValue  *src,
                     GError       **error)
{
  GType want = G_VALUE_TYPE (dest);
  GType have = G_VALUE_TYPE (src);

  if (want == G_TYPE_INVALID || want == have)
    {
      if (want == have)
        g_value_unset (dest);
      g_value_init (dest, have);
      g_value_copy (src, dest);
      return TRUE;
    }

  if (g_value_type_compatible (have, want))
    {
      g_value_reset (dest);
      g_value_copy (src, dest);
      return TRUE;
    }

  if (g_value_type_transformable (have, want) && g_value_transform (src, dest))
    return TRUE;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH,
               _("The future holds a value of type “%s”, which cannot be converted to “%s”"),
               g_type_name (have), g_type_name (want));
  return FALSE;
}

/* Context jobs: work run on the registering context once a future settles */

static void
context_job_notify (GAsyncNotify *notify,
                    GAsyncFuture *completed)
{
  GAsyncContextJob *job = (GAsyncContextJob *) notify;
  GAsyncDispatchFunc func = (GAsyncDispatchFunc) job->completed;

  /* Until now the completed slot held the dispatch function, to keep the
   * job small; swap in the future and reuse the node as a dispatch item. */
  job->completed = g_object_ref (completed);
  job->node.item.next = NULL;
  job->node.item.func = func;
  _gasync_dispatcher_push (job->dispatcher, &job->node.item);
}

void
_gasync_context_job_init (GAsyncContextJob   *job,
                          GAsyncDispatchFunc  func)
{
  _gasync_context_job_init_for_context (job, g_main_context_ref_thread_default (), func);
}

void
_gasync_context_job_init_for_context (GAsyncContextJob   *job,
                                      GMainContext       *context,
                                      GAsyncDispatchFunc  func)
{
  job->node.notify.next = NULL;
  job->node.notify.func = context_job_notify;
  job->dispatcher = _gasync_dispatcher_for_context (context);
  job->completed = (GAsyncFuture *) (gpointer) func;
}

GMainContext *
_gasync_context_job_get_context (GAsyncContextJob *job)
{
  return _gasync_dispatcher_get_context (job->dispatcher);
}

void
_gasync_context_job_clear (GAsyncContextJob *job)
{
  g_clear_object (&job->completed);
  g_main_context_unref (_gasync_dispatcher_get_context (job->dispatcher));
  job->dispatcher = NULL;
}

/* Async worker threads */

static GPrivate async_worker_flag;

void
_gasync_thread_set_async_worker (gboolean is_worker)
{
  g_private_set (&async_worker_flag, GINT_TO_POINTER (is_worker));
}

gboolean
_gasync_thread_is_async_worker (void)
{
  return GPOINTER_TO_INT (g_private_get (&async_worker_flag));
}

gboolean
_gasync_check_may_block (const char  *what,
                         GError     **error)
{
  if G_LIKELY (!_gasync_thread_is_async_worker ())
    return TRUE;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK,
               /* TRANSLATORS: %s is a function name, such as gasync_block_on() */
               _("%s was called on an async runtime worker thread, where blocking "
                 "could deadlock the work queued behind it; use "
                 "gasync_spawn_blocking() or a continuation instead"),
               what);
  return FALSE;
}

/* Constructors */

static GAsyncFuture *
future_new_resolved_steal (GValue *value)
{
  GAsyncFuture *self = g_object_new (GASYNC_TYPE_FUTURE, NULL);

  future_complete (self, value, NULL, 0);
  return self;
}

/**
 * gasync_future_new_resolved:
 * @value: the value to resolve with; it is copied
 *
 * Creates a future that is already resolved with a copy of @value.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_new_resolved (const GValue *value)
{
  GValue copy = G_VALUE_INIT;

  g_return_val_if_fail (G_IS_VALUE (value), NULL);

  g_value_init (&copy, G_VALUE_TYPE (value));
  g_value_copy (value, &copy);
  return future_new_resolved_steal (&copy);
}

/**
 * gasync_future_new_for_error:
 * @error: (transfer full): the error to reject with
 *
 * Creates a future that is already rejected with @error.
 *
 * Returns: (transfer full): a rejected future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_new_for_error (GError *error)
{
  GAsyncFuture *self;

  g_return_val_if_fail (error != NULL, NULL);

  self = g_object_new (GASYNC_TYPE_FUTURE, NULL);
  future_complete (self, NULL, error, 0);
  return self;
}

/**
 * gasync_future_new_for_error_literal:
 * @domain: the error domain
 * @code: the error code
 * @message: the error message
 *
 * Creates a future that is already rejected with a new #GError.
 *
 * Returns: (transfer full): a rejected future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_new_for_error_literal (GQuark      domain,
                                     gint        code,
                                     const char *message)
{
  g_return_val_if_fail (domain != 0, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  return gasync_future_new_for_error (g_error_new_literal (domain, code, message));
}

/**
 * gasync_future_new_for_error_printf:
 * @domain: the error domain
 * @code: the error code
 * @format: a printf() format for the error message
 * @...: the arguments of @format
 *
 * Creates a future that is already rejected with a new #GError whose
 * message is formatted like printf() does.
 *
 * Returns: (transfer full): a rejected future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_new_for_error_printf (GQuark      domain,
                                    gint        code,
                                    const char *format,
                                    ...)
{
  GError *error;
  va_list args;

  g_return_val_if_fail (domain != 0, NULL);
  g_return_val_if_fail (format != NULL, NULL);

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);

  return gasync_future_new_for_error (error);
}

#define DEFINE_NEW_FOR(name, ctype, gtype, setter)                \
  GAsyncFuture *                                                  \
  gasync_future_new_for_##name (ctype v_##name)                   \
  {                                                               \
    GValue value = G_VALUE_INIT;                                  \
                                                                  \
    g_value_init (&value, gtype);                                 \
    setter (&value, v_##name);                                    \
    return future_new_resolved_steal (&value);                    \
  }

/**
 * gasync_future_new_for_boolean:
 * @v_boolean: the value
 *
 * Creates a future already resolved with a #gboolean.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
DEFINE_NEW_FOR (boolean, gboolean, G_TYPE_BOOLEAN, g_value_set_boolean)

/**
 * gasync_future_new_for_int:
 * @v_int: the value
 *
 * Creates a future already resolved with a #gint.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
DEFINE_NEW_FOR (int, gint, G_TYPE_INT, g_value_set_int)

/**
 * gasync_future_new_for_uint:
 * @v_uint: the value
 *
 * Creates a future already resolved with a #guint.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
DEFINE_NEW_FOR (uint, guint, G_TYPE_UINT, g_value_set_uint)

/**
 * gasync_future_new_for_int64:
 * @v_int64: the value
 *
 * Creates a future already resolved with a #gint64.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
DEFINE_NEW_FOR (int64, gint64, G_TYPE_INT64, g_value_set_int64)

/**
 * gasync_future_new_for_uint64:
 * @v_uint64: the value
 *
 * Creates a future already resolved with a #guint64.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
DEFINE_NEW_FOR (uint64, guint64, G_TYPE_UINT64, g_value_set_uint64)

/**
 * gasync_future_new_for_double:
 * @v_double: the value
 *
 * Creates a future already resolved with a #gdouble.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
DEFINE_NEW_FOR (double, gdouble, G_TYPE_DOUBLE, g_value_set_double)

/**
 * gasync_future_new_for_string:
 * @v_string: (nullable): the string; it is copied
 *
 * Creates a future already resolved with a copy of a string.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
DEFINE_NEW_FOR (string, const char *, G_TYPE_STRING, g_value_set_string)

/**
 * gasync_future_new_for_variant:
 * @v_variant: (nullable): the variant; a floating reference is sunk
 *
 * Creates a future already resolved with a #GVariant.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
DEFINE_NEW_FOR (variant, GVariant *, G_TYPE_VARIANT, g_value_set_variant)

#undef DEFINE_NEW_FOR

/**
 * gasync_future_new_for_object:
 * @v_object: (type GObject) (nullable): the object; a reference is taken
 *
 * Creates a future already resolved with an object. The value has the
 * object's own type (or %G_TYPE_OBJECT for %NULL).
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_new_for_object (gpointer v_object)
{
  GValue value = G_VALUE_INIT;

  g_return_val_if_fail (v_object == NULL || G_IS_OBJECT (v_object), NULL);

  g_value_init (&value, v_object != NULL ? G_OBJECT_TYPE (v_object) : G_TYPE_OBJECT);
  g_value_set_object (&value, v_object);
  return future_new_resolved_steal (&value);
}

/**
 * gasync_future_new_for_boxed: (skip)
 * @boxed_type: a boxed #GType
 * @v_boxed: (nullable): the boxed value; it is copied
 *
 * Creates a future already resolved with a copy of a boxed value.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_new_for_boxed (GType         boxed_type,
                             gconstpointer v_boxed)
{
  GValue value = G_VALUE_INIT;

  g_return_val_if_fail (G_TYPE_IS_BOXED (boxed_type), NULL);

  g_value_init (&value, boxed_type);
  g_value_set_boxed (&value, v_boxed);
  return future_new_resolved_steal (&value);
}

/**
 * gasync_future_new_for_pointer: (skip)
 * @v_pointer: (nullable): the pointer
 * @destroy: (nullable): called on @v_pointer when the future is finalized
 *
 * Creates a future already resolved with a plain pointer
 * (%G_TYPE_POINTER). The future owns @v_pointer if @destroy is given.
 *
 * Returns: (transfer full): a resolved future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_new_for_pointer (gpointer       v_pointer,
                               GDestroyNotify destroy)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, v_pointer);
  POINTER_DESTROY (&value) = (gpointer) destroy;
  return future_new_resolved_steal (&value);
}

/* Accessors */

/**
 * gasync_future_get_state:
 * @future: a #GAsyncFuture
 *
 * Gets whether @future is pending, resolved or rejected. Once it is not
 * pending it never changes.
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
 * gasync_future_is_pending:
 * @future: a #GAsyncFuture
 *
 * Checks whether @future has not settled yet.
 *
 * Returns: %TRUE while @future is pending
 *
 * Since: 0.1
 */
gboolean
gasync_future_is_pending (GAsyncFuture *future)
{
  return gasync_future_get_state (future) == GASYNC_FUTURE_PENDING;
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
static const GValue *
future_peek_value (GAsyncFuture  *self,
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
 * @value: (out caller-allocates): a zero-filled #GValue, or one
 *   initialized with a type the value converts to
 * @error: return location for an error
 *
 * Gets the value @future resolved with. If it was rejected, its error is
 * copied to @error; if it is still pending, @error is set to
 * %GASYNC_ERROR_PENDING. On failure a zero-filled @value is initialized to
 * %G_TYPE_POINTER, %NULL, so it can always be unset.
 *
 * Returns: %TRUE if @value was set
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
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stored = future_peek_value (future, error);
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

  stored = future_peek_value (future, error);
  if (stored == NULL)
    return NULL;

  ret = g_new0 (GValue, 1);
  g_value_init (ret, G_VALUE_TYPE (stored));
  g_value_copy (stored, ret);
  return ret;
}

/* Converts the value to @type in @out (zero-filled), or sets @error. */
static gboolean
future_get_as (GAsyncFuture  *self,
               GType          type,
               GValue        *out,
               GError       **error)
{
  const GValue *stored = future_peek_value (self, error);

  if (stored == NULL)
    return FALSE;

  g_value_init (out, type);
  if (_gasync_value_store (out, stored, error))
    return TRUE;

  g_value_unset (out);
  return FALSE;
}

#define DEFINE_GETTER(name, ctype, gtype, getter, fallback)               \
  ctype                                                                   \
  gasync_future_##name (GAsyncFuture  *future,                            \
                        GError       **error)                             \
  {                                                                       \
    GValue value = G_VALUE_INIT;                                          \
    const GValue *stored;                                                 \
    ctype ret;                                                            \
                                                                          \
    g_return_val_if_fail (GASYNC_IS_FUTURE (future), fallback);           \
    g_return_val_if_fail (error == NULL || *error == NULL, fallback);     \
                                                                          \
    stored = future_peek_value (future, error);                           \
    if (stored == NULL)                                                   \
      return fallback;                                                    \
    /* The common case: the value already has the asked-for type. */     \
    if (G_VALUE_TYPE (stored) == gtype)                                   \
      return getter (stored);                                             \
    if (!future_get_as (future, gtype, &value, error))                    \
      return fallback;                                                    \
    ret = getter (&value);                                                \
    g_value_unset (&value);                                               \
    return ret;                                                           \
  }

/**
 * gasync_future_get_boolean:
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets the value @future resolved with, as a #gboolean.
 *
 * Returns: the value, or %FALSE with @error set if @future is pending,
 *   rejected, or holds a value that does not convert
 *
 * Since: 0.1
 */
DEFINE_GETTER (get_boolean, gboolean, G_TYPE_BOOLEAN, g_value_get_boolean, FALSE)

/**
 * gasync_future_get_int:
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets the value @future resolved with, as a #gint.
 *
 * Returns: the value, or 0 with @error set if @future is pending,
 *   rejected, or holds a value that does not convert
 *
 * Since: 0.1
 */
DEFINE_GETTER (get_int, gint, G_TYPE_INT, g_value_get_int, 0)

/**
 * gasync_future_get_uint:
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets the value @future resolved with, as a #guint.
 *
 * Returns: the value, or 0 with @error set if @future is pending,
 *   rejected, or holds a value that does not convert
 *
 * Since: 0.1
 */
DEFINE_GETTER (get_uint, guint, G_TYPE_UINT, g_value_get_uint, 0)

/**
 * gasync_future_get_int64:
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets the value @future resolved with, as a #gint64.
 *
 * Returns: the value, or 0 with @error set if @future is pending,
 *   rejected, or holds a value that does not convert
 *
 * Since: 0.1
 */
DEFINE_GETTER (get_int64, gint64, G_TYPE_INT64, g_value_get_int64, 0)

/**
 * gasync_future_get_uint64:
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets the value @future resolved with, as a #guint64.
 *
 * Returns: the value, or 0 with @error set if @future is pending,
 *   rejected, or holds a value that does not convert
 *
 * Since: 0.1
 */
DEFINE_GETTER (get_uint64, guint64, G_TYPE_UINT64, g_value_get_uint64, 0)

/**
 * gasync_future_get_double:
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets the value @future resolved with, as a #gdouble.
 *
 * Returns: the value, or 0 with @error set if @future is pending,
 *   rejected, or holds a value that does not convert
 *
 * Since: 0.1
 */
DEFINE_GETTER (get_double, gdouble, G_TYPE_DOUBLE, g_value_get_double, 0.0)

/**
 * gasync_future_dup_string:
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets a copy of the string @future resolved with. Values that convert to
 * a string (numbers, for instance) are converted.
 *
 * Returns: (transfer full) (nullable): the string, or %NULL with @error set
 *   if @future is pending, rejected, or holds a value that does not convert
 *
 * Since: 0.1
 */
DEFINE_GETTER (dup_string, char *, G_TYPE_STRING, g_value_dup_string, NULL)

/**
 * gasync_future_dup_object:
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets the object @future resolved with.
 *
 * Returns: (transfer full) (type GObject) (nullable): a new reference to
 *   the object, or %NULL with @error set if @future is pending, rejected,
 *   or does not hold an object
 *
 * Since: 0.1
 */
DEFINE_GETTER (dup_object, gpointer, G_TYPE_OBJECT, g_value_dup_object, NULL)

/**
 * gasync_future_dup_variant:
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets the #GVariant @future resolved with.
 *
 * Returns: (transfer full) (nullable): a new reference to the variant, or
 *   %NULL with @error set if @future is pending, rejected, or does not hold
 *   a variant
 *
 * Since: 0.1
 */
DEFINE_GETTER (dup_variant, GVariant *, G_TYPE_VARIANT, g_value_dup_variant, NULL)

/**
 * gasync_future_get_pointer: (skip)
 * @future: a #GAsyncFuture
 * @error: return location for an error
 *
 * Gets the plain pointer @future resolved with (%G_TYPE_POINTER). The
 * pointer stays owned by the future.
 *
 * Returns: (transfer none) (nullable): the pointer, or %NULL with @error
 *   set if @future is pending, rejected, or does not hold a pointer
 *
 * Since: 0.1
 */
DEFINE_GETTER (get_pointer, gpointer, G_TYPE_POINTER, g_value_get_pointer, NULL)

#undef DEFINE_GETTER

/**
 * gasync_future_dup_boxed: (skip)
 * @future: a #GAsyncFuture
 * @boxed_type: the boxed #GType expected
 * @error: return location for an error
 *
 * Gets a copy of the boxed value @future resolved with.
 *
 * Returns: (transfer full) (nullable): a copy of the boxed value, or %NULL
 *   with @error set if @future is pending, rejected, or does not hold a
 *   @boxed_type
 *
 * Since: 0.1
 */
gpointer
gasync_future_dup_boxed (GAsyncFuture  *future,
                         GType          boxed_type,
                         GError       **error)
{
  GValue value = G_VALUE_INIT;
  gpointer ret;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (G_TYPE_IS_BOXED (boxed_type), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!future_get_as (future, boxed_type, &value, error))
    return NULL;
  ret = g_value_dup_boxed (&value);
  g_value_unset (&value);
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
 * Cancelling a derived future (from gasync_future_and_then() and friends)
 * rejects it and skips its callback; the future it was derived from is not
 * affected.
 *
 * Since: 0.1
 */
void
gasync_future_cancel (GAsyncFuture *future)
{
  GAsyncFuturePrivate *priv;
  GCancellable *cancellable = NULL;

  g_return_if_fail (GASYNC_IS_FUTURE (future));

  priv = GET_PRIV (future);

  /* Flag and rejection in one critical section: a producer that settles
   * concurrently either wins (and the future was never cancelled) or
   * finds it cancelled (and is ignored quietly). */
  if (!future_complete (future, NULL,
                        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("Operation was cancelled")),
                        WORD_CANCELLED))
    return;

  future_lock (priv);
  if (priv->cancellable != NULL)
    cancellable = g_object_ref (priv->cancellable);
  future_unlock (priv);

  if (cancellable != NULL)
    {
      g_cancellable_cancel (cancellable);
      g_object_unref (cancellable);
    }
}

/* Continuations */

typedef enum {
  RUN_ON_RESOLVE = 1 << 0,
  RUN_ON_REJECT  = 1 << 1,
} RunOn;

typedef struct
{
  GAsyncContextJob      job;
  GAsyncFutureCallback  callback;
  gpointer              user_data;
  GDestroyNotify        destroy;
  GAsyncFuture         *derived;   /* owned */
} Continuation;

static void
continuation_run (GAsyncDispatchItem *item,
                  RunOn               run_on)
{
  Continuation *cont = (Continuation *) item;
  GAsyncFuture *completed = cont->job.completed;
  GAsyncFuture *derived = cont->derived;
  GAsyncFutureState state = STATE (GET_PRIV (completed));
  gboolean wanted = (state == GASYNC_FUTURE_RESOLVED && (run_on & RUN_ON_RESOLVE)) ||
                    (state == GASYNC_FUTURE_REJECTED && (run_on & RUN_ON_REJECT));

  /* A derived future cancelled meanwhile skips the callback. */
  if (wanted && gasync_future_is_pending (derived))
    {
      GAsyncFuture *next = cont->callback (completed, cont->user_data);

      if (next == NULL)
        _gasync_future_settle_like (derived, completed);
      else if (GASYNC_IS_FUTURE (next))
        {
          _gasync_future_adopt (derived, next);
          g_object_unref (next);
        }
      else
        {
          g_critical ("A GAsyncFutureCallback returned something that is not a GAsyncFuture");
          _gasync_future_reject (derived,
                                 g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                      _("A continuation returned an invalid future")));
        }
    }
  else
    _gasync_future_settle_like (derived, completed);

  if (cont->destroy != NULL)
    cont->destroy (cont->user_data);
  g_object_unref (derived);
  _gasync_context_job_clear (&cont->job);
  g_free (cont);
}

static void
continuation_run_and_then (GAsyncDispatchItem *item)
{
  continuation_run (item, RUN_ON_RESOLVE);
}

static void
continuation_run_or_else (GAsyncDispatchItem *item)
{
  continuation_run (item, RUN_ON_REJECT);
}

static void
continuation_run_on_settled (GAsyncDispatchItem *item)
{
  continuation_run (item, RUN_ON_RESOLVE | RUN_ON_REJECT);
}

static GAsyncFuture *
future_add_continuation (GAsyncFuture         *self,
                         GAsyncDispatchFunc    run,
                         GAsyncFutureCallback  callback,
                         gpointer              user_data,
                         GDestroyNotify        destroy)
{
  Continuation *cont = g_new (Continuation, 1);
  GAsyncFuture *derived = GASYNC_FUTURE (gasync_promise_new ());

  _gasync_context_job_init (&cont->job, run);
  cont->callback = callback;
  cont->user_data = user_data;
  cont->destroy = destroy;
  cont->derived = g_object_ref (derived);
  _gasync_future_add_notify (self, &cont->job.node.notify);

  return derived;
}

/**
 * gasync_future_and_then:
 * @future: a #GAsyncFuture
 * @callback: (scope notified) (closure user_data) (destroy destroy): run
 *   when @future resolves
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data, on the same context as @callback
 *
 * Runs @callback once @future resolves, and returns a future derived from
 * it. If @future is rejected, @callback does not run and the derived
 * future is rejected with the same error.
 *
 * @callback may return a future: the derived future then settles like that
 * one, which chains asynchronous steps. If it returns %NULL the derived
 * future settles like @future.
 *
 * @callback and @destroy run from the #GMainContext that is thread-default
 * now, in a later iteration of it, never inside this call nor inside the
 * call that settles @future. @destroy runs even if @callback does not.
 *
 * Returns: (transfer full): the derived future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_and_then (GAsyncFuture         *future,
                        GAsyncFutureCallback  callback,
                        gpointer              user_data,
                        GDestroyNotify        destroy)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  return future_add_continuation (future, continuation_run_and_then, callback, user_data, destroy);
}

/**
 * gasync_future_or_else:
 * @future: a #GAsyncFuture
 * @callback: (scope notified) (closure user_data) (destroy destroy): run
 *   when @future is rejected
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data, on the same context as @callback
 *
 * Runs @callback once @future is rejected, to recover from the error, and
 * returns a future derived from it. If @future resolves, @callback does not
 * run and the derived future resolves with the same value. Otherwise as
 * gasync_future_and_then().
 *
 * Returns: (transfer full): the derived future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_or_else (GAsyncFuture         *future,
                       GAsyncFutureCallback  callback,
                       gpointer              user_data,
                       GDestroyNotify        destroy)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  return future_add_continuation (future, continuation_run_or_else, callback, user_data, destroy);
}

/**
 * gasync_future_on_settled:
 * @future: a #GAsyncFuture
 * @callback: (scope notified) (closure user_data) (destroy destroy): run
 *   when @future settles
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data, on the same context as @callback
 *
 * Runs @callback once @future settles either way, and returns a future
 * derived from it. Otherwise as gasync_future_and_then().
 *
 * Returns: (transfer full): the derived future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_on_settled (GAsyncFuture         *future,
                          GAsyncFutureCallback  callback,
                          gpointer              user_data,
                          GDestroyNotify        destroy)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  return future_add_continuation (future, continuation_run_on_settled, callback, user_data, destroy);
}

/* wait_async: a GTask returned from the registering context */

typedef struct
{
  GAsyncContextJob  job;
  GTask            *task;         /* owned until claimed */
  GCancellable     *cancellable;  /* owned */
  gulong            handler;
  gint              claimed;      /* atomic: who returns the task */
  gint              ref_count;    /* atomic: the job, the cancellable handler */
} WaitAsync;

static void
wait_async_unref (gpointer data)
{
  WaitAsync *wait = data;

  if (!g_atomic_int_dec_and_test (&wait->ref_count))
    return;

  g_clear_object (&wait->task);
  g_clear_object (&wait->cancellable);
  g_free (wait);
}

static void
wait_async_cancelled (GCancellable *cancellable,
                      gpointer      data)
{
  WaitAsync *wait = data;
  GTask *task;

  GASYNC_TSAN_ACQUIRE (cancellable);

  if (!g_atomic_int_compare_and_exchange (&wait->claimed, FALSE, TRUE))
    return;

  /* Returning drops our hold on the task (and so on the future). */
  task = g_steal_pointer (&wait->task);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "%s", _("Operation was cancelled"));
  g_object_unref (task);
}

static void
wait_async_run (GAsyncDispatchItem *item)
{
  WaitAsync *wait = (WaitAsync *) item;
  GAsyncFuture *completed = wait->job.completed;

  if (g_atomic_int_compare_and_exchange (&wait->claimed, FALSE, TRUE))
    {
      GTask *task = g_steal_pointer (&wait->task);
      GAsyncFuturePrivate *priv = GET_PRIV (completed);

      if (STATE (priv) == GASYNC_FUTURE_RESOLVED)
        g_task_return_value (task, &priv->outcome.value);
      else
        g_task_return_error (task, g_error_copy (priv->outcome.error));
      g_object_unref (task);
    }

  /* We run on the registering context, never inside the handler. */
  if (wait->handler != 0)
    g_cancellable_disconnect (wait->cancellable, wait->handler);

  _gasync_context_job_clear (&wait->job);
  wait_async_unref (wait);
}

/**
 * gasync_future_wait_async:
 * @future: a #GAsyncFuture
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async) (closure user_data): called when @future settles
 *   or @cancellable is cancelled
 * @user_data: data for @callback
 *
 * Waits for @future to settle, the GIO way: @callback runs on the
 * thread-default #GMainContext of the caller, and gets the value with
 * gasync_future_wait_finish(). It runs in a later iteration, never inside
 * this call nor inside the call that settles @future. Cancelling
 * @cancellable stops the wait (not @future) with %G_IO_ERROR_CANCELLED.
 *
 * As with any GIO asynchronous call, @future is kept alive until
 * @callback has run.
 *
 * Since: 0.1
 */
void
gasync_future_wait_async (GAsyncFuture        *future,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  WaitAsync *wait;

  g_return_if_fail (GASYNC_IS_FUTURE (future));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  wait = g_new0 (WaitAsync, 1);
  wait->task = g_task_new (future, cancellable, callback, user_data);
  g_task_set_source_tag (wait->task, gasync_future_wait_async);
  g_task_set_name (wait->task, "[gasync] gasync_future_wait_async");
  wait->ref_count = 1;
  _gasync_context_job_init (&wait->job, wait_async_run);

  if (cancellable != NULL)
    {
      wait->cancellable = g_object_ref (cancellable);
      g_atomic_int_inc (&wait->ref_count);
      GASYNC_TSAN_RELEASE (cancellable);
      wait->handler = g_cancellable_connect (cancellable,
                                             G_CALLBACK (wait_async_cancelled),
                                             wait, wait_async_unref);
    }

  _gasync_future_add_notify (future, &wait->job.node.notify);
}

/**
 * gasync_future_wait_finish:
 * @future: a #GAsyncFuture
 * @result: the #GAsyncResult given to the callback
 * @value: (out caller-allocates): a zero-filled #GValue for the value, or
 *   one initialized with a type the value converts to
 * @error: return location for an error
 *
 * Finishes gasync_future_wait_async(). On failure a zero-filled @value is
 * initialized to %G_TYPE_POINTER, %NULL.
 *
 * Returns: (skip): %TRUE if @future resolved and @value was set; %FALSE with
 *   @error set if it was rejected or the wait was cancelled
 *
 * Since: 0.1
 */
gboolean
gasync_future_wait_finish (GAsyncFuture  *future,
                           GAsyncResult  *result,
                           GValue        *value,
                           GError       **error)
{
  GValue tmp = G_VALUE_INIT;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, future), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gasync_future_wait_async, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_task_propagate_value (G_TASK (result), &tmp, error))
    {
      gboolean ok = _gasync_value_store (value, &tmp, error);

      g_value_unset (&tmp);
      if (ok)
        return TRUE;
    }

  _gasync_value_init_for_error (value);
  return FALSE;
}

/* Blocking wait: a condition variable, no main context involved */

typedef struct
{
  GAsyncNotify  notify;
  GMutex        mutex;
  GCond         cond;
  gboolean      done;        /* protected by mutex */
  gint          ref_count;   /* atomic: the waiter, the notify */
} BlockingWait;

static void
blocking_wait_unref (BlockingWait *wait)
{
  if (!g_atomic_int_dec_and_test (&wait->ref_count))
    return;

  g_mutex_clear (&wait->mutex);
  g_cond_clear (&wait->cond);
  g_free (wait);
}

static void
blocking_wait_wake (BlockingWait *wait)
{
  gasync_mutex_lock (&wait->mutex);
  wait->done = TRUE;
  g_cond_broadcast (&wait->cond);
  gasync_mutex_unlock (&wait->mutex);
}

static void
blocking_wait_notify (GAsyncNotify *notify,
                      GAsyncFuture *completed)
{
  BlockingWait *wait = (BlockingWait *) notify;

  blocking_wait_wake (wait);
  blocking_wait_unref (wait);
}

static void
blocking_wait_cancelled (GCancellable *cancellable,
                         gpointer      data)
{
  GASYNC_TSAN_ACQUIRE (cancellable);
  blocking_wait_wake (data);
}

/**
 * gasync_future_wait:
 * @future: a #GAsyncFuture
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @value: (out caller-allocates): a zero-filled #GValue for the value, or
 *   one initialized with a type the value converts to
 * @error: return location for an error
 *
 * Blocks the calling thread until @future settles, without iterating any
 * #GMainContext. Use it for futures settled by other threads (a runtime
 * task, a channel); to drive GIO work from synchronous code use
 * gasync_block_on() instead, which iterates a private context.
 *
 * Fails at once with %GASYNC_ERROR_WOULD_DEADLOCK on an async worker
 * thread of a #GAsyncRuntime, and with %GASYNC_ERROR_DROPPED if the
 * caller's reference is the only one left on a pending @future (nobody
 * could settle it). Cancelling @cancellable stops the wait (not @future)
 * with %G_IO_ERROR_CANCELLED. On failure a zero-filled @value is
 * initialized to %G_TYPE_POINTER, %NULL.
 *
 * Returns: (skip): %TRUE if @future resolved and @value was set
 *
 * Since: 0.1
 */
gboolean
gasync_future_wait (GAsyncFuture  *future,
                    GCancellable  *cancellable,
                    GValue        *value,
                    GError       **error)
{
  return gasync_future_wait_with_timeout (future, 0, cancellable, value, error);
}

/**
 * gasync_future_wait_with_timeout:
 * @future: a #GAsyncFuture
 * @timeout_msec: how long to wait at most, in milliseconds; 0 waits
 *   without limit
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @value: (out caller-allocates): a zero-filled #GValue for the value, or
 *   one initialized with a type the value converts to
 * @error: return location for an error
 *
 * Like gasync_future_wait(), but gives up with %GASYNC_ERROR_TIMED_OUT
 * after @timeout_msec milliseconds (@future keeps running).
 *
 * Returns: (skip): %TRUE if @future resolved and @value was set
 *
 * Since: 0.1
 */
gboolean
gasync_future_wait_with_timeout (GAsyncFuture  *future,
                                 guint          timeout_msec,
                                 GCancellable  *cancellable,
                                 GValue        *value,
                                 GError       **error)
{
  GAsyncFuturePrivate *priv;
  BlockingWait *wait;
  gulong handler = 0;
  gint64 deadline = 0;
  gboolean done;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = GET_PRIV (future);

  if (STATE (priv) != GASYNC_FUTURE_PENDING)
    return gasync_future_get_value (future, value, error);

  if (!_gasync_check_may_block ("gasync_future_wait()", error))
    goto fail;

  if (g_atomic_int_get (&G_OBJECT (future)->ref_count) == 1)
    {
      /* Whatever settles a future holds a reference until after it
       * settled it, so it may have settled it and let go just now. */
      if (STATE (priv) != GASYNC_FUTURE_PENDING)
        return gasync_future_get_value (future, value, error);

      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_DROPPED,
                           _("Nothing else holds the pending future, so it can never complete"));
      goto fail;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  wait = g_new0 (BlockingWait, 1);
  g_mutex_init (&wait->mutex);
  g_cond_init (&wait->cond);
  wait->notify.func = blocking_wait_notify;
  wait->ref_count = 2;
  _gasync_future_add_notify (future, &wait->notify);

  if (cancellable != NULL)
    {
      GASYNC_TSAN_RELEASE (cancellable);
      handler = g_cancellable_connect (cancellable, G_CALLBACK (blocking_wait_cancelled), wait, NULL);
    }

  if (timeout_msec > 0)
    deadline = g_get_monotonic_time () + (gint64) timeout_msec * G_TIME_SPAN_MILLISECOND;

  gasync_mutex_lock (&wait->mutex);
  while (!wait->done)
    {
      if (deadline == 0)
        gasync_cond_wait (&wait->cond, &wait->mutex);
      else if (!gasync_cond_wait_until (&wait->cond, &wait->mutex, deadline))
        break;
    }
  done = wait->done;
  gasync_mutex_unlock (&wait->mutex);

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  blocking_wait_unref (wait);

  if (STATE (priv) != GASYNC_FUTURE_PENDING)
    return gasync_future_get_value (future, value, error);

  if (done && g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT,
               _("Timed out after %u ms waiting for the future"), timeout_msec);

fail:
  _gasync_value_init_for_error (value);
  return FALSE;
}

/* The reverse adapter: a GTask settled by a future */

typedef struct
{
  GAsyncContextJob  job;
  GTask            *task;         /* owned */
  GCancellable     *cancellable;  /* owned: the task's, if any */
  gulong            handler;
} ReturnToTask;

static void
return_to_task_cancelled (GCancellable *cancellable,
                          gpointer      future)
{
  GASYNC_TSAN_ACQUIRE (cancellable);
  /* Settles the future with CANCELLED unless it settled first, in which
   * case its outcome stands. */
  gasync_future_cancel (future);
}

/* Runs on the task's own context, from gasync's dispatcher: never inside
 * the call that settled the future (GTask would call back synchronously
 * if returned there from a later iteration on its own context). */
static void
return_to_task_run (GAsyncDispatchItem *item)
{
  ReturnToTask *rtt = (ReturnToTask *) item;
  GAsyncFuturePrivate *priv = GET_PRIV (rtt->job.completed);

  if (STATE (priv) == GASYNC_FUTURE_RESOLVED)
    g_task_return_value (rtt->task, &priv->outcome.value);
  else
    g_task_return_error (rtt->task, g_error_copy (priv->outcome.error));

  /* On the task's context, never inside the handler: safe to disconnect. */
  if (rtt->handler != 0)
    g_cancellable_disconnect (rtt->cancellable, rtt->handler);
  g_clear_object (&rtt->cancellable);
  g_object_unref (rtt->task);
  _gasync_context_job_clear (&rtt->job);
  g_free (rtt);
}

/**
 * gasync_future_return_to_task:
 * @future: a #GAsyncFuture
 * @task: (transfer full): a #GTask that has not returned yet
 *
 * Returns @future's outcome on @task when @future settles: its value with
 * g_task_return_value(), or its error with g_task_return_error(). This lets
 * a library implement a classic `_async`/`_finish` pair with futures:
 *
 * |[<!-- language="C" -->
 * void
 * my_thing_frob_async (MyThing             *self,
 *                      GCancellable        *cancellable,
 *                      GAsyncReadyCallback  callback,
 *                      gpointer             user_data)
 * {
 *   g_autoptr(GAsyncFuture) future = my_thing_frob_future (self, cancellable);
 *   GTask *task = g_task_new (self, cancellable, callback, user_data);
 *
 *   g_task_set_source_tag (task, my_thing_frob_async);
 *   gasync_future_return_to_task (future, task);
 * }
 *
 * int
 * my_thing_frob_finish (MyThing       *self,
 *                       GAsyncResult  *result,
 *                       GError       **error)
 * {
 *   g_auto(GValue) value = G_VALUE_INIT;
 *
 *   if (!g_task_propagate_value (G_TASK (result), &value, error))
 *     return -1;
 *   return g_value_get_int (&value);
 * }
 * ]|
 *
 * If @task has a #GCancellable, cancelling it cancels @future
 * (gasync_future_cancel()), so the work stops and the task returns
 * %G_IO_ERROR_CANCELLED; a future that settled first keeps its outcome
 * (pair it with g_task_set_check_cancellable (task, FALSE) if that
 * outcome must win, as for a receive that already took an item).
 *
 * The function does not take a reference on @future: whatever settles it
 * keeps it alive (and, while @task has a cancellable, so does the
 * handler that cancels it). The task is returned on its own context (the one that
 * was thread-default when it was created), in a later iteration, so its
 * callback never runs inside the call that settled @future.
 *
 * Since: 0.1
 */
void
gasync_future_return_to_task (GAsyncFuture *future,
                              GTask        *task)
{
  ReturnToTask *rtt;
  GCancellable *cancellable;

  g_return_if_fail (GASYNC_IS_FUTURE (future));
  g_return_if_fail (G_IS_TASK (task));

  rtt = g_new0 (ReturnToTask, 1);
  rtt->task = task;
  cancellable = g_task_get_cancellable (task);
  _gasync_context_job_init_for_context (&rtt->job, g_main_context_ref (g_task_get_context (task)),
                                        return_to_task_run);
  _gasync_future_add_notify (future, &rtt->job.node.notify);

  /* After the notify, so that an already-cancelled cancellable (whose
   * handler runs inside g_cancellable_connect()) settles a future we
   * already wait for. The handler keeps the future alive while it waits. */
  if (cancellable != NULL)
    {
      rtt->cancellable = g_object_ref (cancellable);
      GASYNC_TSAN_RELEASE (cancellable);
      rtt->handler = g_cancellable_connect (cancellable, G_CALLBACK (return_to_task_cancelled),
                                            g_object_ref (future), g_object_unref);
    }
}
