/* channel-test-util.h: helpers shared by the channel tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-test-util.h"
#include "gasync-channel-private.h"
#include "gasync-tsan-private.h"

G_BEGIN_DECLS

/* Pointer items that count how often the channel frees them. */
typedef struct
{
  gint  *freed;
  guint  id;
} Item;

/* Waits (polling a snapshot, without proving any ordering by sleeping)
 * until @expr holds for the stats @st of @rx. */
#define WAIT_FOR_STATS(rx, st, expr)                                          \
  G_STMT_START {                                                              \
    gint64 end_ = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;              \
    for (;;)                                                                  \
      {                                                                       \
        _gasync_receiver_get_stats ((rx), &(st));                             \
        if (expr)                                                             \
          break;                                                              \
        if (g_get_monotonic_time () > end_)                                   \
          g_error ("timed out waiting for %s", #expr);                        \
        g_usleep (200);                                                       \
      }                                                                       \
  } G_STMT_END

Item     *item_new             (gint            *freed,
                                guint            id);
void      item_free            (gpointer         data);

/* Waits for @future for at most @msec milliseconds, the way a blocking
 * send or receive is bounded: gasync_future_with_timeout() cancels
 * @future (which withdraws a pending send or receive) when time is up.
 * The item may have moved just before that, so @future's own result
 * decides: a receive that took an item returns it. */
gboolean  wait_bounded         (GAsyncFuture    *future,
                                guint            msec,
                                GValue          *value,
                                GError         **error);
/* A pointer send or receive bounded as the removed _with_timeout forms
 * were: the future form with a deadline. */
gboolean  send_pointer_bounded (GAsyncSender    *tx,
                                gpointer         item,
                                guint            msec,
                                GError         **error);
gpointer  recv_pointer_bounded (GAsyncReceiver  *rx,
                                guint            msec,
                                GError         **error);

/* The GValue forms on a channel of an integer type, for tests that only
 * move numbers. */
gboolean  send_int             (GAsyncSender    *tx,
                                gint             item,
                                GCancellable    *cancellable,
                                GError         **error);
gboolean  recv_int             (GAsyncReceiver  *rx,
                                gint64          *item,
                                GCancellable    *cancellable,
                                GError         **error);
gboolean  try_recv_int         (GAsyncReceiver  *rx,
                                gint64          *item,
                                GError         **error);

/* A blocking pointer send, run on a thread by send_job_thread(). */
typedef struct
{
  GAsyncSender *tx;           /* owned */
  gpointer      item;
  GCancellable *cancellable;  /* owned */
  GError       *error;
  gboolean      ok;
} SendJob;

gpointer  send_job_thread      (gpointer         data);
/* Starts @func (a sender or a receiver) on a thread of its own with @job and
 * waits until its send (or receive) is blocked on @rx's channel; returns
 * the thread. The channel must block exactly one sender (or receiver). */
GThread  *start_sender_until_blocked   (GThreadFunc      func,
                                        gpointer         job,
                                        GAsyncReceiver  *rx);
GThread  *start_receiver_until_blocked (GThreadFunc      func,
                                        gpointer         job,
                                        GAsyncReceiver  *rx);
/* Joins @thread, which ran @job, and checks that the send failed with
 * @domain and @code; frees @job. */
void      assert_send_job_failed       (GThread         *thread,
                                        SendJob         *job,
                                        GQuark           domain,
                                        gint             code);
SendJob  *send_job_new         (GAsyncSender    *tx,
                                gpointer         item,
                                GCancellable    *cancellable);
void      send_job_free        (SendJob         *job);

/* Sends the integer 42 on @data (a GAsyncSender, whose reference it takes). */
gpointer  send_42_thread       (gpointer         data);

/* Checks that a pointer try_recv on @rx finds the channel empty. */
void      assert_try_recv_pointer_empty (GAsyncReceiver *rx);
/* Checks that an integer try_recv on @rx finds the channel empty. */
void      assert_try_recv_int_empty     (GAsyncReceiver *rx);

/* The outcome of a _async send or receive, whose callback checks that it
 * runs on @thread. */
typedef struct
{
  GThread  *thread;
  gint      done;
  gboolean  ok;
  GValue    value;
  GError   *error;
} AsyncData;

/* Resets @data for a new call made from the calling thread. */
void      async_data_clear     (AsyncData       *data);
/* GAsyncReadyCallbacks that finish a receive or send into AsyncData. */
void      recv_done            (GObject         *source,
                                GAsyncResult    *result,
                                gpointer         user_data);
void      send_done            (GObject         *source,
                                GAsyncResult    *result,
                                gpointer         user_data);

G_END_DECLS
