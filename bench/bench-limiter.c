/* bench-limiter.c: GAsyncLimiter next to a GMutex + GCond counting semaphore
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>

#include "gasync-bench-util.h"

#define N_THREADS 4
#define CONTENDED_PERMITS 2

/* The baseline: the counting semaphore a GLib program writes by hand. It
 * signals only when someone waits, which is the cheap way to write it. */
typedef struct
{
  GMutex mutex;
  GCond  cond;
  guint  available;   /* protected by mutex */
  guint  n_waiting;   /* protected by mutex */
} Semaphore;

static void
semaphore_init (Semaphore *sem,
                guint      permits)
{
  g_mutex_init (&sem->mutex);
  g_cond_init (&sem->cond);
  sem->available = permits;
  sem->n_waiting = 0;
}

static void
semaphore_clear (Semaphore *sem)
{
  g_mutex_clear (&sem->mutex);
  g_cond_clear (&sem->cond);
}

static void
semaphore_acquire (Semaphore *sem)
{
  g_mutex_lock (&sem->mutex);
  while (sem->available == 0)
    {
      sem->n_waiting++;
      g_cond_wait (&sem->cond, &sem->mutex);
      sem->n_waiting--;
    }
  sem->available--;
  g_mutex_unlock (&sem->mutex);
}

static void
semaphore_release (Semaphore *sem)
{
  g_mutex_lock (&sem->mutex);
  sem->available++;
  if (sem->n_waiting > 0)
    g_cond_signal (&sem->cond);
  g_mutex_unlock (&sem->mutex);
}

/* A second baseline that does exactly the limiter's job: first come,
 * first served, a released permit handed to the oldest waiter (the one
 * above lets the releasing thread take its permit straight back, which is
 * faster and unfair). */
typedef struct
{
  GCond    cond;
  gboolean granted;   /* protected by the semaphore's mutex */
} FifoWaiter;

typedef struct
{
  GMutex mutex;
  GQueue waiters;     /* protected by mutex: FifoWaiter, oldest first */
  guint  available;   /* protected by mutex */
} FifoSemaphore;

static void
fifo_semaphore_acquire (FifoSemaphore *sem)
{
  FifoWaiter w = { .granted = FALSE };

  g_mutex_lock (&sem->mutex);
  if (sem->available > 0 && g_queue_is_empty (&sem->waiters))
    {
      sem->available--;
      g_mutex_unlock (&sem->mutex);
      return;
    }
  g_cond_init (&w.cond);
  g_queue_push_tail (&sem->waiters, &w);
  while (!w.granted)
    g_cond_wait (&w.cond, &sem->mutex);
  g_mutex_unlock (&sem->mutex);
  g_cond_clear (&w.cond);
}

static void
fifo_semaphore_release (FifoSemaphore *sem)
{
  FifoWaiter *w;

  g_mutex_lock (&sem->mutex);
  w = g_queue_pop_head (&sem->waiters);
  if (w != NULL)
    {
      w->granted = TRUE;
      g_cond_signal (&w->cond);
    }
  else
    sem->available++;
  g_mutex_unlock (&sem->mutex);
}

/* gasync: acquire, wait if it must (blocking, as the baseline does), release. */
static GAsyncFuture *
limiter_acquire_blocking (GAsyncLimiter *limiter)
{
  GAsyncFuture *future = gasync_limiter_acquire (limiter);

  if (gasync_future_get_state (future) != GASYNC_FUTURE_RESOLVED)
    {
      GValue value = G_VALUE_INIT;
      GError *error = NULL;

      if (!gasync_future_wait (future, NULL, &value, &error))
        g_error ("acquire failed: %s", error->message);
      g_value_unset (&value);
    }
  return future;
}

/* The C fast path: try_acquire, and only when that fails an acquire
 * future (waited for, blocking, as the baseline does). */
static void
limiter_acquire_fast (GAsyncLimiter *limiter)
{
  if (!gasync_limiter_try_acquire (limiter))
    g_object_unref (limiter_acquire_blocking (limiter));
}

/* The future path: the permit stays held once the future is dropped. */
static void
limiter_acquire_future (GAsyncLimiter *limiter)
{
  g_object_unref (limiter_acquire_blocking (limiter));
}

/* How a gasync row takes its permit: the data of its bench functions. */
typedef struct
{
  void (*acquire) (GAsyncLimiter *limiter);
} Acquirer;

static const Acquirer by_future = { limiter_acquire_future };
static const Acquirer by_try = { limiter_acquire_fast };

/* Uncontended: one thread, one permit always free. */

static gdouble
bench_limiter_uncontended (guint64  n,
                           gpointer data)
{
  const Acquirer *how = data;
  GAsyncLimiter *limiter = gasync_limiter_new (1);
  gdouble start, elapsed;

  start = gasync_bench_now ();
  for (guint64 i = 0; i < n; i++)
    {
      how->acquire (limiter);
      gasync_limiter_release (limiter);
    }
  elapsed = gasync_bench_now () - start;

  if (gasync_limiter_get_available (limiter) != 1)
    g_error ("uncontended limiter: a permit was lost");
  g_object_unref (limiter);
  return elapsed;
}

static gdouble
bench_semaphore_uncontended (guint64  n,
                             gpointer data)
{
  Semaphore sem;
  gdouble start, elapsed;

  semaphore_init (&sem, 1);
  start = gasync_bench_now ();
  for (guint64 i = 0; i < n; i++)
    {
      semaphore_acquire (&sem);
      semaphore_release (&sem);
    }
  elapsed = gasync_bench_now () - start;

  if (sem.available != 1)
    g_error ("uncontended semaphore: a permit was lost");
  semaphore_clear (&sem);
  return elapsed;
}

/* Contended: N_THREADS threads, CONTENDED_PERMITS permits. */

typedef struct
{
  GAsyncLimiter *limiter;     /* gasync rows */
  const Acquirer *how;        /* gasync rows */
  Semaphore      sem;         /* baseline rows */
  FifoSemaphore  fifo;        /* FIFO baseline rows */
  guint64        per_thread;
  gint           holders;     /* atomic: checks the bound */
  gint           overflow;    /* atomic: times it was exceeded */
  gint64         done;        /* atomic */
} Contended;

static void
contended_hold (Contended *c)
{
  if (g_atomic_int_add (&c->holders, 1) >= CONTENDED_PERMITS)
    g_atomic_int_inc (&c->overflow);
  g_atomic_int_add (&c->holders, -1);
}

static gpointer
limiter_thread (gpointer data)
{
  Contended *c = data;

  for (guint64 i = 0; i < c->per_thread; i++)
    {
      c->how->acquire (c->limiter);
      contended_hold (c);
      gasync_limiter_release (c->limiter);
    }
  g_atomic_pointer_add (&c->done, (gssize) c->per_thread);
  return NULL;
}

static gpointer
semaphore_thread (gpointer data)
{
  Contended *c = data;

  for (guint64 i = 0; i < c->per_thread; i++)
    {
      semaphore_acquire (&c->sem);
      contended_hold (c);
      semaphore_release (&c->sem);
    }
  g_atomic_pointer_add (&c->done, (gssize) c->per_thread);
  return NULL;
}

static gpointer
fifo_semaphore_thread (gpointer data)
{
  Contended *c = data;

  for (guint64 i = 0; i < c->per_thread; i++)
    {
      fifo_semaphore_acquire (&c->fifo);
      contended_hold (c);
      fifo_semaphore_release (&c->fifo);
    }
  g_atomic_pointer_add (&c->done, (gssize) c->per_thread);
  return NULL;
}

static gdouble
run_contended (Contended   *c,
               guint64      n,
               GThreadFunc  body)
{
  GThread *threads[N_THREADS];
  gdouble start, elapsed;

  c->per_thread = n / N_THREADS;
  start = gasync_bench_now ();
  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("contender", body, c);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  elapsed = gasync_bench_now () - start;

  if (c->done != (gint64) (c->per_thread * N_THREADS) || c->overflow != 0)
    g_error ("contended: %" G_GINT64_FORMAT " done, bound exceeded %d times",
             c->done, c->overflow);
  return elapsed;
}

static gdouble
bench_limiter_contended (guint64  n,
                         gpointer data)
{
  Contended c = { gasync_limiter_new (CONTENDED_PERMITS), data, };
  gdouble elapsed = run_contended (&c, n, limiter_thread);

  if (gasync_limiter_get_available (c.limiter) != CONTENDED_PERMITS)
    g_error ("contended limiter: a permit was lost");
  g_object_unref (c.limiter);
  return elapsed;
}

static gdouble
bench_semaphore_contended (guint64  n,
                           gpointer data)
{
  Contended c = { NULL, };
  gdouble elapsed;

  semaphore_init (&c.sem, CONTENDED_PERMITS);
  elapsed = run_contended (&c, n, semaphore_thread);
  if (c.sem.available != CONTENDED_PERMITS)
    g_error ("contended semaphore: a permit was lost");
  semaphore_clear (&c.sem);
  return elapsed;
}

static gdouble
bench_fifo_semaphore_contended (guint64  n,
                                gpointer data)
{
  Contended c = { NULL, };
  gdouble elapsed;

  g_mutex_init (&c.fifo.mutex);
  g_queue_init (&c.fifo.waiters);
  c.fifo.available = CONTENDED_PERMITS;
  elapsed = run_contended (&c, n, fifo_semaphore_thread);
  if (c.fifo.available != CONTENDED_PERMITS)
    g_error ("contended FIFO semaphore: a permit was lost");
  g_mutex_clear (&c.fifo.mutex);
  return elapsed;
}

/* The floor of an uncontended acquire: the future it returns. */
static gdouble
bench_resolved_future (guint64  n,
                       gpointer data)
{
  gdouble start = gasync_bench_now ();

  for (guint64 i = 0; i < n; i++)
    g_object_unref (gasync_future_new_for_boolean (TRUE));
  return gasync_bench_now () - start;
}

int
main (int   argc,
      char *argv[])
{
  guint64 n;
  gdouble ratio;

  gasync_bench_init (&argc, &argv, "limiter: acquire+release next to a GMutex+GCond semaphore");

  n = gasync_bench_n (1000000, 2000);
  ratio = gasync_bench_compare ("acquire+release, uncontended", GASYNC_BENCH_TIME_PER_OP, n,
                                bench_limiter_uncontended, (gpointer) &by_future,
                                "GMutex+GCond semaphore", bench_semaphore_uncontended, NULL);
  printf ("#   gasync/baseline time: %.2fx (an acquire returns a new future)\n", ratio);
  ratio = gasync_bench_compare ("acquire+release, uncontended", GASYNC_BENCH_TIME_PER_OP, n,
                                bench_limiter_uncontended, (gpointer) &by_future,
                                "its floor: resolved future new+unref", bench_resolved_future, NULL);
  printf ("#   limiter cost above the future it returns: %.2fx\n", ratio);
  ratio = gasync_bench_compare ("try_acquire (else acquire)+release, uncontended",
                                GASYNC_BENCH_TIME_PER_OP, n,
                                bench_limiter_uncontended, (gpointer) &by_try,
                                "GMutex+GCond semaphore", bench_semaphore_uncontended, NULL);
  printf ("#   target: <= 1x the semaphore's time; got %.2fx\n", ratio);

  n = gasync_bench_n (400000, 4000);
  ratio = gasync_bench_compare ("acquire+release, " G_STRINGIFY (N_THREADS) " threads, "
                                G_STRINGIFY (CONTENDED_PERMITS) " permits",
                                GASYNC_BENCH_OPS_PER_SEC, n,
                                bench_limiter_contended, (gpointer) &by_future,
                                "GMutex+GCond semaphore", bench_semaphore_contended, NULL);
  printf ("#   acquire futures: %.2fx the semaphore's throughput (each acquire makes a future)\n", ratio);
  ratio = gasync_bench_compare ("acquire+release, " G_STRINGIFY (N_THREADS) " threads, "
                                G_STRINGIFY (CONTENDED_PERMITS) " permits",
                                GASYNC_BENCH_OPS_PER_SEC, n,
                                bench_limiter_contended, (gpointer) &by_future,
                                "GMutex+GCond FIFO semaphore", bench_fifo_semaphore_contended, NULL);
  printf ("#   against the same job done FIFO by hand: %.2fx\n", ratio);
  ratio = gasync_bench_compare ("try_acquire (else acquire)+release, " G_STRINGIFY (N_THREADS)
                                " threads, " G_STRINGIFY (CONTENDED_PERMITS) " permits",
                                GASYNC_BENCH_OPS_PER_SEC, n,
                                bench_limiter_contended, (gpointer) &by_try,
                                "GMutex+GCond semaphore", bench_semaphore_contended, NULL);
  printf ("#   target: >= 1x the semaphore's throughput; got %.2fx\n", ratio);

  return 0;
}
