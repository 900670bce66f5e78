/* gasync-limiter.c: GAsyncLimiter, an asynchronous counting semaphore
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"
#include "gasync-limiter.h"
#include "gasync-promise.h"
#include "gasync-tsan-private.h"

/**
 * GAsyncLimiter:
 *
 * Bounds how many operations run at once: a counting semaphore whose
 * wait is a #GAsyncFuture.
 *
 * A limiter starts with a number of permits. gasync_limiter_acquire()
 * returns a future that resolves (with %TRUE) once the caller holds one;
 * gasync_limiter_release() gives it back. Waiting acquires are served in
 * the order they were made (FIFO), and a permit that is free while nobody
 * waits is taken at once: the future returned is already resolved.
 *
 * gasync_limiter_run() does both around a #GAsyncFunc: it calls the
 * function once a permit is free and gives the permit back when the
 * future the function returned settles. This is the form to use: the
 * permit cannot be forgotten on an error path.
 *
 * |[<!-- language="C" -->
 * #include <gasync/gasync.h>
 *
 * static GAsyncFuture *
 * load_one (GCancellable *cancellable,
 *           gpointer      user_data)
 * {
 *   GFile *file = user_data;
 *   GAsyncPromise *promise = gasync_promise_new ();
 *
 *   g_file_load_contents_async (file, cancellable,
 *                               gasync_promise_gio_callback,
 *                               g_object_ref (promise));
 *   return GASYNC_FUTURE (promise);
 * }
 *
 * // Loads every file, at most four at a time; the future resolves once
 * // every load has (or rejects with the first error).
 * static GAsyncFuture *
 * load_all (GFile **files,
 *           guint   n_files)
 * {
 *   g_autoptr(GAsyncLimiter) limiter = gasync_limiter_new (4);
 *   g_autoptr(GPtrArray) loads = g_ptr_array_new_with_free_func (g_object_unref);
 *
 *   for (guint i = 0; i < n_files; i++)
 *     g_ptr_array_add (loads, gasync_limiter_run (limiter, load_one,
 *                                                 g_object_ref (files[i]),
 *                                                 g_object_unref));
 *   return gasync_future_all ((GAsyncFuture **) loads->pdata, loads->len);
 * }
 * ]|
 *
 * (Each gasync_limiter_run() keeps the limiter alive until it is done, so
 * dropping the caller's reference early is fine.)
 *
 * ## Holding a permit by hand
 *
 * A resolved acquire future means one permit is yours until you call
 * gasync_limiter_release() once. Releasing more often than you acquired
 * is a programming error; it is reported with a critical, and never turns
 * into an extra permit, whenever every permit is already free.
 *
 * ## Giving up a wait
 *
 * Cancelling a waiting acquire with gasync_future_cancel() gives its place
 * up: it rejects with %G_IO_ERROR_CANCELLED and the permit goes to the
 * next waiter. If the permit arrived first the cancel does nothing: the
 * future stays resolved and you hold the permit, so check
 * gasync_future_get_state() after cancelling if you race it. The limiter
 * holds a reference on each waiting acquire future; one whose every other
 * reference was dropped is given up the same way (a continuation does not
 * keep a future alive, so hold a reference, or use gasync_future_wait(),
 * gasync_future_wait_async() or gasync_limiter_run(), which do). A
 * permit is never lost or handed out twice on either path.
 *
 * ## Thread safety
 *
 * Every function may be called from any thread, and a permit may be
 * released on another thread than the one that acquired it. Taking a free
 * permit and releasing one nobody waits for are a single atomic operation;
 * waiting acquires are queued under a mutex, which is never held while a
 * future is settled or user code runs. An acquire future is resolved by
 * the thread that released the permit; its callbacks run on their own
 * contexts, as for every future. gasync_limiter_run() calls its function
 * from the #GMainContext that was thread-default when it was called
 * (pushed as thread-default around the call), never inside another
 * thread's gasync_limiter_release(), so that context must be iterated.
 *
 * A limiter dropped while acquires still wait rejects them with
 * %GASYNC_ERROR_DROPPED: nobody could release a permit any more.
 *
 * Since: 0.1
 */

/* Free permits and whether acquires wait share one atomic word, so that
 * the uncontended paths are one compare-and-swap each: bit 0 is set while
 * the waiter queue is not empty, bits 1-31 count the free permits. While
 * bit 0 is set the count is 0 and changes only under the mutex; while it
 * is clear, acquire and release change the count without the mutex. */
#define STATE_WAITERS   1
#define STATE_ONE       2
#define STATE_COUNT(s)  ((guint) (s) >> 1)
#define MAX_PERMITS     ((guint) G_MAXINT >> 1)

/* The queue is swept of given-up waiters whenever it has doubled since the
 * last sweep, so that cancelled acquires cost amortized O(1). */
#define PRUNE_MIN       64

struct _GAsyncLimiter
{
  GObject  parent_instance;

  guint    permits;      /* immutable after construction */
  gint     state;        /* atomic: see STATE_WAITERS above */

  GMutex   mutex;
  GQueue   waiters;      /* protected by mutex: GAsyncPromise (owned), oldest first;
                          * not empty exactly while STATE_WAITERS is set */
  guint    prune_at;     /* protected by mutex: queue length of the next sweep */
};

enum {
  PROP_0,
  PROP_PERMITS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (GAsyncLimiter, gasync_limiter, G_TYPE_OBJECT)

static void
gasync_limiter_finalize (GObject *object)
{
  GAsyncLimiter *self = GASYNC_LIMITER (object);
  GAsyncPromise *waiter;

  /* Nobody holds the limiter, so nobody can release a permit: waiters
   * would hang. No lock: this is the last reference. */
  while ((waiter = g_queue_pop_head (&self->waiters)) != NULL)
    {
      gasync_promise_reject (waiter,
                             g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_DROPPED,
                                                  _("The limiter was dropped while an acquire waited")));
      g_object_unref (waiter);
    }
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (gasync_limiter_parent_class)->finalize (object);
}

static void
gasync_limiter_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GAsyncLimiter *self = GASYNC_LIMITER (object);

  switch (prop_id)
    {
    case PROP_PERMITS:
      g_value_set_uint (value, self->permits);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_limiter_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GAsyncLimiter *self = GASYNC_LIMITER (object);

  switch (prop_id)
    {
    case PROP_PERMITS:
      /* Construct-only, before any other thread can see the limiter. */
      self->permits = g_value_get_uint (value);
      g_atomic_int_set (&self->state, (gint) (self->permits * STATE_ONE));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_limiter_class_init (GAsyncLimiterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gasync_limiter_finalize;
  object_class->get_property = gasync_limiter_get_property;
  object_class->set_property = gasync_limiter_set_property;

  /**
   * GAsyncLimiter:permits:
   *
   * How many permits the limiter hands out at most at once.
   *
   * Since: 0.1
   */
  properties[PROP_PERMITS] =
    g_param_spec_uint ("permits", NULL, NULL,
                       1, MAX_PERMITS, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gasync_limiter_init (GAsyncLimiter *self)
{
  g_mutex_init (&self->mutex);
  g_queue_init (&self->waiters);
  self->prune_at = PRUNE_MIN;
}

/**
 * gasync_limiter_new:
 * @permits: how many permits may be held at once, at least 1
 *
 * Creates a limiter with @permits free permits.
 *
 * Returns: (transfer full): a new #GAsyncLimiter, or %NULL if @permits is 0
 *
 * Since: 0.1
 */
GAsyncLimiter *
gasync_limiter_new (guint permits)
{
  g_return_val_if_fail (permits > 0, NULL);
  g_return_val_if_fail (permits <= MAX_PERMITS, NULL);

  return g_object_new (GASYNC_TYPE_LIMITER, "permits", permits, NULL);
}

/**
 * gasync_limiter_get_permits:
 * @limiter: a #GAsyncLimiter
 *
 * Gets the number of permits @limiter was created with.
 *
 * Returns: the number of permits
 *
 * Since: 0.1
 */
guint
gasync_limiter_get_permits (GAsyncLimiter *limiter)
{
  g_return_val_if_fail (GASYNC_IS_LIMITER (limiter), 0);

  return limiter->permits;
}

/**
 * gasync_limiter_get_available:
 * @limiter: a #GAsyncLimiter
 *
 * Gets how many permits are free right now. Other threads may change
 * that at any moment: this is for tests, statistics and logging, not for
 * deciding whether an acquire would wait. A permit on its way from a
 * release to a waiter counts as held.
 *
 * Returns: the number of free permits
 *
 * Since: 0.1
 */
guint
gasync_limiter_get_available (GAsyncLimiter *limiter)
{
  gint state;

  g_return_val_if_fail (GASYNC_IS_LIMITER (limiter), 0);

  state = g_atomic_int_get (&limiter->state);
  return (state & STATE_WAITERS) ? 0 : STATE_COUNT (state);
}

/* Acquiring */

/* Takes a free permit if one is free and nobody waits: one CAS. */
static gboolean
limiter_try_take (GAsyncLimiter *self)
{
  gint state = g_atomic_int_get (&self->state);

  while (!(state & STATE_WAITERS) && state >= STATE_ONE)
    {
      if (g_atomic_int_compare_and_exchange (&self->state, state, state - STATE_ONE))
        return TRUE;
      state = g_atomic_int_get (&self->state);
    }
  return FALSE;
}

/* A waiter is given up when it was cancelled, or when the queue holds the
 * only reference (nobody can see it resolve). The reference count test is
 * exact: nobody can take a new reference on an object only we hold. */
static gboolean
waiter_is_given_up (GAsyncPromise *waiter)
{
  return gasync_future_get_state (GASYNC_FUTURE (waiter)) != GASYNC_FUTURE_PENDING ||
         g_atomic_int_get ((gint *) &G_OBJECT (waiter)->ref_count) == 1;
}

/* Moves every given-up waiter to @dead, for the caller to unref once it
 * has unlocked (dropping a future may settle it). */
static void
limiter_prune_locked (GAsyncLimiter *self,
                      GQueue        *dead)
{
  GList *link = self->waiters.head;

  while (link != NULL)
    {
      GList *next = link->next;

      if (waiter_is_given_up (link->data))
        {
          g_queue_unlink (&self->waiters, link);
          g_queue_push_tail_link (dead, link);
        }
      link = next;
    }
  self->prune_at = MAX (PRUNE_MIN, 2 * self->waiters.length);
}

/* Queues @waiter unless a permit turned free meanwhile; returns FALSE if
 * it took that permit instead. */
static gboolean
limiter_enqueue (GAsyncLimiter *self,
                 GAsyncPromise *waiter)
{
  GQueue dead = G_QUEUE_INIT;

  gasync_mutex_lock (&self->mutex);
  for (;;)
    {
      gint state = g_atomic_int_get (&self->state);

      if (state & STATE_WAITERS)
        break;
      if (state >= STATE_ONE)
        {
          if (g_atomic_int_compare_and_exchange (&self->state, state, state - STATE_ONE))
            {
              gasync_mutex_unlock (&self->mutex);
              return FALSE;
            }
        }
      else if (g_atomic_int_compare_and_exchange (&self->state, 0, STATE_WAITERS))
        break;
    }

  if (self->waiters.length >= self->prune_at)
    limiter_prune_locked (self, &dead);
  g_queue_push_tail (&self->waiters, g_object_ref (waiter));
  gasync_mutex_unlock (&self->mutex);

  g_queue_clear_full (&dead, g_object_unref);
  return TRUE;
}

/**
 * gasync_limiter_try_acquire:
 * @limiter: a #GAsyncLimiter
 *
 * Takes a permit if one is free and no acquire is waiting, without making
 * a future: the fast path for C code that holds a permit only briefly.
 * It never jumps the queue: while an acquire waits it fails even if a
 * permit is being handed over. On %TRUE the caller holds a permit and
 * gives it back with gasync_limiter_release(); on %FALSE it may fall back
 * to gasync_limiter_acquire():
 *
 * |[<!-- language="C" -->
 * if (!gasync_limiter_try_acquire (limiter))
 *   {
 *     g_autoptr(GAsyncFuture) permit = gasync_limiter_acquire (limiter);
 *
 *     if (!gasync_future_wait (permit, cancellable, NULL, error))
 *       return FALSE;
 *   }
 * do_the_work ();
 * gasync_limiter_release (limiter);
 * ]|
 *
 * Any thread may call it; it never blocks.
 *
 * Returns: %TRUE if the caller now holds a permit
 *
 * Since: 0.1
 */
gboolean
gasync_limiter_try_acquire (GAsyncLimiter *limiter)
{
  g_return_val_if_fail (GASYNC_IS_LIMITER (limiter), FALSE);

  return limiter_try_take (limiter);
}

/**
 * gasync_limiter_acquire:
 * @limiter: a #GAsyncLimiter
 *
 * Waits for a permit. The future resolves with %TRUE once the caller holds
 * one, which it must then give back with gasync_limiter_release(); it is
 * already resolved when a permit is free and no other acquire waits.
 * Acquires that wait are served first come, first served.
 *
 * Cancelling the future (gasync_future_cancel()) while it waits, or
 * dropping every reference to it but the limiter's, gives its place up;
 * see "Giving up a wait" above for the race with a permit that arrives at
 * that moment.
 *
 * Returns: (transfer full): a future that resolves when a permit is held
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_limiter_acquire (GAsyncLimiter *limiter)
{
  GAsyncPromise *waiter;

  g_return_val_if_fail (GASYNC_IS_LIMITER (limiter), NULL);

  /* Made before a permit is taken, so that the permit is held for as
   * short a time as possible: under contention, a holder preempted while
   * it allocates makes every other thread queue behind it. */
  waiter = gasync_promise_new ();
  if (limiter_try_take (limiter) || !limiter_enqueue (limiter, waiter))
    gasync_promise_resolve_boolean (waiter, TRUE);
  return GASYNC_FUTURE (waiter);
}

/* Releasing */

/* Hands a permit to @waiter (owned). Returns FALSE if the waiter gave up
 * first, so that the permit is still the caller's: a cancel that wins
 * leaves the future rejected, one that loses does nothing. */
static gboolean
waiter_grant (GAsyncPromise *waiter)
{
  gboolean granted = FALSE;

  if (g_atomic_int_get ((gint *) &G_OBJECT (waiter)->ref_count) > 1)
    {
      gasync_promise_resolve_boolean (waiter, TRUE);
      granted = gasync_future_get_state (GASYNC_FUTURE (waiter)) == GASYNC_FUTURE_RESOLVED;
    }
  g_object_unref (waiter);
  return granted;
}

/* Gives the caller's permit to the oldest waiter that still wants it.
 * Returns FALSE, with the permit still the caller's, once no acquire
 * waits. The waiter is settled after unlocking; a release on another
 * thread meanwhile serves the next waiter, so the order stays FIFO. */
static gboolean
limiter_hand_over (GAsyncLimiter *self)
{
  for (;;)
    {
      GAsyncPromise *waiter;

      gasync_mutex_lock (&self->mutex);
      if (!(g_atomic_int_get (&self->state) & STATE_WAITERS))
        {
          gasync_mutex_unlock (&self->mutex);
          return FALSE;
        }
      waiter = g_queue_pop_head (&self->waiters);
      /* While STATE_WAITERS is set the count is 0 and only we change it. */
      if (g_queue_is_empty (&self->waiters))
        g_atomic_int_set (&self->state, 0);
      gasync_mutex_unlock (&self->mutex);

      if (waiter_grant (waiter))
        return TRUE;
    }
}

/**
 * gasync_limiter_release:
 * @limiter: a #GAsyncLimiter
 *
 * Gives back a permit that an acquire handed out: to the oldest waiting
 * acquire, whose future it resolves (its callbacks run later, on their own
 * contexts), or back to the free permits. May be called from any thread.
 *
 * Releasing when every permit is already free is a programming error,
 * reported with a critical; the extra release is ignored.
 *
 * Since: 0.1
 */
void
gasync_limiter_release (GAsyncLimiter *limiter)
{
  g_return_if_fail (GASYNC_IS_LIMITER (limiter));

  for (;;)
    {
      gint state = g_atomic_int_get (&limiter->state);

      if (state & STATE_WAITERS)
        {
          if (limiter_hand_over (limiter))
            return;
          continue;
        }
      if (STATE_COUNT (state) >= limiter->permits)
        {
          g_critical ("%s: the GAsyncLimiter %p has all its %u permits free; "
                      "a permit was released more often than it was acquired",
                      G_STRFUNC, limiter, limiter->permits);
          return;
        }
      if (g_atomic_int_compare_and_exchange (&limiter->state, state, state + STATE_ONE))
        return;
    }
}

/* run(): acquire, call, release when the function's future settles */

typedef struct
{
  GAsyncLimiter  *limiter;      /* owned, immutable */
  GMainContext   *context;      /* owned, immutable: thread-default at run() */
  GAsyncFunc      func;         /* the context's thread only */
  gpointer        user_data;    /* the context's thread only */
  GDestroyNotify  destroy;      /* the context's thread only; NULL once run */
  GAsyncPromise  *result;       /* owned, immutable: what run() returned */
  GCancellable   *cancellable;  /* owned, immutable: @result's */
  gulong          handler;      /* immutable after run() */
  GAsyncNotify    release;      /* on the function's future: gives the permit back */

  GMutex          mutex;
  GAsyncFuture   *target;       /* protected by mutex, owned: what cancelling
                                 * @result cancels: the acquire, then the
                                 * function's future */
} LimiterRun;

static void
limiter_run_free (LimiterRun *run)
{
  GAsyncFuture *target;

  /* Waits for a cancel handler running on another thread to return. */
  g_cancellable_disconnect (run->cancellable, run->handler);

  if (run->destroy != NULL)
    g_steal_pointer (&run->destroy) (run->user_data);

  /* Under the mutex, as the field says: the handler read it under the
   * mutex, and this is the order ThreadSanitizer can see (GCancellable
   * makes the disconnect wait with locks of uninstrumented GLib). */
  gasync_mutex_lock (&run->mutex);
  target = g_steal_pointer (&run->target);
  gasync_mutex_unlock (&run->mutex);
  g_clear_object (&target);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->result);
  g_clear_object (&run->limiter);
  g_main_context_unref (run->context);
  g_mutex_clear (&run->mutex);
  g_free (run);
}

/* @result was cancelled, on any thread: cancel what it waits for. */
static void
limiter_run_cancelled (GCancellable *cancellable,
                       gpointer      data)
{
  LimiterRun *run = data;
  GAsyncFuture *target;

  gasync_mutex_lock (&run->mutex);
  target = run->target != NULL ? g_object_ref (run->target) : NULL;
  gasync_mutex_unlock (&run->mutex);

  if (target != NULL)
    {
      gasync_future_cancel (target);
      g_object_unref (target);
    }
}

static void
limiter_run_settled (GObject      *source,
                     GAsyncResult *res,
                     gpointer      data)
{
  LimiterRun *run = data;
  GAsyncFuture *future = GASYNC_FUTURE (source);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  /* The permit went back when @future settled (limiter_run_release()). */
  if (gasync_future_wait_finish (future, res, &value, &error))
    {
      gasync_promise_resolve (run->result, &value);
      g_value_unset (&value);
    }
  else
    gasync_promise_reject (run->result, error);

  limiter_run_free (run);
}

/* The function's future settled, on whatever thread settled it: the
 * permit goes back at once, before @result settles on the run's context,
 * so that a cancel returns it before gasync_future_cancel() returns and
 * whoever waits on @result may acquire again as soon as it wakes. */
static void
limiter_run_release (GAsyncNotify *notify,
                     GAsyncFuture *completed)
{
  LimiterRun *run = (LimiterRun *) ((char *) notify - G_STRUCT_OFFSET (LimiterRun, release));

  gasync_limiter_release (run->limiter);
}

/* Calls the function with the run's context thread-default, and returns
 * its future or a rejected one. */
static GAsyncFuture *
limiter_run_call (LimiterRun *run)
{
  GAsyncFuture *future;

  g_main_context_push_thread_default (run->context);
  future = run->func (run->cancellable, run->user_data);
  g_main_context_pop_thread_default (run->context);
  if (run->destroy != NULL)
    g_steal_pointer (&run->destroy) (run->user_data);

  if G_UNLIKELY (future == NULL || !GASYNC_IS_FUTURE (future))
    {
      g_critical ("gasync_limiter_run: the GAsyncFunc %p did not return a GAsyncFuture",
                  run->func);
      if (future != NULL)
        g_object_unref (future);
      future = gasync_future_new_for_error (g_error_new (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                         _("The function given to %s returned no future"),
                                                         "gasync_limiter_run()"));
    }
  return future;
}

/* The acquire settled, on the run's context. */
static void
limiter_run_acquired (GObject      *source,
                      GAsyncResult *res,
                      gpointer      data)
{
  LimiterRun *run = data;
  GAsyncFuture *future;
  GAsyncFuture *acquire;
  GError *error = NULL;
  GValue value = G_VALUE_INIT;

  if (!gasync_future_wait_finish (GASYNC_FUTURE (source), res, &value, &error))
    {
      /* Only a cancel of @result cancels the acquire. */
      gasync_promise_reject (run->result, error);
      limiter_run_free (run);
      return;
    }
  g_value_unset (&value);

  if (g_cancellable_is_cancelled (run->cancellable))
    {
      /* Cancelled as the permit arrived: the function never runs. */
      gasync_limiter_release (run->limiter);
      limiter_run_free (run);
      return;
    }

  future = limiter_run_call (run);

  gasync_mutex_lock (&run->mutex);
  acquire = g_steal_pointer (&run->target);
  run->target = g_object_ref (future);
  gasync_mutex_unlock (&run->mutex);
  g_object_unref (acquire);

  /* Registered before the wait below, so it runs first; the run lives
   * until the wait's callback. */
  run->release.func = limiter_run_release;
  _gasync_future_add_notify (future, &run->release);

  /* A cancel that came while the function ran found the acquire. */
  if (g_cancellable_is_cancelled (run->cancellable))
    gasync_future_cancel (future);

  gasync_future_wait_async (future, NULL, limiter_run_settled, run);
  g_object_unref (future);
}

/**
 * gasync_limiter_run:
 * @limiter: a #GAsyncLimiter
 * @func: (scope notified) (closure user_data) (destroy destroy): starts
 *   the work and returns its future
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Calls @func once a permit of @limiter is free, and releases the permit
 * when the future @func returned settles. The returned future settles
 * like that one.
 *
 * @func is called from the #GMainContext that was thread-default when
 * this was called, with that context pushed as thread-default (so GIO
 * work it starts completes there), never inside the call that released
 * the permit; that context must be iterated. @destroy runs on the same
 * thread once @func has returned, or when the work is given up.
 *
 * Cancelling the returned future before @func ran gives its place up
 * (@func is never called); afterwards it cancels the future @func
 * returned and the #GCancellable @func was given. The permit goes back
 * the moment the future @func returned settles, on the thread that
 * settled it, before the returned future settles: after a cancel, it is
 * back before gasync_future_cancel() returns. The run keeps @limiter
 * alive until it is done.
 *
 * Returns: (transfer full): a future that settles like @func's
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_limiter_run (GAsyncLimiter  *limiter,
                    GAsyncFunc      func,
                    gpointer        user_data,
                    GDestroyNotify  destroy)
{
  LimiterRun *run;

  g_return_val_if_fail (GASYNC_IS_LIMITER (limiter), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  run = g_new0 (LimiterRun, 1);
  run->limiter = g_object_ref (limiter);
  run->context = g_main_context_ref_thread_default ();
  run->func = func;
  run->user_data = user_data;
  run->destroy = destroy;
  run->result = gasync_promise_new ();
  run->cancellable = g_object_ref (gasync_promise_get_cancellable (run->result));
  g_mutex_init (&run->mutex);
  run->target = gasync_limiter_acquire (limiter);
  run->handler = g_cancellable_connect (run->cancellable,
                                        G_CALLBACK (limiter_run_cancelled),
                                        run, NULL);

  gasync_future_wait_async (run->target, NULL, limiter_run_acquired, run);
  return g_object_ref (GASYNC_FUTURE (run->result));
}
