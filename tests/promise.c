/* promise.c: tests for GAsyncPromise
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"

static void
test_resolve_typed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) obj = g_cancellable_new ();
  g_autofree char *s = NULL;
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GObject) o = NULL;
  GAsyncPromise *p;

#define CHECK(resolve_call, get_call, expect)                  \
  p = gasync_promise_new ();                                   \
  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (p)), ==, GASYNC_FUTURE_PENDING);\
  resolve_call;                                                \
  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (p)), ==, GASYNC_FUTURE_RESOLVED); \
  g_assert_true (get_call == expect);                          \
  g_assert_no_error (error);                                   \
  g_object_unref (p);

  CHECK (gasync_promise_resolve_boolean (p, TRUE), gasync_future_get_boolean (GASYNC_FUTURE (p), &error), TRUE);
  CHECK (gasync_promise_resolve_int (p, -5), gasync_future_get_int (GASYNC_FUTURE (p), &error), -5);
#undef CHECK

  p = gasync_promise_new ();
  gasync_promise_resolve_string (p, "str");
  s = gasync_future_dup_string (GASYNC_FUTURE (p), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "str");
  g_object_unref (p);

  p = gasync_promise_new ();
  gasync_promise_resolve_variant (p, g_variant_new_uint32 (8));
  v = gasync_future_dup_variant (GASYNC_FUTURE (p), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint32 (v), ==, 8);
  g_object_unref (p);

  p = gasync_promise_new ();
  gasync_promise_resolve_object (p, obj);
  o = gasync_future_dup_object (GASYNC_FUTURE (p), &error);
  g_assert_no_error (error);
  g_assert_true (o == G_OBJECT (obj));
  g_object_unref (p);
}

/* Resolves a promise with @in through gasync_promise_resolve() and reads
 * it back with gasync_future_get_value() into @out (zero-filled): the way
 * for every type without a typed resolver and getter. */
static void
resolve_round_trip (const GValue *in,
                    GValue       *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();

  gasync_promise_resolve (p, in);
  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (p)), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_true (gasync_future_get_value (GASYNC_FUTURE (p), out, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_TYPE (out) == G_VALUE_TYPE (in));
}

static void
test_resolve_value_types (void)
{
  g_auto(GValue) in = G_VALUE_INIT;
  g_auto(GValue) out = G_VALUE_INIT;

  g_value_init (&in, G_TYPE_UINT);
  g_value_set_uint (&in, 5);
  resolve_round_trip (&in, &out);
  g_assert_cmpuint (g_value_get_uint (&out), ==, 5);
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_INT64);
  g_value_set_int64 (&in, G_MAXINT64);
  resolve_round_trip (&in, &out);
  g_assert_cmpint (g_value_get_int64 (&out), ==, G_MAXINT64);
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_UINT64);
  g_value_set_uint64 (&in, G_MAXUINT64);
  resolve_round_trip (&in, &out);
  g_assert_cmpuint (g_value_get_uint64 (&out), ==, G_MAXUINT64);
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_DOUBLE);
  g_value_set_double (&in, 0.25);
  resolve_round_trip (&in, &out);
  g_assert_cmpfloat (g_value_get_double (&out), ==, 0.25);
}

static void
test_resolve_value_boxed_pointer (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GBytes) bytes = g_bytes_new ("xyz", 3);
  g_autofree char *s = NULL;
  GAsyncPromise *p;
  GBytes *copy;
  char *owned = g_strdup ("owned by the future");

  p = gasync_promise_new ();
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_static_string (&value, "from a GValue");
  gasync_promise_resolve (p, &value);
  s = gasync_future_dup_string (GASYNC_FUTURE (p), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "from a GValue");
  g_object_unref (p);

  /* A boxed value is copied (for GBytes: referenced) in and out. */
  p = gasync_promise_new ();
  g_value_unset (&value);
  g_value_init (&value, G_TYPE_BYTES);
  g_value_set_boxed (&value, bytes);
  gasync_promise_resolve (p, &value);
  g_value_unset (&value);
  g_assert_true (gasync_future_get_value (GASYNC_FUTURE (p), &value, &error));
  g_assert_no_error (error);
  copy = g_value_get_boxed (&value);
  g_assert_true (g_bytes_equal (copy, bytes));
  g_value_unset (&value);
  g_object_unref (p);

  /* Freed exactly once with the future: ASan/valgrind check it. */
  p = gasync_promise_new ();
  gasync_promise_resolve_pointer (p, owned, g_free);
  g_assert_true (gasync_future_get_pointer (GASYNC_FUTURE (p), &error) == owned);
  g_object_unref (p);
}

static void
test_reject_forms (void)
{
  GAsyncPromise *p;

  p = gasync_promise_new ();
  gasync_promise_reject (p, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "one"));
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (p)), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_object_unref (p);

  p = gasync_promise_new ();
  gasync_promise_reject_literal (p, GASYNC_ERROR, GASYNC_ERROR_CLOSED, "two");
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (p)), GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_assert_cmpstr (gasync_future_get_error (GASYNC_FUTURE (p))->message, ==, "two");
  g_object_unref (p);

  p = gasync_promise_new ();
  gasync_promise_reject (p, g_error_new (GASYNC_ERROR, GASYNC_ERROR_FULL, "%d items", 3));
  g_assert_cmpstr (gasync_future_get_error (GASYNC_FUTURE (p))->message, ==, "3 items");
  g_object_unref (p);
}

static void
test_settle_twice_is_critical (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();

  gasync_promise_resolve_int (p, 1);
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*already completed*");
  gasync_promise_resolve_int (p, 2);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*already completed*");
  gasync_promise_reject_literal (p, GASYNC_ERROR, GASYNC_ERROR_FAILED, "late");
  g_test_assert_expected_messages ();

  /* The first outcome stands. */
  g_assert_cmpint (gasync_future_get_int (GASYNC_FUTURE (p), NULL), ==, 1);
}

static void
test_cancellable_follows_cancel (void)
{
  g_autoptr(GAsyncPromise) p1 = gasync_promise_new ();
  g_autoptr(GAsyncPromise) p2 = gasync_promise_new ();
  GCancellable *c1;

  g_assert_true (gasync_promise_get_future (p1) == GASYNC_FUTURE (p1));

  c1 = gasync_promise_get_cancellable (p1);
  g_assert_true (c1 == gasync_promise_get_cancellable (p1));
  gasync_future_cancel (GASYNC_FUTURE (p1));
  g_assert_true (g_cancellable_is_cancelled (c1));

  /* Asked for after the cancellation: born cancelled. */
  gasync_future_cancel (GASYNC_FUTURE (p2));
  g_assert_true (g_cancellable_is_cancelled (gasync_promise_get_cancellable (p2)));
  /* A late resolve after cancel is quietly ignored. */
  gasync_promise_resolve_int (p2, 3);
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (p2)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The GIO bridge */

static void
test_gio_callback (void)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  file = g_file_new_tmp ("gasync-promise-XXXXXX", &io, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_replace_contents (file, "bridge", 6, NULL, FALSE, 0, NULL, NULL, &error));
  g_assert_no_error (error);

  g_file_load_contents_async (file, NULL, gasync_promise_gio_callback, g_object_ref (p));
  while (gasync_future_get_state (GASYNC_FUTURE (p)) == GASYNC_FUTURE_PENDING)
    g_main_context_iteration (NULL, TRUE);

  result = gasync_future_dup_object (GASYNC_FUTURE (p), &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_ASYNC_RESULT (result));
  g_assert_true (g_file_load_contents_finish (file, result, &contents, &length, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "bridge");

  g_file_delete (file, NULL, NULL);
}

/* A promise is the oneshot channel */

typedef struct
{
  GAsyncPromise *promise;   /* owned by the sender thread */
  gint           value;
} Oneshot;

static gpointer
oneshot_send (gpointer data)
{
  Oneshot *o = data;

  gasync_promise_resolve_int (o->promise, o->value);
  g_clear_object (&o->promise);
  return NULL;
}

static void
test_oneshot (void)
{
  GAsyncPromise *p = gasync_promise_new ();
  Oneshot o = { g_object_ref (p), 2026 };
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GThread *t = g_thread_new ("oneshot", oneshot_send, &o);

  g_assert_true (gasync_future_wait (GASYNC_FUTURE (p), NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int (&value), ==, 2026);
  g_thread_join (t);
  g_object_unref (p);
}

static void
test_preconditions (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_PROMISE*");
  gasync_promise_resolve_int (NULL, 1);
  g_test_assert_expected_messages ();

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*error != NULL*");
  gasync_promise_reject (p, NULL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*G_IS_VALUE*");
  gasync_promise_resolve (p, NULL);
  g_test_assert_expected_messages ();

  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (p)), ==, GASYNC_FUTURE_PENDING);
  gasync_promise_resolve_int (p, 0);
}

/* The owner's work stops when everything that waited for the promise gave
 * up: cancelling a continuation that alone depended on it cancels the
 * promise and its cancellable; settling it later is quietly ignored. */
static GAsyncFuture *
never_called (GAsyncFuture *completed,
              gpointer      user_data)
{
  g_assert_not_reached ();
  return NULL;
}

static void
test_cancellable_follows_derived (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  GCancellable *work = gasync_promise_get_cancellable (p);
  g_autoptr(GAsyncFuture) d = gasync_future_or_else (GASYNC_FUTURE (p), never_called, NULL, NULL);
  g_autoptr(GAsyncFuture) e = gasync_future_and_then (d, never_called, NULL, NULL);

  gasync_future_cancel (e);
  /* d is still held by us, but nothing depends on it any more. */
  g_assert_true (g_cancellable_is_cancelled (work));
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (p)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (gasync_future_get_error (d), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gasync_promise_resolve_int (p, 1);   /* no critical: it was cancelled */
  gasync_test_iterate_pending (NULL);
}

/* A promise dropped on another thread while a continuation registered
 * from this context waits: the rejection comes through a stand-in, and
 * the promise is gone when the dropping call returns. */
static void
note_finalized (gpointer data)
{
  g_atomic_int_set ((gint *) data, TRUE);
}

static GAsyncFuture *
keep_completed (GAsyncFuture *completed,
                gpointer      user_data)
{
  *(GAsyncFuture **) user_data = g_object_ref (completed);
  return NULL;
}

static gpointer
unref_in_thread (gpointer data)
{
  g_object_unref (data);
  return NULL;
}

static void
test_dropped_stand_in (void)
{
  GAsyncPromise *p = gasync_promise_new ();
  g_autoptr(GAsyncFuture) d = NULL;
  g_autoptr(GAsyncFuture) seen = NULL;
  gint finalized = FALSE;

  d = gasync_future_on_settled (GASYNC_FUTURE (p), keep_completed, &seen, NULL);
  g_object_set_data_full (G_OBJECT (p), "gasync-test", &finalized, note_finalized);
  g_thread_join (g_thread_new ("dropper", unref_in_thread, p));
  g_assert_true (g_atomic_int_get (&finalized));

  while (seen == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (gasync_future_get_error (seen), GASYNC_ERROR, GASYNC_ERROR_DROPPED);
  g_assert_error (gasync_future_get_error (d), GASYNC_ERROR, GASYNC_ERROR_DROPPED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("GAsyncPromise: typed resolution, rejection, settle-once, "
                  "cancellation, the GIO bridge and oneshot use");

  g_test_add_func ("/promise/resolve/typed", test_resolve_typed);
  g_test_add_func ("/promise/resolve/value-types", test_resolve_value_types);
  g_test_add_func ("/promise/resolve/value-boxed-pointer", test_resolve_value_boxed_pointer);
  g_test_add_func ("/promise/reject/forms", test_reject_forms);
  g_test_add_func ("/promise/settle-twice-is-critical", test_settle_twice_is_critical);
  g_test_add_func ("/promise/cancellable/follows-cancel", test_cancellable_follows_cancel);
  g_test_add_func ("/promise/cancellable/follows-derived", test_cancellable_follows_derived);
  g_test_add_func ("/promise/drop/stand-in", test_dropped_stand_in);
  g_test_add_func ("/promise/gio-callback", test_gio_callback);
  g_test_add_func ("/promise/oneshot", test_oneshot);
  g_test_add_func ("/promise/preconditions", test_preconditions);

  return g_test_run ();
}
