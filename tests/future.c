/* future.c: tests for GAsyncFuture
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "future-test-util.h"
#include "gasync-task-private.h"

/* Constructors and getters */

static void
test_resolved_typed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncFuture) f = NULL;
  g_autofree char *s = NULL;
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GObject) o = NULL;
  g_autoptr(GCancellable) obj = g_cancellable_new ();
  g_auto(GValue) as_int64 = G_VALUE_INIT;

  f = gasync_future_new_for_boolean (TRUE);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_true (gasync_future_get_boolean (f, &error));
  g_assert_no_error (error);
  g_assert_true (gasync_future_get_value_type (f) == G_TYPE_BOOLEAN);
  g_assert_null (gasync_future_get_error (f));
  g_clear_object (&f);

  f = gasync_future_new_for_int (-42);
  g_assert_cmpint (gasync_future_get_int (f, &error), ==, -42);
  g_assert_no_error (error);
  /* Converts where GValue can. */
  g_value_init (&as_int64, G_TYPE_INT64);
  g_assert_true (gasync_future_get_value (f, &as_int64, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int64 (&as_int64), ==, -42);
  s = gasync_future_dup_string (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "-42");
  g_clear_pointer (&s, g_free);
  g_clear_object (&f);

  f = gasync_future_new_for_string ("hello");
  s = gasync_future_dup_string (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "hello");
  g_clear_object (&f);

  f = gasync_future_new_for_variant (g_variant_new ("(is)", 1, "x"));
  v = gasync_future_dup_variant (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "(is)");
  g_clear_object (&f);

  f = gasync_future_new_for_object (obj);
  g_assert_true (gasync_future_get_value_type (f) == G_TYPE_CANCELLABLE);
  o = gasync_future_dup_object (f, &error);
  g_assert_no_error (error);
  g_assert_true (o == G_OBJECT (obj));
  g_clear_object (&f);
}

/* Resolves a future with @in through gasync_future_new_resolved() and
 * reads it back with gasync_future_get_value() into @out (zero-filled):
 * the way for every type without a typed constructor and getter. */
static void
round_trip (const GValue *in,
            GValue       *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncFuture) f = gasync_future_new_resolved (in);

  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_true (gasync_future_get_value_type (f) == G_VALUE_TYPE (in));
  g_assert_true (gasync_future_get_value (f, out, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_TYPE (out) == G_VALUE_TYPE (in));
}

static void
test_resolved_value_types (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("abc", 3);
  g_auto(GValue) in = G_VALUE_INIT;
  g_auto(GValue) out = G_VALUE_INIT;

  g_value_init (&in, G_TYPE_UINT);
  g_value_set_uint (&in, 7);
  round_trip (&in, &out);
  g_assert_cmpuint (g_value_get_uint (&out), ==, 7);
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_INT64);
  g_value_set_int64 (&in, G_MININT64);
  round_trip (&in, &out);
  g_assert_cmpint (g_value_get_int64 (&out), ==, G_MININT64);
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_UINT64);
  g_value_set_uint64 (&in, G_MAXUINT64);
  round_trip (&in, &out);
  g_assert_cmpuint (g_value_get_uint64 (&out), ==, G_MAXUINT64);
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_DOUBLE);
  g_value_set_double (&in, 2.5);
  round_trip (&in, &out);
  g_assert_cmpfloat (g_value_get_double (&out), ==, 2.5);
  g_value_unset (&in);
  g_value_unset (&out);

  /* A boxed value is copied (for GBytes: referenced) in and out. */
  g_value_init (&in, G_TYPE_BYTES);
  g_value_set_boxed (&in, bytes);
  round_trip (&in, &out);
  g_assert_true (g_bytes_equal (g_value_get_boxed (&out), bytes));
}

static void
test_resolved_pointer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncFuture) f = NULL;
  char *owned = g_strdup ("owned");

  /* The future owns the pointer and frees it with itself (valgrind and
   * ASan would catch a leak or double free). */
  f = gasync_future_new_for_pointer (owned, g_free);
  g_assert_true (gasync_future_get_pointer (f, &error) == owned);
  g_assert_no_error (error);
  g_clear_object (&f);
}

static void
test_value_getters (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncFuture) f = gasync_future_new_for_int (5);
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) as_double = G_VALUE_INIT;
  GValue *dup;

  g_assert_true (gasync_future_get_value (f, &value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS_INT (&value));
  g_assert_cmpint (g_value_get_int (&value), ==, 5);

  /* An initialized value receives a converted copy. */
  g_value_init (&as_double, G_TYPE_DOUBLE);
  g_assert_true (gasync_future_get_value (f, &as_double, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (g_value_get_double (&as_double), ==, 5.0);

  dup = gasync_future_dup_value (f, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int (dup), ==, 5);
  g_value_unset (dup);
  g_free (dup);
}

static void
test_type_mismatch (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncFuture) f = gasync_future_new_for_string ("not an object");
  gpointer obj;

  obj = gasync_future_dup_object (f, &error);
  g_assert_null (obj);
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH);
}

static void
test_rejected (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncFuture) f = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  f = gasync_future_new_for_error (g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no %s here", "file"));
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_REJECTED);
  g_assert_error (gasync_future_get_error (f), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (gasync_future_get_error (f)->message, ==, "no file here");
  g_assert_true (gasync_future_get_value_type (f) == G_TYPE_INVALID);

  g_assert_cmpint (gasync_future_get_int (f, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A failed get leaves the out value initialized, for GJS. */
  g_assert_false (gasync_future_get_value (f, &value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (G_VALUE_HOLDS_POINTER (&value));
  g_assert_null (g_value_get_pointer (&value));
  g_clear_object (&f);
  g_clear_error (&error);

  f = gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED, "literal");
  g_assert_error (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_FAILED);
}

static void
test_pending_getters (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  GAsyncFuture *f = GASYNC_FUTURE (p);

  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_PENDING);
  g_assert_cmpint (gasync_future_get_int (f, &error), ==, 0);
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_PENDING);
  g_assert_null (gasync_future_get_error (f));
  g_assert_true (gasync_future_get_value_type (f) == G_TYPE_INVALID);
  gasync_promise_resolve_int (p, 1);
}

/* Dropped promises */

static void
test_dropped_rejects_waiters (void)
{
  GAsyncPromise *p = gasync_promise_new ();
  g_autoptr(GAsyncFuture) d = NULL;
  Record rec = { 0 };

  d = gasync_future_on_settled (GASYNC_FUTURE (p), record_cb, &rec, record_destroy);
  g_object_unref (p);   /* the last reference: nobody can settle it now */

  gasync_test_iterate_until (NULL, &rec.destroyed, 5000);
  g_assert_cmpint (rec.ran, ==, 1);
  g_assert_false (rec.resolved_seen);
  g_assert_error (gasync_future_get_error (d), GASYNC_ERROR, GASYNC_ERROR_DROPPED);
}

static gpointer
drop_in_thread (gpointer data)
{
  g_object_unref (data);
  return NULL;
}

static void
test_dropped_on_worker_delivers_on_context (void)
{
  GAsyncPromise *p = gasync_promise_new ();
  g_autoptr(GAsyncFuture) d = NULL;
  Record rec = { 0 };

  d = gasync_future_on_settled (GASYNC_FUTURE (p), record_cb, &rec, record_destroy);
  g_thread_join (g_thread_new ("dropper", drop_in_thread, p));

  g_assert_cmpint (g_atomic_int_get (&rec.ran), ==, 0);
  gasync_test_iterate_until (NULL, &rec.destroyed, 5000);
  g_assert_true (rec.thread == g_thread_self ());
  g_assert_error (gasync_future_get_error (d), GASYNC_ERROR, GASYNC_ERROR_DROPPED);
}

static void
mark_finalized (gpointer data)
{
  g_atomic_pointer_set ((gpointer *) data, g_thread_self ());
}

/* Dropping the last reference to a pending future finalizes it inside
 * that g_object_unref(): the waiters get their DROPPED rejection through
 * a stand-in, and nothing takes a reference on the object being disposed
 * (which another thread could then finalize under the dropper's feet). */
static void
test_dropped_not_resurrected (void)
{
  GAsyncPromise *p = gasync_promise_new ();
  g_autoptr(GAsyncFuture) d = NULL;
  gpointer finalized_on = NULL;
  GThread *dropper;
  Record rec = { 0 };

  d = gasync_future_on_settled (GASYNC_FUTURE (p), record_cb, &rec, record_destroy);
  g_object_set_data_full (G_OBJECT (p), "gasync-test-finalized", &finalized_on, mark_finalized);
  dropper = g_thread_new ("dropper", drop_in_thread, p);
  g_thread_join (dropper);

  /* Finalized by the dropper, before its unref returned. */
  g_assert_true (g_atomic_pointer_get (&finalized_on) == (gpointer) dropper);
  gasync_test_iterate_until (NULL, &rec.destroyed, 5000);
  g_assert_cmpint (rec.ran, ==, 1);
  g_assert_error (gasync_future_get_error (d), GASYNC_ERROR, GASYNC_ERROR_DROPPED);
}

/* Thread A registers continuations from its own context on pending
 * promises and hands them to thread B, which drops the last reference
 * while A keeps iterating: the DROPPED rejection inside dispose must not
 * give A's context a reference on the object being disposed (GLib 2.74's
 * g_object_unref() is not safe against another thread finalizing it). */
typedef struct
{
  GAsyncQueue *to_dropper;
  guint        n;
  gint         settled;       /* atomic: callbacks run, DROPPED seen */
  gint         destroyed;     /* atomic */
  gint         wrong;         /* atomic: not DROPPED, or not on A */
  GThread     *registrar;
} DropRace;

static GAsyncFuture *
drop_race_cb (GAsyncFuture *completed,
              gpointer      user_data)
{
  DropRace *race = user_data;
  const GError *error = gasync_future_get_error (completed);

  if (error == NULL || !g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_DROPPED) ||
      g_thread_self () != race->registrar)
    g_atomic_int_inc (&race->wrong);
  g_atomic_int_inc (&race->settled);
  return NULL;
}

static void
drop_race_destroy (gpointer user_data)
{
  DropRace *race = user_data;

  g_atomic_int_inc (&race->destroyed);
}

static gpointer
drop_race_dropper (gpointer data)
{
  DropRace *race = data;

  for (guint i = 0; i < race->n; i++)
    g_object_unref (g_async_queue_pop (race->to_dropper));
  return NULL;
}

static gpointer
drop_race_registrar (gpointer data)
{
  DropRace *race = data;
  GMainContext *ctx = g_main_context_new ();

  g_main_context_push_thread_default (ctx);
  for (guint i = 0; i < race->n; i++)
    {
      GAsyncPromise *p = gasync_promise_new ();
      GAsyncFuture *d;

      if (i % 2 == 0)
        d = gasync_future_on_settled (GASYNC_FUTURE (p), drop_race_cb, race, drop_race_destroy);
      else
        d = gasync_future_or_else (GASYNC_FUTURE (p), drop_race_cb, race, drop_race_destroy);
      g_object_unref (d);
      g_async_queue_push (race->to_dropper, p);   /* the only reference */
      /* Sleep in poll, so that A wakes up as soon as B's dispose hands it
       * the completion, while B is still inside g_object_unref(). */
      while (g_atomic_int_get (&race->destroyed) <= (gint) i)
        g_main_context_iteration (ctx, TRUE);
    }
  while (g_atomic_int_get (&race->destroyed) < (gint) race->n)
    g_main_context_iteration (ctx, TRUE);
  g_main_context_pop_thread_default (ctx);
  g_main_context_unref (ctx);
  return NULL;
}

static void
test_dropped_cross_thread_race (void)
{
  DropRace race = { 0 };
  GThread *a, *b;

  race.n = gasync_test_size (20000, 100000);
  race.to_dropper = g_async_queue_new ();
  a = g_thread_new ("registrar", drop_race_registrar, &race);
  race.registrar = a;
  b = g_thread_new ("dropper", drop_race_dropper, &race);
  g_thread_join (b);
  g_thread_join (a);

  g_assert_cmpint (race.settled, ==, race.n);
  g_assert_cmpint (race.destroyed, ==, race.n);
  g_assert_cmpint (race.wrong, ==, 0);
  g_async_queue_unref (race.to_dropper);
}

/* Cancellation */

static void
test_cancel (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  GCancellable *c = gasync_promise_get_cancellable (p);
  g_autoptr(GAsyncFuture) done = gasync_future_new_for_int (1);

  g_assert_false (g_cancellable_is_cancelled (c));
  gasync_future_cancel (GASYNC_FUTURE (p));
  g_assert_true (g_cancellable_is_cancelled (c));
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (p)), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The producer settling afterwards is ignored, without a critical. */
  gasync_promise_resolve_int (p, 5);
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (p)), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Cancelling a settled future does nothing. */
  gasync_future_cancel (done);
  g_assert_cmpint (gasync_future_get_int (done, NULL), ==, 1);
}

static void
test_cancel_derived_skips_callback (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GAsyncPromise) q = gasync_promise_new ();
  g_autoptr(GAsyncFuture) d = NULL;
  g_autoptr(GAsyncFuture) e = NULL;
  Record rec = { 0 };
  Record rec_e = { 0 };

  /* Cancelled after its source settled, before the callback ran. */
  d = gasync_future_and_then (GASYNC_FUTURE (p), record_cb, &rec, record_destroy);
  gasync_promise_resolve_int (p, 1);
  gasync_future_cancel (d);
  gasync_test_iterate_until (NULL, &rec.destroyed, 5000);
  g_assert_cmpint (rec.ran, ==, 0);
  g_assert_error (gasync_future_get_error (d), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gasync_future_get_int (GASYNC_FUTURE (p), NULL), ==, 1);
  g_clear_object (&d);

  /* Cancelled while its source is pending, which has another dependent:
   * the source keeps running. */
  rec = (Record) { 0 };
  d = gasync_future_and_then (GASYNC_FUTURE (q), record_cb, &rec, record_destroy);
  e = gasync_future_on_settled (GASYNC_FUTURE (q), record_cb, &rec_e, record_destroy);
  gasync_future_cancel (d);
  g_assert_false (g_cancellable_is_cancelled (gasync_promise_get_cancellable (q)));
  gasync_promise_resolve_int (q, 2);
  gasync_test_iterate_until (NULL, &rec.destroyed, 5000);
  gasync_test_iterate_until (NULL, &rec_e.destroyed, 5000);
  g_assert_cmpint (rec.ran, ==, 0);
  g_assert_cmpint (rec_e.ran, ==, 1);
  g_assert_cmpint (rec_e.value, ==, 2);
  g_assert_cmpint (gasync_future_get_int (e, NULL), ==, 2);
}

static void
count_cancelled (GCancellable *cancellable,
                 gpointer      data)
{
  g_atomic_int_inc ((gint *) data);
}

/* A promise whose cancellable counts how often it fires: the root of the
 * chains below, standing for work that can be stopped. */
static GAsyncPromise *
cancellable_root (gint *fired)
{
  GAsyncPromise *p = gasync_promise_new ();

  g_cancellable_connect (gasync_promise_get_cancellable (p),
                         G_CALLBACK (count_cancelled), fired, NULL);
  return p;
}

static void
test_cancel_flows_down_chain (void)
{
  gint fired = 0;
  g_autoptr(GAsyncPromise) root = cancellable_root (&fired);
  GAsyncFuture *d1, *d2;
  g_autoptr(GAsyncFuture) leaf = NULL;
  Record rec[3] = { { 0 }, };

  d1 = gasync_future_and_then (GASYNC_FUTURE (root), record_cb, &rec[0], record_destroy);
  d2 = gasync_future_and_then (d1, record_cb, &rec[1], record_destroy);
  leaf = gasync_future_and_then (d2, record_cb, &rec[2], record_destroy);
  g_object_unref (d1);
  g_object_unref (d2);

  /* Nothing else depends on the links of the chain: cancelling the leaf
   * reaches the root's work. */
  gasync_future_cancel (leaf);
  g_assert_cmpint (fired, ==, 1);
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (root)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint i = 0; i < 3; i++)
    {
      gasync_test_iterate_until (NULL, &rec[i].destroyed, 5000);
      g_assert_cmpint (rec[i].ran, ==, 0);
    }
  g_assert_error (gasync_future_get_error (leaf), G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_cancel_chain_shared_root_keeps_running (void)
{
  gint fired = 0;
  g_autoptr(GAsyncPromise) root = cancellable_root (&fired);
  GAsyncFuture *d1, *d2;
  g_autoptr(GAsyncFuture) leaf = NULL;
  g_autoptr(GAsyncFuture) other = NULL;
  Record rec[3] = { { 0 }, };
  Record rec_other = { 0 };

  d1 = gasync_future_and_then (GASYNC_FUTURE (root), record_cb, &rec[0], record_destroy);
  d2 = gasync_future_and_then (d1, record_cb, &rec[1], record_destroy);
  leaf = gasync_future_and_then (d2, record_cb, &rec[2], record_destroy);
  other = gasync_future_on_settled (GASYNC_FUTURE (root), record_cb, &rec_other, record_destroy);
  g_object_unref (d1);
  g_object_unref (d2);

  /* The root has a second continuation: it keeps running. */
  gasync_future_cancel (leaf);
  g_assert_cmpint (fired, ==, 0);
  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (root)), ==, GASYNC_FUTURE_PENDING);
  gasync_promise_resolve_int (root, 7);
  gasync_test_iterate_until (NULL, &rec_other.destroyed, 5000);
  g_assert_cmpint (rec_other.value, ==, 7);
  for (guint i = 0; i < 3; i++)
    {
      gasync_test_iterate_until (NULL, &rec[i].destroyed, 5000);
      g_assert_cmpint (rec[i].ran, ==, 0);
    }
}

static GAsyncFuture *
return_user_data_ref (GAsyncFuture *completed,
                      gpointer      user_data)
{
  return g_object_ref (user_data);
}

/* After the callback returned a future, the derived future depends on
 * that one: cancelling it reaches the returned future's work. */
static void
test_cancel_reaches_returned_future (void)
{
  gint fired = 0;
  g_autoptr(GAsyncPromise) step = cancellable_root (&fired);
  g_autoptr(GAsyncFuture) first = gasync_future_new_for_int (1);
  g_autoptr(GAsyncFuture) d = NULL;

  d = gasync_future_and_then (first, return_user_data_ref, step, NULL);
  while (gasync_future_get_state (GASYNC_FUTURE (step)) == GASYNC_FUTURE_PENDING && fired == 0 &&
         g_main_context_iteration (NULL, FALSE))
    ;
  gasync_future_cancel (d);
  g_assert_cmpint (fired, ==, 1);
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (step)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Cancelling derived futures on one thread while their sources are
 * settled on another: every continuation's user data is freed exactly
 * once, on the registering context; a derived future is resolved only
 * if its callback ran, and a source is cancelled only if its derived
 * future was. */
typedef struct
{
  GAsyncPromise **promises;
  GAsyncFuture  **derived;
  guint           n;
  gint            ran;         /* atomic */
  gint            destroyed;   /* atomic */
  gint            wrong_thread;
  GThread        *registrar;
} CancelRace;

static GAsyncFuture *
cancel_race_cb (GAsyncFuture *completed,
                gpointer      user_data)
{
  CancelRace *race = user_data;

  g_atomic_int_inc (&race->ran);
  return NULL;
}

static void
cancel_race_destroy (gpointer user_data)
{
  CancelRace *race = user_data;

  if (g_thread_self () != race->registrar)
    race->wrong_thread++;
  g_atomic_int_inc (&race->destroyed);
}

static gpointer
cancel_race_settler (gpointer data)
{
  CancelRace *race = data;

  for (guint i = 0; i < race->n; i++)
    gasync_promise_resolve_int (race->promises[i], (gint) i);
  return NULL;
}

static gpointer
cancel_race_canceller (gpointer data)
{
  CancelRace *race = data;

  for (guint i = 0; i < race->n; i++)
    gasync_future_cancel (race->derived[i]);
  return NULL;
}

static void
test_cancel_races_settle (void)
{
  CancelRace race = { 0 };
  GThread *settler, *canceller;
  guint resolved = 0;

  race.n = gasync_test_size (5000, 100000);
  race.registrar = g_thread_self ();
  race.promises = g_new (GAsyncPromise *, race.n);
  race.derived = g_new (GAsyncFuture *, race.n);
  for (guint i = 0; i < race.n; i++)
    {
      race.promises[i] = gasync_promise_new ();
      race.derived[i] = gasync_future_and_then (GASYNC_FUTURE (race.promises[i]),
                                                cancel_race_cb, &race, cancel_race_destroy);
    }

  settler = g_thread_new ("settler", cancel_race_settler, &race);
  canceller = g_thread_new ("canceller", cancel_race_canceller, &race);
  g_thread_join (settler);
  g_thread_join (canceller);
  while (g_atomic_int_get (&race.destroyed) < (gint) race.n)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (race.destroyed, ==, race.n);
  g_assert_cmpint (race.wrong_thread, ==, 0);
  for (guint i = 0; i < race.n; i++)
    {
      GAsyncFuture *p = GASYNC_FUTURE (race.promises[i]);

      if (gasync_future_get_state (race.derived[i]) == GASYNC_FUTURE_RESOLVED)
        {
          resolved++;
          g_assert_cmpint (gasync_future_get_int (race.derived[i], NULL), ==, (gint) i);
        }
      else
        g_assert_error (gasync_future_get_error (race.derived[i]), G_IO_ERROR, G_IO_ERROR_CANCELLED);
      if (gasync_future_get_state (p) == GASYNC_FUTURE_REJECTED)
        g_assert_cmpint (gasync_future_get_state (race.derived[i]), ==, GASYNC_FUTURE_REJECTED);
      g_object_unref (race.derived[i]);
      g_object_unref (race.promises[i]);
    }
  g_assert_cmpint (race.ran, ==, resolved);
  g_free (race.promises);
  g_free (race.derived);
}

/* wait_async / wait_finish */

typedef struct
{
  gint          done;
  GThread      *thread;
  GAsyncResult *result;
} AsyncRecord;

static void
async_ready (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncRecord *rec = user_data;

  rec->thread = g_thread_self ();
  rec->result = g_object_ref (result);
  rec->done = TRUE;
}

static void
test_wait_async (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  AsyncRecord rec = { 0 };
  GThread *thread;
  Resolver r = { g_object_ref (p) };

  gasync_test_latch_init (&r.resolved);
  gasync_future_wait_async (GASYNC_FUTURE (p), NULL, async_ready, &rec);
  thread = g_thread_new ("resolver", resolve_in_thread, &r);
  gasync_test_iterate_until (NULL, &rec.done, 5000);
  g_thread_join (thread);

  g_assert_true (rec.thread == g_thread_self ());
  g_assert_true (gasync_future_wait_finish (GASYNC_FUTURE (p), rec.result, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int (&value), ==, 123);
  g_object_unref (rec.result);
  gasync_test_latch_clear (&r.resolved);
}

static void
test_wait_async_cancelled (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  AsyncRecord rec = { 0 };

  gasync_future_wait_async (GASYNC_FUTURE (p), c, async_ready, &rec);
  g_cancellable_cancel (c);
  gasync_test_iterate_until (NULL, &rec.done, 5000);
  g_assert_false (gasync_future_wait_finish (GASYNC_FUTURE (p), rec.result, &value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (G_VALUE_HOLDS_POINTER (&value));
  /* Only the wait was cancelled. */
  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (p)), ==, GASYNC_FUTURE_PENDING);
  g_object_unref (rec.result);
  gasync_promise_resolve_int (p, 1);
  gasync_test_iterate_pending (NULL);
}

/* Blocking wait */

static void
test_wait_blocking (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  Resolver r = { g_object_ref (p) };
  GThread *thread;

  gasync_test_latch_init (&r.resolved);
  thread = g_thread_new ("resolver", resolve_in_thread, &r);
  g_assert_true (gasync_future_wait (GASYNC_FUTURE (p), NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_value_get_int (&value), ==, 123);
  g_thread_join (thread);
  gasync_test_latch_clear (&r.resolved);
}

/* The owner holds the only reference and lends the pointer to a waiting
 * thread and a resolving thread: the wait must not take that for an
 * orphan (DROPPED) when the future is about to be resolved. */
typedef struct
{
  GAsyncFuture *lent;       /* not owned */
  gint          returned;   /* atomic */
  gboolean      ok;
  gint          value;
  GError       *error;
} LentWait;

static gpointer
lent_wait_thread (gpointer data)
{
  LentWait *lw = data;
  g_auto(GValue) value = G_VALUE_INIT;

  lw->ok = gasync_future_wait (lw->lent, NULL, &value, &lw->error);
  if (lw->ok)
    lw->value = g_value_get_int (&value);
  g_atomic_int_set (&lw->returned, TRUE);
  return NULL;
}

static gpointer
lent_resolve_thread (gpointer data)
{
  LentWait *lw = data;

  /* Resolve once the waiter waits (it holds a reference of its own then),
   * or has given up. */
  while (g_atomic_int_get (&G_OBJECT (lw->lent)->ref_count) < 2 &&
         !g_atomic_int_get (&lw->returned))
    g_thread_yield ();
  gasync_promise_resolve_int (GASYNC_PROMISE (lw->lent), 99);
  return NULL;
}

static void
test_wait_blocking_lent_pointer (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  LentWait lw = { GASYNC_FUTURE (p), 0, FALSE, 0, NULL };
  GThread *waiter, *resolver;

  waiter = g_thread_new ("waiter", lent_wait_thread, &lw);
  resolver = g_thread_new ("resolver", lent_resolve_thread, &lw);
  g_thread_join (waiter);
  g_thread_join (resolver);

  g_assert_no_error (lw.error);
  g_assert_true (lw.ok);
  g_assert_cmpint (lw.value, ==, 99);
}

static gpointer
cancel_in_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

/* A future that nobody will settle: the wait is bounded by its
 * cancellable (not refused up front: it cannot tell). */
static void
test_wait_blocking_orphan_cancelled (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GThread *canceller;

  canceller = g_thread_new ("canceller", cancel_in_thread, c);
  g_assert_false (gasync_future_wait (GASYNC_FUTURE (p), c, &value, &error));
  g_thread_join (canceller);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (G_VALUE_HOLDS_POINTER (&value));
  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (p)), ==, GASYNC_FUTURE_PENDING);
  /* Our reference is the only one again: the wait kept none. */
  g_assert_cmpint (G_OBJECT (p)->ref_count, ==, 1);
  gasync_promise_resolve_int (p, 0);
}

static void
test_wait_blocking_timeout_and_cancel (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  GAsyncPromise *extra = g_object_ref (p);   /* someone else could settle it */
  g_autoptr(GAsyncPromise) q = gasync_promise_new ();
  GAsyncPromise *extra_q = g_object_ref (q);
  g_autoptr(GAsyncFuture) bounded = NULL;
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) v1 = G_VALUE_INIT;
  g_auto(GValue) v2 = G_VALUE_INIT;
  gint64 start = g_get_monotonic_time ();

  /* A wait is bounded in time by waiting for the future with a deadline. */
  bounded = gasync_future_with_timeout (GASYNC_FUTURE (p), 50);
  g_assert_false (gasync_future_wait (bounded, NULL, &v1, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 50 * 1000);
  g_assert_true (G_VALUE_HOLDS_POINTER (&v1));
  g_clear_error (&error);
  /* The deadline cancelled what it bounded (before the waiter woke: the
   * combinator's notify is registered first), so its producer stops. */
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (p)), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The cancellable stops only the wait. */
  g_cancellable_cancel (c);
  g_assert_false (gasync_future_wait (GASYNC_FUTURE (q), c, &v2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (q)), ==, GASYNC_FUTURE_PENDING);

  gasync_promise_resolve_int (q, 0);
  g_object_unref (extra_q);
  g_object_unref (extra);
}

/* A wait whose future is resolved on one thread while its cancellable is
 * cancelled on another, over and over: whichever wins, the wait ends once
 * with that outcome. Under ThreadSanitizer this also checks that freeing
 * the wait does not race with the cancel handler still running on the
 * other thread (the order GCancellable gives is invisible to TSan). */

typedef struct
{
  GAsyncPromise   *promise;
  GCancellable    *cancellable;
  GAsyncTestLatch  go;
} SettleRacesCancel;

static gpointer
resolve_when_told (gpointer data)
{
  SettleRacesCancel *race = data;

  g_assert_true (gasync_test_latch_wait (&race->go, GASYNC_TEST_TIMEOUT_MS));
  gasync_promise_resolve_int (race->promise, 5);
  return NULL;
}

static gpointer
cancel_when_told (gpointer data)
{
  SettleRacesCancel *race = data;

  g_assert_true (gasync_test_latch_wait (&race->go, GASYNC_TEST_TIMEOUT_MS));
  g_cancellable_cancel (race->cancellable);
  return NULL;
}

static void
settle_races_cancel_start (SettleRacesCancel *race,
                           GThread           *threads[2])
{
  race->promise = gasync_promise_new ();
  race->cancellable = g_cancellable_new ();
  gasync_test_latch_init (&race->go);
  threads[0] = g_thread_new ("resolver", resolve_when_told, race);
  threads[1] = g_thread_new ("canceller", cancel_when_told, race);
}

static void
settle_races_cancel_finish (SettleRacesCancel *race,
                            GThread           *threads[2])
{
  g_thread_join (threads[0]);
  g_thread_join (threads[1]);
  g_object_unref (race->promise);
  g_object_unref (race->cancellable);
  gasync_test_latch_clear (&race->go);
}

/* The outcome of a wait that raced: the value, or CANCELLED. */
static void
assert_value_or_cancelled (gboolean      ok,
                           const GValue *value,
                           const GError *error)
{
  if (ok)
    {
      g_assert_no_error (error);
      g_assert_cmpint (g_value_get_int (value), ==, 5);
    }
  else
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_wait_blocking_settle_races_cancel (void)
{
  guint rounds = gasync_test_size (300, 3000);

  for (guint round = 0; round < rounds; round++)
    {
      SettleRacesCancel race;
      GThread *threads[2];
      g_autoptr(GError) error = NULL;
      g_auto(GValue) value = G_VALUE_INIT;
      gboolean ok;

      settle_races_cancel_start (&race, threads);
      gasync_test_latch_open (&race.go);
      ok = gasync_future_wait (GASYNC_FUTURE (race.promise), race.cancellable, &value, &error);
      assert_value_or_cancelled (ok, &value, error);
      settle_races_cancel_finish (&race, threads);
    }
}

static void
test_wait_async_settle_races_cancel (void)
{
  guint rounds = gasync_test_size (300, 3000);

  for (guint round = 0; round < rounds; round++)
    {
      SettleRacesCancel race;
      GThread *threads[2];
      AsyncRecord rec = { 0 };
      g_autoptr(GError) error = NULL;
      g_auto(GValue) value = G_VALUE_INIT;
      gboolean ok;

      settle_races_cancel_start (&race, threads);
      gasync_future_wait_async (GASYNC_FUTURE (race.promise), race.cancellable, async_ready, &rec);
      gasync_test_latch_open (&race.go);
      gasync_test_iterate_until (NULL, &rec.done, GASYNC_TEST_TIMEOUT_MS);
      ok = gasync_future_wait_finish (GASYNC_FUTURE (race.promise), rec.result, &value, &error);
      assert_value_or_cancelled (ok, &value, error);
      g_object_unref (rec.result);
      settle_races_cancel_finish (&race, threads);
      /* The wait's job, queued when the resolver settled the future. */
      gasync_test_iterate_pending (NULL);
    }
}

/* Every GValue out argument is optional: NULL checks only the outcome. */
static void
test_value_out_optional (void)
{
  g_autoptr(GAsyncFuture) ok = gasync_future_new_for_int (1);
  g_autoptr(GAsyncFuture) bad = gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED, "bad");
  g_autoptr(GAsyncPromise) pending = gasync_promise_new ();
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GError) error = NULL;
  Resolver r = { g_object_ref (p) };
  AsyncRecord rec = { 0 };
  GThread *thread;

  g_assert_true (gasync_future_get_value (ok, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (gasync_future_get_value (bad, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (gasync_future_get_value (GASYNC_FUTURE (pending), NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_PENDING);
  g_clear_error (&error);

  g_assert_true (gasync_future_wait (ok, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (gasync_future_wait (bad, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_clear_error (&error);

  /* Blocking until another thread resolves it. */
  gasync_test_latch_init (&r.resolved);
  thread = g_thread_new ("resolver", resolve_in_thread, &r);
  g_assert_true (gasync_future_wait (GASYNC_FUTURE (p), NULL, NULL, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  gasync_test_latch_clear (&r.resolved);

  gasync_future_wait_async (ok, NULL, async_ready, &rec);
  gasync_test_iterate_until (NULL, &rec.done, 5000);
  g_assert_true (gasync_future_wait_finish (ok, rec.result, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&rec.result);

  rec.done = FALSE;
  gasync_future_wait_async (bad, NULL, async_ready, &rec);
  gasync_test_iterate_until (NULL, &rec.done, 5000);
  g_assert_false (gasync_future_wait_finish (bad, rec.result, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_clear_object (&rec.result);

  gasync_promise_resolve_int (pending, 0);
}

/* The reverse adapter */

static void
test_return_to_task (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  AsyncRecord rec = { 0 };
  GTask *task = g_task_new (source, NULL, async_ready, &rec);

  gasync_future_return_to_task (GASYNC_FUTURE (p), task);
  gasync_promise_resolve_string (p, "via task");
  gasync_test_iterate_until (NULL, &rec.done, 5000);
  g_assert_true (g_task_is_valid (rec.result, source));
  g_assert_true (g_task_propagate_value (G_TASK (rec.result), &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_value_get_string (&value), ==, "via task");
  g_object_unref (rec.result);
}

typedef struct
{
  GAsyncPromise *promise;
  AsyncRecord   *rec;
  gint           done_inside_resolve;
  gint           resolved;
} ResolveLater;

static gboolean
resolve_from_idle (gpointer data)
{
  ResolveLater *later = data;

  /* A later iteration, on the task's own context: GTask would call back
   * right inside g_task_return_*() here. */
  gasync_promise_resolve_int (later->promise, 5);
  later->done_inside_resolve = later->rec->done;
  later->resolved = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_return_to_task_not_synchronous (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  AsyncRecord rec = { 0 };
  ResolveLater later = { p, &rec, FALSE, FALSE };
  GTask *task = g_task_new (source, NULL, async_ready, &rec);
  g_auto(GValue) value = G_VALUE_INIT;

  gasync_future_return_to_task (GASYNC_FUTURE (p), task);
  /* Let the task's creation iteration pass first. */
  g_main_context_iteration (NULL, FALSE);
  g_idle_add (resolve_from_idle, &later);
  gasync_test_iterate_until (NULL, &rec.done, 5000);

  g_assert_true (later.resolved);
  g_assert_false (later.done_inside_resolve);
  g_assert_true (g_task_propagate_value (G_TASK (rec.result), &value, NULL));
  g_assert_cmpint (g_value_get_int (&value), ==, 5);
  g_object_unref (rec.result);
}

static void
test_return_to_task_cancellable (void)
{
  g_autoptr(GAsyncPromise) p = gasync_promise_new ();
  g_autoptr(GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GCancellable *work = gasync_promise_get_cancellable (p);
  AsyncRecord rec = { 0 };
  GTask *task = g_task_new (source, c, async_ready, &rec);

  gasync_future_return_to_task (GASYNC_FUTURE (p), task);
  g_cancellable_cancel (c);

  /* The task's cancellable cancelled the future, and through it the work. */
  g_assert_error (gasync_future_get_error (GASYNC_FUTURE (p)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (work));
  gasync_test_iterate_until (NULL, &rec.done, 5000);
  g_assert_false (g_task_propagate_value (G_TASK (rec.result), &value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (rec.result);
}

/* What is a future: gasync's own types are found in the short array its
 * checks read first, and any other GAsyncFuture subclass is still one. */
static void
test_is_future (void)
{
  GAsyncPromise *promise = gasync_promise_new ();
  GAsyncFuture *future = gasync_future_new_for_int (1);
  gpointer task_class = g_type_class_ref (GASYNC_TYPE_TASK_FUTURE);   /* its class_init */
  GType subclass = g_type_register_static_simple (GASYNC_TYPE_FUTURE, "GAsyncTestFutureSubclass",
                                                  sizeof (GAsyncFutureClass), NULL,
                                                  sizeof (GAsyncFuture), NULL, 0);
  GObject *sub = g_object_new (subclass, NULL);
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GType mine[] = { GASYNC_TYPE_FUTURE, GASYNC_TYPE_PROMISE, GASYNC_TYPE_TASK_FUTURE };

  for (guint t = 0; t < G_N_ELEMENTS (mine); t++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < GASYNC_FUTURE_N_TYPES; i++)
        found |= (GType) _gasync_future_types[i] == mine[t];
      g_assert_true (found);
    }

  g_assert_true (GASYNC_IS_FUTURE (promise));
  g_assert_true (GASYNC_IS_FUTURE (future));
  g_assert_true (GASYNC_IS_FUTURE (sub));
  g_assert_false (GASYNC_IS_FUTURE (object));
  g_assert_false (GASYNC_IS_FUTURE (NULL));

  g_object_unref (object);
  g_object_unref (sub);
  g_object_unref (future);
  g_object_unref (promise);
  g_type_class_unref (task_class);
}

/* Preconditions */

static void
test_preconditions (void)
{
  if (g_test_subprocess ())
    {
      GAsyncFuture *f;

      f = gasync_future_and_then (NULL, recover_cb, NULL, NULL);
      g_assert_null (f);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_future_and_then*GASYNC_IS_FUTURE*");
}

static void
test_preconditions_expect_message (void)
{
  g_autoptr(GAsyncFuture) f = gasync_future_new_for_int (1);
  GError *error = NULL;

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_FUTURE*");
  g_assert_cmpint (gasync_future_get_state (NULL), ==, GASYNC_FUTURE_PENDING);
  g_test_assert_expected_messages ();

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*callback != NULL*");
  g_assert_null (gasync_future_and_then (f, NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*error != NULL*");
  g_assert_null (gasync_future_new_for_error (error));
  g_test_assert_expected_messages ();
}

/* A settled future whose last reference is dropped may be kept for reuse
 * (see "Recycling" in gasync-future.c): whatever it held is released at
 * that unref all the same, and what comes back from a constructor is as
 * new. */
static void
count_destroy (gpointer data)
{
  (*(gint *) data)++;
}

static void
test_recycle_releases_and_comes_back_new (void)
{
  for (guint round = 0; round < 3; round++)
    {
      GAsyncPromise *p = gasync_promise_new ();
      g_autoptr(GAsyncFuture) f = NULL;
      gint destroyed = 0;

      g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (p)), ==, GASYNC_FUTURE_PENDING);
      g_assert_null (gasync_future_get_error (GASYNC_FUTURE (p)));
      g_assert_cmpuint (gasync_future_get_value_type (GASYNC_FUTURE (p)), ==, G_TYPE_INVALID);
      g_assert_null (g_object_get_data (G_OBJECT (p), "gasync-test-mark"));
      gasync_promise_resolve_pointer (p, &destroyed, count_destroy);
      g_object_unref (p);
      g_assert_cmpint (destroyed, ==, 1);

      /* A derived future, settled and dropped, comes back pending too. */
      f = gasync_future_new_for_int (round);
      g_assert_cmpint (gasync_future_get_int (f, NULL), ==, (gint) round);
      g_clear_object (&f);
    }
}

static void
mark_weak_notified (gpointer  data,
                    GObject  *where_the_object_was)
{
  (*(gint *) data)++;
}

static void
notify_handler (GObject    *object,
                GParamSpec *pspec,
                gpointer    user_data)
{
}

static void
closure_destroyed (gpointer  data,
                   GClosure *closure)
{
  (*(gint *) data)++;
}

/* Observers of a future see it die at its last unref, recycled or not:
 * user data and weak references are released, GWeakRefs cleared, signal
 * handlers disconnected; g_object_run_dispose() on a future somebody
 * still holds does not hand it out again. */
static void
test_recycle_observers_see_it_die (void)
{
  GAsyncPromise *p = gasync_promise_new ();
  GAsyncPromise *q;
  GWeakRef weak;
  gint data_freed = 0, weak_notified = 0, handler_freed = 0;

  gasync_promise_resolve_int (p, 1);
  g_object_set_data_full (G_OBJECT (p), "gasync-test-mark", &data_freed, count_destroy);
  g_object_weak_ref (G_OBJECT (p), mark_weak_notified, &weak_notified);
  g_signal_connect_data (p, "notify", G_CALLBACK (notify_handler), &handler_freed, closure_destroyed, 0);
  g_weak_ref_init (&weak, p);
  g_object_unref (p);
  g_assert_cmpint (data_freed, ==, 1);
  g_assert_cmpint (weak_notified, ==, 1);
  g_assert_cmpint (handler_freed, ==, 1);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);

  /* Only a signal handler: the future may be recycled, the handler goes. */
  p = gasync_promise_new ();
  handler_freed = 0;
  g_signal_connect_data (p, "notify", G_CALLBACK (notify_handler), &handler_freed, closure_destroyed, 0);
  gasync_promise_resolve_int (p, 2);
  g_object_unref (p);
  g_assert_cmpint (handler_freed, ==, 1);
  q = gasync_promise_new ();
  g_assert_false (g_signal_has_handler_pending (q, g_signal_lookup ("notify", G_TYPE_OBJECT), 0, FALSE));
  g_object_unref (q);

  p = gasync_promise_new ();
  gasync_promise_resolve_int (p, 3);
  g_object_run_dispose (G_OBJECT (p));
  q = gasync_promise_new ();
  g_assert_true (q != p);
  g_assert_cmpint (gasync_future_get_int (GASYNC_FUTURE (p), NULL), ==, 3);
  g_object_unref (q);
  g_object_unref (p);
}

/* A future recycled through many last unrefs stays one object that comes
 * back new each time, and GObject's bookkeeping does not pile up on it:
 * the notify queue gasync holds frozen on it is frozen once, not once per
 * life (GLib stops a queue frozen 65,535 times with a critical). The hold
 * is no dependent either: cancelling the only future derived from it
 * still cancels it. */
#define MANY_LIVES 70000

static GAsyncFuture *
never_then (GAsyncFuture *completed,
            gpointer      user_data)
{
  g_assert_not_reached ();
}

static void
test_recycle_many_lives (void)
{
  GAsyncPromise *previous = NULL;

  for (guint round = 0; round < MANY_LIVES; round++)
    {
      GAsyncPromise *p = gasync_promise_new ();

      if (GASYNC_TEST_RECYCLING && previous != NULL)
        g_assert_true (p == previous);
      g_assert_cmpint (gasync_future_get_state (GASYNC_FUTURE (p)), ==, GASYNC_FUTURE_PENDING);
      if (round % 10000 == 5000)
        {
          GAsyncFuture *derived = gasync_future_and_then (GASYNC_FUTURE (p), never_then, NULL, NULL);

          gasync_future_cancel (derived);
          g_assert_error (gasync_future_get_error (GASYNC_FUTURE (p)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_object_unref (derived);
        }
      else
        {
          gasync_promise_resolve_int (p, (gint) round);
          g_assert_cmpint (gasync_future_get_int (GASYNC_FUTURE (p), NULL), ==, (gint) round);
        }
      g_assert_cmpint (G_OBJECT (p)->ref_count, ==, 1);
      previous = p;
      g_object_unref (p);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("GAsyncFuture: constructors, getters, continuations on the "
                  "registering context, cross-thread completion, drop and cancel");

  g_test_add_func ("/future/resolved/typed", test_resolved_typed);
  g_test_add_func ("/future/resolved/value-types", test_resolved_value_types);
  g_test_add_func ("/future/resolved/pointer", test_resolved_pointer);
  g_test_add_func ("/future/value/getters", test_value_getters);
  g_test_add_func ("/future/value/type-mismatch", test_type_mismatch);
  g_test_add_func ("/future/rejected", test_rejected);
  g_test_add_func ("/future/pending/getters", test_pending_getters);
  g_test_add_func ("/future/drop/rejects-waiters", test_dropped_rejects_waiters);
  g_test_add_func ("/future/drop/on-worker-delivers-on-context", test_dropped_on_worker_delivers_on_context);
  g_test_add_func ("/future/drop/not-resurrected", test_dropped_not_resurrected);
  g_test_add_func ("/future/drop/cross-thread-race", test_dropped_cross_thread_race);
  g_test_add_func ("/future/recycle/releases-and-comes-back-new", test_recycle_releases_and_comes_back_new);
  g_test_add_func ("/future/recycle/observers-see-it-die", test_recycle_observers_see_it_die);
  g_test_add_func ("/future/recycle/many-lives", test_recycle_many_lives);
  g_test_add_func ("/future/cancel/basic", test_cancel);
  g_test_add_func ("/future/cancel/derived-skips-callback", test_cancel_derived_skips_callback);
  g_test_add_func ("/future/cancel/flows-down-chain", test_cancel_flows_down_chain);
  g_test_add_func ("/future/cancel/shared-root-keeps-running", test_cancel_chain_shared_root_keeps_running);
  g_test_add_func ("/future/cancel/reaches-returned-future", test_cancel_reaches_returned_future);
  g_test_add_func ("/future/cancel/races-settle", test_cancel_races_settle);
  g_test_add_func ("/future/wait-async/cross-thread", test_wait_async);
  g_test_add_func ("/future/wait-async/cancelled", test_wait_async_cancelled);
  g_test_add_func ("/future/wait/blocking", test_wait_blocking);
  g_test_add_func ("/future/wait/lent-pointer", test_wait_blocking_lent_pointer);
  g_test_add_func ("/future/wait/orphan-bounded-by-cancellable", test_wait_blocking_orphan_cancelled);
  g_test_add_func ("/future/wait/timeout-and-cancel", test_wait_blocking_timeout_and_cancel);
  g_test_add_func ("/future/wait/settle-races-cancel", test_wait_blocking_settle_races_cancel);
  g_test_add_func ("/future/wait-async/settle-races-cancel", test_wait_async_settle_races_cancel);
  g_test_add_func ("/future/value/out-optional", test_value_out_optional);
  g_test_add_func ("/future/return-to-task", test_return_to_task);
  g_test_add_func ("/future/return-to-task/not-synchronous", test_return_to_task_not_synchronous);
  g_test_add_func ("/future/return-to-task/cancellable", test_return_to_task_cancellable);
  g_test_add_func ("/future/is-future", test_is_future);
  g_test_add_func ("/future/preconditions/trap", test_preconditions);
  g_test_add_func ("/future/preconditions/expect-message", test_preconditions_expect_message);

  return g_test_run ();
}
