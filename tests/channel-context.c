/* channel-context.c: tests for receiving on a main context and callbacks on their thread
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "channel-test-util.h"

/* Receiving on a main context */

typedef struct
{
  GThread   *thread;       /* the only thread callbacks may run on */
  GMainLoop *loop;         /* quit on the last call, if set */
  guint      n_items;
  guint      last;
  guint      stop_after;   /* return REMOVE after this many, if not 0 */
  gint       done;         /* got the last call */
  gint       destroyed;
} AttachData;

static gboolean
on_item (GAsyncReceiver *rx,
         const GValue   *item,
         gpointer        user_data)
{
  AttachData *data = user_data;
  guint v;

  g_assert_true (g_thread_self () == data->thread);
  g_assert_true (GASYNC_IS_RECEIVER (rx));

  if (item == NULL)
    {
      g_assert_false (data->done);
      data->done = TRUE;
      if (data->loop != NULL)
        g_main_loop_quit (data->loop);
      return G_SOURCE_REMOVE;
    }

  v = GPOINTER_TO_UINT (g_value_get_pointer (item));
  g_assert_cmpuint (v, ==, data->last + 1);
  data->last = v;
  data->n_items++;

  if (data->stop_after != 0 && data->n_items == data->stop_after)
    return G_SOURCE_REMOVE;
  return G_SOURCE_CONTINUE;
}

static void
on_destroy (gpointer user_data)
{
  AttachData *data = user_data;

  g_assert_true (g_thread_self () == data->thread);
  g_atomic_int_inc (&data->destroyed);
}

static void
test_attach_batches (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  GMainContext *context = g_main_context_new ();
  AttachData data = { g_thread_self (), NULL, 0, 0, 0, FALSE, 0 };
  GAsyncChannelStats st;
  guint id;

  g_test_summary ("An attached receiver is woken once per empty-to-non-empty "
                  "transition, delivers everything queued in order on its "
                  "context, keeps the receiver alive, and ends with one last "
                  "call with no item once every sender is closed");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  id = gasync_receiver_attach (rx, context, on_item, &data, on_destroy);
  g_assert_cmpuint (id, >, 0);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_true (st.attached);
  g_assert_cmpuint (st.n_source_wakeups, ==, 0);

  for (guint i = 1; i <= 100; i++)
    g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (i), NULL, NULL));
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_source_wakeups, ==, 1);

  gasync_test_iterate_pending (context);
  g_assert_cmpuint (data.n_items, ==, 100);

  for (guint i = 101; i <= 150; i++)
    g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (i), NULL, NULL));
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_source_wakeups, ==, 2);

  /* The handler keeps the receiver. */
  g_clear_object (&rx);
  gasync_test_iterate_pending (context);
  g_assert_cmpuint (data.n_items, ==, 150);
  g_assert_false (data.done);

  g_clear_object (&tx);
  gasync_test_iterate_until (context, &data.done, 30000);
  g_assert_cmpint (data.destroyed, ==, 1);
  g_assert_null (g_main_context_find_source_by_id (context, id));

  g_main_context_unref (context);
}

static void
test_attach_remove (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  GMainContext *context = g_main_context_new ();
  AttachData data = { g_thread_self (), NULL, 0, 0, 3, FALSE, 0 };
  AttachData again = { g_thread_self (), NULL, 0, 3, 0, FALSE, 0 };
  GAsyncChannelStats st;
  guint id;

  g_test_summary ("A handler that returns REMOVE mid-batch leaves the rest "
                  "queued in order; g_source_remove() and closing the receiver "
                  "detach it (destroy notify once, no last call); attaching "
                  "twice is refused");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  for (guint i = 1; i <= 10; i++)
    g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (i), NULL, NULL));

  gasync_receiver_attach (rx, context, on_item, &data, on_destroy);
  gasync_test_iterate_pending (context);
  g_assert_cmpuint (data.n_items, ==, 3);
  g_assert_cmpint (data.destroyed, ==, 1);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_false (st.attached);
  g_assert_cmpuint (st.n_queued, ==, 7);

  /* Attach again: the rest comes, in order. */
  id = gasync_receiver_attach (rx, context, on_item, &again, on_destroy);
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*already attached*");
  g_assert_cmpuint (gasync_receiver_attach (rx, context, on_item, &again, on_destroy), ==, 0);
  g_test_assert_expected_messages ();
  gasync_test_iterate_pending (context);
  g_assert_cmpuint (again.last, ==, 10);

  g_source_remove_by_user_data (NULL);   /* not ours: does nothing */
  g_source_destroy (g_main_context_find_source_by_id (context, id));
  g_assert_cmpint (again.destroyed, ==, 1);
  g_assert_false (again.done);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_false (st.attached);

  /* Closing the receiver removes the handler without a last call. */
  memset (&again, 0, sizeof again);
  again.thread = g_thread_self ();
  gasync_receiver_attach (rx, context, on_item, &again, on_destroy);
  gasync_receiver_close (rx);
  gasync_test_iterate_pending (context);
  g_assert_cmpint (again.destroyed, ==, 1);
  g_assert_false (again.done);
  g_assert_false (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (11), NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);

  g_main_context_unref (context);
}

/* No callback on the wrong thread */

typedef struct
{
  GMainContext   *context;
  GMainLoop      *loop;
  GThread        *thread;
  GAsyncTestLatch ready;
} LoopThread;

static gpointer
loop_thread_main (gpointer user_data)
{
  LoopThread *lt = user_data;

  g_main_context_push_thread_default (lt->context);
  gasync_test_latch_open (&lt->ready);
  g_main_loop_run (lt->loop);
  g_main_context_pop_thread_default (lt->context);
  return NULL;
}

typedef struct
{
  AttachData      attach;
  AsyncData       async;
  GAsyncReceiver *async_rx;
  gint            remaining;   /* attach + async, atomic */
} ContextData;

static void
context_data_one_done (ContextData *data)
{
  if (g_atomic_int_dec_and_test (&data->remaining))
    g_main_loop_quit (data->attach.loop);
}

static void
recv_done_in_thread (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ContextData *data = user_data;

  recv_done (source, result, &data->async);
  context_data_one_done (data);
}

static gboolean
start_recv_async (gpointer user_data)
{
  ContextData *data = user_data;

  /* Handed over through g_main_context_invoke(), which TSan cannot see. */
  GASYNC_TSAN_ACQUIRE (data);
  gasync_receiver_recv_async (data->async_rx, NULL, recv_done_in_thread, data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_item_then_quit (GAsyncReceiver *rx,
                   const GValue   *item,
                   gpointer        user_data)
{
  ContextData *data = user_data;
  GMainLoop *loop = data->attach.loop;
  gboolean ret;

  data->attach.loop = NULL;
  ret = on_item (rx, item, &data->attach);
  data->attach.loop = loop;
  if (item == NULL)
    context_data_one_done (data);
  return ret;
}

static void
on_destroy_context_data (gpointer user_data)
{
  ContextData *data = user_data;

  on_destroy (&data->attach);
}

typedef struct
{
  GAsyncSender *tx;   /* owned */
  guint         first;
  guint         n;
} RangeSender;

static gpointer
range_sender_thread (gpointer user_data)
{
  RangeSender *rs = user_data;

  for (guint i = 0; i < rs->n; i++)
    g_assert_true (gasync_sender_send_pointer (rs->tx, GUINT_TO_POINTER (rs->first + i), NULL, NULL));
  g_clear_object (&rs->tx);
  return NULL;
}

static void
test_callbacks_on_their_thread (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncSender) atx = NULL;
  LoopThread lt;
  ContextData data;
  RangeSender rs;
  GThread *sender;
  const guint n = gasync_test_size (10000, 100000);

  g_test_summary ("Receive handlers, their destroy notify and recv_async "
                  "callbacks run only on the thread iterating their context, "
                  "whichever thread sends or closes");

  lt.context = g_main_context_new ();
  lt.loop = g_main_loop_new (lt.context, FALSE);
  gasync_test_latch_init (&lt.ready);
  lt.thread = g_thread_new ("loop", loop_thread_main, &lt);
  g_assert_true (gasync_test_latch_wait (&lt.ready, 30000));

  memset (&data, 0, sizeof data);
  data.attach.thread = lt.thread;
  data.attach.loop = lt.loop;
  data.async.thread = lt.thread;
  data.remaining = 2;

  /* A handler attached from this thread to the loop thread's context. */
  gasync_channel_new (G_TYPE_POINTER, 64, &tx, &rx);
  gasync_receiver_attach (rx, lt.context, on_item_then_quit, &data, on_destroy_context_data);

  /* recv_async started on the loop thread, completed by another. */
  gasync_channel_new (G_TYPE_INT, 0, &atx, &data.async_rx);
  GASYNC_TSAN_RELEASE (&data);
  g_main_context_invoke (lt.context, start_recv_async, &data);
  g_thread_unref (g_thread_new ("sender", send_42_thread, g_object_ref (atx)));

  rs.tx = g_steal_pointer (&tx);
  rs.first = 1;
  rs.n = n;
  sender = g_thread_new ("sender", range_sender_thread, &rs);

  g_thread_join (sender);
  /* Dropped here, on this thread: the destroy notify still runs there. */
  g_clear_object (&rx);
  g_thread_join (lt.thread);

  g_assert_cmpuint (data.attach.n_items, ==, n);
  g_assert_true (data.attach.done);
  g_assert_cmpint (data.attach.destroyed, ==, 1);
  g_assert_true (data.async.ok);
  g_assert_cmpint (g_value_get_int (&data.async.value), ==, 42);

  g_value_unset (&data.async.value);
  g_clear_object (&data.async_rx);
  gasync_test_latch_clear (&lt.ready);
  g_main_loop_unref (lt.loop);
  g_main_context_unref (lt.context);
}

/* Object items */

static void
on_finalized (gpointer  data,
              GObject  *where_the_object_was)
{
  g_atomic_int_inc ((gint *) data);
}

static void
test_objects (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GObject) wrong = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *objects[20];
  gint finalized = 0;
  guint i;

  g_test_summary ("Object items keep a reference while queued and drop it "
                  "exactly once: when received or when the receiver closes");

  gasync_channel_new (G_TYPE_CANCELLABLE, 0, &tx, &rx);

  g_value_init (&value, G_TYPE_OBJECT);
  g_value_set_object (&value, wrong);
  g_assert_false (gasync_sender_send (tx, &value, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  g_value_unset (&value);

  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      objects[i] = G_OBJECT (g_cancellable_new ());
      g_object_weak_ref (objects[i], on_finalized, &finalized);
      if (i % 2 == 0)
        {
          g_value_init (&value, G_TYPE_CANCELLABLE);
          g_value_set_object (&value, objects[i]);
          g_assert_true (gasync_sender_send (tx, &value, NULL, &error));
          g_value_unset (&value);
          g_object_unref (objects[i]);
        }
      else
        g_assert_true (gasync_sender_send_pointer (tx, objects[i], NULL, &error));
      g_assert_no_error (error);
    }

  /* The queue holds the only reference to each. */
  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    g_assert_cmpuint (g_atomic_int_get (&objects[i]->ref_count), ==, 1);
  g_assert_cmpint (finalized, ==, 0);

  for (i = 0; i < 5; i++)
    {
      g_assert_true (gasync_receiver_recv (rx, NULL, &value, &error));
      g_assert_true (g_value_get_object (&value) == objects[i]);
      g_value_unset (&value);
    }
  g_assert_cmpint (finalized, ==, 5);

  for (; i < 10; i++)
    {
      GObject *obj = gasync_receiver_recv_pointer (rx, NULL, &error);

      g_assert_true (obj == objects[i]);
      g_object_unref (obj);
    }
  g_assert_cmpint (finalized, ==, 10);

  for (; i < 12; i++)
    {
      g_autoptr(GAsyncFuture) f = gasync_receiver_recv_future (rx);
      g_autoptr(GObject) obj = gasync_future_dup_object (f, &error);

      g_assert_true (obj == objects[i]);
    }
  g_assert_cmpint (finalized, ==, 12);

  gasync_receiver_close (rx);
  g_assert_cmpint (finalized, ==, 20);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel/attach/batches", test_attach_batches);
  g_test_add_func ("/channel/attach/remove", test_attach_remove);
  g_test_add_func ("/channel/context/callbacks-on-their-thread", test_callbacks_on_their_thread);
  g_test_add_func ("/channel/objects/reference-while-queued", test_objects);

  return g_test_run ();
}
