/* gasync-future-continuation.c: and_then, or_else, on_settled
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A continuation is a dependent of the future it follows (its source),
 * which it does not own, and owns the future it derives; cancelling the
 * derived future withdraws it from the source. The derived future is a plain pending GAsyncFuture
 * from the state machine (_gasync_future_new_pending()), settled through
 * its private settle functions: this file needs neither GAsyncPromise nor
 * anything above the state machine.
 */

#include "config.h"

#include "gasync-debug-private.h"
#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"

typedef enum {
  RUN_ON_RESOLVE = 1 << 0,
  RUN_ON_REJECT  = 1 << 1,
} RunOn;

/* Not a GAsyncContextJob: it needs the source while linked, and must stay
 * within 88 bytes (with the two futures, 256 bytes per continuation). */
typedef struct
{
  /* First a dependent's notify on the source, then the same memory is
   * reused as a dispatch item on the registering context's dispatcher. */
  union {
    GAsyncNotify       notify;
    GAsyncDispatchItem item;
  } node;
  GAsyncDispatcher     *dispatcher;   /* of the context we hold a reference on */
  /* The source while linked (not owned; read only by whoever holds the
   * link), then the settled future or a stand-in (owned). */
  GAsyncFuture         *future;
  GAsyncNotify          on_derived;   /* a producer notify on derived */
  GAsyncFutureCallback  callback;
  gpointer              user_data;
  GDestroyNotify        destroy;
  GAsyncFuture         *derived;      /* owned */
  gint                  link;         /* atomic: a GASYNC_LINK_ state */
  gint                  ref_count;    /* atomic: the node, on_derived */
} Continuation;

/* Records freed on a thread are kept for the next continuations made on
 * it (up to a main loop's burst of them), as futures are: malloc() and
 * free() of one are a tenth of a create + resolve + and_then round. The
 * cache belongs to one thread, which frees it when it exits. Nothing is
 * kept under AddressSanitizer, which could not see a record used after
 * it was freed, nor under ThreadSanitizer (as gasync-future-pool.c). */
#if defined(GASYNC_HAVE_TSAN) || defined(__SANITIZE_ADDRESS__)
#define CACHE_MAX 0
#else
#define CACHE_MAX 1024
#endif

typedef struct
{
  guint          length;
  guint          allocated;   /* grows up to CACHE_MAX */
  Continuation **items;
} ContinuationCache;

static void
continuation_cache_free (gpointer data)
{
  ContinuationCache *cache = data;

  while (cache->length > 0)
    g_free (cache->items[--cache->length]);
  g_free (cache->items);
  g_free (cache);
}

/* For the destructor only; the fast path reads tls_cache. */
static GPrivate cache_key = G_PRIVATE_INIT (continuation_cache_free);
static _Thread_local ContinuationCache *tls_cache
  __attribute__ ((tls_model ("initial-exec")));

static Continuation *
continuation_alloc (void)
{
  ContinuationCache *cache = tls_cache;

  if G_LIKELY (cache != NULL && cache->length > 0)
    return cache->items[--cache->length];
  if G_UNLIKELY (cache == NULL)
    {
      /* The thread's first: from here on its records are kept. */
      tls_cache = g_new0 (ContinuationCache, 1);
      g_private_set (&cache_key, tls_cache);
    }
  return g_new (Continuation, 1);
}

static void
continuation_unref (Continuation *cont)
{
  ContinuationCache *cache;

  if (!g_atomic_int_dec_and_test (&cont->ref_count))
    return;

  cache = tls_cache;
  if (cache == NULL || cache->length == CACHE_MAX)
    {
      g_free (cont);
      return;
    }
  if G_UNLIKELY (cache->length == cache->allocated)
    {
      /* Grown as needed: a thread that makes few continuations keeps few. */
      cache->allocated = CLAMP (cache->allocated * 2, 16, CACHE_MAX);
      cache->items = g_renew (Continuation *, cache->items, cache->allocated);
    }
  cache->items[cache->length++] = cont;
}

/* GASYNC_DEBUG=stalls: the callback, timed. */
static GAsyncFuture *
continuation_call_timed (Continuation *cont,
                         GAsyncFuture *completed)
{
  gint64 start = g_get_monotonic_time ();
  GAsyncFuture *next = cont->callback (completed, cont->user_data);

  _gasync_debug_stall_check (start, "continuation", cont->derived, (gpointer) cont->callback,
                             _gasync_dispatcher_get_context (cont->dispatcher));
  return next;
}

static void
continuation_run (GAsyncDispatchItem *item,
                  RunOn               run_on)
{
  Continuation *cont = (Continuation *) item;
  GAsyncFuture *completed = cont->future;
  GAsyncFuture *derived = cont->derived;
  GAsyncFutureState state = _gasync_future_peek_state (completed);
  gboolean wanted = (state == GASYNC_FUTURE_RESOLVED && (run_on & RUN_ON_RESOLVE)) ||
                    (state == GASYNC_FUTURE_REJECTED && (run_on & RUN_ON_REJECT));

  /* A derived future cancelled meanwhile skips the callback. */
  if (wanted && _gasync_future_peek_state (derived) == GASYNC_FUTURE_PENDING)
    {
      GAsyncFuture *next;

      if G_UNLIKELY (_gasync_debug_stalls)
        next = continuation_call_timed (cont, completed);
      else
        next = cont->callback (completed, cont->user_data);

      if (next == NULL)
        _gasync_future_settle_like (derived, completed);
      else if (GASYNC_IS_FUTURE (next))
        {
          _gasync_future_adopt (derived, next);
          g_object_unref (next);
        }
      else
        {
          g_critical ("A GAsyncFutureCallback returned something that is not a GAsyncFuture");
          _gasync_future_reject (derived,
                                 g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                      _("A continuation returned an invalid future")));
        }
    }
  else
    _gasync_future_settle_like (derived, completed);

  if (cont->destroy != NULL)
    cont->destroy (cont->user_data);
  g_object_unref (derived);
  g_object_unref (completed);
  g_main_context_unref (_gasync_dispatcher_get_context (cont->dispatcher));
  continuation_unref (cont);
}

static void
continuation_run_and_then (GAsyncDispatchItem *item)
{
  continuation_run (item, RUN_ON_RESOLVE);
}

static void
continuation_run_or_else (GAsyncDispatchItem *item)
{
  continuation_run (item, RUN_ON_REJECT);
}

static void
continuation_run_on_settled (GAsyncDispatchItem *item)
{
  continuation_run (item, RUN_ON_RESOLVE | RUN_ON_REJECT);
}

/* Withdrawn from its source: only settles nothing and frees. */
static void
continuation_run_withdrawn (GAsyncDispatchItem *item)
{
  continuation_run (item, 0);
}

/* Queues @cont on its context with @completed (a reference is taken). */
static void
continuation_queue (Continuation       *cont,
                    GAsyncFuture       *completed,
                    GAsyncDispatchFunc  run)
{
  cont->future = g_object_ref (completed);
  cont->node.item.next = NULL;
  cont->node.item.func = run;
  _gasync_dispatcher_push (cont->dispatcher, &cont->node.item);
}

/* The source settled: one notify function per kind, which picks the
 * dispatch function (the node has no room to keep it meanwhile). */
static void
continuation_source_settled_and_then (GAsyncNotify *notify,
                                      GAsyncFuture *completed)
{
  _gasync_link_notified (&((Continuation *) notify)->link);
  continuation_queue ((Continuation *) notify, completed, continuation_run_and_then);
}

static void
continuation_source_settled_or_else (GAsyncNotify *notify,
                                     GAsyncFuture *completed)
{
  _gasync_link_notified (&((Continuation *) notify)->link);
  continuation_queue ((Continuation *) notify, completed, continuation_run_or_else);
}

static void
continuation_source_settled_on_settled (GAsyncNotify *notify,
                                        GAsyncFuture *completed)
{
  _gasync_link_notified (&((Continuation *) notify)->link);
  continuation_queue ((Continuation *) notify, completed, continuation_run_on_settled);
}

/* The derived future settled: by continuation_run() (the link is DONE
 * then), or cancelled. Cancelled while the source is pending, we withdraw
 * from the source, which is cancelled in turn if nothing else depends on
 * it, and queue ourselves to free the user data on its context. */
static void
continuation_derived_settled (GAsyncNotify *notify,
                              GAsyncFuture *completed)
{
  Continuation *cont = (Continuation *) ((char *) notify - G_STRUCT_OFFSET (Continuation, on_derived));

  if (_gasync_link_withdraw (&cont->link, &cont->future, &cont->node.notify))
    continuation_queue (cont, completed, continuation_run_withdrawn);
  continuation_unref (cont);
}

static GAsyncFuture *
future_add_continuation (GAsyncFuture         *self,
                         GAsyncNotifyFunc      source_settled,
                         GAsyncFutureCallback  callback,
                         gpointer              user_data,
                         GDestroyNotify        destroy)
{
  Continuation *cont = continuation_alloc ();
  GAsyncFuture *derived = _gasync_future_new_pending ();

  cont->node.notify.next = NULL;
  cont->node.notify.func = source_settled;
  cont->dispatcher = _gasync_dispatcher_for_context (g_main_context_ref_thread_default ());
  cont->future = self;
  cont->on_derived.next = NULL;
  cont->on_derived.func = continuation_derived_settled;
  cont->callback = callback;
  cont->user_data = user_data;
  cont->destroy = destroy;
  cont->derived = g_object_ref (derived);
  cont->link = GASYNC_LINK_LINKED;
  cont->ref_count = 2;
  /* Nobody else has derived yet: it is pending. */
  _gasync_future_add_notify (derived, &cont->on_derived);
  _gasync_future_add_dependent (self, &cont->node.notify);

  return derived;
}

/**
 * gasync_future_and_then:
 * @future: a #GAsyncFuture
 * @callback: (scope notified) (closure user_data) (destroy destroy): run
 *   when @future resolves
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data, on the same context as @callback
 *
 * Runs @callback once @future resolves, and returns a future derived from
 * it. If @future is rejected, @callback does not run and the derived
 * future is rejected with the same error.
 *
 * @callback may return a future: the derived future then settles like that
 * one, which chains asynchronous steps. If it returns %NULL the derived
 * future settles like @future.
 *
 * @callback and @destroy run from the #GMainContext that is thread-default
 * now, in a later iteration of it, never inside this call nor inside the
 * call that settles @future. @destroy runs even if @callback does not.
 *
 * Returns: (transfer full): the derived future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_and_then (GAsyncFuture         *future,
                        GAsyncFutureCallback  callback,
                        gpointer              user_data,
                        GDestroyNotify        destroy)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  return future_add_continuation (future, continuation_source_settled_and_then, callback, user_data, destroy);
}

/**
 * gasync_future_or_else:
 * @future: a #GAsyncFuture
 * @callback: (scope notified) (closure user_data) (destroy destroy): run
 *   when @future is rejected
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data, on the same context as @callback
 *
 * Runs @callback once @future is rejected, to recover from the error, and
 * returns a future derived from it. If @future resolves, @callback does not
 * run and the derived future resolves with the same value. Otherwise as
 * gasync_future_and_then().
 *
 * Returns: (transfer full): the derived future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_or_else (GAsyncFuture         *future,
                       GAsyncFutureCallback  callback,
                       gpointer              user_data,
                       GDestroyNotify        destroy)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  return future_add_continuation (future, continuation_source_settled_or_else, callback, user_data, destroy);
}

/**
 * gasync_future_on_settled:
 * @future: a #GAsyncFuture
 * @callback: (scope notified) (closure user_data) (destroy destroy): run
 *   when @future settles
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data, on the same context as @callback
 *
 * Runs @callback once @future settles either way, and returns a future
 * derived from it. Otherwise as gasync_future_and_then().
 *
 * Returns: (transfer full): the derived future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_on_settled (GAsyncFuture         *future,
                          GAsyncFutureCallback  callback,
                          gpointer              user_data,
                          GDestroyNotify        destroy)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (future), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  return future_add_continuation (future, continuation_source_settled_on_settled, callback, user_data, destroy);
}
