/* future-test-util.c: helpers shared by the future and continuation tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "future-test-util.h"

GAsyncFuture *
record_cb (GAsyncFuture *completed,
           gpointer      user_data)
{
  Record *rec = user_data;

  g_atomic_int_inc (&rec->ran);
  rec->thread = g_thread_self ();
  rec->resolved_seen = gasync_future_get_state (completed) == GASYNC_FUTURE_RESOLVED;
  if (rec->resolved_seen)
    rec->value = gasync_future_get_int (completed, NULL);
  return NULL;
}

void
record_destroy (gpointer user_data)
{
  Record *rec = user_data;

  /* The destroy notify runs on the same thread as the callback would. */
  g_assert_true (rec->thread == NULL || rec->thread == g_thread_self ());
  g_atomic_int_inc (&rec->destroyed);
}

GAsyncFuture *
recover_cb (GAsyncFuture *completed,
            gpointer      user_data)
{
  return gasync_future_new_for_int (GPOINTER_TO_INT (user_data));
}

/* Resolves the promise with 123, drops its reference and opens the latch. */
gpointer
resolve_in_thread (gpointer data)
{
  Resolver *r = data;

  gasync_promise_resolve_int (r->promise, 123);
  g_clear_object (&r->promise);
  gasync_test_latch_open (&r->resolved);
  return NULL;
}
