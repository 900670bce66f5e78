/* map.c: tests for the bounded-concurrency map
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"

/* The function under test hands out promises the test settles, and
 * counts what runs. */
typedef struct
{
  GPtrArray *promises;       /* one per started item, in start order */
  GPtrArray *cancellables;   /* the cancellable each call was given */
  gint       in_flight;      /* atomic */
  gint       max_seen;       /* atomic */
  guint      n_destroyed;
  GAsyncQueue *queue;        /* if set: promises go to a resolver thread */
  GAsyncFuture *map;         /* the map, for functions that cancel it */
} Work;

static void
work_init (Work *work)
{
  memset (work, 0, sizeof *work);
  work->promises = g_ptr_array_new_with_free_func (g_object_unref);
  work->cancellables = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
work_clear (Work *work)
{
  g_ptr_array_unref (work->promises);
  g_ptr_array_unref (work->cancellables);
}

static void
work_destroy (gpointer data)
{
  ((Work *) data)->n_destroyed++;
}

static void
note_in_flight (Work *work)
{
  gint now = g_atomic_int_add (&work->in_flight, 1) + 1;
  gint max = g_atomic_int_get (&work->max_seen);

  while (now > max && !g_atomic_int_compare_and_exchange (&work->max_seen, max, now))
    max = g_atomic_int_get (&work->max_seen);
}

/* A promise per item; the item (an int) is stored on it. */
static GAsyncFuture *
start_item (const GValue *item,
            GCancellable *cancellable,
            gpointer      data)
{
  Work *work = data;
  GAsyncPromise *promise = gasync_promise_new ();

  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_assert_true (g_main_context_get_thread_default () == NULL ||
                 g_main_context_is_owner (g_main_context_get_thread_default ()));
  note_in_flight (work);
  g_object_set_data (G_OBJECT (promise), "item", GINT_TO_POINTER (g_value_get_int (item)));
  g_ptr_array_add (work->promises, g_object_ref (promise));
  g_ptr_array_add (work->cancellables, g_object_ref (cancellable));
  if (work->queue != NULL)
    g_async_queue_push (work->queue, g_object_ref (promise));
  return GASYNC_FUTURE (promise);
}

static void
resolve_item (Work          *work,
              GAsyncPromise *promise)
{
  g_atomic_int_add (&work->in_flight, -1);
  gasync_promise_resolve_int (promise,
                              10 * GPOINTER_TO_INT (g_object_get_data (G_OBJECT (promise), "item")));
}

static GValue *
int_items (guint n)
{
  GValue *items = g_new0 (GValue, n);

  for (guint i = 0; i < n; i++)
    {
      g_value_init (&items[i], G_TYPE_INT);
      g_value_set_int (&items[i], (gint) i);
    }
  return items;
}

static void
free_items (GValue *items,
            guint   n)
{
  for (guint i = 0; i < n; i++)
    g_value_unset (&items[i]);
  g_free (items);
}

/* Iterates the default context until @n items have started. */
static void
iterate_until_started (Work  *work,
                       guint  n)
{
  gint64 end = g_get_monotonic_time () + GASYNC_TEST_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  while (work->promises->len < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
assert_results_in_order (GAsyncFuture *map,
                         guint         n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) results = gasync_future_dup_object (map, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GAsyncFuture) f = g_list_model_get_item (results, i);

      g_assert_cmpint (gasync_future_get_int (f, &error), ==, 10 * (gint) i);
      g_assert_no_error (error);
    }
}

/* Until @map settles: lets items start, then settles the newest one in
 * flight (last in, first out), so completion order is not input order. */
static void
drive_lifo (Work         *work,
            GAsyncFuture *map,
            guint         n,
            guint         max)
{
  for (guint done = 0; done < n; done++)
    {
      iterate_until_started (work, MIN (done + max, n));
      for (guint i = work->promises->len; i-- > 0;)
        if (gasync_future_get_state (work->promises->pdata[i]) == GASYNC_FUTURE_PENDING)
          {
            resolve_item (work, work->promises->pdata[i]);
            break;
          }
    }
  gasync_test_settle (map);
}

static void
test_map_order (void)
{
  GValue *items = int_items (10);
  g_autoptr(GAsyncFuture) map = NULL;
  Work work;

  g_test_summary ("Results come in input order whatever the completion order, "
                  "never more than N in flight");

  work_init (&work);
  map = gasync_future_map (items, 10, 3, start_item, &work, work_destroy);
  free_items (items, 10);
  /* Nothing runs inside the call. */
  g_assert_cmpuint (work.promises->len, ==, 0);

  drive_lifo (&work, map, 10, 3);

  assert_results_in_order (map, 10);
  g_assert_cmpint (work.max_seen, ==, 3);
  g_assert_cmpuint (work.n_destroyed, ==, 1);
  work_clear (&work);
}

static void
test_map_empty (void)
{
  g_autoptr(GAsyncFuture) map = NULL;
  Work work;

  g_test_summary ("A map of nothing resolves, later, with an empty list");

  work_init (&work);
  map = gasync_future_map (NULL, 0, 0, start_item, &work, work_destroy);
  g_assert_cmpint (gasync_future_get_state (map), ==, GASYNC_FUTURE_PENDING);
  gasync_test_settle (map);
  assert_results_in_order (map, 0);
  g_assert_cmpuint (work.n_destroyed, ==, 1);
  work_clear (&work);
}

static gboolean
was_cancelled (GAsyncFuture *future)
{
  const GError *error = gasync_future_get_error (future);

  return error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
assert_gave_up (Work  *work,
                guint  n_started)
{
  /* Let anything that could still start do so. */
  gasync_test_iterate_pending (NULL);
  g_assert_cmpuint (work->promises->len, ==, n_started);
  for (guint i = 0; i < n_started; i++)
    g_assert_true (g_cancellable_is_cancelled (work->cancellables->pdata[i]));
  g_assert_cmpuint (work->n_destroyed, ==, 1);
}

static void
test_map_first_error (void)
{
  GValue *items = int_items (10);
  g_autoptr(GAsyncFuture) map = NULL;
  Work work;

  g_test_summary ("The first error rejects the map, cancels what is in flight, "
                  "and the items not started never start");

  work_init (&work);
  map = gasync_future_map (items, 10, 3, start_item, &work, work_destroy);
  free_items (items, 10);
  iterate_until_started (&work, 3);

  gasync_promise_reject_literal (work.promises->pdata[1], G_IO_ERROR, G_IO_ERROR_FAILED, "item 1 failed");
  gasync_test_settle (map);

  g_assert_error (gasync_future_get_error (map), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (was_cancelled (work.promises->pdata[0]));
  g_assert_true (was_cancelled (work.promises->pdata[2]));
  assert_gave_up (&work, 3);
  work_clear (&work);
}

static void
test_map_cancel (void)
{
  GValue *items = int_items (5);
  g_autoptr(GAsyncFuture) map = NULL;
  Work work;

  g_test_summary ("Cancelling the map cancels everything in flight and starts nothing more");

  work_init (&work);
  map = gasync_future_map (items, 5, 2, start_item, &work, work_destroy);
  free_items (items, 5);
  iterate_until_started (&work, 2);

  gasync_future_cancel (map);
  g_assert_true (was_cancelled (map));
  g_assert_true (was_cancelled (work.promises->pdata[0]));
  g_assert_true (was_cancelled (work.promises->pdata[1]));
  assert_gave_up (&work, 2);
  work_clear (&work);
}

static void
test_map_cancel_before_start (void)
{
  GValue *items = int_items (3);
  g_autoptr(GAsyncFuture) map = NULL;
  Work work;

  g_test_summary ("A map cancelled before its context ran never calls the function");

  work_init (&work);
  map = gasync_future_map (items, 3, 0, start_item, &work, work_destroy);
  free_items (items, 3);
  gasync_future_cancel (map);
  assert_gave_up (&work, 0);
  work_clear (&work);
}

static GAsyncFuture *
start_item_then_cancel (const GValue *item,
                        GCancellable *cancellable,
                        gpointer      data)
{
  Work *work = data;
  GAsyncFuture *future = start_item (item, cancellable, work);

  if (g_value_get_int (item) == 0)
    gasync_future_cancel (work->map);
  return future;
}

static void
test_map_cancel_inside_function (void)
{
  GValue *items = int_items (4);
  g_autoptr(GAsyncFuture) map = NULL;
  Work work;

  g_test_summary ("A map cancelled while its function runs cancels what that call "
                  "returned, starts nothing more, and frees the function's data");

  work_init (&work);
  map = gasync_future_map (items, 4, 0, start_item_then_cancel, &work, work_destroy);
  work.map = map;
  free_items (items, 4);
  gasync_test_settle (map);
  g_assert_true (was_cancelled (map));
  g_assert_true (was_cancelled (work.promises->pdata[0]));
  /* Nothing was in flight to run a continuation: the data goes anyway. */
  assert_gave_up (&work, 1);
  work_clear (&work);
}

static GAsyncFuture *
start_object_item (const GValue *item,
                   GCancellable *cancellable,
                   gpointer      data)
{
  GValue as_int = G_VALUE_INIT;
  GAsyncFuture *ret;

  g_value_init (&as_int, G_TYPE_INT);
  g_value_set_int (&as_int, GPOINTER_TO_INT (g_object_get_data (g_value_get_object (item), "n")));
  ret = start_item (&as_int, cancellable, data);
  g_value_unset (&as_int);
  return ret;
}

static void
test_map_list_model (void)
{
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_CANCELLABLE);
  g_autoptr(GAsyncFuture) map = NULL;
  Work work;

  g_test_summary ("A list model's items are mapped in order");

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GCancellable) object = g_cancellable_new ();

      g_object_set_data (G_OBJECT (object), "n", GINT_TO_POINTER (i));
      g_list_store_append (store, object);
    }

  work_init (&work);
  map = gasync_list_model_map (G_LIST_MODEL (store), 2, start_object_item, &work, NULL);
  /* Later changes to the model do not matter. */
  g_list_store_remove_all (store);
  drive_lifo (&work, map, 4, 2);

  assert_results_in_order (map, 4);
  g_assert_cmpint (work.max_seen, ==, 2);
  work_clear (&work);
}

/* Resolves what the function started, from another thread, swapping
 * each pair: completion order differs from input order. */
static gpointer
resolver_thread (gpointer data)
{
  Work *work = data;
  GAsyncPromise *held = NULL;

  for (;;)
    {
      GAsyncPromise *promise = held != NULL ? g_async_queue_try_pop (work->queue)
                                            : g_async_queue_pop (work->queue);

      /* Nothing more came: the held one may be what everyone waits for. */
      if (promise == NULL)
        {
          resolve_item (work, held);
          g_clear_object (&held);
          continue;
        }
      if ((gpointer) promise == (gpointer) work)
        break;
      if (held == NULL && g_random_boolean ())
        {
          held = promise;
          continue;
        }
      resolve_item (work, promise);
      g_object_unref (promise);
      if (held != NULL)
        {
          resolve_item (work, held);
          g_clear_object (&held);
        }
    }
  g_assert_null (held);
  return NULL;
}

static void
test_map_receiver_threads (void)
{
  guint n = gasync_test_size (500, 20000);
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) map = NULL;
  GThread *resolver;
  Work work;

  g_test_summary ("Items from a channel, settled on another thread out of order: "
                  "input order kept, never more than N in flight");

  work_init (&work);
  work.queue = g_async_queue_new ();
  gasync_channel_new (G_TYPE_INT, 4, &tx, &rx);
  resolver = g_thread_new ("resolver", resolver_thread, &work);
  map = gasync_receiver_map (rx, 4, start_item, &work, work_destroy);

  for (guint i = 0; i < n; i++)
    {
      GValue item = G_VALUE_INIT;
      g_autoptr(GAsyncFuture) sent = NULL;

      g_value_init (&item, G_TYPE_INT);
      g_value_set_int (&item, (gint) i);
      sent = gasync_sender_send_future (tx, &item);
      gasync_test_settle (sent);
      g_assert_cmpint (gasync_future_get_state (sent), ==, GASYNC_FUTURE_RESOLVED);
      g_value_unset (&item);
    }
  gasync_sender_close (tx);
  gasync_test_settle (map);

  g_async_queue_push (work.queue, &work);
  g_thread_join (resolver);
  assert_results_in_order (map, n);
  g_assert_cmpint (g_atomic_int_get (&work.max_seen), <=, 4);
  g_assert_cmpuint (work.n_destroyed, ==, 1);
  g_async_queue_unref (work.queue);
  work_clear (&work);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/map/order", test_map_order);
  g_test_add_func ("/map/empty", test_map_empty);
  g_test_add_func ("/map/first-error", test_map_first_error);
  g_test_add_func ("/map/cancel", test_map_cancel);
  g_test_add_func ("/map/cancel-before-start", test_map_cancel_before_start);
  g_test_add_func ("/map/cancel-inside-function", test_map_cancel_inside_function);
  g_test_add_func ("/map/list-model", test_map_list_model);
  g_test_add_func ("/map/receiver-threads", test_map_receiver_threads);

  return g_test_run ();
}
