/* gasync-test-util.c: helpers shared by gasync's C tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"
#include "gasync-tsan-private.h"

gboolean
gasync_test_thorough (void)
{
  return g_test_thorough () || g_getenv ("GASYNC_TEST_THOROUGH") != NULL;
}

gboolean
gasync_test_under_valgrind (void)
{
  return g_getenv ("GASYNC_UNDER_VALGRIND") != NULL;
}

guint
gasync_test_size (guint quick,
                  guint thorough)
{
  if (gasync_test_under_valgrind ())
    return MAX (quick / 10, 1);
  return gasync_test_thorough () ? thorough : quick;
}

static gboolean
set_flag (gpointer data)
{
  *(gint *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
gasync_test_iterate_until (GMainContext *context,
                           const gint   *flag,
                           guint         timeout_msec)
{
  GSource *timeout = g_timeout_source_new (timeout_msec);
  gint timed_out = FALSE;

  g_source_set_callback (timeout, set_flag, &timed_out, NULL);
  g_source_attach (timeout, context);

  while (!g_atomic_int_get (flag) && !timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  g_source_unref (timeout);

  if (!g_atomic_int_get (flag))
    g_error ("timed out after %u ms waiting for a condition", timeout_msec);
}

void
gasync_test_iterate_pending (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

void
gasync_test_latch_init (GAsyncTestLatch *latch)
{
  g_mutex_init (&latch->mutex);
  g_cond_init (&latch->cond);
  latch->open = FALSE;
}

void
gasync_test_latch_clear (GAsyncTestLatch *latch)
{
  g_mutex_clear (&latch->mutex);
  g_cond_clear (&latch->cond);
}

void
gasync_test_latch_open (GAsyncTestLatch *latch)
{
  gasync_mutex_lock (&latch->mutex);
  latch->open = TRUE;
  g_cond_broadcast (&latch->cond);
  gasync_mutex_unlock (&latch->mutex);
}

gboolean
gasync_test_latch_is_open (GAsyncTestLatch *latch)
{
  gboolean open;

  gasync_mutex_lock (&latch->mutex);
  open = latch->open;
  gasync_mutex_unlock (&latch->mutex);
  return open;
}

gboolean
gasync_test_latch_wait (GAsyncTestLatch *latch,
                        guint            timeout_msec)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_msec * G_TIME_SPAN_MILLISECOND;
  gboolean open;

  gasync_mutex_lock (&latch->mutex);
  while (!latch->open)
    if (!gasync_cond_wait_until (&latch->cond, &latch->mutex, deadline))
      break;
  open = latch->open;
  gasync_mutex_unlock (&latch->mutex);
  return open;
}

gpointer
gasync_test_resolve_batch (gpointer data)
{
  GAsyncTestBatch *b = data;

  for (guint i = b->first; i < b->n; i += b->step)
    gasync_promise_resolve_int (b->promises[i], (gint) i);
  return NULL;
}

static void
set_flag_on_ready (GObject      *source,
                   GAsyncResult *result,
                   gpointer      flag)
{
  g_atomic_int_set ((gint *) flag, TRUE);
}

void
gasync_test_settle (GAsyncFuture *future)
{
  gint done = FALSE;

  gasync_future_wait_async (future, NULL, set_flag_on_ready, &done);
  gasync_test_iterate_until (NULL, &done, GASYNC_TEST_TIMEOUT_MS);
}

void
gasync_test_resolved (GAsyncFuture *future,
                      GValue       *value)
{
  g_autoptr(GError) error = NULL;

  gasync_test_settle (future);
  g_assert_true (gasync_future_get_value (future, value, &error));
  g_assert_no_error (error);
  g_object_unref (future);
}

void
gasync_test_rejected (GAsyncFuture *future,
                      GQuark        domain,
                      gint          code)
{
  g_autoptr(GError) error = NULL;

  gasync_test_settle (future);
  g_assert_false (gasync_future_get_value (future, NULL, &error));
  g_assert_error (error, domain, code);
  g_object_unref (future);
}

void
gasync_test_cancel_now (GAsyncFuture *future)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gasync_future_get_state (future), ==, GASYNC_FUTURE_PENDING);
  gasync_future_cancel (future);
  g_assert_false (gasync_future_get_value (future, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
set_flag_on_finalize (gpointer  flag,
                      GObject  *where_the_object_was)
{
  g_atomic_int_set ((gint *) flag, TRUE);
}

void
gasync_test_release (GAsyncFuture *future)
{
  gint gone = FALSE;

  g_object_weak_ref (G_OBJECT (future), set_flag_on_finalize, &gone);
  g_object_unref (future);
  gasync_test_iterate_until (NULL, &gone, GASYNC_TEST_TIMEOUT_MS);
}
