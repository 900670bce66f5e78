/* gasync-timeout.c: timeout futures, the asynchronous sleep
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-combinators.h"
#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"
#include "gasync-timeout-private.h"
#include "gasync-timer-private.h"
#include "gasync-tsan-private.h"

/* A timeout future is settled by a GSource on the timer context
 * (gasync-timer.c), so it fires even where no main context is iterated
 * (a thread blocked in gasync_future_wait(), say); continuations on it
 * still run on their own contexts. */

typedef struct
{
  GAsyncNotify   notify;
  GAsyncFuture  *future;      /* owned: the timer settles it */
  GSource       *source;      /* owned */
  guint          msec;
  gboolean       reject;      /* TIMED_OUT rather than TRUE */
  gint           fired;       /* atomic */
  gint           ref_count;   /* atomic: the source's callback, the notify */
} Timer;

static void
timer_unref (gpointer data)
{
  Timer *timer = data;

  if (!g_atomic_int_dec_and_test (&timer->ref_count))
    return;

  /* The callback's reference may be dropped inside libglib, after
   * timer_fire() ran on the timer thread: tell TSan. */
  GASYNC_TSAN_ACQUIRE (timer);
  g_source_unref (timer->source);
  g_object_unref (timer->future);
  g_free (timer);
}

static gboolean
timer_fire (gpointer data)
{
  Timer *timer = data;

  /* Handed over through the timer context, inside libglib. */
  GASYNC_TSAN_ACQUIRE (timer);
  g_atomic_int_set (&timer->fired, TRUE);
  if (timer->reject)
    _gasync_future_reject (timer->future,
                           g_error_new (GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT,
                                        _("Timed out after %u ms"), timer->msec));
  else
    {
      GValue value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_BOOLEAN);
      g_value_set_boolean (&value, TRUE);
      _gasync_future_resolve_steal (timer->future, &value);
    }

  GASYNC_TSAN_RELEASE (timer);
  return G_SOURCE_REMOVE;
}

static void
timer_notify (GAsyncNotify *notify,
              GAsyncFuture *completed)
{
  Timer *timer = (Timer *) notify;

  /* Settled some other way (cancelled): the timer is not needed. */
  if (!g_atomic_int_get (&timer->fired))
    g_source_destroy (timer->source);
  timer_unref (timer);
}

static GAsyncFuture *
timer_new (guint    msec,
           gboolean reject)
{
  Timer *timer = g_new0 (Timer, 1);
  GAsyncFuture *future = _gasync_future_new_pending ();
  GMainContext *context;
  GSource *source;

  timer->notify.func = timer_notify;
  timer->future = g_object_ref (future);
  timer->msec = msec;
  timer->reject = reject;
  timer->ref_count = 2;
  timer->source = g_timeout_source_new (msec);
  g_source_set_static_name (timer->source, reject ? "[gasync] future timeout" : "[gasync] timeout future");
  g_source_set_callback (timer->source, timer_fire, timer, timer_unref);
  _gasync_future_add_notify (future, &timer->notify);

  /* Once attached, the timer may fire and be freed at any moment: touch
   * nothing of it afterwards. */
  source = timer->source;
  context = _gasync_timer_get_context ();
  GASYNC_TSAN_RELEASE (timer);
  g_source_attach (source, context);

  return future;
}

/**
 * gasync_timeout_new:
 * @msec: the delay in milliseconds
 *
 * Creates a future that resolves with %TRUE after @msec milliseconds, the
 * asynchronous sleep. The timer runs on a thread of gasync's, so the
 * future resolves whether or not any main context is being iterated;
 * continuations registered on it still run on their own contexts.
 * Cancelling the future (gasync_future_cancel(), or withdrawing the only
 * thing that waited for it) removes the timer and rejects it with
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): a future that resolves after @msec ms
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_timeout_new (guint msec)
{
  return timer_new (msec, FALSE);
}

GAsyncFuture *
_gasync_timeout_new_rejecting (guint msec)
{
  return timer_new (msec, TRUE);
}
