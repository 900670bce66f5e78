/* stress-util.c: seeds, per-thread PRNGs, counted items, worker threads
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "stress-util.h"
#include "gasync-tsan-private.h"

#include <stdlib.h>
#include <unistd.h>

static guint64 the_seed;
static gsize seed_init;

guint64
stress_seed (void)
{
  if (g_once_init_enter (&seed_init))
    {
      const char *env = g_getenv ("GASYNC_STRESS_SEED");

      if (env != NULL && *env != '\0')
        the_seed = g_ascii_strtoull (env, NULL, 10);
      else
        the_seed = (guint64) g_get_real_time () ^ ((guint64) getpid () << 40);
      g_once_init_leave (&seed_init, 1);
    }
  return the_seed;
}

GRand *
stress_rand_new (guint index)
{
  guint64 seed = stress_seed ();
  const char *path = g_test_get_path ();
  guint32 array[4];

  array[0] = (guint32) seed;
  array[1] = (guint32) (seed >> 32);
  array[2] = g_str_hash (path != NULL ? path : "");
  array[3] = index;
  return g_rand_new_with_seed_array (array, G_N_ELEMENTS (array));
}

guint
stress_size (guint quick,
             guint thorough)
{
  guint size = gasync_test_size (quick, thorough);

  if (GASYNC_TEST_SANITIZED && !gasync_test_thorough ())
    size = MAX (size / 4, 1);
  return size;
}

void
stress_pace (GRand *rand,
             guint  max_usec)
{
  guint usec = g_rand_int_range (rand, 0, (gint32) max_usec + 1);

  if (usec == 0)
    g_thread_yield ();
  else
    g_usleep (usec);
}

void
stress_fail (const char *file,
             int         line,
             const char *func,
             const char *expr,
             const char *format,
             ...)
{
  g_autofree char *detail = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);
  message = g_strdup_printf ("assertion failed (%s): %s "
                             "[seed %" G_GUINT64_FORMAT "; rerun with GASYNC_STRESS_SEED=%"
                             G_GUINT64_FORMAT "]",
                             expr, detail, stress_seed (), stress_seed ());
  g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
  abort ();
}

/* StressItem */

struct _StressItem
{
  GObject parent_instance;
  guint   id;             /* immutable */
};

G_DEFINE_FINAL_TYPE (StressItem, stress_item, G_TYPE_OBJECT)

static gint items_created;   /* atomic */
static gint items_alive;     /* atomic */

static void
stress_item_finalize (GObject *object)
{
  StressItem *self = STRESS_ITEM (object);

  stress_assert (g_atomic_int_add (&items_alive, -1) > 0, "item %u finalized twice", self->id);
  G_OBJECT_CLASS (stress_item_parent_class)->finalize (object);
}

static void
stress_item_class_init (StressItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stress_item_finalize;
}

static void
stress_item_init (StressItem *self)
{
}

StressItem *
stress_item_new (guint id)
{
  StressItem *item = g_object_new (STRESS_TYPE_ITEM, NULL);

  item->id = id;
  g_atomic_int_inc (&items_created);
  g_atomic_int_inc (&items_alive);
  return item;
}

guint
stress_item_get_id (StressItem *item)
{
  return item->id;
}

void
stress_items_reset (void)
{
  g_atomic_int_set (&items_created, 0);
  g_atomic_int_set (&items_alive, 0);
}

guint
stress_items_created (void)
{
  return (guint) g_atomic_int_get (&items_created);
}

guint
stress_items_alive (void)
{
  return (guint) g_atomic_int_get (&items_alive);
}

/* Workers */

struct _StressWorker
{
  GThread       *thread;    /* immutable */
  GAsyncQueue   *jobs;      /* thread-safe */
  GMainContext  *context;   /* the worker's own */
  GRand         *rand;      /* the worker's own */
  guint          index;     /* immutable */
  StressJobFunc  func;      /* immutable */
};

/* The end of a worker's queue. */
static gint quit_job;

static gpointer
worker_main (gpointer data)
{
  StressWorker *self = data;
  gpointer job;

  g_main_context_push_thread_default (self->context);
  for (;;)
    {
      job = g_async_queue_pop (self->jobs);
      /* GAsyncQueue's lock is invisible to TSan: pair with the push. */
      GASYNC_TSAN_ACQUIRE (job);
      if (job == &quit_job)
        break;
      self->func (self, job);
    }
  /* Whatever was dispatched to us last (destroy notifies) runs here. */
  gasync_test_iterate_pending (self->context);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

StressWorker *
stress_worker_new (const char    *name,
                   guint          index,
                   StressJobFunc  func)
{
  StressWorker *self = g_new0 (StressWorker, 1);

  self->jobs = g_async_queue_new ();
  self->context = g_main_context_new ();
  self->rand = stress_rand_new (index);
  self->index = index;
  self->func = func;
  self->thread = g_thread_new (name, worker_main, self);
  return self;
}

void
stress_worker_push (StressWorker *worker,
                    gpointer      job)
{
  GASYNC_TSAN_RELEASE (job);
  g_async_queue_push (worker->jobs, job);
}

void
stress_worker_join (StressWorker *worker)
{
  stress_worker_push (worker, &quit_job);
  g_thread_join (worker->thread);
  g_async_queue_unref (worker->jobs);
  g_main_context_unref (worker->context);
  g_rand_free (worker->rand);
  g_free (worker);
}

GMainContext *
stress_worker_context (StressWorker *worker)
{
  return worker->context;
}

GRand *
stress_worker_rand (StressWorker *worker)
{
  return worker->rand;
}

guint
stress_worker_index (StressWorker *worker)
{
  return worker->index;
}

static gboolean
set_flag (gpointer data)
{
  g_atomic_int_set ((gint *) data, TRUE);
  return G_SOURCE_REMOVE;
}

void
stress_iterate_until (GMainContext *context,
                      const gint   *counter,
                      gint          target)
{
  stress_assert (stress_iterate_until_for (context, counter, target, gasync_test_thorough () ? 300 : 60),
                 "a callback never ran: %d of %d after the timeout", g_atomic_int_get (counter), target);
}

gboolean
stress_iterate_until_for (GMainContext *context,
                          const gint   *counter,
                          gint          target,
                          guint         seconds)
{
  GSource *timeout = g_timeout_source_new_seconds (seconds);
  gint timed_out = FALSE;

  g_source_set_callback (timeout, set_flag, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (g_atomic_int_get (counter) < target && !g_atomic_int_get (&timed_out))
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  return g_atomic_int_get (counter) >= target;
}
