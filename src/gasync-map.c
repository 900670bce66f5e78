/* gasync-map.c: applying an asynchronous function to many items, bounded
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"
#include "gasync-map.h"
#include "gasync-promise.h"
#include "gasync-tsan-private.h"

/**
 * SECTION:gasync-map
 * @title: Bounded-concurrency map
 * @short_description: one asynchronous function over many items, at most
 *   N at a time
 *
 * gasync_future_map() calls a #GAsyncMapFunc on each item of an array of
 * #GValue, with at most a given number of the futures it returned pending
 * at a time, and resolves with those futures in input order once all have
 * resolved. gasync_list_model_map() does the same for the items of a
 * #GListModel, gasync_receiver_map() for the items of a channel, until
 * every sender is closed.
 *
 * |[<!-- language="C" -->
 * static GAsyncFuture *
 * load_one (const GValue *item, GCancellable *cancellable, gpointer user_data)
 * {
 *   return my_file_load_future (g_value_get_object (item), cancellable);
 * }
 *
 * // At most 8 loads at a time; then a list of the 8… futures, in order.
 * g_autoptr(GAsyncFuture) all = gasync_list_model_map (files, 8, load_one, NULL, NULL);
 * ]|
 *
 * The first item whose future is rejected decides: the map's future is
 * rejected with a copy of that error, the futures still pending are
 * cancelled with gasync_future_cancel(), the #GCancellable given to the
 * function is cancelled, and items not started yet are never started.
 * Cancelling the map's future does the same.
 *
 * ## Thread and context contract
 *
 * The map runs on the #GMainContext that is thread-default when it is
 * created (the map's context): the function, its @destroy notify, and the
 * map's own bookkeeping run there, in later iterations, never inside the
 * call that creates the map; so that context must be iterated for the map
 * to progress (gasync_block_on() does that for the context it makes, a
 * main loop for its own). The returned future, as every future, may be
 * waited on and cancelled from any thread. @destroy runs once the function
 * will not be called again.
 */

typedef struct
{
  gint            ref_count;      /* atomic */
  GMutex          mutex;
  GMainContext   *context;        /* owned, immutable */
  GAsyncPromise  *output;         /* owned, immutable */
  GCancellable   *cancellable;    /* owned, immutable: the function's */
  gulong          handler_id;     /* protected by mutex; 0 once claimed */
  gboolean        done;           /* protected by mutex: nothing more starts */
  GPtrArray      *started;        /* protected by mutex: each item's future, in input order */
  GAsyncFuture   *receiving;      /* the pending receive, if any: written on the map's
                                   * context with mutex held, read there without it */
  guint           max_in_flight;  /* immutable; 0 for no limit */

  /* The source of items: an array, or a receiver. */
  GValue         *items;          /* owned, immutable */
  guint           n_items;        /* immutable */
  GAsyncReceiver *receiver;       /* owned, immutable */

  /* The rest is used on the map's context only. */
  GAsyncMapFunc   func;
  gpointer        user_data;
  GDestroyNotify  destroy;
  gboolean        func_released;
  gboolean        exhausted;      /* no item left to start */
  guint           next;           /* items taken from the source */
  guint           n_in_flight;
} Map;

static Map *
map_ref (Map *map)
{
  g_atomic_int_inc (&map->ref_count);
  return map;
}

static void
map_unref (gpointer data)
{
  Map *map = data;

  if (!g_atomic_int_dec_and_test (&map->ref_count))
    return;

  GASYNC_TSAN_ACQUIRE (map);
  for (guint i = 0; i < map->n_items; i++)
    g_value_unset (&map->items[i]);
  g_free (map->items);
  g_clear_object (&map->receiver);
  g_clear_object (&map->receiving);
  g_ptr_array_unref (map->started);
  g_object_unref (map->cancellable);
  g_object_unref (map->output);
  g_main_context_unref (map->context);
  g_mutex_clear (&map->mutex);
  g_free (map);
}

static void
map_unref_released (gpointer data)
{
  GASYNC_TSAN_RELEASE (data);
  map_unref (data);
}

static gboolean
map_is_done (Map *map)
{
  gboolean done;

  gasync_mutex_lock (&map->mutex);
  done = map->done;
  gasync_mutex_unlock (&map->mutex);

  return done;
}

/* Marks the map done; returns FALSE if it was already. Adds a reference on
 * every future still pending to @pending, and returns the output's
 * cancellation handler in @handler_id (0 if claimed already). */
static gboolean
map_set_done (Map       *map,
              GPtrArray *pending,
              gulong    *handler_id)
{
  gboolean was_done;

  gasync_mutex_lock (&map->mutex);
  was_done = map->done;
  map->done = TRUE;
  *handler_id = map->handler_id;
  map->handler_id = 0;
  if (!was_done && pending != NULL)
    {
      for (guint i = 0; i < map->started->len; i++)
        {
          GAsyncFuture *f = map->started->pdata[i];

          if (gasync_future_get_state (f) == GASYNC_FUTURE_PENDING)
            g_ptr_array_add (pending, g_object_ref (f));
        }
      if (map->receiving != NULL)
        g_ptr_array_add (pending, g_object_ref (map->receiving));
    }
  gasync_mutex_unlock (&map->mutex);

  return !was_done;
}

/* Stops the work in flight, with no lock held: cancelling runs the
 * producers' cancellation handlers. */
static void
map_cancel_pending (Map       *map,
                    GPtrArray *pending)
{
  g_cancellable_cancel (map->cancellable);
  for (guint i = 0; i < pending->len; i++)
    gasync_future_cancel (pending->pdata[i]);
}

/* The output was cancelled, on any thread: stop everything. The
 * function's data is released on the map's context, by the continuation
 * of whatever was pending (there is always one while not done). */
static void
map_output_cancelled (GCancellable *cancellable,
                      gpointer      data)
{
  Map *map = data;
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_object_unref);
  gulong id;

  GASYNC_TSAN_ACQUIRE (cancellable);
  if (!map_set_done (map, pending, &id))
    return;
  /* Safe inside the emission, unlike g_cancellable_disconnect(). */
  if (id != 0)
    g_signal_handler_disconnect (cancellable, id);
  map_cancel_pending (map, pending);
}

/* On the map's context, once done: the function will not run again. */
static void
map_release_func (Map *map)
{
  gulong id;

  if (map->func_released)
    return;
  map->func_released = TRUE;

  map_set_done (map, NULL, &id);
  if (id != 0)
    g_signal_handler_disconnect (gasync_promise_get_cancellable (map->output), id);
  if (map->destroy != NULL)
    map->destroy (map->user_data);
}

/* An item's future was rejected: that error decides. */
static void
map_fail (Map          *map,
          GAsyncFuture *failed)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_object_unref);
  gulong id;

  if (map_set_done (map, pending, &id))
    {
      gasync_promise_reject (map->output, g_error_copy (gasync_future_get_error (failed)));
      map_cancel_pending (map, pending);
    }
  if (id != 0)
    g_signal_handler_disconnect (gasync_promise_get_cancellable (map->output), id);
  map_release_func (map);
}

/* Every item resolved: resolve with their futures, in input order. */
static void
map_resolve (Map *map)
{
  GListStore *store = g_list_store_new (GASYNC_TYPE_FUTURE);
  GValue value = G_VALUE_INIT;
  gulong id;

  if (!map_set_done (map, NULL, &id))
    {
      g_object_unref (store);
      return;
    }

  /* Done: nobody else touches started any more. */
  g_list_store_splice (store, 0, 0, map->started->pdata, map->started->len);
  g_value_init (&value, G_TYPE_LIST_MODEL);
  g_value_take_object (&value, store);
  gasync_promise_resolve (map->output, &value);
  g_value_unset (&value);

  if (id != 0)
    g_signal_handler_disconnect (gasync_promise_get_cancellable (map->output), id);
  map_release_func (map);
}

static void map_fill (Map *map);

static GAsyncFuture *
map_item_settled (GAsyncFuture *completed,
                  gpointer      data)
{
  Map *map = data;

  map->n_in_flight--;
  if (map_is_done (map))
    map_release_func (map);
  else if (gasync_future_get_state (completed) == GASYNC_FUTURE_REJECTED)
    map_fail (map, completed);
  else
    map_fill (map);

  return NULL;
}

/* Calls the function on @item, the next one in input order. */
static void
map_start_item (Map          *map,
                const GValue *item)
{
  GAsyncFuture *future;
  gboolean done;

  /* The function, and our continuation, belong to the map's context. */
  g_main_context_push_thread_default (map->context);
  future = map->func (item, map->cancellable, map->user_data);
  if (!GASYNC_IS_FUTURE (future))
    {
      g_critical ("A GAsyncMapFunc returned something that is not a GAsyncFuture");
      future = gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                    _("A map function returned an invalid future"));
    }

  gasync_mutex_lock (&map->mutex);
  done = map->done;
  if (!done)
    g_ptr_array_add (map->started, g_object_ref (future));
  gasync_mutex_unlock (&map->mutex);

  /* Given up while the function ran (the output was cancelled). */
  if (done)
    gasync_future_cancel (future);
  else
    {
      map->n_in_flight++;
      g_object_unref (gasync_future_on_settled (future, map_item_settled, map_ref (map), map_unref));
    }
  g_object_unref (future);
  g_main_context_pop_thread_default (map->context);
}

static GAsyncFuture *
map_received (GAsyncFuture *completed,
              gpointer      data)
{
  Map *map = data;
  GValue item = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  gasync_mutex_lock (&map->mutex);
  g_clear_object (&map->receiving);
  gasync_mutex_unlock (&map->mutex);

  if (map_is_done (map))
    map_release_func (map);
  else if (gasync_future_get_value (completed, &item, &error))
    {
      map->next++;
      map_start_item (map, &item);
      g_value_unset (&item);
      map_fill (map);
    }
  else if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
    {
      map->exhausted = TRUE;
      map_fill (map);
    }
  else
    map_fail (map, completed);

  return NULL;
}

/* Asks the receiver for the next item; one receive at a time. */
static void
map_receive (Map *map)
{
  GAsyncFuture *recv = gasync_receiver_recv_future (map->receiver);

  gasync_mutex_lock (&map->mutex);
  map->receiving = g_object_ref (recv);
  gasync_mutex_unlock (&map->mutex);

  g_main_context_push_thread_default (map->context);
  g_object_unref (gasync_future_on_settled (recv, map_received, map_ref (map), map_unref));
  g_main_context_pop_thread_default (map->context);
  g_object_unref (recv);
}

/* Starts items while there is room, then resolves if all are done. */
static void
map_fill (Map *map)
{
  while (!map_is_done (map) && !map->exhausted)
    {
      gboolean receiving = map->receiving != NULL;   /* set on this thread only */

      if (map->max_in_flight != 0 && map->n_in_flight + receiving >= map->max_in_flight)
        break;
      if (map->receiver != NULL)
        {
          if (!receiving)
            map_receive (map);
          break;
        }
      if (map->next == map->n_items)
        {
          map->exhausted = TRUE;
          break;
        }
      map->next++;
      map_start_item (map, &map->items[map->next - 1]);
    }

  if (map->exhausted && map->n_in_flight == 0)
    map_resolve (map);

  /* Done here (resolved, or given up while the function ran): whatever
   * was pending when it gave up was cancelled, but nothing may have been. */
  if (map_is_done (map))
    map_release_func (map);
}

static GAsyncFuture *
map_begin (GAsyncFuture *ready,
           gpointer      data)
{
  Map *map = data;

  if (map_is_done (map))
    map_release_func (map);
  else
    map_fill (map);

  return NULL;
}

/* Takes over @items (n_items of them) or a reference on @receiver. */
static GAsyncFuture *
map_new (GValue         *items,
         guint           n_items,
         GAsyncReceiver *receiver,
         guint           max_in_flight,
         GAsyncMapFunc   func,
         gpointer        user_data,
         GDestroyNotify  destroy)
{
  Map *map = g_new0 (Map, 1);
  g_autoptr(GAsyncFuture) ready = gasync_future_new_for_boolean (TRUE);
  GAsyncFuture *output;
  GAsyncFuture *begin;

  map->ref_count = 2;   /* ours, the output's cancellation handler */
  g_mutex_init (&map->mutex);
  map->context = g_main_context_ref_thread_default ();
  map->output = gasync_promise_new ();
  output = g_object_ref (GASYNC_FUTURE (map->output));
  map->cancellable = g_cancellable_new ();
  map->started = g_ptr_array_new_with_free_func (g_object_unref);
  map->max_in_flight = max_in_flight;
  map->items = items;
  map->n_items = n_items;
  map->receiver = receiver != NULL ? g_object_ref (receiver) : NULL;
  map->func = func;
  map->user_data = user_data;
  map->destroy = destroy;

  map->handler_id = g_cancellable_connect (gasync_promise_get_cancellable (map->output),
                                           G_CALLBACK (map_output_cancelled), map,
                                           map_unref_released);

  /* Start on the map's context, in a later iteration. */
  GASYNC_TSAN_RELEASE (map);
  begin = gasync_future_on_settled (ready, map_begin, map_ref (map), map_unref);
  g_object_unref (begin);

  map_unref (map);
  return output;
}

/**
 * gasync_future_map:
 * @items: (array length=n_items) (nullable): the items
 * @n_items: the number of items
 * @max_in_flight: how many futures of @func may be pending at a time, or
 *   0 for no limit
 * @func: (scope notified) (closure user_data) (destroy destroy): starts the
 *   work for one item
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, on the map's context, once @func
 *   will not be called again
 *
 * Calls @func on each of @items, in order, with at most @max_in_flight of
 * the futures it returned pending at a time: the next item starts when
 * one of them settles. The items are copied: the caller may free them at
 * once.
 *
 * The returned future resolves, once every one has resolved, with a
 * #GListModel of #GAsyncFuture (a #GListStore): the futures @func
 * returned, in the order of @items whatever the order they completed in,
 * each read with the future's getters (as with gasync_future_all()). With
 * no items it resolves with an empty list. The first rejection rejects it
 * with a copy of that error, cancels the futures still pending and the
 * #GCancellable given to @func, and leaves the rest of @items unstarted;
 * cancelling the returned future does the same.
 *
 * @func, @destroy and the map's bookkeeping run on the #GMainContext that
 * is thread-default now, in later iterations of it (never inside this
 * call), with that context thread-default: it must be iterated for the
 * map to progress, as gasync_block_on() does for its own. The returned
 * future may be waited on and cancelled from any thread.
 *
 * Returns: (transfer full): a future of a #GListModel of the futures of
 *   @func, in input order
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_map (const GValue   *items,
                   guint           n_items,
                   guint           max_in_flight,
                   GAsyncMapFunc   func,
                   gpointer        user_data,
                   GDestroyNotify  destroy)
{
  GValue *copies;

  g_return_val_if_fail (items != NULL || n_items == 0, _gasync_future_new_invalid_argument ("items"));
  g_return_val_if_fail (func != NULL, _gasync_future_new_invalid_argument ("func"));

  copies = g_new0 (GValue, n_items);
  for (guint i = 0; i < n_items; i++)
    {
      g_value_init (&copies[i], G_VALUE_TYPE (&items[i]));
      g_value_copy (&items[i], &copies[i]);
    }

  return map_new (copies, n_items, NULL, max_in_flight, func, user_data, destroy);
}

/**
 * gasync_list_model_map:
 * @model: a #GListModel
 * @max_in_flight: how many futures of @func may be pending at a time, or
 *   0 for no limit
 * @func: (scope notified) (closure user_data) (destroy destroy): starts the
 *   work for one item
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, on the map's context, once @func
 *   will not be called again
 *
 * Like gasync_future_map(), over the items @model holds now (later
 * changes to @model do not affect the map). @func gets each as a #GValue
 * of the model's item type.
 *
 * Returns: (transfer full): a future of a #GListModel of the futures of
 *   @func, in the order of @model
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_list_model_map (GListModel     *model,
                       guint           max_in_flight,
                       GAsyncMapFunc   func,
                       gpointer        user_data,
                       GDestroyNotify  destroy)
{
  guint n_items;
  GValue *items;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), _gasync_future_new_invalid_argument ("model"));
  g_return_val_if_fail (func != NULL, _gasync_future_new_invalid_argument ("func"));

  n_items = g_list_model_get_n_items (model);
  items = g_new0 (GValue, n_items);
  for (guint i = 0; i < n_items; i++)
    {
      g_value_init (&items[i], g_list_model_get_item_type (model));
      g_value_take_object (&items[i], g_list_model_get_item (model, i));
    }

  return map_new (items, n_items, NULL, max_in_flight, func, user_data, destroy);
}

/**
 * gasync_receiver_map:
 * @receiver: a #GAsyncReceiver
 * @max_in_flight: how many futures of @func may be pending at a time, or
 *   0 for no limit
 * @func: (scope notified) (closure user_data) (destroy destroy): starts the
 *   work for one item
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, on the map's context, once @func
 *   will not be called again
 *
 * Like gasync_future_map(), over the items received from @receiver until
 * every sender is closed and every item was received. An item is taken
 * from the channel only when there is room to start it, so a bounded
 * channel applies back-pressure to its senders. A %G_TYPE_POINTER item is
 * handed to @func, which owns it. An error receiving (other than the
 * channel closing) rejects the map like a failed item; when the map gives
 * up, the items left in the channel stay there.
 *
 * Returns: (transfer full): a future of a #GListModel of the futures of
 *   @func, in the order the items were received
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_receiver_map (GAsyncReceiver *receiver,
                     guint           max_in_flight,
                     GAsyncMapFunc   func,
                     gpointer        user_data,
                     GDestroyNotify  destroy)
{
  g_return_val_if_fail (GASYNC_IS_RECEIVER (receiver), _gasync_future_new_invalid_argument ("receiver"));
  g_return_val_if_fail (func != NULL, _gasync_future_new_invalid_argument ("func"));

  return map_new (NULL, 0, receiver, max_in_flight, func, user_data, destroy);
}
