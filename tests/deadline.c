/* deadline.c: tests for deadlines on futures and for intervals
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"
#include "gasync-deadline-private.h"
#include "gasync-interval-private.h"
#include "gasync-tsan-private.h"

#define HOUR_USEC (G_TIME_SPAN_HOUR)

static gboolean
was_cancelled (GAsyncFuture *future)
{
  const GError *error = gasync_future_get_error (future);

  return error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
open_latch (gpointer  data,
            GObject  *where_the_object_was)
{
  gasync_test_latch_open (data);
}

/* Drops @future, the caller's last reference, and waits for it to be
 * finalized: whatever else held it lets go in time. */
static void
assert_released (GAsyncFuture *future)
{
  GAsyncTestLatch latch;

  gasync_test_latch_init (&latch);
  g_object_weak_ref (G_OBJECT (future), open_latch, &latch);
  g_object_unref (future);
  g_assert_true (gasync_test_latch_wait (&latch, GASYNC_TEST_TIMEOUT_MS));
  gasync_test_latch_clear (&latch);
}

static void
test_deadline_passed (void)
{
  GAsyncPromise *work = gasync_promise_new ();
  GCancellable *producer = gasync_promise_get_cancellable (work);
  GAsyncFuture *bounded;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A future still pending at its deadline is cancelled, and the "
                  "bounded future rejects with TIMED_OUT without any context iterated");

  bounded = gasync_future_with_deadline (GASYNC_FUTURE (work), g_get_monotonic_time () + 20000);
  g_assert_false (gasync_future_wait (bounded, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_assert_true (was_cancelled (GASYNC_FUTURE (work)));
  g_assert_true (g_cancellable_is_cancelled (producer));

  /* A future that never settles on its own does not keep the bounded one. */
  assert_released (bounded);
  g_object_unref (work);
}

static void
test_deadline_not_reached (void)
{
  GAsyncPromise *work = gasync_promise_new ();
  guint n_timers = _gasync_deadline_get_n_timers ();
  GAsyncFuture *bounded;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A future settled before its deadline decides, and the timer goes");

  bounded = gasync_future_with_deadline (GASYNC_FUTURE (work), g_get_monotonic_time () + HOUR_USEC);
  g_assert_cmpuint (_gasync_deadline_get_n_timers (), ==, n_timers + 1);
  g_assert_cmpint (gasync_future_get_state (bounded), ==, GASYNC_FUTURE_PENDING);

  gasync_promise_resolve_int (work, 42);
  g_assert_cmpint (gasync_future_get_int (bounded, &error), ==, 42);
  g_assert_no_error (error);
  g_assert_cmpuint (_gasync_deadline_get_n_timers (), ==, n_timers);

  assert_released (bounded);
  g_object_unref (work);
}

static void
mark_settled (GAsyncFuture *completed,
              gpointer      data)
{
  g_atomic_int_set ((gint *) data, TRUE);
}

static GAsyncFuture *
on_settled_mark (GAsyncFuture *completed,
                 gpointer      data)
{
  mark_settled (completed, data);
  return NULL;
}

static void
test_deadline_already_past (void)
{
  GAsyncPromise *work = gasync_promise_new ();
  g_autoptr(GAsyncFuture) done = gasync_future_new_for_int (7);
  g_autoptr(GAsyncFuture) bounded = NULL;
  g_autoptr(GAsyncFuture) late = NULL;
  g_autoptr(GAsyncFuture) watch = NULL;
  g_autoptr(GError) error = NULL;
  guint n_timers = _gasync_deadline_get_n_timers ();
  gint settled = FALSE;

  g_test_summary ("A deadline already past rejects at once, and cancels the future; "
                  "callbacks still run later, on their context");

  bounded = gasync_future_with_deadline (GASYNC_FUTURE (work), g_get_monotonic_time () - 1);
  g_assert_cmpint (gasync_future_get_state (bounded), ==, GASYNC_FUTURE_REJECTED);
  g_assert_error (gasync_future_get_error (bounded), GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_assert_true (was_cancelled (GASYNC_FUTURE (work)));
  g_assert_cmpuint (_gasync_deadline_get_n_timers (), ==, n_timers);

  watch = gasync_future_on_settled (bounded, on_settled_mark, &settled, NULL);
  g_assert_false (g_atomic_int_get (&settled));
  gasync_test_iterate_until (NULL, &settled, GASYNC_TEST_TIMEOUT_MS);

  /* Settled already: the future wins over a passed deadline. */
  late = gasync_future_with_deadline (done, 0);
  g_assert_cmpint (gasync_future_get_int (late, &error), ==, 7);
  g_assert_no_error (error);

  g_object_unref (work);
}

static void
test_deadline_cancel (void)
{
  GAsyncPromise *work = gasync_promise_new ();
  guint n_timers = _gasync_deadline_get_n_timers ();
  GAsyncFuture *bounded;

  g_test_summary ("Cancelling the bounded future removes its timer and cancels the future");

  bounded = gasync_future_with_deadline (GASYNC_FUTURE (work), g_get_monotonic_time () + HOUR_USEC);
  g_assert_cmpuint (_gasync_deadline_get_n_timers (), ==, n_timers + 1);

  gasync_future_cancel (bounded);
  g_assert_true (was_cancelled (bounded));
  g_assert_true (was_cancelled (GASYNC_FUTURE (work)));
  g_assert_cmpuint (_gasync_deadline_get_n_timers (), ==, n_timers);

  assert_released (bounded);
  g_object_unref (work);
}

static void
test_deadline_dropped_input (void)
{
  GAsyncPromise *work = gasync_promise_new ();
  g_autoptr(GAsyncFuture) bounded = NULL;
  GAsyncFuture *weak = GASYNC_FUTURE (work);

  g_test_summary ("The bounded future does not keep its input alive");

  bounded = gasync_future_with_deadline (GASYNC_FUTURE (work), g_get_monotonic_time () + HOUR_USEC);
  g_object_add_weak_pointer (G_OBJECT (work), (gpointer *) &weak);
  g_object_unref (work);
  g_assert_null (weak);
  g_assert_error (gasync_future_get_error (bounded), GASYNC_ERROR, GASYNC_ERROR_DROPPED);
}

/* Intervals. The hook sees every tick and the end of every interval;
 * the tests count and wait on what it saw. */
typedef struct
{
  GMutex  mutex;
  GCond   cond;
  guint   delivered;
  guint   skipped;
  guint   stopped;
  gint64  last_skipped;
} Events;

static Events events;

static void
record_event (GAsyncIntervalEvent event,
              gint64              tick,
              gpointer            data)
{
  gasync_mutex_lock (&events.mutex);
  if (event == GASYNC_INTERVAL_TICK_DELIVERED)
    events.delivered++;
  else if (event == GASYNC_INTERVAL_TICK_SKIPPED)
    {
      events.skipped++;
      events.last_skipped = tick;
    }
  else
    events.stopped++;
  g_cond_broadcast (&events.cond);
  gasync_mutex_unlock (&events.mutex);
}

static void
events_reset (void)
{
  gasync_mutex_lock (&events.mutex);
  events.delivered = events.skipped = events.stopped = 0;
  events.last_skipped = 0;
  gasync_mutex_unlock (&events.mutex);
  _gasync_interval_set_hook (record_event, NULL);
}

/* Waits until *@counter (a field of events) reaches @n. */
static void
events_wait (const guint *counter,
             guint        n)
{
  gint64 end = g_get_monotonic_time () + GASYNC_TEST_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  gasync_mutex_lock (&events.mutex);
  while (*counter < n)
    g_assert_true (gasync_cond_wait_until (&events.cond, &events.mutex, end));
  gasync_mutex_unlock (&events.mutex);
}

static gint64
recv_tick (GAsyncReceiver *rx)
{
  g_autoptr(GError) error = NULL;
  GValue item = G_VALUE_INIT;
  gint64 tick;

  g_assert_true (gasync_receiver_recv (rx, NULL, &item, &error));
  g_assert_no_error (error);
  tick = g_value_get_int64 (&item);
  g_value_unset (&item);
  return tick;
}

static void
test_interval_ticks (void)
{
  gint64 period = 5 * G_TIME_SPAN_MILLISECOND;
  gint64 start = g_get_monotonic_time ();
  GAsyncReceiver *rx = gasync_interval_new (5);
  gint64 first, previous;

  g_test_summary ("An interval delivers ticks on its grid, each due when delivered");

  events_reset ();
  g_assert_cmpint (gasync_receiver_get_item_type (rx), ==, G_TYPE_INT64);
  first = previous = recv_tick (rx);
  g_assert_cmpint (first, >=, start + period);
  g_assert_cmpint (first, <=, g_get_monotonic_time ());
  for (guint i = 0; i < 3; i++)
    {
      gint64 tick = recv_tick (rx);

      g_assert_cmpint (tick, <=, g_get_monotonic_time ());
      g_assert_cmpint (tick, >, previous);
      g_assert_cmpint ((tick - first) % period, ==, 0);
      previous = tick;
    }

  g_object_unref (rx);
  events_wait (&events.stopped, 1);
  _gasync_interval_set_hook (NULL, NULL);
}

static void
test_interval_skips_missed_ticks (void)
{
  gint64 period = 2 * G_TIME_SPAN_MILLISECOND;
  gint64 start = g_get_monotonic_time ();
  GAsyncReceiver *rx = gasync_interval_new (2);
  gint64 first, queued, last_skipped, next, now;
  guint skipped;

  g_test_summary ("A consumer that falls behind finds one tick waiting; the ticks "
                  "due meanwhile are skipped, not queued, and the grid is kept");

  events_reset ();
  first = recv_tick (rx);

  /* Stop reading until the interval has skipped three more ticks (one of
   * them may be a tick skipped while first was still queued, reported
   * just after we took it). */
  gasync_mutex_lock (&events.mutex);
  skipped = events.skipped;
  gasync_mutex_unlock (&events.mutex);
  events_wait (&events.skipped, skipped + 3);
  gasync_mutex_lock (&events.mutex);
  last_skipped = events.last_skipped;
  gasync_mutex_unlock (&events.mutex);

  /* The one waiting is the oldest undelivered tick, older than what was
   * skipped behind it... */
  queued = recv_tick (rx);
  g_assert_cmpint (queued, >, first);
  g_assert_cmpint ((queued - first) % period, ==, 0);
  g_assert_cmpint (last_skipped, >, queued);

  /* ... and the next one comes after every tick skipped so far: they were
   * not queued, and the grid is kept. */
  next = recv_tick (rx);
  g_assert_cmpint (next, >, last_skipped);
  g_assert_cmpint ((next - first) % period, ==, 0);

  /* Upper bound only: at most one tick per elapsed period. */
  now = g_get_monotonic_time ();
  gasync_mutex_lock (&events.mutex);
  g_assert_cmpint ((gint64) (events.delivered + events.skipped), <=, (now - start) / period);
  gasync_mutex_unlock (&events.mutex);

  g_object_unref (rx);
  events_wait (&events.stopped, 1);
  _gasync_interval_set_hook (NULL, NULL);
}

static void
test_interval_stops_on_close (void)
{
  GAsyncReceiver *rx = gasync_interval_new (1);
  g_autoptr(GError) error = NULL;

  g_test_summary ("Closing the receiver stops the interval's timer");

  events_reset ();
  recv_tick (rx);
  gasync_receiver_close (rx);
  events_wait (&events.stopped, 1);
  g_assert_false (gasync_receiver_recv (rx, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);

  g_object_unref (rx);
  gasync_mutex_lock (&events.mutex);
  g_assert_cmpuint (events.stopped, ==, 1);
  gasync_mutex_unlock (&events.mutex);
  _gasync_interval_set_hook (NULL, NULL);
}

static void
test_interval_stops_on_drop (void)
{
  GAsyncReceiver *rx = gasync_interval_new (60 * 60 * 1000);

  g_test_summary ("Dropping the receiver removes the timer at once, whatever the period");

  events_reset ();
  g_object_unref (rx);
  events_wait (&events.stopped, 1);
  gasync_mutex_lock (&events.mutex);
  g_assert_cmpuint (events.delivered + events.skipped, ==, 0);
  gasync_mutex_unlock (&events.mutex);
  _gasync_interval_set_hook (NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deadline/passed", test_deadline_passed);
  g_test_add_func ("/deadline/not-reached", test_deadline_not_reached);
  g_test_add_func ("/deadline/already-past", test_deadline_already_past);
  g_test_add_func ("/deadline/cancel", test_deadline_cancel);
  g_test_add_func ("/deadline/dropped-input", test_deadline_dropped_input);
  g_test_add_func ("/interval/ticks", test_interval_ticks);
  g_test_add_func ("/interval/skips-missed-ticks", test_interval_skips_missed_ticks);
  g_test_add_func ("/interval/stops-on-close", test_interval_stops_on_close);
  g_test_add_func ("/interval/stops-on-drop", test_interval_stops_on_drop);

  return g_test_run ();
}
