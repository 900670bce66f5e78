/* gasync-promise.c: GAsyncPromise, a future completed by its owner
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A subclass of GAsyncFuture with a public face for settling it; all the
 * work is the state machine's (gasync-future.c, through
 * gasync-future-private.h), which knows nothing of this subclass.
 */

#include "config.h"

#include "gasync-future-private.h"
#include "gasync-promise.h"

/**
 * GAsyncPromise:
 *
 * A #GAsyncFuture that its owner settles.
 *
 * Create one with gasync_promise_new(), hand the future to whoever waits
 * (a promise *is* a #GAsyncFuture) and settle it exactly once with
 * gasync_promise_resolve(), gasync_promise_reject() or one of the typed
 * `resolve_` functions, from any thread.
 *
 * A promise is also gasync's oneshot channel: one value (or error) sent
 * from one thread, received by a waiter on another, with the waiter's
 * callbacks run on its own context.
 *
 * ## Driving GIO
 *
 * gasync_promise_gio_callback() is a #GAsyncReadyCallback that resolves the
 * promise passed as its user data with the operation's #GAsyncResult, so
 * any `foo_async()`/`foo_finish()` pair becomes a future:
 *
 * |[<!-- language="C" -->
 * GAsyncPromise *promise = gasync_promise_new ();
 *
 * g_file_load_contents_async (file, cancellable,
 *                             gasync_promise_gio_callback,
 *                             g_object_ref (promise));
 * return GASYNC_FUTURE (promise);
 * ]|
 *
 * and the waiter calls `foo_finish()` on the result it gets back.
 *
 * ## Dropping
 *
 * A promise dropped while pending (its last reference released without
 * settling it) rejects its waiters with %GASYNC_ERROR_DROPPED: a resolver
 * that gives up, or a callback that is never called, cannot make a waiter
 * hang.
 *
 * ## Cancellation
 *
 * gasync_future_cancel() on a pending promise rejects it with
 * %G_IO_ERROR_CANCELLED and cancels the #GCancellable returned by
 * gasync_promise_get_cancellable(), which the owner can pass to the work it
 * starts. Settling a promise after it was cancelled is allowed and does
 * nothing; settling it twice otherwise is a programming error.
 *
 * Since: 0.1
 */

struct _GAsyncPromise
{
  GAsyncFuture parent_instance;
};

G_DEFINE_FINAL_TYPE (GAsyncPromise, gasync_promise, GASYNC_TYPE_FUTURE)

static void
gasync_promise_class_init (GAsyncPromiseClass *klass)
{
  _gasync_future_type_add (G_TYPE_FROM_CLASS (klass));
}

static void
gasync_promise_init (GAsyncPromise *self)
{
}

/**
 * gasync_promise_new:
 *
 * Creates a pending promise.
 *
 * Returns: (transfer full): a new #GAsyncPromise
 *
 * Since: 0.1
 */
GAsyncPromise *
gasync_promise_new (void)
{
  return GASYNC_PROMISE (_gasync_future_new_recycled (GASYNC_TYPE_PROMISE));
}

/**
 * gasync_promise_get_future:
 * @promise: a #GAsyncPromise
 *
 * Gets @promise as a #GAsyncFuture. It is the same object; this saves a
 * cast in C and documents the hand-off.
 *
 * Returns: (transfer none): @promise, as a future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_promise_get_future (GAsyncPromise *promise)
{
  g_return_val_if_fail (GASYNC_IS_PROMISE (promise), NULL);

  return GASYNC_FUTURE (promise);
}

/**
 * gasync_promise_get_cancellable:
 * @promise: a #GAsyncPromise
 *
 * Gets a #GCancellable that is cancelled when @promise is cancelled with
 * gasync_future_cancel(), for the owner to pass to the work that will
 * settle it. It is created on first use (already cancelled if @promise
 * was).
 *
 * Returns: (transfer none): the promise's cancellable
 *
 * Since: 0.1
 */
GCancellable *
gasync_promise_get_cancellable (GAsyncPromise *promise)
{
  g_return_val_if_fail (GASYNC_IS_PROMISE (promise), NULL);

  return _gasync_future_ensure_cancellable (GASYNC_FUTURE (promise));
}

/* Settling a promise twice is a programming error, unless it was
 * cancelled first (the owner may not have noticed yet). */
static void
promise_settled_twice (GAsyncPromise *self,
                       const char    *strfunc)
{
  if (!_gasync_future_was_cancelled (GASYNC_FUTURE (self)))
    g_critical ("%s: the GAsyncPromise %p has already completed; a promise "
                "can be resolved or rejected only once", strfunc, self);
}

/* The one path under gasync_promise_resolve() and its typed shims. */
static void
promise_resolve_steal (GAsyncPromise *self,
                       GValue        *value,
                       const char    *strfunc)
{
  if (!_gasync_future_resolve_steal (GASYNC_FUTURE (self), value))
    promise_settled_twice (self, strfunc);
}

/**
 * gasync_promise_resolve:
 * @promise: a pending #GAsyncPromise
 * @value: the value; it is copied
 *
 * Resolves @promise with a copy of @value. Waiters' callbacks run later on
 * their own contexts, never inside this call. May be called from any
 * thread. This is the resolver for every value type that has no typed one
 * below (unsigned and 64-bit integers, doubles, boxed types, enums, …).
 *
 * Since: 0.1
 */
void
gasync_promise_resolve (GAsyncPromise *promise,
                        const GValue  *value)
{
  GValue copy = G_VALUE_INIT;

  g_return_if_fail (GASYNC_IS_PROMISE (promise));
  g_return_if_fail (G_IS_VALUE (value));

  g_value_init (&copy, G_VALUE_TYPE (value));
  g_value_copy (value, &copy);
  promise_resolve_steal (promise, &copy, G_STRFUNC);
}

/**
 * gasync_promise_reject:
 * @promise: a pending #GAsyncPromise
 * @error: (transfer full): the error
 *
 * Rejects @promise with @error. Waiters' callbacks run later on their own
 * contexts, never inside this call. May be called from any thread. To
 * format the message, pass g_error_new().
 *
 * Since: 0.1
 */
void
gasync_promise_reject (GAsyncPromise *promise,
                       GError        *error)
{
  g_return_if_fail (GASYNC_IS_PROMISE (promise));
  g_return_if_fail (error != NULL);

  if (!_gasync_future_reject (GASYNC_FUTURE (promise), error))
    promise_settled_twice (promise, G_STRFUNC);
}

/**
 * gasync_promise_reject_literal:
 * @promise: a pending #GAsyncPromise
 * @domain: the error domain
 * @code: the error code
 * @message: the error message
 *
 * Rejects @promise with a new #GError.
 *
 * Since: 0.1
 */
void
gasync_promise_reject_literal (GAsyncPromise *promise,
                               GQuark         domain,
                               gint           code,
                               const char    *message)
{
  g_return_if_fail (GASYNC_IS_PROMISE (promise));
  g_return_if_fail (domain != 0);
  g_return_if_fail (message != NULL);

  gasync_promise_reject (promise, g_error_new_literal (domain, code, message));
}

/**
 * gasync_promise_resolve_boolean:
 * @promise: a pending #GAsyncPromise
 * @v_boolean: the value
 *
 * Resolves @promise with a #gboolean.
 *
 * Since: 0.1
 */
void
gasync_promise_resolve_boolean (GAsyncPromise *promise,
                                gboolean       v_boolean)
{
  GValue value = G_VALUE_INIT;

  g_return_if_fail (GASYNC_IS_PROMISE (promise));

  g_value_init (&value, G_TYPE_BOOLEAN);
  g_value_set_boolean (&value, v_boolean);
  promise_resolve_steal (promise, &value, G_STRFUNC);
}

/**
 * gasync_promise_resolve_int:
 * @promise: a pending #GAsyncPromise
 * @v_int: the value
 *
 * Resolves @promise with a #gint.
 *
 * Since: 0.1
 */
void
gasync_promise_resolve_int (GAsyncPromise *promise,
                            gint           v_int)
{
  GValue value = G_VALUE_INIT;

  g_return_if_fail (GASYNC_IS_PROMISE (promise));

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, v_int);
  promise_resolve_steal (promise, &value, G_STRFUNC);
}

/**
 * gasync_promise_resolve_string:
 * @promise: a pending #GAsyncPromise
 * @v_string: (nullable): the string; it is copied
 *
 * Resolves @promise with a copy of a string.
 *
 * Since: 0.1
 */
void
gasync_promise_resolve_string (GAsyncPromise *promise,
                               const char    *v_string)
{
  GValue value = G_VALUE_INIT;

  g_return_if_fail (GASYNC_IS_PROMISE (promise));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, v_string);
  promise_resolve_steal (promise, &value, G_STRFUNC);
}

/**
 * gasync_promise_resolve_variant:
 * @promise: a pending #GAsyncPromise
 * @v_variant: (nullable): the variant; a floating reference is sunk
 *
 * Resolves @promise with a #GVariant.
 *
 * Since: 0.1
 */
void
gasync_promise_resolve_variant (GAsyncPromise *promise,
                                GVariant      *v_variant)
{
  GValue value = G_VALUE_INIT;

  g_return_if_fail (GASYNC_IS_PROMISE (promise));

  g_value_init (&value, G_TYPE_VARIANT);
  g_value_set_variant (&value, v_variant);
  promise_resolve_steal (promise, &value, G_STRFUNC);
}

/**
 * gasync_promise_resolve_object:
 * @promise: a pending #GAsyncPromise
 * @v_object: (type GObject) (nullable): the object; a reference is taken
 *
 * Resolves @promise with an object. The value has the object's own type
 * (or %G_TYPE_OBJECT for %NULL).
 *
 * Since: 0.1
 */
void
gasync_promise_resolve_object (GAsyncPromise *promise,
                               gpointer       v_object)
{
  GValue value = G_VALUE_INIT;

  g_return_if_fail (GASYNC_IS_PROMISE (promise));
  g_return_if_fail (v_object == NULL || G_IS_OBJECT (v_object));

  g_value_init (&value, v_object != NULL ? G_OBJECT_TYPE (v_object) : G_TYPE_OBJECT);
  g_value_set_object (&value, v_object);
  promise_resolve_steal (promise, &value, G_STRFUNC);
}

/**
 * gasync_promise_resolve_pointer: (skip)
 * @promise: a pending #GAsyncPromise
 * @v_pointer: (nullable): the pointer
 * @destroy: (nullable): called on @v_pointer when the future is finalized
 *
 * Resolves @promise with a plain pointer (%G_TYPE_POINTER). The future
 * owns @v_pointer if @destroy is given; if the promise had already been
 * cancelled, @destroy is called at once.
 *
 * Since: 0.1
 */
void
gasync_promise_resolve_pointer (GAsyncPromise  *promise,
                                gpointer        v_pointer,
                                GDestroyNotify  destroy)
{
  GValue value = G_VALUE_INIT;

  g_return_if_fail (GASYNC_IS_PROMISE (promise));

  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, v_pointer);
  _GASYNC_VALUE_POINTER_DESTROY (&value) = (gpointer) destroy;
  promise_resolve_steal (promise, &value, G_STRFUNC);
}
