/* gasync-interval.c: periodic ticks delivered through a receiver
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-channel.h"
#include "gasync-deadline.h"
#include "gasync-error.h"
#include "gasync-interval-private.h"
#include "gasync-timer-private.h"
#include "gasync-tsan-private.h"

/* An interval is a GSource on the timer context (gasync-timer.c) whose
 * ready time is the next point of its grid, start + k × period, and a
 * sender on a channel of capacity one: a full channel is a consumer
 * behind, and the tick is skipped.
 *
 * The source's callback data (Interval) owns the sender and is freed when
 * the source is destroyed: by the tick that finds the receiver closed, or
 * by a weak reference on the receiver, which destroys the source as soon
 * as the receiver is finalized, whatever the period. */

typedef struct
{
  GAsyncSender *sender;   /* owned; used on the timer thread only */
  gint64        period;   /* immutable, µs */
  gint64        next;     /* the next grid point; timer thread only */
} Interval;

static GMutex              hook_lock;
static GAsyncIntervalHook  hook_func;   /* protected by hook_lock */
static gpointer            hook_data;   /* protected by hook_lock */

void
_gasync_interval_set_hook (GAsyncIntervalHook hook,
                           gpointer           user_data)
{
  gasync_mutex_lock (&hook_lock);
  hook_func = hook;
  hook_data = user_data;
  gasync_mutex_unlock (&hook_lock);
}

static void
interval_report (GAsyncIntervalEvent event,
                 gint64              tick)
{
  GAsyncIntervalHook func;
  gpointer data;

  gasync_mutex_lock (&hook_lock);
  func = hook_func;
  data = hook_data;
  gasync_mutex_unlock (&hook_lock);

  if (func != NULL)
    func (event, tick, data);
}

static void
interval_free (gpointer data)
{
  Interval *interval = data;

  GASYNC_TSAN_ACQUIRE (interval);
  g_object_unref (interval->sender);
  g_free (interval);
  interval_report (GASYNC_INTERVAL_STOPPED, 0);
}

static gboolean
interval_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs interval_source_funcs = {
  NULL, NULL, interval_source_dispatch, NULL, NULL, NULL,
};

/* Sends the tick due at interval->next, or skips it if the channel is
 * full, then moves to the first grid point after now. */
static gboolean
interval_tick (gpointer data)
{
  Interval *interval = data;
  gint64 now = g_get_monotonic_time ();
  GValue value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  gboolean sent, closed;
  gint64 tick;

  /* Handed over through the timer context, inside libglib. */
  GASYNC_TSAN_ACQUIRE (interval);
  tick = interval->next;
  g_value_init (&value, G_TYPE_INT64);
  g_value_set_int64 (&value, tick);
  sent = gasync_sender_try_send (interval->sender, &value, &error);
  g_value_unset (&value);
  closed = !sent && !g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_FULL);

  /* Grid points that passed while the timer thread was late are skipped
   * too: never more than one tick per dispatch. */
  if (!closed)
    {
      interval->next = tick + ((MAX (now, tick) - tick) / interval->period + 1) * interval->period;
      g_source_set_ready_time (g_main_current_source (), interval->next);
    }

  /* Whoever frees the interval (interval_free) may be another thread. */
  GASYNC_TSAN_RELEASE (interval);
  if (closed)
    return G_SOURCE_REMOVE;

  interval_report (sent ? GASYNC_INTERVAL_TICK_DELIVERED : GASYNC_INTERVAL_TICK_SKIPPED, tick);
  return G_SOURCE_CONTINUE;
}

static void
interval_receiver_gone (gpointer  data,
                        GObject  *where_the_receiver_was)
{
  GSource *source = data;

  /* Thread-safe; a dispatch in progress keeps the Interval until it ends. */
  g_source_destroy (source);
  g_source_unref (source);
}

/**
 * gasync_interval_new:
 * @period_msec: the period in milliseconds, at least 1
 *
 * Creates a receiver of periodic ticks: an item of type %G_TYPE_INT64 every
 * @period_msec milliseconds, whose value is the time the tick was due, in
 * the time base of g_get_monotonic_time() (µs). The first tick is due one
 * period from now, the k-th k periods from now: ticks stay on this grid
 * and do not drift with the time the consumer takes.
 *
 * Receive the ticks like any other items: gasync_receiver_recv_future(),
 * gasync_receiver_attach() on a main context, or a blocking
 * gasync_receiver_recv() on a thread of your own.
 *
 * ## Missed ticks: skipped
 *
 * At most one tick waits to be received. A tick that falls due while the
 * previous one has not been received yet is skipped, not queued, and so
 * is every grid point that passed while gasync's timer thread could not
 * run: a consumer that falls behind gets the oldest undelivered tick, then
 * the next tick of the grid due after it caught up, never a burst to make
 * up for lost time (tokio's `MissedTickBehavior::Skip`). The values of
 * the ticks received are therefore increasing points of the grid, and at
 * most one per period has elapsed.
 *
 * ## Stopping
 *
 * The interval stops when the receiver is closed with
 * gasync_receiver_close() (it notices at the next tick) or finalized (at
 * once): its timer is removed and nothing of it keeps running.
 *
 * The timer runs on a thread of gasync's (the one of
 * gasync_future_with_deadline()), so ticks are sent whether or not any
 * context of the program is iterated; how they are received decides where
 * the consumer's code runs. This function may be called from any thread,
 * and the receiver used as any other.
 *
 * Returns: (transfer full): the receiver of the ticks
 *
 * Since: 0.1
 */
GAsyncReceiver *
gasync_interval_new (guint period_msec)
{
  Interval *interval;
  GAsyncReceiver *receiver;
  GSource *source;

  g_return_val_if_fail (period_msec > 0, NULL);

  interval = g_new0 (Interval, 1);
  gasync_channel_new (G_TYPE_INT64, 1, &interval->sender, &receiver);
  interval->period = (gint64) period_msec * 1000;
  interval->next = g_get_monotonic_time () + interval->period;

  source = g_source_new (&interval_source_funcs, sizeof (GSource));
  g_source_set_static_name (source, "[gasync] interval");
  g_source_set_ready_time (source, interval->next);
  g_source_set_callback (source, interval_tick, interval, interval_free);
  g_object_weak_ref (G_OBJECT (receiver), interval_receiver_gone, g_source_ref (source));

  GASYNC_TSAN_RELEASE (interval);
  g_source_attach (source, _gasync_timer_get_context ());
  g_source_unref (source);

  return receiver;
}
