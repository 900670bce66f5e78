/* channel-stress.c: stress tests for channels: producers, random cancels, walkers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "channel-test-util.h"

/* Stress: 4 producers, every item counted, per-producer order */

#define N_PRODUCERS 4

typedef struct
{
  GAsyncSender *tx;         /* owned */
  guint         producer;
  guint         n;
  gboolean      use_many;
} Producer;

static inline gpointer
stress_item (guint producer,
             guint seq)
{
  return GSIZE_TO_POINTER (((gsize) (producer + 1) << 24) | seq);
}

static gpointer
producer_thread (gpointer user_data)
{
  Producer *p = user_data;
  GError *error = NULL;

  if (p->use_many)
    {
      gpointer batch[61];
      guint seq = 1;

      while (seq <= p->n)
        {
          guint k = MIN (G_N_ELEMENTS (batch), p->n - seq + 1);

          for (guint i = 0; i < k; i++)
            batch[i] = stress_item (p->producer, seq + i);
          g_assert_cmpuint (gasync_sender_send_many (p->tx, batch, k, NULL, &error), ==, k);
          g_assert_no_error (error);
          seq += k;
        }
    }
  else
    for (guint seq = 1; seq <= p->n; seq++)
      if G_UNLIKELY (!gasync_sender_send_pointer (p->tx, stress_item (p->producer, seq), NULL, &error))
        g_error ("send failed: %s", error->message);

  g_clear_object (&p->tx);
  return NULL;
}

typedef struct
{
  guint64 count;
  guint64 sum;
  guint   last[N_PRODUCERS];
  gint    done;
} Tally;

static inline void
tally_add (Tally    *t,
           gpointer  item)
{
  gsize v = GPOINTER_TO_SIZE (item);
  guint p = (v >> 24) - 1;
  guint seq = v & 0xffffff;

  if G_UNLIKELY (p >= N_PRODUCERS || seq != t->last[p] + 1)
    g_error ("item %#" G_GSIZE_MODIFIER "x out of order (last of producer: %u)",
             v, p < N_PRODUCERS ? t->last[p] : 0);
  t->last[p] = seq;
  t->count++;
  t->sum += seq;
}

static gboolean
stress_on_item (GAsyncReceiver *rx,
                const GValue   *item,
                gpointer        user_data)
{
  Tally *t = user_data;

  if (item == NULL)
    {
      t->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  tally_add (t, g_value_get_pointer (item));
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  GAsyncReceiver *rx;   /* owned */
  Tally          *tally;
} Consumer;

static gpointer
consumer_thread (gpointer user_data)
{
  Consumer *c = user_data;
  GError *error = NULL;
  gpointer batch[37];
  guint round = 0;

  for (;;)
    {
      if (round++ % 2 == 0)
        {
          gpointer item = gasync_receiver_recv_pointer (c->rx, NULL, &error);

          if (item == NULL)
            break;
          tally_add (c->tally, item);
        }
      else
        {
          guint n = gasync_receiver_recv_many (c->rx, batch, G_N_ELEMENTS (batch), NULL, &error);

          if (n == 0)
            break;
          for (guint i = 0; i < n; i++)
            tally_add (c->tally, batch[i]);
        }
    }

  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);
  g_clear_object (&c->rx);
  c->tally->done = TRUE;
  return NULL;
}

typedef enum {
  CONSUME_ATTACH,
  CONSUME_THREAD,
} ConsumeMode;

/* 4 × 1,000,000 items run in the normal build (well under a second each
 * on the 2-core CI machines); ThreadSanitizer and AddressSanitizer builds
 * run a tenth unless thorough, valgrind a tenth as every stress size. */
static guint
stress_size (void)
{
  guint n = gasync_test_size (1000000, 1000000);

  if (GASYNC_TEST_SANITIZED && !gasync_test_thorough ())
    n /= 10;
  return n;
}

static void
run_stress (guint       capacity,
            ConsumeMode mode)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  GMainContext *context = g_main_context_new ();
  Producer producers[N_PRODUCERS];
  GThread *threads[N_PRODUCERS];
  GThread *consumer = NULL;
  Consumer c;
  Tally tally;
  const guint n = stress_size ();

  memset (&tally, 0, sizeof tally);
  g_main_context_push_thread_default (context);

  gasync_channel_new (G_TYPE_POINTER, capacity, &tx, &rx);
  if (mode == CONSUME_ATTACH)
    gasync_receiver_attach (rx, NULL, stress_on_item, &tally, NULL);
  else
    {
      c.rx = g_object_ref (rx);
      c.tally = &tally;
      consumer = g_thread_new ("consumer", consumer_thread, &c);
    }
  g_clear_object (&rx);

  for (guint p = 0; p < N_PRODUCERS; p++)
    {
      producers[p].tx = gasync_sender_clone (tx);
      producers[p].producer = p;
      producers[p].n = n;
      producers[p].use_many = p == N_PRODUCERS - 1;
      threads[p] = g_thread_new ("producer", producer_thread, &producers[p]);
    }
  g_clear_object (&tx);

  if (mode == CONSUME_ATTACH)
    gasync_test_iterate_until (context, &tally.done, 600000);
  else
    g_thread_join (consumer);

  for (guint p = 0; p < N_PRODUCERS; p++)
    g_thread_join (threads[p]);

  g_assert_true (tally.done);
  g_assert_cmpuint (tally.count, ==, (guint64) N_PRODUCERS * n);
  g_assert_cmpuint (tally.sum, ==, (guint64) N_PRODUCERS * n * (n + 1) / 2);
  for (guint p = 0; p < N_PRODUCERS; p++)
    g_assert_cmpuint (tally.last[p], ==, n);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

static void
test_stress_attach_bounded (void)
{
  g_test_summary ("4 producers × 1,000,000 items into a bounded(1024) channel, "
                  "received on a main loop through attach: count and sum "
                  "exact, per-producer order kept");
  run_stress (1024, CONSUME_ATTACH);
}

static void
test_stress_attach_unbounded (void)
{
  g_test_summary ("4 producers × 1,000,000 items into an unbounded channel, "
                  "received on a main loop through attach");
  run_stress (0, CONSUME_ATTACH);
}

static void
test_stress_thread_bounded (void)
{
  g_test_summary ("4 producers × 1,000,000 items into a bounded(1024) channel, "
                  "received by a thread blocking in recv_pointer/recv_many");
  run_stress (1024, CONSUME_THREAD);
}

static void
test_stress_thread_unbounded (void)
{
  g_test_summary ("4 producers × 1,000,000 items into an unbounded channel, "
                  "received by a thread blocking in recv_pointer/recv_many");
  run_stress (0, CONSUME_THREAD);
}

/* Randomized stress: every item received, handed back or freed, once */

enum {
  ST_NEW,        /* not sent yet */
  ST_SENDING,    /* handed to a send call (or queued) */
  ST_RECEIVED,
  ST_RETURNED,   /* the send failed: the producer got it back */
  ST_FREED,      /* freed by the channel with the item free function */
};

typedef struct
{
  gint  state;   /* atomic */
  guint producer;
  guint seq;
} RItem;

static void
ritem_mark (RItem *item,
            gint   to)
{
  if G_UNLIKELY (!g_atomic_int_compare_and_exchange (&item->state, ST_SENDING, to))
    g_error ("item %u of producer %u: state %d, now %d: not exactly once",
             item->seq, item->producer, g_atomic_int_get (&item->state), to);
}

static void
ritem_free (gpointer data)
{
  ritem_mark (data, ST_FREED);
}

#define N_RANDOM_PRODUCERS 3
#define N_CANCEL_SLOTS     (N_RANDOM_PRODUCERS + 1)

typedef struct
{
  GMutex        lock;
  GCancellable *current[N_CANCEL_SLOTS];   /* protected by lock */
  gint          stop;                       /* atomic */
  guint32       seed;
} Canceller;

/* A cancellable that the canceller thread may cancel at any moment. */
static GCancellable *
canceller_publish (Canceller *cc,
                   guint      slot)
{
  GCancellable *cancellable = g_cancellable_new ();

  gasync_mutex_lock (&cc->lock);
  cc->current[slot] = g_object_ref (cancellable);
  gasync_mutex_unlock (&cc->lock);
  return cancellable;
}

static void
canceller_withdraw (Canceller    *cc,
                    guint         slot,
                    GCancellable *cancellable)
{
  gasync_mutex_lock (&cc->lock);
  g_clear_object (&cc->current[slot]);
  gasync_mutex_unlock (&cc->lock);
  g_object_unref (cancellable);
}

static gpointer
canceller_thread (gpointer user_data)
{
  Canceller *cc = user_data;
  GRand *rand = g_rand_new_with_seed (cc->seed);

  while (!g_atomic_int_get (&cc->stop))
    {
      guint slot = g_rand_int_range (rand, 0, N_CANCEL_SLOTS);

      gasync_mutex_lock (&cc->lock);
      if (cc->current[slot] != NULL)
        g_cancellable_cancel (cc->current[slot]);
      gasync_mutex_unlock (&cc->lock);
      /* Pacing only: nothing depends on this timing. */
      g_usleep (g_rand_int_range (rand, 20, 400));
    }

  g_rand_free (rand);
  return NULL;
}

typedef struct
{
  GAsyncSender *tx;          /* owned */
  Canceller    *cc;
  guint         producer;
  RItem        *items;
  guint         n;
  guint32       seed;
  guint         n_attempted; /* items that left ST_NEW */
} RProducer;

static void
rproducer_returned (RItem *item)
{
  ritem_mark (item, ST_RETURNED);
}

static gpointer
rproducer_thread (gpointer user_data)
{
  RProducer *p = user_data;
  GRand *rand = g_rand_new_with_seed (p->seed);
  GPtrArray *futures = g_ptr_array_new ();
  GPtrArray *future_items = g_ptr_array_new ();
  guint close_at = g_rand_int_range (rand, 0, 4) == 0 ? (guint) g_rand_int_range (rand, 0, p->n) : G_MAXUINT;
  guint seq = 0;

  while (seq < p->n)
    {
      RItem *item = &p->items[seq];
      GError *error = NULL;
      gboolean ok = FALSE;
      guint op = g_rand_int_range (rand, 0, 7);

      if (seq == close_at)
        gasync_sender_close (p->tx);

      g_atomic_int_set (&item->state, ST_SENDING);
      seq++;

      switch (op)
        {
        case 0:
          ok = gasync_sender_send_pointer (p->tx, item, NULL, &error);
          break;
        case 1:
          ok = send_pointer_bounded (p->tx, item, g_rand_int_range (rand, 1, 3), &error);
          break;
        case 2:
          {
            GCancellable *cancellable = canceller_publish (p->cc, p->producer);

            ok = gasync_sender_send_pointer (p->tx, item, cancellable, &error);
            canceller_withdraw (p->cc, p->producer, cancellable);
          }
          break;
        case 3:
          ok = gasync_sender_try_send_pointer (p->tx, item, &error);
          break;
        case 4:
          {
            GValue value = G_VALUE_INIT;
            GAsyncFuture *f;

            g_value_init (&value, G_TYPE_POINTER);
            g_value_set_pointer (&value, item);
            f = gasync_sender_send_future (p->tx, &value);
            if (g_rand_boolean (rand))
              gasync_future_cancel (f);
            /* Settled later: resolved means queued, rejected means handed back. */
            g_ptr_array_add (futures, f);
            g_ptr_array_add (future_items, item);
            continue;
          }
        case 5:
          {
            gpointer batch[8];
            guint k = 1, done;

            batch[0] = item;
            while (k < G_N_ELEMENTS (batch) && seq < p->n && seq != close_at)
              {
                batch[k] = &p->items[seq++];
                g_atomic_int_set (&((RItem *) batch[k])->state, ST_SENDING);
                k++;
              }
            done = gasync_sender_send_many (p->tx, batch, k, NULL, &error);
            for (guint i = done; i < k; i++)
              rproducer_returned (batch[i]);
            if (done < k)
              {
                g_assert_nonnull (error);
                g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
                g_clear_error (&error);
                goto closed;
              }
            continue;
          }
        default:
          {
            GValue value = G_VALUE_INIT;

            g_value_init (&value, G_TYPE_POINTER);
            g_value_set_pointer (&value, item);
            ok = gasync_sender_send (p->tx, &value, NULL, &error);
          }
          break;
        }

      if (!ok)
        {
          rproducer_returned (item);
          if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
            {
              g_clear_error (&error);
              goto closed;
            }
          g_assert_true (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_FULL) ||
                         g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT) ||
                         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
          g_clear_error (&error);
        }
    }

closed:
  p->n_attempted = seq;
  g_clear_object (&p->tx);

  /* Parked sends complete even though the sender is gone. */
  for (guint i = 0; i < futures->len; i++)
    {
      GAsyncFuture *f = futures->pdata[i];
      g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (f, 120000);
      GValue value = G_VALUE_INIT;
      GError *error = NULL;

      if (!gasync_future_wait (bounded, NULL, &value, &error))
        {
          g_assert_false (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT));
          rproducer_returned (future_items->pdata[i]);
          g_clear_error (&error);
        }
      g_value_unset (&value);
      g_object_unref (f);
    }

  g_ptr_array_unref (futures);
  g_ptr_array_unref (future_items);
  g_rand_free (rand);
  return NULL;
}

typedef struct
{
  guint last[N_RANDOM_PRODUCERS];
  guint n_received;
} RConsumer;

static void
rconsumer_got (RConsumer *c,
               RItem     *item)
{
  /* Per-producer order: items handed back leave gaps, never reorderings. */
  if (c->n_received > 0 || c->last[item->producer] > 0)
    g_assert_cmpuint (item->seq + 1, >, c->last[item->producer]);
  c->last[item->producer] = item->seq + 1;
  c->n_received++;
  ritem_mark (item, ST_RECEIVED);
}

static void
run_random_round (guint32 seed,
                  guint   n_per_producer)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  RProducer producers[N_RANDOM_PRODUCERS];
  GThread *threads[N_RANDOM_PRODUCERS];
  GThread *canceller;
  Canceller cc;
  RConsumer consumer;
  GRand *rand = g_rand_new_with_seed (seed);
  guint capacity = g_rand_boolean (rand) ? g_rand_int_range (rand, 1, 17) : 0;
  guint close_after = g_rand_int_range (rand, 0, 3) == 0 ?
                      (guint) g_rand_int_range (rand, 0, n_per_producer * N_RANDOM_PRODUCERS) : G_MAXUINT;
  guint64 n_received = 0, n_returned = 0, n_freed = 0, n_sent = 0;
  guint n_ops = 0;
  gboolean closed = FALSE;

  g_test_message ("random round: seed %u, capacity %u, receiver closes after %d ops",
                  seed, capacity, close_after == G_MAXUINT ? -1 : (gint) close_after);

  memset (&cc, 0, sizeof cc);
  g_mutex_init (&cc.lock);
  cc.seed = g_rand_int (rand);
  memset (&consumer, 0, sizeof consumer);

  gasync_channel_new_full (G_TYPE_POINTER, capacity, ritem_free, &tx, &rx);

  for (guint p = 0; p < N_RANDOM_PRODUCERS; p++)
    {
      producers[p].tx = gasync_sender_clone (tx);
      producers[p].cc = &cc;
      producers[p].producer = p;
      producers[p].n = n_per_producer;
      producers[p].items = g_new0 (RItem, n_per_producer);
      for (guint i = 0; i < n_per_producer; i++)
        {
          producers[p].items[i].producer = p;
          producers[p].items[i].seq = i;
        }
      producers[p].seed = g_rand_int (rand);
      threads[p] = g_thread_new ("producer", rproducer_thread, &producers[p]);
    }
  g_clear_object (&tx);
  canceller = g_thread_new ("canceller", canceller_thread, &cc);

  while (!closed)
    {
      GError *error = NULL;
      RItem *item = NULL;
      guint op = g_rand_int_range (rand, 0, 6);

      if (n_ops++ == close_after)
        gasync_receiver_close (rx);

      switch (op)
        {
        case 0:
          item = gasync_receiver_recv_pointer (rx, NULL, &error);
          break;
        case 1:
          item = recv_pointer_bounded (rx, g_rand_int_range (rand, 1, 3), &error);
          break;
        case 2:
          item = gasync_receiver_try_recv_pointer (rx, &error);
          break;
        case 3:
          {
            gpointer batch[16];
            guint n = gasync_receiver_recv_many (rx, batch, g_rand_int_range (rand, 1, 17), NULL, &error);

            for (guint i = 0; i < n; i++)
              rconsumer_got (&consumer, batch[i]);
          }
          break;
        case 4:
          {
            GCancellable *cancellable = canceller_publish (&cc, N_RANDOM_PRODUCERS);

            item = gasync_receiver_recv_pointer (rx, cancellable, &error);
            canceller_withdraw (&cc, N_RANDOM_PRODUCERS, cancellable);
          }
          break;
        default:
          {
            GAsyncFuture *f = gasync_receiver_recv_future (rx);
            g_autoptr(GAsyncFuture) bounded = NULL;
            GValue value = G_VALUE_INIT;

            if (g_rand_boolean (rand))
              gasync_future_cancel (f);
            /* Whatever happened first counts: an item taken is ours. */
            bounded = gasync_future_with_timeout (f, 120000);
            if (gasync_future_wait (bounded, NULL, &value, &error))
              item = g_value_get_pointer (&value);
            g_value_unset (&value);
            g_object_unref (f);
          }
          break;
        }

      if (item != NULL)
        rconsumer_got (&consumer, item);
      else if (error != NULL)
        {
          if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
            closed = TRUE;
          else if (!g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY) &&
                   !g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT) &&
                   !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_error ("unexpected error in receive %u: %s (%s, %d)", op, error->message,
                     g_quark_to_string (error->domain), error->code);
          g_clear_error (&error);
        }
    }

  for (guint p = 0; p < N_RANDOM_PRODUCERS; p++)
    g_thread_join (threads[p]);
  g_atomic_int_set (&cc.stop, TRUE);
  g_thread_join (canceller);

  /* Anything still queued is freed now. */
  g_clear_object (&rx);

  for (guint p = 0; p < N_RANDOM_PRODUCERS; p++)
    {
      for (guint i = 0; i < n_per_producer; i++)
        {
          gint state = producers[p].items[i].state;

          if (i < producers[p].n_attempted)
            n_sent++;
          else
            g_assert_cmpint (state, ==, ST_NEW);

          switch (state)
            {
            case ST_RECEIVED: n_received++; break;
            case ST_RETURNED: n_returned++; break;
            case ST_FREED:    n_freed++; break;
            case ST_NEW:      break;
            default:
              g_error ("item %u of producer %u left in state %d", i, p, state);
            }
        }
      g_free (producers[p].items);
    }

  g_test_message ("sent %" G_GUINT64_FORMAT ": received %" G_GUINT64_FORMAT
                  ", returned %" G_GUINT64_FORMAT ", freed %" G_GUINT64_FORMAT,
                  n_sent, n_received, n_returned, n_freed);
  g_assert_cmpuint (n_received, ==, consumer.n_received);
  g_assert_cmpuint (n_received + n_returned + n_freed, ==, n_sent);
  if (close_after == G_MAXUINT)
    g_assert_cmpuint (n_freed, ==, 0);

  g_mutex_clear (&cc.lock);
  g_rand_free (rand);
}

static void
test_random_stress (void)
{
  guint rounds = gasync_test_size (20, 100);
  guint n = gasync_test_size (5000, 50000);

  g_test_summary ("Seeded random mixes of send, try_send, send_future, "
                  "send_many, recv, try_recv, recv_many, recv_future, "
                  "timeouts, cancellation and closing across threads keep "
                  "received + returned + freed == sent, each exactly once, "
                  "and per-producer order (rerun with --seed to reproduce)");

  for (guint r = 0; r < rounds; r++)
    run_random_round (g_test_rand_int (), n);
}

/* Walkers: many sends parked at once, given up on every way */

#define N_WALKERS          8
#define N_WALKER_ITEMS   125   /* N_WALKERS × this: 1,000 parked sends */

typedef struct
{
  GAsyncSender *tx;          /* owned until the walker has parked everything */
  RItem        *items;
  guint32       seed;
} Walker;

/* Settles a send parked with @f and bounded by @bounded: queued (the
 * receiver or the channel has the item now), or handed back. */
static void
walker_settle (RItem        *item,
               GAsyncFuture *f,
               GAsyncFuture *bounded)
{
  GError *error = NULL;

  if (gasync_future_wait (bounded, NULL, NULL, &error))
    return;
  g_assert_true (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT) ||
                 g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                 g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  g_clear_error (&error);

  /* The timeout cancels @f, which settles soon: the send may have gone
   * through just before. */
  if (gasync_future_wait (f, NULL, NULL, &error))
    return;
  g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                 g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  g_clear_error (&error);
  ritem_mark (item, ST_RETURNED);
}

static gpointer
walker_thread (gpointer user_data)
{
  Walker *w = user_data;
  GRand *rand = g_rand_new_with_seed (w->seed);
  GAsyncFuture *futures[N_WALKER_ITEMS];
  GAsyncFuture *bounded[N_WALKER_ITEMS];
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_POINTER);
  for (guint i = 0; i < N_WALKER_ITEMS; i++)
    {
      g_atomic_int_set (&w->items[i].state, ST_SENDING);
      g_value_set_pointer (&value, &w->items[i]);
      futures[i] = gasync_sender_send_future (w->tx, &value);
      bounded[i] = gasync_future_with_timeout (futures[i], g_rand_int_range (rand, 1, 60));
      if (g_rand_int_range (rand, 0, 8) == 0)
        gasync_future_cancel (futures[i]);
    }
  g_clear_object (&w->tx);

  for (guint i = 0; i < N_WALKER_ITEMS; i++)
    {
      walker_settle (&w->items[i], futures[i], bounded[i]);
      g_object_unref (bounded[i]);
      g_object_unref (futures[i]);
    }

  g_rand_free (rand);
  return NULL;
}

/* Receives, each receive bounded by a short timeout, until one times out
 * (the consumer gives up) or @max_items were received. */
static void
walkers_consume (GAsyncReceiver *rx,
                 guint           max_items)
{
  for (guint n = 0; n < max_items; n++)
    {
      g_autoptr(GAsyncFuture) f = gasync_receiver_recv_future (rx);
      g_autoptr(GError) error = NULL;
      g_auto(GValue) value = G_VALUE_INIT;

      if (!wait_bounded (f, 5, &value, &error))
        {
          g_assert_true (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT) ||
                         g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED));
          return;
        }
      ritem_mark (g_value_get_pointer (&value), ST_RECEIVED);
    }
}

static void
run_walkers (guint32 seed)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  Walker walkers[N_WALKERS];
  GThread *threads[N_WALKERS];
  GRand *rand = g_rand_new_with_seed (seed);
  guint counts[ST_FREED + 1] = { 0, };

  g_test_message ("walkers: seed %u", seed);
  gasync_channel_new_full (G_TYPE_POINTER, g_rand_int_range (rand, 1, 9), ritem_free, &tx, &rx);
  for (guint k = 0; k < N_WALKERS; k++)
    {
      walkers[k].tx = gasync_sender_clone (tx);
      walkers[k].items = g_new0 (RItem, N_WALKER_ITEMS);
      walkers[k].seed = g_rand_int (rand);
      threads[k] = g_thread_new ("walker", walker_thread, &walkers[k]);
    }
  g_clear_object (&tx);

  walkers_consume (rx, g_rand_int_range (rand, 0, N_WALKERS * N_WALKER_ITEMS));
  g_clear_object (&rx);   /* the consumer gave up: parked sends are released */

  for (guint k = 0; k < N_WALKERS; k++)
    {
      g_thread_join (threads[k]);
      for (guint i = 0; i < N_WALKER_ITEMS; i++)
        {
          gint state = walkers[k].items[i].state;

          g_assert_cmpint (state, >=, ST_RECEIVED);
          counts[state]++;
        }
      g_free (walkers[k].items);
    }
  g_test_message ("received %u, handed back %u, freed %u",
                  counts[ST_RECEIVED], counts[ST_RETURNED], counts[ST_FREED]);
  g_rand_free (rand);
}

static void
test_walkers (void)
{
  guint rounds = gasync_test_size (10, 100);

  g_test_summary ("1,000 sends parked at once by 8 threads on a small bounded "
                  "channel, bounded by random timeouts or cancelled, while the "
                  "consumer receives with short timeouts, gives up and drops "
                  "the receiver: every walker finishes, and each item is "
                  "received, handed back or freed exactly once");

  for (guint r = 0; r < rounds; r++)
    run_walkers (g_test_rand_int ());
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel/stress/attach-bounded", test_stress_attach_bounded);
  g_test_add_func ("/channel/stress/attach-unbounded", test_stress_attach_unbounded);
  g_test_add_func ("/channel/stress/thread-bounded", test_stress_thread_bounded);
  g_test_add_func ("/channel/stress/thread-unbounded", test_stress_thread_unbounded);
  g_test_add_func ("/channel/stress/random", test_random_stress);
  g_test_add_func ("/channel/stress/walkers", test_walkers);

  return g_test_run ();
}
