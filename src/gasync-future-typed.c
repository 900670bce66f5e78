/* gasync-future-typed.c: constructors and typed getters of GAsyncFuture
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Thin shims over the state machine (gasync-future.c, through
 * gasync-future-private.h): each constructor fills a GValue (or takes an
 * error) and makes a future settled with it from the start, each typed
 * getter reads the stored value (converting it where GValue can). The
 * generic getter, gasync_future_get_value(), lives with the state
 * machine.
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"

/* The generic constructors */

/**
 * gasync_future_new_resolved:
 * @value: the value to resolve with; it is copied
 *
 * Creates a future that is already resolved with a copy of @value. This is
 * the constructor for every value type that has no typed shortcut below
 * (unsigned and 64-bit integers, doubles, boxed types, enums, …).
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

  _gasync_value_init_copy (&copy, value);
  return _gasync_future_new_settled (&copy, NULL);
}

/**
 * gasync_future_new_for_error:
 * @error: (transfer full): the error to reject with
 *
 * Creates a future that is already rejected with @error. To format the
 * message, pass g_error_new().
 *
 * Returns: (transfer full): a rejected future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_new_for_error (GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  return _gasync_future_new_settled (NULL, error);
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

/* The typed constructors are thin shims: each fills a GValue and hands it
 * to _gasync_future_new_settled(). */

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
GAsyncFuture *
gasync_future_new_for_boolean (gboolean v_boolean)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_BOOLEAN);
  g_value_set_boolean (&value, v_boolean);
  return _gasync_future_new_settled (&value, NULL);
}

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
GAsyncFuture *
gasync_future_new_for_int (gint v_int)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, v_int);
  return _gasync_future_new_settled (&value, NULL);
}

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
GAsyncFuture *
gasync_future_new_for_string (const char *v_string)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, v_string);
  return _gasync_future_new_settled (&value, NULL);
}

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
  return _gasync_future_new_settled (&value, NULL);
}

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
GAsyncFuture *
gasync_future_new_for_variant (GVariant *v_variant)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_VARIANT);
  g_value_set_variant (&value, v_variant);
  return _gasync_future_new_settled (&value, NULL);
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
  _GASYNC_VALUE_POINTER_DESTROY (&value) = (gpointer) destroy;
  return _gasync_future_new_settled (&value, NULL);
}

/* The one path under every typed getter: the value as @type, which is
 * either the stored value itself (the common case: no copy) or its
 * conversion into @scratch (zero-filled; the caller unsets it). Returns
 * NULL with @error set if @self is pending, rejected, or holds a value
 * that does not convert. */
static const GValue *
future_peek_as (GAsyncFuture  *self,
                GType          type,
                GValue        *scratch,
                GError       **error)
{
  const GValue *stored = _gasync_future_peek_value_or_error (self, error);

  if (stored == NULL)
    return NULL;
  if (G_VALUE_HOLDS (stored, type))
    return stored;

  g_value_init (scratch, type);
  if (_gasync_value_store (scratch, stored, error))
    return scratch;

  g_value_unset (scratch);
  return NULL;
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
gboolean
gasync_future_get_boolean (GAsyncFuture  *future,
                           GError       **error)
{
  g_auto(GValue) scratch = G_VALUE_INIT;
  const GValue *value;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  value = future_peek_as (future, G_TYPE_BOOLEAN, &scratch, error);
  return value != NULL ? g_value_get_boolean (value) : FALSE;
}

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
gint
gasync_future_get_int (GAsyncFuture  *future,
                       GError       **error)
{
  g_auto(GValue) scratch = G_VALUE_INIT;
  const GValue *value;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  value = future_peek_as (future, G_TYPE_INT, &scratch, error);
  return value != NULL ? g_value_get_int (value) : 0;
}

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
char *
gasync_future_dup_string (GAsyncFuture  *future,
                          GError       **error)
{
  g_auto(GValue) scratch = G_VALUE_INIT;
  const GValue *value;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = future_peek_as (future, G_TYPE_STRING, &scratch, error);
  return value != NULL ? g_value_dup_string (value) : NULL;
}

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
gpointer
gasync_future_dup_object (GAsyncFuture  *future,
                          GError       **error)
{
  g_auto(GValue) scratch = G_VALUE_INIT;
  const GValue *value;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = future_peek_as (future, G_TYPE_OBJECT, &scratch, error);
  return value != NULL ? g_value_dup_object (value) : NULL;
}

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
GVariant *
gasync_future_dup_variant (GAsyncFuture  *future,
                           GError       **error)
{
  g_auto(GValue) scratch = G_VALUE_INIT;
  const GValue *value;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = future_peek_as (future, G_TYPE_VARIANT, &scratch, error);
  return value != NULL ? g_value_dup_variant (value) : NULL;
}

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
gpointer
gasync_future_get_pointer (GAsyncFuture  *future,
                           GError       **error)
{
  g_auto(GValue) scratch = G_VALUE_INIT;
  const GValue *value;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = future_peek_as (future, G_TYPE_POINTER, &scratch, error);
  return value != NULL ? g_value_get_pointer (value) : NULL;
}

/* The future every public constructor of a future returns when a
 * precondition fails, after its g_return_val_if_fail() critical: callers
 * that chain on it see a rejection rather than a NULL. */
GAsyncFuture *
_gasync_future_new_invalid_argument (const char *what)
{
  return gasync_future_new_for_error (g_error_new (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                   _("Invalid argument: %s"), what));
}
