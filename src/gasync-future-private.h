/* gasync-future-private.h: the completion machinery shared by every future kind
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The future layer's internal API, by the file that defines it:
 *   gasync-future.c       the state machine: notifies, dependents and
 *                         links, settling, the cancellable, value helpers
 *   gasync-context-job.c  context jobs (a notify, then a dispatch item)
 *   gasync-future-wait.c  the async-worker flag under which blocking is
 *                         refused
 *   gasync-future-pool.c  settled futures kept for reuse, per thread
 *   gasync-future-type.c  _gasync_is_future(), its header's
 *   gasync-value.c        the GValue helpers below
 * Continuations, GAsyncPromise and the GIO bridge are built on these and
 * export nothing internal. (gasync-promise.h is included for the layers
 * above that make promises: channel, runtime, block_on.)
 */

#pragma once

#include "gasync-future.h"
#include "gasync-promise.h"
#include "gasync-dispatch-private.h"
#include "gasync-future-type-private.h"
#include "gasync-tsan-private.h"

G_BEGIN_DECLS

typedef struct _GAsyncNotify GAsyncNotify;

/* Called once, when the future settles. Runs synchronously in whatever
 * thread completed the future, with no gasync lock held, so it must not run
 * user code: it completes other futures, wakes a waiter, or queues a
 * dispatch item. It owns @notify afterwards. If the future has already
 * settled when the notify is added, it runs inside
 * _gasync_future_add_notify().
 *
 * @completed is the settled future, or a stand-in with the same outcome
 * (another, already rejected future) when the future itself must not be
 * referenced: when it is dropped while pending (its dispose rejects it with
 * GASYNC_ERROR_DROPPED) and when it is cancelled in place by
 * _gasync_future_withdraw() (G_IO_ERROR_CANCELLED). A notify may take a
 * reference on @completed, never on the future it was added to. */
typedef void (*GAsyncNotifyFunc) (GAsyncNotify *notify,
                                  GAsyncFuture *completed);

/* Embed in the struct that waits: adding a notify allocates nothing. */
struct _GAsyncNotify
{
  GAsyncNotify     *next;
  GAsyncNotifyFunc  func;
};

/* Adds a notify that is not counted as a dependent: for whatever settles
 * @future, to learn that it was settled another way (cancelled), which
 * must own a reference on @future until the notify has run. */
void          _gasync_future_add_notify         (GAsyncFuture  *future,
                                                 GAsyncNotify  *notify);
/* Adds a dependent: a notify for something that wants @future's outcome
 * (a continuation, a combinator, a waiter). Dependents are counted, and
 * only they may be withdrawn; see _gasync_future_withdraw(). block_on's
 * waiter and the runtime's task job are dependents too. */
void          _gasync_future_add_dependent      (GAsyncFuture  *future,
                                                 GAsyncNotify  *notify);
/* Removes the dependent @notify from @future's list if it is still there
 * (returns FALSE if @future settled, and so ran or is running it). If that
 * leaves the pending @future without a dependent and @cancel_if_orphaned,
 * cancels it as gasync_future_cancel() does (what it is derived from is
 * withdrawn from in turn), without taking a reference on it. The caller
 * guarantees @future is alive: it holds a reference, or a pinned link. */
gboolean      _gasync_future_withdraw           (GAsyncFuture  *future,
                                                 GAsyncNotify  *notify,
                                                 gboolean       cancel_if_orphaned);
/* Cancels @future (the caller holds a reference) if it is pending and has
 * no dependent. */
void          _gasync_future_cancel_if_orphaned (GAsyncFuture  *future);

/* Links: how a dependent that does not own its source (a continuation, a
 * combinator's input, an adoption) withdraws from it safely. The link is
 * an atomic state next to the notify: LINKED while the notify is listed;
 * a canceller pins it (PINNED) for as long as it touches the source; the
 * notify, when the source settles, waits out a pin and marks it DONE. A
 * source always runs its listed notifies before it is finalized, so it is
 * alive while the link is pinned, and nobody takes a reference on it. */
enum {
  GASYNC_LINK_DONE,      /* not listed (zero-filled: never linked) */
  GASYNC_LINK_LINKED,
  GASYNC_LINK_PINNED,
};
/* In the notify, first thing. */
void          _gasync_link_notified             (gint          *link);
/* Withdraws @notify from *@source (see _gasync_future_withdraw(), with
 * cancel_if_orphaned). *@source is read only once the link is pinned (the
 * notify may reuse the field once it ran). Returns TRUE if it did: @notify
 * will never run. */
gboolean      _gasync_link_withdraw             (gint                *link,
                                                 GAsyncFuture *const *source,
                                                 GAsyncNotify        *notify);

/* A pending future of the base type, which the caller settles with the
 * functions below: how every derived future is made (continuations,
 * combinators), so that the state machine never creates a subclass. */
GAsyncFuture *_gasync_future_new_pending        (void) G_GNUC_WARN_UNUSED_RESULT;
/* A future of the base type settled from the start with @value (stolen)
 * or @error (taken), without the lock: nobody else can see it yet. */
GAsyncFuture *_gasync_future_new_settled        (GValue        *value,
                                                 GError        *error) G_GNUC_WARN_UNUSED_RESULT;

/* Settled futures kept for reuse (gasync-future-pool.c). A pending
 * future of @type from this thread's pool of @type, or NULL if the pool
 * is empty. Its state machine is exactly as new as from g_object_new().
 * @type is GASYNC_TYPE_FUTURE or a subclass without dispose or finalize
 * (at most three types): GAsyncPromise, which adds no fields, and the
 * task future, whose constructor resets its own. */
GAsyncFuture *_gasync_future_pool_take          (GType          type) G_GNUC_WARN_UNUSED_RESULT;
/* From dispose: whether this thread keeps dropped futures of @object's
 * type, has room, and nothing but the reference being dropped reaches
 * @object. */
gboolean      _gasync_future_pool_may_take      (GObject       *object);
/* Parks the cleared, pending @object; FALSE if there is no room any
 * more. From dispose it takes a reference (which makes g_object_unref()
 * keep it); otherwise (@adopt) it takes over the caller's last one. */
gboolean      _gasync_future_pool_put           (GObject       *object,
                                                 gboolean       adopt);

/* g_object_unref (@future), faster when the caller drops the last
 * reference of a settled future of a recyclable type. */
void          _gasync_future_release            (GAsyncFuture  *future);

/* A pending future of @type, recycled if possible. Inline, so that
 * g_object_new() is called from the constructor itself: GASYNC_DEBUG=
 * pending names the first frame outside gasync as the creation site, and
 * a hidden function in between has no name to skip it by. */
static inline GAsyncFuture *
_gasync_future_new_recycled (GType type)
{
  GAsyncFuture *ret = _gasync_future_pool_take (type);

  return ret != NULL ? ret : (GAsyncFuture *) g_object_new (type, NULL);
}

/* The flag in the state word that says gasync-debug.c holds an entry
 * for the future (a name, or a GASYNC_DEBUG=pending record). */
void          _gasync_future_mark_debug         (GAsyncFuture  *future);
gboolean      _gasync_future_has_debug          (GAsyncFuture  *future);

/* Reads without the lock or type checks: for the layers above, on their
 * hot paths. peek_value() returns NULL unless the future resolved. */
GAsyncFutureState _gasync_future_peek_state     (GAsyncFuture  *future);
const GValue *_gasync_future_peek_value         (GAsyncFuture  *future);
/* The stored value of a resolved future; otherwise NULL with @error set
 * (the future's error, or GASYNC_ERROR_PENDING). */
const GValue *_gasync_future_peek_value_or_error (GAsyncFuture *future,
                                                 GError       **error);
/* Returns the outcome of a settled @future on @task (value or error). */
void          _gasync_future_return_outcome_to_task (GAsyncFuture *future,
                                                 GTask         *task);

/* Completion, exactly once: each returns TRUE when this call settled the
 * future, FALSE (freeing what it was given) when it had settled already.
 * The caller must hold a reference on @future. */
gboolean      _gasync_future_resolve_steal      (GAsyncFuture  *future,
                                                 GValue        *value);
gboolean      _gasync_future_resolve_copy       (GAsyncFuture  *future,
                                                 const GValue  *value);
gboolean      _gasync_future_reject             (GAsyncFuture  *future,
                                                 GError        *error);
gboolean      _gasync_future_settle_like        (GAsyncFuture  *future,
                                                 GAsyncFuture  *completed);
/* @future takes over the outcome of @source, now or when it settles. Does
 * not keep @source alive (a dropped @source rejects @future with DROPPED).
 * Cancelling @future withdraws it from @source (a dependent of it). */
void          _gasync_future_adopt              (GAsyncFuture  *future,
                                                 GAsyncFuture  *source);
gboolean      _gasync_future_was_cancelled      (GAsyncFuture  *future);
GCancellable *_gasync_future_ensure_cancellable (GAsyncFuture  *future);
GCancellable *_gasync_future_take_cancellable   (GAsyncFuture  *future,
                                                 GCancellable  *cancellable);
GCancellable *_gasync_future_steal_cancellable  (GAsyncFuture  *future);

/* A G_TYPE_POINTER value uses only data[0]; a future resolved with a
 * pointer and its destroy notify keeps the notify in the otherwise unused
 * data[1] and calls it when the future is finalized. */
#define _GASYNC_VALUE_POINTER_DESTROY(v) ((v)->data[1].v_pointer)

/* Whether a value of @type is plain data (no reference, no allocation),
 * which can be copied with its struct and dropped without
 * g_value_unset(): the fundamental scalars. A pointer is plain too, but
 * a future's may carry a destroy notify (_GASYNC_VALUE_POINTER_DESTROY),
 * which no copy takes with it. Each GValue call looks the type's value
 * table up, which is most of what settling a continuation with an
 * integer costs. */
static inline gboolean
_gasync_value_type_is_plain (GType type)
{
  switch (type)
    {
    case G_TYPE_CHAR:
    case G_TYPE_UCHAR:
    case G_TYPE_BOOLEAN:
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_LONG:
    case G_TYPE_ULONG:
    case G_TYPE_INT64:
    case G_TYPE_UINT64:
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
    case G_TYPE_POINTER:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Initializes the zero-filled @dest with a copy of @src. */
static inline void
_gasync_value_init_copy (GValue       *dest,
                         const GValue *src)
{
  if (_gasync_value_type_is_plain (G_VALUE_TYPE (src)))
    {
      *dest = *src;
      if (G_VALUE_TYPE (src) == G_TYPE_POINTER)
        _GASYNC_VALUE_POINTER_DESTROY (dest) = NULL;
      return;
    }
  g_value_init (dest, G_VALUE_TYPE (src));
  g_value_copy (src, dest);
}

/* Stores a copy of @src in @dest: @dest is either zero-filled (it is then
 * initialized with @src's type) or initialized with a type @src converts to. */
gboolean      _gasync_value_store               (GValue        *dest,
                                                 const GValue  *src,
                                                 GError       **error);
/* A failed call leaves an out GValue initialized (G_TYPE_POINTER, NULL):
 * GJS converts out arguments before it throws. */
void          _gasync_value_init_for_error      (GValue        *value);

/* Context jobs (gasync-context-job.c): work that runs on the context that
 * was thread-default when it was created, once a future settles. */
typedef struct _GAsyncContextJob GAsyncContextJob;
struct _GAsyncContextJob
{
  /* The node is first a GAsyncNotify on the future, then the same memory
   * is reused as a GAsyncDispatchItem on the dispatcher. */
  union {
    GAsyncNotify       notify;
    GAsyncDispatchItem item;
  } node;
  GAsyncDispatcher *dispatcher;  /* of the context we hold a reference on */
  GAsyncFuture     *completed;   /* owned, set when the future settles */
};

void          _gasync_context_job_init          (GAsyncContextJob  *job,
                                                 GAsyncDispatchFunc func);
/* The same, for @context (whose reference the job takes over). */
void          _gasync_context_job_init_for_context (GAsyncContextJob  *job,
                                                 GMainContext       *context,
                                                 GAsyncDispatchFunc  func);
void          _gasync_context_job_clear         (GAsyncContextJob  *job);
GMainContext *_gasync_context_job_get_context   (GAsyncContextJob  *job);

/* Per-thread flag set by GAsyncRuntime on its async worker threads, where
 * blocking waits are refused with GASYNC_ERROR_WOULD_DEADLOCK
 * (gasync-future-wait.c). */
void          _gasync_thread_set_async_worker   (gboolean       is_worker);

/* Whether this thread is an async worker of a runtime: read on every
 * blocking call (a channel's blocking send and receive among them), so
 * a thread-local read inline, not a call. Written only by the thread
 * itself, in gasync-future-wait.c. */
/* initial-exec: a %fs-relative load instead of a __tls_get_addr() call
 * per read (22 instructions per blocking send+receive pair, measured);
 * four bytes of the static TLS surplus that glibc keeps for libraries
 * loaded later, as Python and GJS load this one. */
extern _Thread_local gboolean _gasync_async_worker_flag
  __attribute__ ((tls_model ("initial-exec")));

static inline gboolean
_gasync_thread_is_async_worker (void)
{
  return _gasync_async_worker_flag;
}
gboolean      _gasync_check_may_block           (const char    *what,
                                                 GError       **error);

/* A future rejected with GASYNC_ERROR_INVALID_ARGUMENT naming @what. */
GAsyncFuture *_gasync_future_new_invalid_argument (const char *what) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
