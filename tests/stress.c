/* stress.c: the randomized, seeded stress suite
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each scenario lives in its own tests/stress-*.c file; see
 * stress-util.h for the seed. A short run is part of every `meson test`;
 * `meson test --setup thorough --suite stress` runs the long one.
 */

#include "stress-util.h"

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

  /* GType registration goes through g_once in GLib, which TSan cannot
   * see through: register every type before the scenarios' threads race
   * to be first. */
  g_type_ensure (GASYNC_TYPE_FUTURE);
  g_type_ensure (GASYNC_TYPE_PROMISE);
  g_type_ensure (GASYNC_TYPE_SENDER);
  g_type_ensure (GASYNC_TYPE_RECEIVER);
  g_type_ensure (GASYNC_TYPE_RUNTIME);
  g_type_ensure (STRESS_TYPE_ITEM);

  stress_channel_add_tests ();
  stress_promise_add_tests ();
  stress_combinators_add_tests ();
  stress_runtime_add_tests ();
  stress_block_on_add_tests ();

  return g_test_run ();
}
