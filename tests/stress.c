/* stress.c: the randomized, seeded stress suite
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each scenario lives in its own tests/stress-*.c file; see
 * stress-util.h for the seed. A short run is part of every `meson test`;
 * `meson test --setup thorough --suite stress` runs the long one.
 *
 *   stress-channel.c      random close, cancel and drop; every item
 *                         received, freed or returned exactly once
 *   stress-promise.c      settle/cancel/drop racing continuations from
 *                         other threads' contexts (issue 10, bug 1)
 *   stress-combinators.c  all, any, race, all_settled over inputs that
 *                         several threads settle
 *   stress-runtime.c      shutdown with work in flight; blocking channel
 *                         calls refused on async workers (bug 7)
 *   stress-cancel.c       cancellation down chains (bug 3), no false
 *                         DROPPED on a lent future (bug 4)
 *   stress-block-on.c     block_on timeouts racing the result (bugs 2, 6)
 */

#include "stress-util.h"

/* Static types keep their class once initialized. */
static void
ensure_class (GType type)
{
  g_type_class_unref (g_type_class_ref (type));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Randomized, seeded stress of channels, promises and their "
                  "continuations, combinators, block_on timeouts and runtime "
                  "shutdown, with exact-once accounting");

  g_test_message ("stress seed %" G_GUINT64_FORMAT " (set GASYNC_STRESS_SEED to reproduce)%s",
                  stress_seed (), gasync_test_thorough () ? ", thorough" : "");

  /* Type registration, class initialization and G_DEFINE_QUARK happen
   * on first use, in GLib code that TSan cannot see through (g_once, the
   * type lock): do all of it here, before the scenarios' threads race to
   * be first. */
  ensure_class (GASYNC_TYPE_FUTURE);
  ensure_class (GASYNC_TYPE_PROMISE);
  ensure_class (GASYNC_TYPE_SENDER);
  ensure_class (GASYNC_TYPE_RECEIVER);
  ensure_class (GASYNC_TYPE_RUNTIME);
  ensure_class (STRESS_TYPE_ITEM);
  ensure_class (G_TYPE_CANCELLABLE);
  ensure_class (G_TYPE_LIST_STORE);
  (void) gasync_error_quark ();
  (void) g_io_error_quark ();

  stress_channel_add_tests ();
  stress_promise_add_tests ();
  stress_combinators_add_tests ();
  stress_runtime_add_tests ();
  stress_cancel_add_tests ();
  stress_block_on_add_tests ();

  return g_test_run ();
}
