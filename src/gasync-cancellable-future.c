/* gasync-cancellable-future.c: futures that reject when a GCancellable fires
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-combinators.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"
#include "gasync-tsan-private.h"

typedef struct
{
  GAsyncNotify   notify;
  GAsyncFuture  *future;         /* owned: the handler settles it */
  GCancellable  *cancellable;    /* owned */
  GMutex         mutex;
  gulong         handler_id;     /* protected by mutex; 0 once claimed */
  gboolean       done;           /* protected by mutex */
  gint           ref_count;      /* atomic: the signal handler, the notify */
} CancelWatch;

static void
cancel_watch_unref (gpointer data)
{
  CancelWatch *watch = data;

  if (!g_atomic_int_dec_and_test (&watch->ref_count))
    return;

  g_mutex_clear (&watch->mutex);
  g_object_unref (watch->cancellable);
  g_object_unref (watch->future);
  g_free (watch);
}

/* Marks the watch done and returns the handler to disconnect, if any. */
static gulong
cancel_watch_claim (CancelWatch *watch)
{
  gulong id;

  gasync_mutex_lock (&watch->mutex);
  id = watch->handler_id;
  watch->handler_id = 0;
  watch->done = TRUE;
  gasync_mutex_unlock (&watch->mutex);

  return id;
}

static void
cancel_watch_fired (GCancellable *cancellable,
                    gpointer      data)
{
  CancelWatch *watch = data;
  gulong id;

  GASYNC_TSAN_ACQUIRE (cancellable);

  /* g_signal_handler_disconnect() is safe inside the handler, where
   * g_cancellable_disconnect() would deadlock; the closure keeps our data
   * alive until the emission is over. */
  id = cancel_watch_claim (watch);
  if (id != 0)
    g_signal_handler_disconnect (cancellable, id);

  _gasync_future_reject (watch->future,
                         g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              _("Operation was cancelled")));
}

static void
cancel_watch_notify (GAsyncNotify *notify,
                     GAsyncFuture *completed)
{
  CancelWatch *watch = (CancelWatch *) notify;
  gulong id = cancel_watch_claim (watch);

  /* Settled some other way: stop watching. Not g_cancellable_disconnect(),
   * which would deadlock if we are inside an emission of the same
   * cancellable (another of its handlers may have settled us). */
  if (id != 0)
    g_signal_handler_disconnect (watch->cancellable, id);
  cancel_watch_unref (watch);
}

/**
 * gasync_future_new_for_cancellable:
 * @cancellable: (nullable): a #GCancellable, or %NULL
 *
 * Creates a future that rejects with %G_IO_ERROR_CANCELLED when
 * @cancellable is cancelled (at once if it already is), and never
 * resolves. Race it against work to give the work a cancel button:
 *
 * |[<!-- language="C" -->
 * GAsyncFuture *pair[] = { work, gasync_future_new_for_cancellable (cancel) };
 * g_autoptr(GAsyncFuture) stoppable = gasync_future_race (pair, 2);
 * g_object_unref (pair[1]);
 * ]|
 *
 * The future is kept alive by its handler on @cancellable until it
 * settles; settling it another way (cancelling it with
 * gasync_future_cancel(), as gasync_future_race() does with losers)
 * disconnects the handler.
 *
 * With a %NULL @cancellable the future is pending until it is cancelled
 * with gasync_future_cancel(), directly or because something that depended
 * on it alone was cancelled (see "Cancellation" in #GAsyncFuture): it then
 * rejects with %G_IO_ERROR_CANCELLED. Nothing else holds it, so keep a
 * reference while it is raced: like any pending future, it rejects with
 * %GASYNC_ERROR_DROPPED when its last reference is dropped.
 *
 * Returns: (transfer full): a future that rejects when @cancellable fires
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_new_for_cancellable (GCancellable *cancellable)
{
  CancelWatch *watch;
  GAsyncFuture *future;
  gulong id;
  gboolean done;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), _gasync_future_new_invalid_argument ("cancellable"));

  if (cancellable == NULL)
    return _gasync_future_new_pending ();

  if (g_cancellable_is_cancelled (cancellable))
    return gasync_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                _("Operation was cancelled"));

  future = _gasync_future_new_pending ();
  watch = g_new0 (CancelWatch, 1);
  watch->notify.func = cancel_watch_notify;
  watch->future = g_object_ref (future);
  watch->cancellable = g_object_ref (cancellable);
  g_mutex_init (&watch->mutex);
  watch->ref_count = 2;
  _gasync_future_add_notify (future, &watch->notify);

  /* If it is cancelled meanwhile, the handler runs inside connect and the
   * data is dropped at once (id 0). */
  GASYNC_TSAN_RELEASE (cancellable);
  g_atomic_int_inc (&watch->ref_count);
  id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_watch_fired),
                              watch, cancel_watch_unref);

  gasync_mutex_lock (&watch->mutex);
  done = watch->done;
  if (!done)
    watch->handler_id = id;
  gasync_mutex_unlock (&watch->mutex);

  /* Settled while we connected: nobody else will disconnect it. */
  if (done && id != 0)
    g_signal_handler_disconnect (cancellable, id);

  /* Our own reference on the watch, taken for the connect. */
  cancel_watch_unref (watch);

  return future;
}
