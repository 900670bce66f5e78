/* stress-channel.c: producers and consumers with random close, cancel and
 * drop, and exact-once accounting of every item
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "stress-util.h"

#include <string.h>

/* /stress/channel/random-close: pointer items with an item free function.
 * Every item ends in exactly one of three ways: received by the consumer,
 * freed by the channel when the receiver closes with it queued, or handed
 * back to its producer by a failed or cancelled send. */

enum { ITEM_NEW, ITEM_RECEIVED, ITEM_FREED, ITEM_RETURNED, N_ITEM_FATES };
static const char *fate_names[] = { "new", "received", "freed", "returned" };

typedef struct
{
  guint id;
} Item;

/* One round's ledger: set up before the threads start, read after they
 * are joined. The channel's free function has no user data, hence static. */
static gint *item_fates;    /* atomic, one per id */
static guint n_item_fates;
static gint next_item_id;   /* atomic */

static Item *
item_new (void)
{
  Item *item = g_new (Item, 1);

  item->id = (guint) g_atomic_int_add (&next_item_id, 1);
  stress_assert (item->id < n_item_fates, "more items than planned: %u", item->id);
  return item;
}

static void
item_settle (Item *item,
             gint  fate)
{
  gint old = g_atomic_int_get (&item_fates[item->id]);

  stress_assert (g_atomic_int_compare_and_exchange (&item_fates[item->id], ITEM_NEW, fate),
                 "item %u %s after it was %s", item->id, fate_names[fate],
                 fate_names[old == ITEM_NEW ? g_atomic_int_get (&item_fates[item->id]) : old]);
  g_free (item);
}

/* The channel's item free function: a queued item at receiver close. */
static void
item_free_queued (gpointer data)
{
  item_settle (data, ITEM_FREED);
}

typedef struct
{
  GAsyncReceiver  *receiver;
  GAsyncTestLatch  close_point;   /* opened at close_after items or at the end */
  guint            close_after;   /* 0: the receiver is never closed early */
  gint             received;      /* atomic */
} ChannelRound;

typedef struct
{
  ChannelRound *round;
  GAsyncSender *sender;    /* owned */
  guint         index;
  guint         quota;
} Producer;

static gboolean
send_try_loop (GAsyncSender *sender,
               Item         *item,
               GError      **error)
{
  GError *local = NULL;

  while (!gasync_sender_try_send_pointer (sender, item, &local))
    {
      if (!g_error_matches (local, GASYNC_ERROR, GASYNC_ERROR_FULL))
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      g_clear_error (&local);
      g_thread_yield ();
    }
  return TRUE;
}

/* A send future, cancelled at once if @cancel: a cancelled send is never
 * queued, so the item is the channel's exactly when the future resolved. */
static gboolean
send_via_future (GAsyncSender *sender,
                 Item         *item,
                 gboolean      cancel,
                 GError      **error)
{
  g_autoptr(GAsyncFuture) future = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) result = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, item);
  future = gasync_sender_send_future (sender, &value);
  if (cancel)
    gasync_future_cancel (future);
  return gasync_future_wait (future, NULL, &result, error);
}

/* Returns FALSE when the producer must stop (the channel is closed). */
static gboolean
producer_send (Producer *p,
               GRand    *rand,
               Item     *item)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      ok = gasync_sender_send_pointer (p->sender, item, NULL, &error);
      break;
    case 1:
      ok = send_try_loop (p->sender, item, &error);
      break;
    default:
      ok = send_via_future (p->sender, item, g_rand_boolean (rand), &error);
      break;
    }
  if (ok)
    return TRUE;

  item_settle (item, ITEM_RETURNED);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return TRUE;
  stress_assert (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED),
                 "producer %u: send failed with %s", p->index, error->message);
  return FALSE;
}

static gpointer
producer_main (gpointer data)
{
  Producer *p = data;
  GRand *rand = stress_rand_new (p->index + 1);
  /* One producer in four closes its sender early. */
  guint close_at = g_rand_int_range (rand, 0, 4) == 0 ? (guint) g_rand_int_range (rand, 0, (gint32) p->quota + 1) : G_MAXUINT;

  for (guint i = 0; i < p->quota; i++)
    {
      if (i == close_at)
        {
          gasync_sender_close (p->sender);
          break;
        }
      if (!producer_send (p, rand, item_new ()))
        break;
      if (g_rand_int_range (rand, 0, 64) == 0)
        stress_pace (rand, 200);
    }
  g_clear_object (&p->sender);
  g_rand_free (rand);
  return NULL;
}

/* A receive future, cancelled after a moment if @cancel: if the cancel
 * lost the race the future holds the item, which is then ours. */
static Item *
recv_via_future (GAsyncReceiver *receiver,
                 GRand          *rand,
                 gboolean        cancel,
                 GError        **error)
{
  g_autoptr(GAsyncFuture) future = gasync_receiver_recv_future (receiver);
  g_auto(GValue) value = G_VALUE_INIT;

  if (cancel)
    {
      stress_pace (rand, 20);
      gasync_future_cancel (future);
    }
  else if (!gasync_future_wait (future, NULL, &value, error))
    return NULL;

  if (gasync_future_get_state (future) == GASYNC_FUTURE_RESOLVED)
    return gasync_future_get_pointer (future, error);
  g_propagate_error (error, g_error_copy (gasync_future_get_error (future)));
  return NULL;
}

static Item *
consumer_recv (GAsyncReceiver *receiver,
               GRand          *rand,
               GError        **error)
{
  switch (g_rand_int_range (rand, 0, 5))
    {
    case 0:
    case 1:
      return gasync_receiver_recv_pointer (receiver, NULL, error);
    case 2:
      return gasync_receiver_try_recv_pointer (receiver, error);
    default:
      return recv_via_future (receiver, rand, g_rand_boolean (rand), error);
    }
}

static gpointer
consumer_main (gpointer data)
{
  ChannelRound *round = data;
  GRand *rand = stress_rand_new (0);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      Item *item = consumer_recv (round->receiver, rand, &error);

      if (item != NULL)
        {
          item_settle (item, ITEM_RECEIVED);
          if ((guint) g_atomic_int_add (&round->received, 1) + 1 == round->close_after)
            gasync_test_latch_open (&round->close_point);
          continue;
        }
      if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_thread_yield ();
          continue;
        }
      stress_assert (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED),
                     "receive failed with %s", error->message);
      break;
    }
  gasync_test_latch_open (&round->close_point);
  g_rand_free (rand);
  return NULL;
}

static guint fate_totals[N_ITEM_FATES];   /* test thread only */

static void
channel_round_check (guint n_created)
{
  guint counts[N_ITEM_FATES] = { 0, };

  for (guint id = 0; id < n_created; id++)
    {
      gint fate = g_atomic_int_get (&item_fates[id]);

      stress_assert (fate != ITEM_NEW, "item %u was neither received, freed nor returned", id);
      counts[fate]++;
    }
  stress_assert (counts[ITEM_RECEIVED] + counts[ITEM_FREED] + counts[ITEM_RETURNED] == n_created,
                 "%u items made, %u received, %u freed, %u returned", n_created,
                 counts[ITEM_RECEIVED], counts[ITEM_FREED], counts[ITEM_RETURNED]);
  for (guint i = 0; i < N_ITEM_FATES; i++)
    fate_totals[i] += counts[i];
}

static void
channel_round_run (GRand *rand,
                   guint  n_producers,
                   guint  quota)
{
  ChannelRound round = { NULL, };
  GAsyncSender *sender = NULL;
  Producer *producers = g_new0 (Producer, n_producers);
  GThread **threads = g_new0 (GThread *, n_producers);
  GThread *consumer;

  n_item_fates = n_producers * quota;
  item_fates = g_new0 (gint, n_item_fates);
  g_atomic_int_set (&next_item_id, 0);
  gasync_test_latch_init (&round.close_point);
  /* Half the rounds close the receiver while items are in flight. */
  round.close_after = g_rand_boolean (rand) ? (guint) g_rand_int_range (rand, 1, (gint32) n_item_fates + 1) : 0;
  gasync_channel_new_full (G_TYPE_POINTER, g_rand_int_range (rand, 0, 9), item_free_queued,
                           &sender, &round.receiver);
  consumer = g_thread_new ("stress-consumer", consumer_main, &round);
  for (guint i = 0; i < n_producers; i++)
    {
      producers[i] = (Producer) { &round, gasync_sender_clone (sender), i, quota };
      threads[i] = g_thread_new ("stress-producer", producer_main, &producers[i]);
    }
  g_clear_object (&sender);

  if (round.close_after > 0)
    {
      stress_assert (gasync_test_latch_wait (&round.close_point, 120000), "the consumer is stuck");
      gasync_receiver_close (round.receiver);
    }
  for (guint i = 0; i < n_producers; i++)
    g_thread_join (threads[i]);
  g_thread_join (consumer);
  g_clear_object (&round.receiver);

  channel_round_check ((guint) g_atomic_int_get (&next_item_id));
  gasync_test_latch_clear (&round.close_point);
  g_clear_pointer (&item_fates, g_free);
  g_free (threads);
  g_free (producers);
}

static void
test_random_close (void)
{
  GRand *rand = stress_rand_new (G_MAXUINT);
  guint rounds = stress_size (24, 400);

  memset (fate_totals, 0, sizeof fate_totals);
  for (guint r = 0; r < rounds; r++)
    channel_round_run (rand, g_rand_int_range (rand, 1, 5), stress_size (400, 4000));
  g_test_message ("%u rounds: %u items received, %u freed at close, %u returned to their sender",
                  rounds, fate_totals[ITEM_RECEIVED], fate_totals[ITEM_FREED], fate_totals[ITEM_RETURNED]);
  g_rand_free (rand);
}

/* /stress/channel/drop-futures: object items; producers drop their send
 * futures at once, the consumer drops receive futures while they wait.
 * No item is received twice, and every item is finalized exactly once
 * (an item taken by a dropped receive future is freed with it). */

typedef struct
{
  GAsyncSender   *sender;     /* owned */
  GAsyncReceiver *receiver;   /* consumer only */
  gint           *received;   /* atomic, one per id */
  guint           index;
  guint           quota;
  guint           first_id;
  gint            dropped;    /* atomic: receive futures dropped pending */
} DropPeer;

static gpointer
drop_producer_main (gpointer data)
{
  DropPeer *p = data;
  GRand *rand = stress_rand_new (p->index + 1);

  for (guint i = 0; i < p->quota; i++)
    {
      g_autoptr(StressItem) item = stress_item_new (p->first_id + i);
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, STRESS_TYPE_ITEM);
      g_value_set_object (&value, item);
      if (g_rand_boolean (rand))
        g_object_unref (gasync_sender_send_future (p->sender, &value));
      else if (!gasync_sender_send (p->sender, &value, NULL, NULL))
        break;
    }
  g_clear_object (&p->sender);
  g_rand_free (rand);
  return NULL;
}

/* Returns FALSE once the channel is closed. */
static gboolean
drop_consumer_step (DropPeer *c,
                    GRand    *rand)
{
  g_autoptr(GAsyncFuture) future = gasync_receiver_recv_future (c->receiver);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  guint id;

  if (g_rand_int_range (rand, 0, 4) == 0 &&
      gasync_future_get_state (future) == GASYNC_FUTURE_PENDING)
    {
      g_atomic_int_inc (&c->dropped);
      return TRUE;
    }
  if (!gasync_future_wait (future, NULL, &value, &error))
    {
      stress_assert (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED),
                     "receive failed with %s", error->message);
      return FALSE;
    }
  id = stress_item_get_id (g_value_get_object (&value));
  stress_assert (g_atomic_int_add (&c->received[id], 1) == 0, "item %u received twice", id);
  return TRUE;
}

static gpointer
drop_consumer_main (gpointer data)
{
  DropPeer *c = data;
  GRand *rand = stress_rand_new (0);
  guint close_after = g_rand_boolean (rand) ? (guint) g_rand_int_range (rand, 1, (gint32) c->quota + 1) : G_MAXUINT;

  for (guint n = 0; drop_consumer_step (c, rand); n++)
    if (n == close_after)
      gasync_receiver_close (c->receiver);
  g_rand_free (rand);
  return NULL;
}

static void
drop_round_run (GRand *rand,
                guint  n_producers,
                guint  quota)
{
  GAsyncSender *sender = NULL;
  DropPeer consumer = { NULL, };
  DropPeer *producers = g_new0 (DropPeer, n_producers);
  GThread **threads = g_new0 (GThread *, n_producers + 1);
  guint n_received = 0;

  stress_items_reset ();
  gasync_channel_new (STRESS_TYPE_ITEM, g_rand_int_range (rand, 0, 9), &sender, &consumer.receiver);
  consumer.received = g_new0 (gint, n_producers * quota);
  consumer.quota = n_producers * quota;
  threads[n_producers] = g_thread_new ("stress-consumer", drop_consumer_main, &consumer);
  for (guint i = 0; i < n_producers; i++)
    {
      producers[i] = (DropPeer) { gasync_sender_clone (sender), NULL, NULL, i, quota, i * quota, 0 };
      threads[i] = g_thread_new ("stress-producer", drop_producer_main, &producers[i]);
    }
  g_clear_object (&sender);
  for (guint i = 0; i <= n_producers; i++)
    g_thread_join (threads[i]);
  g_clear_object (&consumer.receiver);

  for (guint id = 0; id < n_producers * quota; id++)
    n_received += (guint) g_atomic_int_get (&consumer.received[id]);
  stress_assert (stress_items_alive () == 0, "%u of %u items never freed (%u received, %d receive futures dropped)",
                 stress_items_alive (), stress_items_created (), n_received,
                 g_atomic_int_get (&consumer.dropped));
  g_free (consumer.received);
  g_free (threads);
  g_free (producers);
}

static void
test_drop_futures (void)
{
  GRand *rand = stress_rand_new (G_MAXUINT);
  guint rounds = stress_size (24, 400);

  for (guint r = 0; r < rounds; r++)
    drop_round_run (rand, g_rand_int_range (rand, 1, 5), stress_size (300, 3000));
  g_rand_free (rand);
}

void
stress_channel_add_tests (void)
{
  g_test_add_func ("/stress/channel/random-close", test_random_close);
  g_test_add_func ("/stress/channel/drop-futures", test_drop_futures);
}
