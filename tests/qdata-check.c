/* qdata-check.c: whether an object gasync reuses holds qdata of anyone else
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gasync-qdata-check.c reads GLib's datalist block directly instead of
 * walking it with g_datalist_foreach(). These tests check that the direct
 * read is in use on this GLib and that it answers as the walk does for
 * every kind of observer that lives in qdata, with and without GObject's
 * notify queue next to it (a future in dispose always has it).
 */

#include "gasync-test-util.h"

#include "gasync-qdata-check-private.h"

typedef enum
{
  OBSERVE_NOTHING,
  OBSERVE_DATA,
  OBSERVE_QDATA_FULL,
  OBSERVE_WEAK_REF,
  OBSERVE_WEAK_POINTER,
  OBSERVE_G_WEAK_REF,
  OBSERVE_WATCHED_CLOSURE,
  N_OBSERVES
} Observe;

static void
weak_notify_nothing (gpointer  data,
                     GObject  *where_the_object_was)
{
}

static void
closure_callback_nothing (void)
{
}

/* One observer, and what it takes to remove it again. */
typedef struct
{
  Observe    how;
  gpointer   weak_pointer;
  GWeakRef   weak_ref;
  GClosure  *closure;
} Observer;

static void
observer_add (Observer *o,
              GObject  *object,
              Observe   how)
{
  o->how = how;
  switch (how)
    {
    case OBSERVE_DATA:
      g_object_set_data (object, "gasync-test", o);
      break;
    case OBSERVE_QDATA_FULL:
      g_object_set_qdata_full (object, g_quark_from_static_string ("gasync-test-full"), o, NULL);
      break;
    case OBSERVE_WEAK_REF:
      g_object_weak_ref (object, weak_notify_nothing, o);
      break;
    case OBSERVE_WEAK_POINTER:
      o->weak_pointer = object;
      g_object_add_weak_pointer (object, &o->weak_pointer);
      break;
    case OBSERVE_G_WEAK_REF:
      g_weak_ref_init (&o->weak_ref, object);
      break;
    case OBSERVE_WATCHED_CLOSURE:
      o->closure = g_cclosure_new (G_CALLBACK (closure_callback_nothing), NULL, NULL);
      g_closure_ref (o->closure);
      g_closure_sink (o->closure);
      g_object_watch_closure (object, o->closure);
      break;
    default:
      break;
    }
}

static void
observer_remove (Observer *o,
                 GObject  *object)
{
  switch (o->how)
    {
    case OBSERVE_DATA:
      g_object_set_data (object, "gasync-test", NULL);
      break;
    case OBSERVE_QDATA_FULL:
      g_object_set_qdata_full (object, g_quark_from_static_string ("gasync-test-full"), NULL, NULL);
      break;
    case OBSERVE_WEAK_REF:
      g_object_weak_unref (object, weak_notify_nothing, o);
      break;
    case OBSERVE_WEAK_POINTER:
      g_object_remove_weak_pointer (object, &o->weak_pointer);
      break;
    case OBSERVE_G_WEAK_REF:
      g_weak_ref_clear (&o->weak_ref);
      break;
    case OBSERVE_WATCHED_CLOSURE:
      g_closure_invalidate (o->closure);
      g_closure_unref (o->closure);
      break;
    default:
      break;
    }
}

/* Both answers, which must agree. */
static gboolean
only_notify_queue (GObject *object)
{
  gboolean direct = _gasync_qdata_is_only_notify_queue (object);

  g_assert_cmpint (direct, ==, _gasync_qdata_walk_is_only_notify_queue (object));
  return direct;
}

static void
test_exact (void)
{
  g_assert_true (_gasync_qdata_check_is_exact ());
}

/* Each observer is seen, alone and next to the notify queue. Once it is
 * removed, both answers still agree: GLib drops the entry of removed user
 * data, but keeps the (empty) record of a removed weak reference, so such
 * an object is never reused, which errs on the safe side. */
static void
test_every_observer_is_seen (void)
{
  for (guint frozen = 0; frozen < 2; frozen++)
    for (Observe how = 0; how < N_OBSERVES; how++)
      {
        GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
        Observer o = { 0, };
        gboolean clean;

        if (frozen)
          g_object_freeze_notify (object);
        g_assert_true (only_notify_queue (object));

        observer_add (&o, object, how);
        if (how == OBSERVE_NOTHING)
          g_assert_true (only_notify_queue (object));
        else
          g_assert_false (only_notify_queue (object));

        observer_remove (&o, object);
        clean = only_notify_queue (object);
        if (how == OBSERVE_DATA || how == OBSERVE_QDATA_FULL)
          g_assert_true (clean);

        if (frozen)
          g_object_thaw_notify (object);
        g_assert_cmpint (only_notify_queue (object), ==, clean);
        g_object_unref (object);
      }
}

/* Two observers, one removed: the other is still seen. */
static void
test_one_of_two_left (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  Observer a = { 0, }, b = { 0, };

  g_object_freeze_notify (object);
  observer_add (&a, object, OBSERVE_DATA);
  observer_add (&b, object, OBSERVE_QDATA_FULL);
  observer_remove (&a, object);
  g_assert_false (only_notify_queue (object));
  observer_remove (&b, object);
  g_assert_true (only_notify_queue (object));
  g_object_thaw_notify (object);
  g_object_unref (object);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("GLib's datalist, read directly, sees every observer a reused "
                  "future could have, as g_datalist_foreach() does");

  g_test_add_func ("/qdata-check/exact", test_exact);
  g_test_add_func ("/qdata-check/every-observer-is-seen", test_every_observer_is_seen);
  g_test_add_func ("/qdata-check/one-of-two-left", test_one_of_two_left);

  return g_test_run ();
}
