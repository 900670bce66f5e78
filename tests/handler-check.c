/* handler-check.c: whether an object gasync reuses has signal handlers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gasync-handler-check.c reads GObject's own "has had a signal handler"
 * flag instead of asking GLib under its process-wide signal lock. These
 * tests check that every way of connecting a handler is seen, that the
 * types gasync reuses have no interface signal (which GObject does not
 * flag), and that a reused future or cancellable keeps no handler.
 */

#include "gasync-test-util.h"

#include "gasync-handler-check-private.h"
#include "gasync-task-private.h"

typedef enum
{
  CONNECT_DATA,
  CONNECT_CLOSURE,
  CONNECT_CLOSURE_BY_ID,      /* what PyGObject and GJS use */
  CONNECT_OBJECT,
  N_CONNECTS
} Connect;

/* No test emits a signal it connects to. */
static void
handler_never_runs (void)
{
  g_assert_not_reached ();
}

static void
count_cancelled (GCancellable *cancellable,
                 gpointer      data)
{
  g_atomic_int_inc ((gint *) data);
}

static void
count_weak_notify (gpointer  data,
                   GObject  *where_the_object_was)
{
  g_atomic_int_inc ((gint *) data);
}

static void
count_closure_finalized (gpointer  data,
                         GClosure *closure)
{
  g_atomic_int_inc ((gint *) data);
}

/* Connects a handler to @signal of @object the way @how says. Its closure
 * counts into @finalized when it goes, except with g_signal_connect_object(),
 * whose @gobject_data counts into it when it dies. */
static gulong
connect_handler (gpointer    object,
                 const char *signal,
                 Connect     how,
                 gint       *finalized,
                 GObject    *gobject_data)
{
  GClosure *closure;
  guint signal_id;
  GQuark detail;

  switch (how)
    {
    case CONNECT_DATA:
      return g_signal_connect_data (object, signal, G_CALLBACK (handler_never_runs), finalized,
                                    count_closure_finalized, 0);
    case CONNECT_OBJECT:
      g_object_weak_ref (gobject_data, count_weak_notify, finalized);
      return g_signal_connect_object (object, signal, G_CALLBACK (handler_never_runs),
                                      gobject_data, 0);
    default:
      closure = g_cclosure_new (G_CALLBACK (handler_never_runs), finalized, count_closure_finalized);
      if (how == CONNECT_CLOSURE)
        return g_signal_connect_closure (object, signal, closure, FALSE);
      g_assert_true (g_signal_parse_name (signal, G_OBJECT_TYPE (object), &signal_id, &detail, FALSE));
      return g_signal_connect_closure_by_id (object, signal_id, detail, closure, FALSE);
    }
}

/* On a 64-bit GLib 2.74 the flag must be readable: if this fails, every
 * reuse is back to taking GLib's signal lock. */
static void
test_exact (void)
{
  if (GLIB_SIZEOF_VOID_P != 8)
    {
      g_test_skip ("GObject has no flags word on 32-bit platforms");
      return;
    }
  g_assert_true (_gasync_handler_check_is_exact ());
}

static void
test_new_objects_have_none (void)
{
  GAsyncPromise *promise = gasync_promise_new ();
  GAsyncFuture *future = gasync_future_new_for_int (1);
  GCancellable *cancellable = g_cancellable_new ();

  if (!_gasync_handler_check_is_exact ())
    {
      g_test_skip ("GObject's flag is not readable here");
      goto out;
    }
  g_assert_false (_gasync_object_may_have_handlers (promise));
  g_assert_false (_gasync_object_may_have_handlers (future));
  g_assert_false (_gasync_object_may_have_handlers (cancellable));

out:
  g_object_unref (cancellable);
  g_object_unref (future);
  g_object_unref (promise);
}

/* Each way of connecting is seen, on a future's "notify" and on a
 * cancellable's "cancelled", and a disconnected handler leaves the answer
 * at "may have" (GObject never clears its flag). */
static void
test_every_connect_is_seen (void)
{
  for (Connect how = 0; how < N_CONNECTS; how++)
    {
      GAsyncPromise *promise = gasync_promise_new ();
      GCancellable *cancellable = g_cancellable_new ();
      GObject *gobject_data = g_object_new (G_TYPE_OBJECT, NULL);
      gint finalized = 0;
      gulong on_promise = connect_handler (promise, "notify", how, &finalized, gobject_data);
      gulong on_cancellable = connect_handler (cancellable, "cancelled", how, &finalized, gobject_data);

      g_assert_true (_gasync_object_may_have_handlers (promise));
      g_assert_true (_gasync_object_may_have_handlers (cancellable));
      g_signal_handler_disconnect (promise, on_promise);
      g_signal_handler_disconnect (cancellable, on_cancellable);
      g_assert_true (_gasync_object_may_have_handlers (promise));
      g_assert_true (_gasync_object_may_have_handlers (cancellable));

      g_object_unref (gobject_data);
      g_object_unref (cancellable);
      g_object_unref (promise);
    }
}

/* GObject flags no handler of a signal an interface defines: the types
 * gasync reuses must have none. */
static void
test_reused_types_have_no_interface_signal (void)
{
  GType types[] = { GASYNC_TYPE_FUTURE, GASYNC_TYPE_PROMISE, GASYNC_TYPE_TASK_FUTURE,
                    G_TYPE_CANCELLABLE };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      guint n_ifaces = 0;
      g_autofree GType *ifaces = g_type_interfaces (types[t], &n_ifaces);

      for (guint i = 0; i < n_ifaces; i++)
        {
          guint n_ids = 0;
          g_autofree guint *ids = g_signal_list_ids (ifaces[i], &n_ids);

          g_assert_cmpuint (n_ids, ==, 0);
        }
    }
}

/* A settled future dropped with a handler on it, each way of connecting:
 * the handler goes with the last unref whether or not the future is kept
 * for reuse, and the next future of the pool has none. */
static void
test_recycled_future_keeps_no_handler (void)
{
  for (Connect how = 0; how < N_CONNECTS; how++)
    {
      GAsyncPromise *promise = gasync_promise_new ();
      GObject *gobject_data = g_object_new (G_TYPE_OBJECT, NULL);
      gint finalized = 0;
      GAsyncPromise *next;

      gasync_promise_resolve_int (promise, 1);
      connect_handler (promise, "notify", how, &finalized, gobject_data);
      g_object_unref (promise);
      if (how != CONNECT_OBJECT)
        g_assert_cmpint (finalized, ==, 1);

      /* Where futures are reused, the next one is the same object. */
      next = gasync_promise_new ();
      if (GASYNC_TEST_RECYCLING)
        g_assert_true (next == promise);
      g_assert_false (g_signal_has_handler_pending (next, g_signal_lookup ("notify", G_TYPE_OBJECT), 0, TRUE));
      g_object_unref (next);
      g_object_unref (gobject_data);
      g_assert_cmpint (finalized, ==, 1);
    }
}

static void
test_cancellable_reusable (void)
{
  GCancellable *cancellable = g_cancellable_new ();
  gint calls = 0;
  gulong id;

  g_assert_true (_gasync_cancellable_is_reusable (cancellable));

  g_object_ref (cancellable);
  g_assert_false (_gasync_cancellable_is_reusable (cancellable));
  g_object_unref (cancellable);

  /* A handler left on it: not reusable; gone again: reusable, although
   * GObject's flag stays (GLib is asked under its lock). */
  id = g_cancellable_connect (cancellable, G_CALLBACK (count_cancelled), &calls, NULL);
  g_assert_false (_gasync_cancellable_is_reusable (cancellable));
  g_cancellable_disconnect (cancellable, id);
  g_assert_true (_gasync_cancellable_is_reusable (cancellable));

  g_cancellable_cancel (cancellable);
  g_assert_false (_gasync_cancellable_is_reusable (cancellable));
  g_assert_cmpint (calls, ==, 0);
  g_object_unref (cancellable);

  /* The bindings' way of connecting, on a fresh one. */
  for (Connect how = 0; how < N_CONNECTS; how++)
    {
      GObject *gobject_data = g_object_new (G_TYPE_OBJECT, NULL);
      gint finalized = 0;

      cancellable = g_cancellable_new ();
      connect_handler (cancellable, "cancelled", how, &finalized, gobject_data);
      g_assert_false (_gasync_cancellable_is_reusable (cancellable));
      g_object_unref (cancellable);
      g_object_unref (gobject_data);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("GObject's record of signal handlers, read without its lock, "
                  "sees every handler on what gasync reuses");

  g_test_add_func ("/handler-check/exact", test_exact);
  g_test_add_func ("/handler-check/new-objects-have-none", test_new_objects_have_none);
  g_test_add_func ("/handler-check/every-connect-is-seen", test_every_connect_is_seen);
  g_test_add_func ("/handler-check/reused-types-have-no-interface-signal",
                   test_reused_types_have_no_interface_signal);
  g_test_add_func ("/handler-check/recycled-future-keeps-no-handler",
                   test_recycled_future_keeps_no_handler);
  g_test_add_func ("/handler-check/cancellable-reusable", test_cancellable_reusable);

  return g_test_run ();
}
