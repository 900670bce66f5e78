/* bench-channel.c: channels next to the raw GLib way of moving items
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_EVENTFD
#include <sys/eventfd.h>
#endif

#include <glib-unix.h>

#include "gasync-bench-util.h"

/* Every row moves items 1..n (as pointers) from producer threads to one
 * consumer, which counts and sums them and fails loudly on a mismatch. */

#define MAX_PRODUCERS 4

typedef struct
{
  guint64 count;
  guint64 sum;
} Tally;

static void
tally_check (const Tally *t,
             guint64      n,
             guint        n_producers,
             const char  *what)
{
  guint64 per = n / n_producers;

  if (t->count != per * n_producers ||
      t->sum != (guint64) n_producers * per * (per + 1) / 2)
    g_error ("%s: received %" G_GUINT64_FORMAT " items summing to %" G_GUINT64_FORMAT
             ", expected %" G_GUINT64_FORMAT, what, t->count, t->sum, per * n_producers);
}

/* Producers: each sends 1..per on its own sender or onto the shared queue */

typedef enum {
  SEND_GASYNC,
  SEND_GASYNC_MANY,
  SEND_QUEUE,
  SEND_QUEUE_EVENTFD,
  SEND_QUEUE_READY_TIME,
  SEND_INVOKE,
} SendKind;

typedef struct _Run Run;

typedef struct
{
  Run          *run;
  GAsyncSender *tx;   /* owned */
  guint64       per;
} ProducerArgs;

struct _Run
{
  SendKind      kind;
  GAsyncQueue  *queue;
  GSource      *source;       /* eventfd / ready-time source */
  GMainContext *context;      /* invoke */
  ProducerArgs  args[MAX_PRODUCERS];
  GThread      *threads[MAX_PRODUCERS];
  guint         n_producers;
};

/* A hand-written coalesced wakeup source over a GAsyncQueue, as a careful
 * GLib programmer would write one: producers push, and write the eventfd
 * (or set the ready time) only when no wakeup is pending; the dispatch
 * takes the queue lock once and drains everything. */
typedef struct
{
  GSource      source;
  GAsyncQueue *queue;
  gint         armed;    /* atomic: a wakeup is pending */
  int          fd;       /* eventfd, or -1 for the ready-time variant */
  Tally        tally;
  guint64      expected;
} QueueSource;

static gboolean
queue_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  QueueSource *self = (QueueSource *) source;
  gpointer item;

  if (self->fd >= 0)
    {
      guint64 value;

      if (read (self->fd, &value, sizeof value) < 0)
        g_error ("read(eventfd) failed");
    }
  else
    g_source_set_ready_time (source, -1);

  /* Disarm before draining: a push after the drain re-arms and wakes. */
  g_atomic_int_set (&self->armed, 0);

  g_async_queue_lock (self->queue);
  while ((item = g_async_queue_try_pop_unlocked (self->queue)) != NULL)
    {
      self->tally.count++;
      self->tally.sum += GPOINTER_TO_SIZE (item);
    }
  g_async_queue_unlock (self->queue);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs queue_source_funcs = {
  .dispatch = queue_source_dispatch,
};

static inline void
queue_source_push (QueueSource *self,
                   gpointer     item)
{
  g_async_queue_push (self->queue, item);
  if (g_atomic_int_get (&self->armed) == 0 &&
      g_atomic_int_compare_and_exchange (&self->armed, 0, 1))
    {
      if (self->fd >= 0)
        {
          guint64 one = 1;

          if (write (self->fd, &one, sizeof one) < 0)
            g_error ("write(eventfd) failed");
        }
      else
        g_source_set_ready_time ((GSource *) self, 0);
    }
}

static QueueSource *
queue_source_new (gboolean      use_eventfd,
                  GMainContext *context)
{
  QueueSource *self = (QueueSource *) g_source_new (&queue_source_funcs, sizeof (QueueSource));

  self->queue = g_async_queue_new ();
  self->fd = -1;
#ifdef HAVE_EVENTFD
  if (use_eventfd)
    {
      self->fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
      g_source_add_unix_fd ((GSource *) self, self->fd, G_IO_IN);
    }
  else
#endif
    g_source_set_ready_time ((GSource *) self, -1);
  g_source_attach ((GSource *) self, context);
  return self;
}

static void
queue_source_free (QueueSource *self)
{
  g_source_destroy ((GSource *) self);
  g_async_queue_unref (self->queue);
  if (self->fd >= 0)
    close (self->fd);
  g_source_unref ((GSource *) self);
}

/* g_main_context_invoke() per item: one idle GSource per item. */
static Tally invoke_tally;

static gboolean
invoke_one (gpointer item)
{
  invoke_tally.count++;
  invoke_tally.sum += GPOINTER_TO_SIZE (item);
  return G_SOURCE_REMOVE;
}

static gpointer
producer_main (gpointer data)
{
  ProducerArgs *a = data;
  Run *run = a->run;
  GError *error = NULL;

  switch (run->kind)
    {
    case SEND_GASYNC:
      for (guint64 i = 1; i <= a->per; i++)
        if G_UNLIKELY (!gasync_sender_send_pointer (a->tx, GSIZE_TO_POINTER (i), NULL, &error))
          g_error ("send: %s", error->message);
      break;
    case SEND_GASYNC_MANY:
      {
        gpointer batch[64];
        guint64 i = 1;

        while (i <= a->per)
          {
            guint k = (guint) MIN (G_N_ELEMENTS (batch), a->per - i + 1);

            for (guint j = 0; j < k; j++)
              batch[j] = GSIZE_TO_POINTER (i + j);
            if G_UNLIKELY (gasync_sender_send_many (a->tx, batch, k, NULL, &error) != k)
              g_error ("send_many: %s", error->message);
            i += k;
          }
      }
      break;
    case SEND_QUEUE:
      for (guint64 i = 1; i <= a->per; i++)
        g_async_queue_push (run->queue, GSIZE_TO_POINTER (i));
      break;
    case SEND_QUEUE_EVENTFD:
    case SEND_QUEUE_READY_TIME:
      for (guint64 i = 1; i <= a->per; i++)
        queue_source_push ((QueueSource *) run->source, GSIZE_TO_POINTER (i));
      break;
    case SEND_INVOKE:
      for (guint64 i = 1; i <= a->per; i++)
        g_main_context_invoke (run->context, invoke_one, GSIZE_TO_POINTER (i));
      break;
    default:
      g_assert_not_reached ();
    }

  g_clear_object (&a->tx);
  return NULL;
}

/* Starts @n_producers threads; for gasync kinds each gets a clone of @tx. */
static void
run_start (Run          *run,
           SendKind      kind,
           guint         n_producers,
           guint64       n,
           GAsyncSender *tx)
{
  run->kind = kind;
  run->n_producers = n_producers;
  for (guint p = 0; p < n_producers; p++)
    {
      run->args[p].run = run;
      run->args[p].tx = tx != NULL ? gasync_sender_clone (tx) : NULL;
      run->args[p].per = n / n_producers;
      run->threads[p] = g_thread_new ("producer", producer_main, &run->args[p]);
    }
}

static void
run_join (Run *run)
{
  for (guint p = 0; p < run->n_producers; p++)
    g_thread_join (run->threads[p]);
}

/* Thread to thread */

typedef struct
{
  guint    n_producers;
  guint    capacity;
  gboolean many;       /* receive with recv_many, send with send_many */
} ThreadArgs;

static gdouble
bench_gasync_threads (guint64  n,
                      gpointer data)
{
  ThreadArgs *args = data;
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  GError *error = NULL;
  Tally t = { 0, 0 };
  Run run = { 0, };
  gdouble start, elapsed;

  gasync_channel_new (G_TYPE_POINTER, args->capacity, &tx, &rx);

  start = gasync_bench_now ();
  run_start (&run, args->many ? SEND_GASYNC_MANY : SEND_GASYNC, args->n_producers, n, tx);
  g_clear_object (&tx);

  if (args->many)
    {
      gpointer batch[256];
      guint k;

      while ((k = gasync_receiver_recv_many (rx, batch, G_N_ELEMENTS (batch), NULL, &error)) > 0)
        for (guint i = 0; i < k; i++)
          {
            t.count++;
            t.sum += GPOINTER_TO_SIZE (batch[i]);
          }
    }
  else
    {
      gpointer item;

      while ((item = gasync_receiver_recv_pointer (rx, NULL, &error)) != NULL)
        {
          t.count++;
          t.sum += GPOINTER_TO_SIZE (item);
        }
    }
  elapsed = gasync_bench_now () - start;

  if (!g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
    g_error ("receive: %s", error->message);
  g_clear_error (&error);
  run_join (&run);
  tally_check (&t, n, args->n_producers, "gasync");
  return elapsed;
}

static gdouble
bench_queue_threads (guint64  n,
                     gpointer data)
{
  ThreadArgs *args = data;
  Tally t = { 0, 0 };
  Run run = { 0, };
  guint64 total = (n / args->n_producers) * args->n_producers;
  gdouble start, elapsed;

  run.queue = g_async_queue_new ();

  start = gasync_bench_now ();
  run_start (&run, SEND_QUEUE, args->n_producers, n, NULL);
  while (t.count < total)
    {
      gpointer item = g_async_queue_pop (run.queue);

      t.count++;
      t.sum += GPOINTER_TO_SIZE (item);
    }
  elapsed = gasync_bench_now () - start;

  run_join (&run);
  g_async_queue_unref (run.queue);
  tally_check (&t, n, args->n_producers, "GAsyncQueue");
  return elapsed;
}

/* Worker threads to a main loop */

typedef struct
{
  guint    capacity;
  SendKind baseline;   /* for the baseline side */
} LoopArgs;

typedef struct
{
  Tally    tally;
  gboolean done;
} LoopTally;

static gboolean
on_loop_item (GAsyncReceiver *rx,
              const GValue   *item,
              gpointer        user_data)
{
  LoopTally *lt = user_data;

  if (item == NULL)
    {
      lt->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  lt->tally.count++;
  lt->tally.sum += GPOINTER_TO_SIZE (g_value_get_pointer (item));
  return G_SOURCE_CONTINUE;
}

static gdouble
bench_gasync_loop (guint64  n,
                   gpointer data)
{
  LoopArgs *args = data;
  GMainContext *context = g_main_context_new ();
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  LoopTally lt = { { 0, 0 }, FALSE };
  Run run = { 0, };
  gdouble start, elapsed;

  gasync_channel_new (G_TYPE_POINTER, args->capacity, &tx, &rx);
  gasync_receiver_attach (rx, context, on_loop_item, &lt, NULL);
  g_clear_object (&rx);

  start = gasync_bench_now ();
  run_start (&run, SEND_GASYNC, MAX_PRODUCERS, n, tx);
  g_clear_object (&tx);
  while (!lt.done)
    g_main_context_iteration (context, TRUE);
  elapsed = gasync_bench_now () - start;

  run_join (&run);
  g_main_context_unref (context);
  tally_check (&lt.tally, n, MAX_PRODUCERS, "gasync attach");
  return elapsed;
}

static gdouble
bench_baseline_loop (guint64  n,
                     gpointer data)
{
  LoopArgs *args = data;
  GMainContext *context = g_main_context_new ();
  guint64 total = (n / MAX_PRODUCERS) * MAX_PRODUCERS;
  QueueSource *qs = NULL;
  Run run = { 0, };
  const Tally *t;
  gdouble start, elapsed;

  if (args->baseline == SEND_INVOKE)
    {
      memset (&invoke_tally, 0, sizeof invoke_tally);
      run.context = context;
      t = &invoke_tally;
    }
  else
    {
      qs = queue_source_new (args->baseline == SEND_QUEUE_EVENTFD, context);
      run.source = (GSource *) qs;
      t = &qs->tally;
    }

  start = gasync_bench_now ();
  run_start (&run, args->baseline, MAX_PRODUCERS, n, NULL);
  while (t->count < total)
    g_main_context_iteration (context, TRUE);
  elapsed = gasync_bench_now () - start;

  run_join (&run);
  tally_check (t, n, MAX_PRODUCERS, "baseline");
  if (qs != NULL)
    queue_source_free (qs);
  g_main_context_unref (context);
  return elapsed;
}

/* The wakeup alone: a ready-time source vs an eventfd source, both over a
 * GAsyncQueue (this is how the channel's attach source was chosen). */
static gdouble
bench_queue_ready_time_loop (guint64  n,
                             gpointer data)
{
  LoopArgs args = { 0, SEND_QUEUE_READY_TIME };

  return bench_baseline_loop (n, &args);
}

/* Round trip between two threads */

typedef struct
{
  GAsyncSender   *tx;   /* owned */
  GAsyncReceiver *rx;   /* owned */
  GAsyncQueue    *in;
  GAsyncQueue    *out;
  guint64         n;
} Echo;

static gpointer
gasync_echo (gpointer data)
{
  Echo *e = data;
  gpointer item;

  while ((item = gasync_receiver_recv_pointer (e->rx, NULL, NULL)) != NULL)
    gasync_sender_send_pointer (e->tx, item, NULL, NULL);
  g_clear_object (&e->tx);
  g_clear_object (&e->rx);
  return NULL;
}

static gdouble
bench_gasync_round_trip (guint64  n,
                         gpointer data)
{
  g_autoptr(GAsyncSender) ping_tx = NULL;
  g_autoptr(GAsyncReceiver) ping_rx = NULL;
  g_autoptr(GAsyncSender) pong_tx = NULL;
  g_autoptr(GAsyncReceiver) pong_rx = NULL;
  Echo e = { 0, };
  GThread *thread;
  guint64 sum = 0;
  gdouble start, elapsed;

  gasync_channel_new (G_TYPE_POINTER, 1, &ping_tx, &ping_rx);
  gasync_channel_new (G_TYPE_POINTER, 1, &pong_tx, &pong_rx);
  e.rx = g_steal_pointer (&ping_rx);
  e.tx = g_steal_pointer (&pong_tx);
  thread = g_thread_new ("echo", gasync_echo, &e);

  start = gasync_bench_now ();
  for (guint64 i = 1; i <= n; i++)
    {
      gasync_sender_send_pointer (ping_tx, GSIZE_TO_POINTER (i), NULL, NULL);
      sum += GPOINTER_TO_SIZE (gasync_receiver_recv_pointer (pong_rx, NULL, NULL));
    }
  elapsed = gasync_bench_now () - start;

  g_clear_object (&ping_tx);
  g_thread_join (thread);
  if (sum != n * (n + 1) / 2)
    g_error ("round trip: wrong sum");
  return elapsed;
}

static gpointer
queue_echo (gpointer data)
{
  Echo *e = data;

  for (guint64 i = 0; i < e->n; i++)
    g_async_queue_push (e->out, g_async_queue_pop (e->in));
  return NULL;
}

static gdouble
bench_queue_round_trip (guint64  n,
                        gpointer data)
{
  Echo e = { 0, };
  GThread *thread;
  guint64 sum = 0;
  gdouble start, elapsed;

  e.in = g_async_queue_new ();
  e.out = g_async_queue_new ();
  e.n = n;
  thread = g_thread_new ("echo", queue_echo, &e);

  start = gasync_bench_now ();
  for (guint64 i = 1; i <= n; i++)
    {
      g_async_queue_push (e.in, GSIZE_TO_POINTER (i));
      sum += GPOINTER_TO_SIZE (g_async_queue_pop (e.out));
    }
  elapsed = gasync_bench_now () - start;

  g_thread_join (thread);
  g_async_queue_unref (e.in);
  g_async_queue_unref (e.out);
  if (sum != n * (n + 1) / 2)
    g_error ("round trip: wrong sum");
  return elapsed;
}

/* Memory per queued item */

static gdouble
heap_in_use (void)
{
  struct mallinfo2 mi = mallinfo2 ();

  return (gdouble) mi.uordblks;
}

static void
report_memory (guint64 n)
{
  /* One round: sizes are not noisy, and a second round would reuse the
   * GAsyncQueue nodes GSlice cached in the first. */
  gdouble gasync_bytes[1], queue_bytes[1];
  guint rounds = 1;

  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr(GAsyncSender) tx = NULL;
      g_autoptr(GAsyncReceiver) rx = NULL;
      GAsyncQueue *queue;
      gdouble before;
      guint64 sum = 0;
      GError *error = NULL;

      gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
      before = heap_in_use ();
      for (guint64 i = 1; i <= n; i++)
        gasync_sender_send_pointer (tx, GSIZE_TO_POINTER (i), NULL, NULL);
      gasync_bytes[r] = (heap_in_use () - before) / n;
      for (guint64 i = 1; i <= n; i++)
        sum += GPOINTER_TO_SIZE (gasync_receiver_try_recv_pointer (rx, &error));
      if (error != NULL || sum != n * (n + 1) / 2)
        g_error ("memory: wrong sum");

      queue = g_async_queue_new ();
      before = heap_in_use ();
      for (guint64 i = 1; i <= n; i++)
        g_async_queue_push (queue, GSIZE_TO_POINTER (i));
      queue_bytes[r] = (heap_in_use () - before) / n;
      sum = 0;
      for (guint64 i = 1; i <= n; i++)
        sum += GPOINTER_TO_SIZE (g_async_queue_try_pop (queue));
      if (sum != n * (n + 1) / 2)
        g_error ("memory: wrong sum");
      g_async_queue_unref (queue);
    }

  gasync_bench_report ("memory per queued pointer item: gasync", "bytes", gasync_bytes, rounds);
  gasync_bench_report ("memory per queued pointer item: GAsyncQueue", "bytes", queue_bytes, rounds);
}

int
main (int   argc,
      char *argv[])
{
  ThreadArgs spsc = { 1, 0, FALSE };
  ThreadArgs spsc_bounded = { 1, 1024, FALSE };
  ThreadArgs spsc_many = { 1, 0, TRUE };
  ThreadArgs spsc_many_bounded = { 1, 1024, TRUE };
  ThreadArgs mpsc = { MAX_PRODUCERS, 0, FALSE };
  ThreadArgs mpsc_bounded = { MAX_PRODUCERS, 1024, FALSE };
  ThreadArgs mpsc_many = { MAX_PRODUCERS, 1024, TRUE };
  ThreadArgs mpsc_many_unbounded = { MAX_PRODUCERS, 0, TRUE };
  LoopArgs loop_invoke = { 0, SEND_INVOKE };
  LoopArgs loop_eventfd = { 0, SEND_QUEUE_EVENTFD };
  LoopArgs loop_bounded_eventfd = { 1024, SEND_QUEUE_EVENTFD };
  guint64 n, n_loop, n_invoke, n_round;

  gasync_bench_init (&argc, &argv, "channels: threads and main loops (10 M items per thread row)");
  n = gasync_bench_n (10000000, 20000);
  n_loop = gasync_bench_n (4000000, 20000);
  n_invoke = gasync_bench_n (400000, 4000);
  n_round = gasync_bench_n (100000, 2000);

  /* First, while GSlice's magazines are empty: later rows leave them full
   * of recycled GAsyncQueue nodes, which mallinfo2() would not see. */
  if (gasync_bench_wants ("memory", NULL))
    report_memory (gasync_bench_n (1000000, 10000));

  gasync_bench_compare_wanted ("SPSC thread→thread, unbounded", GASYNC_BENCH_OPS_PER_SEC, n,
                               bench_gasync_threads, &spsc, "GAsyncQueue", bench_queue_threads, &spsc);
  gasync_bench_compare_wanted ("SPSC thread→thread, bounded(1024)", GASYNC_BENCH_OPS_PER_SEC, n,
                               bench_gasync_threads, &spsc_bounded, "GAsyncQueue", bench_queue_threads, &spsc);
  gasync_bench_compare_wanted ("SPSC, send_many/recv_many, unbounded", GASYNC_BENCH_OPS_PER_SEC, n,
                               bench_gasync_threads, &spsc_many, "GAsyncQueue", bench_queue_threads, &spsc);
  gasync_bench_compare_wanted ("SPSC, send_many/recv_many, bounded(1024)", GASYNC_BENCH_OPS_PER_SEC, n,
                               bench_gasync_threads, &spsc_many_bounded, "GAsyncQueue", bench_queue_threads, &spsc);
  gasync_bench_compare_wanted ("4→1 threads, unbounded", GASYNC_BENCH_OPS_PER_SEC, n,
                               bench_gasync_threads, &mpsc, "GAsyncQueue", bench_queue_threads, &mpsc);
  gasync_bench_compare_wanted ("4→1 threads, bounded(1024)", GASYNC_BENCH_OPS_PER_SEC, n,
                               bench_gasync_threads, &mpsc_bounded, "GAsyncQueue", bench_queue_threads, &mpsc);
  gasync_bench_compare_wanted ("4→1, send_many/recv_many, bounded(1024)", GASYNC_BENCH_OPS_PER_SEC, n,
                               bench_gasync_threads, &mpsc_many, "GAsyncQueue", bench_queue_threads, &mpsc);
  gasync_bench_compare_wanted ("4→1, send_many/recv_many, unbounded", GASYNC_BENCH_OPS_PER_SEC, n,
                               bench_gasync_threads, &mpsc_many_unbounded, "GAsyncQueue", bench_queue_threads, &mpsc);
  gasync_bench_compare_wanted ("bounded(1024) vs unbounded, 4→1", GASYNC_BENCH_OPS_PER_SEC, n,
                               bench_gasync_threads, &mpsc_bounded, "unbounded", bench_gasync_threads, &mpsc);

  gasync_bench_compare_wanted ("4 workers→main loop, attach", GASYNC_BENCH_OPS_PER_SEC, n_invoke,
                               bench_gasync_loop, &loop_invoke, "invoke per item", bench_baseline_loop, &loop_invoke);
  gasync_bench_compare_wanted ("4 workers→main loop, attach", GASYNC_BENCH_OPS_PER_SEC, n_loop,
                               bench_gasync_loop, &loop_eventfd, "eventfd source+queue", bench_baseline_loop, &loop_eventfd);
  gasync_bench_compare_wanted ("4 workers→main loop, attach bounded(1024)", GASYNC_BENCH_OPS_PER_SEC, n_loop,
                               bench_gasync_loop, &loop_bounded_eventfd, "eventfd source+queue", bench_baseline_loop,
                               &loop_bounded_eventfd);
  gasync_bench_compare_wanted ("wakeup: ready-time source+queue", GASYNC_BENCH_OPS_PER_SEC, n_loop,
                               bench_queue_ready_time_loop, NULL, "eventfd source+queue", bench_baseline_loop,
                               &loop_eventfd);

  gasync_bench_compare_wanted ("round trip between two threads", GASYNC_BENCH_TIME_PER_OP, n_round,
                               bench_gasync_round_trip, NULL, "GAsyncQueue", bench_queue_round_trip, NULL);


  return 0;
}
