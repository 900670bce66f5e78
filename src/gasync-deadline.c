/* gasync-deadline.c: futures bounded by a point in monotonic time
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-combinators.h"
#include "gasync-deadline.h"
#include "gasync-deadline-private.h"
#include "gasync-error.h"
#include "gasync-i18n-private.h"
#include "gasync-promise.h"
#include "gasync-timer-private.h"
#include "gasync-tsan-private.h"

/**
 * SECTION:gasync-deadline
 * @title: Deadlines and intervals
 * @short_description: bounding futures by a point in time, periodic ticks
 *
 * gasync_future_with_deadline() bounds a future by an absolute point in
 * g_get_monotonic_time(), where gasync_future_with_timeout() takes a
 * duration: a chain of steps that must all be done by the same moment
 * passes one deadline along instead of recomputing what is left.
 *
 * gasync_interval_new() delivers periodic ticks through a
 * #GAsyncReceiver.
 *
 * ## Thread and context contract
 *
 * Both run their timers on one thread of gasync's, which iterates a
 * #GMainContext of its own: a deadline fires, and an interval ticks,
 * whether or not the program iterates any context (a thread blocked in
 * gasync_future_wait() is woken by its deadline). Nothing of the caller's
 * runs on that thread: the timer settles a future or sends an item, and
 * continuations and receive handlers run, as always, on the context they
 * were registered from. Every function here may be called from any
 * thread.
 *
 * ## Example
 *
 * |[<!-- language="C" -->
 * // Both steps must be done within two seconds of now.
 * gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
 * g_autoptr(GAsyncFuture) first = gasync_future_with_deadline (fetch (a), deadline);
 * // … later, on the same budget:
 * g_autoptr(GAsyncFuture) second = gasync_future_with_deadline (fetch (b), deadline);
 * ]|
 */

/* The deadline is the race of @future against a timer promise (race does
 * the rest: it settles like the first to settle, cancels the loser, and
 * holds neither input). The timer is a GSource on the timer context whose
 * ready time is the deadline:
 *
 *  - its callback data is the only reference on the timer promise, so the
 *    promise lives until the source is destroyed (fired or removed);
 *  - the promise's cancellable (fired when the race cancels the loser, or
 *    when the returned future is cancelled) destroys the source, and holds
 *    a reference on it until the promise is finalized.
 *
 * Destroying the source drops the promise, whose cancellable then drops
 * the source: no cycle outlives the timer. */

static gint n_timers;   /* atomic: timer promises held by a source */

guint
_gasync_deadline_get_n_timers (void)
{
  return g_atomic_int_get (&n_timers);
}

static void
deadline_timer_release (gpointer data)
{
  g_object_unref (data);
  g_atomic_int_add (&n_timers, -1);
}

static gboolean
deadline_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs deadline_source_funcs = {
  NULL, NULL, deadline_source_dispatch, NULL, NULL, NULL,
};

static GError *
deadline_error_new (void)
{
  return g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT, _("The deadline has passed"));
}

static gboolean
deadline_fire (gpointer data)
{
  GAsyncPromise *timer = data;

  /* Handed over through the timer context, inside libglib. */
  GASYNC_TSAN_ACQUIRE (timer);
  gasync_promise_reject (timer, deadline_error_new ());
  return G_SOURCE_REMOVE;
}

static void
deadline_cancelled (GCancellable *cancellable,
                    gpointer      data)
{
  /* Thread-safe: it takes the timer context's lock. */
  g_source_destroy (data);
}

/* A pending promise rejected with TIMED_OUT at @deadline. */
static GAsyncPromise *
deadline_timer_new (gint64 deadline)
{
  GAsyncPromise *timer = gasync_promise_new ();
  GSource *source = g_source_new (&deadline_source_funcs, sizeof (GSource));

  g_source_set_static_name (source, "[gasync] future deadline");
  g_source_set_ready_time (source, deadline);
  g_atomic_int_inc (&n_timers);
  g_source_set_callback (source, deadline_fire, g_object_ref (timer), deadline_timer_release);
  g_cancellable_connect (gasync_promise_get_cancellable (timer), G_CALLBACK (deadline_cancelled),
                         g_source_ref (source), (GDestroyNotify) g_source_unref);

  GASYNC_TSAN_RELEASE (timer);
  g_source_attach (source, _gasync_timer_get_context ());
  g_source_unref (source);

  return timer;
}

/**
 * gasync_future_with_deadline:
 * @future: a #GAsyncFuture
 * @monotonic_usec: the deadline, in the time base of
 *   g_get_monotonic_time() (microseconds)
 *
 * Returns a future that settles like @future if @future settles before
 * g_get_monotonic_time() reaches @monotonic_usec, and otherwise rejects
 * with %GASYNC_ERROR_TIMED_OUT and cancels @future (with
 * gasync_future_cancel(), so its producer stops).
 *
 * A deadline that has already passed rejects the returned future at once
 * (unless @future has settled already: it then settles like @future), and
 * cancels @future. Continuations registered on the returned future run on
 * their own contexts, never inside this call.
 *
 * Cancelling the returned future removes the timer and cancels @future.
 * The returned future does not keep @future alive: whatever settles
 * @future does (if everyone drops it, it rejects with
 * %GASYNC_ERROR_DROPPED, and so does the returned future). The timer runs
 * on a thread of gasync's, which iterates a #GMainContext of its own, so
 * the deadline fires whether or not any context of the program is
 * iterated (a thread blocked in gasync_future_wait() is woken by it); it
 * holds the returned future until it fires or is removed. This function
 * may be called from any thread.
 *
 * Returns: (transfer full): @future bounded by the deadline
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_with_deadline (GAsyncFuture *future,
                             gint64        monotonic_usec)
{
  GAsyncFuture *pair[2];
  GAsyncPromise *timer;
  GAsyncFuture *ret;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future),
                        gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                             _("Invalid argument: future")));

  if (monotonic_usec <= g_get_monotonic_time ())
    {
      timer = gasync_promise_new ();
      gasync_promise_reject (timer, deadline_error_new ());
    }
  else
    timer = deadline_timer_new (monotonic_usec);

  pair[0] = future;
  pair[1] = GASYNC_FUTURE (timer);
  ret = gasync_future_race (pair, 2);
  g_object_unref (timer);

  return ret;
}
