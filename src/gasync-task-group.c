/* gasync-task-group.c: GAsyncTaskGroup, futures that belong together
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built on futures, promises and the runtime from the outside: a member is
 * watched with a notify (gasync-future-private.h), the futures handed out
 * are promises, and members are stopped with gasync_future_cancel().
 */

#include "config.h"

#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"
#include "gasync-runtime.h"
#include "gasync-task-group.h"

/**
 * GAsyncTaskGroup:
 *
 * A set of futures that belong together: structured concurrency, as
 * Python's `asyncio.TaskGroup` and tokio's `JoinSet` give it.
 *
 * Work is started in the group with gasync_task_group_spawn() and
 * gasync_task_group_spawn_blocking() (on the group's #GAsyncRuntime), or
 * any future is made a member with gasync_task_group_add(). Then either:
 *
 * - gasync_task_group_next() hands out the members one by one in the
 *   order they settle (as `JoinSet::join_next`): each call returns a
 *   future that resolves with the next settled member (the member future
 *   itself, as a %G_TYPE_OBJECT value), and rejects with
 *   %GASYNC_ERROR_CLOSED once the group is closed and has nothing left;
 *   several pending calls are served one distinct member each, in the
 *   order they were made;
 * - or gasync_task_group_wait() closes the group (spawning or adding is
 *   refused afterwards) and returns a future that resolves with %TRUE once
 *   every member has settled, all of them resolved. At the first rejection
 *   of a member the others are cancelled with gasync_future_cancel(), and
 *   the future rejects with that first error once they have all settled
 *   (as `asyncio.TaskGroup` does). A rejection that happened before
 *   wait() was called counts too, even if next() returned that member.
 *
 * The two can be combined: next() still returns the members that settled
 * after wait() was called. A member is an ordinary future: its value is
 * read with the getters, and it can be cancelled on its own.
 *
 * ## Lifetimes
 *
 * The group holds a reference on every member until next() hands it out
 * or the group goes away. Dropping the last reference to the group
 * cancels the members still pending (nothing started in a group outlives
 * it) and rejects the pending next() and wait() futures with
 * %GASYNC_ERROR_DROPPED: keep a reference to the group for as long as
 * you wait on it. gasync_task_group_cancel() cancels every pending member
 * without closing the group. Cancelling a wait() future (directly, or
 * through a timeout) cancels the members when no other wait() is pending;
 * cancelling a next() future only withdraws that call.
 *
 * |[<!-- language="C" -->
 * static GAsyncFuture *
 * square (GCancellable *cancellable,
 *         gpointer      user_data)
 * {
 *   GValue value = G_VALUE_INIT;
 *   GAsyncFuture *ret;
 *   int n = GPOINTER_TO_INT (user_data);
 *
 *   g_value_init (&value, G_TYPE_INT);
 *   g_value_set_int (&value, n * n);
 *   ret = gasync_future_new_resolved (&value);
 *   g_value_unset (&value);
 *   return ret;
 * }
 *
 * static int
 * sum_of_squares (int      n,
 *                 GError **error)
 * {
 *   g_autoptr(GAsyncTaskGroup) group = gasync_task_group_new (NULL);
 *   g_autoptr(GAsyncFuture) all = NULL;
 *   g_auto(GValue) outcome = G_VALUE_INIT;
 *   int sum = 0;
 *
 *   for (int i = 1; i <= n; i++)
 *     g_object_unref (gasync_task_group_spawn (group, square,
 *                                              GINT_TO_POINTER (i), NULL));
 *
 *   // Close the group: from now on the first error cancels the rest.
 *   all = gasync_task_group_wait (group);
 *
 *   // The members in the order they finish, until none is left.
 *   for (;;)
 *     {
 *       g_autoptr(GAsyncFuture) next = gasync_task_group_next (group);
 *       g_autoptr(GAsyncFuture) member = NULL;
 *       g_auto(GValue) value = G_VALUE_INIT;
 *
 *       if (!gasync_future_wait (next, NULL, &value, NULL))
 *         break;   // GASYNC_ERROR_CLOSED: every member was handed out
 *       member = g_value_dup_object (&value);
 *       if (gasync_future_get_state (member) == GASYNC_FUTURE_RESOLVED)
 *         sum += gasync_future_get_int (member, NULL);
 *     }
 *
 *   if (!gasync_future_wait (all, NULL, &outcome, error))
 *     return -1;
 *   return sum;
 * }
 * ]|
 *
 * ## Threads and contexts
 *
 * Every function may be called from any thread, and members may settle on
 * any thread. The group keeps its own bookkeeping under a lock that it
 * never holds while settling a future or running other code. The futures
 * it returns are ordinary futures: their continuations and
 * gasync_future_wait_async() callbacks run on the #GMainContext that was
 * thread-default when they were registered (never on the thread where a
 * member happened to settle), so the group itself needs no main context.
 *
 * Cancelling members (gasync_task_group_cancel(), the first error after
 * gasync_task_group_wait(), dropping the group) calls
 * gasync_future_cancel(), which cancels the member's #GCancellable: as
 * with g_cancellable_cancel(), handlers connected to it run on the thread
 * that triggered the cancellation; for the first error, the thread where
 * the failing member settled.
 *
 * The @func of gasync_task_group_spawn() runs on a runtime worker, that of
 * gasync_task_group_spawn_blocking() on the runtime's blocking pool,
 * exactly as with gasync_runtime_spawn().
 *
 * Since: 0.1
 */

typedef struct _Member Member;
typedef struct _Waiter Waiter;

/* What members and waiters point to: it outlives the GObject while a
 * member is still pending (its notify may run at any time on any thread),
 * and is freed when the last of them is done with it. */
typedef struct
{
  gatomicrefcount  ref_count;
  GMutex           mutex;

  /* Everything below is protected by mutex. */
  Member          *pending;        /* not settled yet, doubly linked */
  Member          *ready_head;     /* settled, not handed out yet, */
  Member          *ready_tail;     /*   in completion order */
  GQueue           next_waiters;   /* of Waiter, pending next() calls, FIFO */
  GQueue           wait_waiters;   /* of Waiter, pending wait() calls */
  GError          *first_error;    /* first rejection of any member */
  guint            n_pending;      /* pending members, and spawns under way */
  guint            cancel_serial;  /* bumped whenever every member is cancelled */
  guint            closed : 1;     /* wait() was called, or the group dropped */
  guint            fail_fast : 1;  /* wait() was called: errors cancel the rest */
  guint            dropped : 1;    /* the GAsyncTaskGroup is gone */
} Core;

struct _Member
{
  /* Owned by the future's notify list until the notify runs, then by the
   * ready list (or freed once handed to a next()). */
  GAsyncNotify   notify;
  Core          *core;      /* owned while pending */
  GAsyncFuture  *future;    /* owned */
  Member        *prev;      /* protected by core->mutex */
  Member        *next;      /* protected by core->mutex */
};

struct _Waiter
{
  GAsyncNotify   notify;    /* on promise: frees the waiter once it settles */
  GList          link;      /* in one of the core's queues while queued */
  Core          *core;      /* owned */
  GAsyncPromise *promise;   /* owned while queued; protected by core->mutex */
  gboolean       is_wait;   /* immutable: wait() rather than next() */
};

struct _GAsyncTaskGroup
{
  GObject        parent_instance;

  GAsyncRuntime *runtime;   /* owned, set at construction */
  Core          *core;      /* owned, immutable */
};

enum {
  PROP_0,
  PROP_RUNTIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (GAsyncTaskGroup, gasync_task_group, G_TYPE_OBJECT)

/* The core */

static Core *
core_new (void)
{
  Core *core = g_new0 (Core, 1);

  g_atomic_ref_count_init (&core->ref_count);
  g_mutex_init (&core->mutex);
  g_queue_init (&core->next_waiters);
  g_queue_init (&core->wait_waiters);
  return core;
}

static Core *
core_ref (Core *core)
{
  g_atomic_ref_count_inc (&core->ref_count);
  return core;
}

static void
core_unref (Core *core)
{
  if (!g_atomic_ref_count_dec (&core->ref_count))
    return;

  /* Whatever the last owner did under the lock happened before. */
  GASYNC_TSAN_ACQUIRE (&core->mutex);
  g_assert (core->pending == NULL && core->ready_head == NULL);
  g_assert (g_queue_is_empty (&core->next_waiters));
  g_assert (g_queue_is_empty (&core->wait_waiters));
  g_clear_error (&core->first_error);
  g_mutex_clear (&core->mutex);
  g_free (core);
}

static void
member_free (Member *member)
{
  g_object_unref (member->future);
  g_free (member);
}

static void
pending_unlink_locked (Core   *core,
                       Member *member)
{
  if (member->prev != NULL)
    member->prev->next = member->next;
  else
    core->pending = member->next;
  if (member->next != NULL)
    member->next->prev = member->prev;
  member->prev = member->next = NULL;
}

static void
ready_push_locked (Core   *core,
                   Member *member)
{
  member->next = NULL;
  if (core->ready_tail != NULL)
    core->ready_tail->next = member;
  else
    core->ready_head = member;
  core->ready_tail = member;
}

static Member *
ready_pop_locked (Core *core)
{
  Member *member = core->ready_head;

  if (member != NULL)
    {
      core->ready_head = member->next;
      if (core->ready_head == NULL)
        core->ready_tail = NULL;
      member->next = NULL;
    }
  return member;
}

/* Returns new references to the pending members, for the caller to
 * cancel once it dropped the lock; members registered later by a spawn
 * already under way see the serial change and cancel themselves. */
static GPtrArray *
collect_pending_locked (Core *core)
{
  GPtrArray *futures = g_ptr_array_new_with_free_func (g_object_unref);

  core->cancel_serial++;
  for (Member *m = core->pending; m != NULL; m = m->next)
    g_ptr_array_add (futures, g_object_ref (m->future));
  return futures;
}

static void
cancel_and_free (GPtrArray *futures)
{
  if (futures == NULL)
    return;
  for (guint i = 0; i < futures->len; i++)
    gasync_future_cancel (g_ptr_array_index (futures, i));
  g_ptr_array_unref (futures);
}

/* Takes a waiter out of its queue: the caller gets the promise's reference
 * and settles it; the waiter itself is freed by its notify then. */
static GAsyncPromise *
waiter_unqueue_locked (Core   *core,
                       Waiter *waiter)
{
  g_queue_unlink (waiter->is_wait ? &core->wait_waiters : &core->next_waiters, &waiter->link);
  return g_steal_pointer (&waiter->promise);
}

/* The first next() call still waiting; withdrawn ones are already gone. */
static GAsyncPromise *
next_waiter_pop_locked (Core *core)
{
  GList *link = g_queue_peek_head_link (&core->next_waiters);

  if (link == NULL)
    return NULL;
  return waiter_unqueue_locked (core, link->data);
}

static GPtrArray *
waiters_steal_locked (Core   *core,
                      GQueue *queue)
{
  GPtrArray *promises = g_ptr_array_new_with_free_func (g_object_unref);

  while (!g_queue_is_empty (queue))
    g_ptr_array_add (promises, waiter_unqueue_locked (core, g_queue_peek_head (queue)));
  return promises;
}

/* Settles each of @promises (and frees the array): with a copy of @error,
 * or with %TRUE when @error is NULL. */
static void
settle_all (GPtrArray    *promises,
            const GError *error)
{
  for (guint i = 0; promises != NULL && i < promises->len; i++)
    {
      GAsyncFuture *future = g_ptr_array_index (promises, i);

      if (error != NULL)
        _gasync_future_reject (future, g_error_copy (error));
      else
        {
          GValue value = G_VALUE_INIT;

          g_value_init (&value, G_TYPE_BOOLEAN);
          g_value_set_boolean (&value, TRUE);
          _gasync_future_resolve_steal (future, &value);
        }
    }
  g_clear_pointer (&promises, g_ptr_array_unref);
}

/* Once the group is closed and nothing is pending: settles the wait()
 * futures, and, if no member is left to hand out, rejects the next()
 * calls still waiting with CLOSED. */
static void
core_check_finished (Core *core)
{
  GPtrArray *waits = NULL;
  GPtrArray *nexts = NULL;
  GError *error = NULL;

  gasync_mutex_lock (&core->mutex);
  if (core->closed && !core->dropped && core->n_pending == 0)
    {
      waits = waiters_steal_locked (core, &core->wait_waiters);
      if (core->ready_head == NULL)
        nexts = waiters_steal_locked (core, &core->next_waiters);
      if (core->first_error != NULL)
        error = g_error_copy (core->first_error);
    }
  gasync_mutex_unlock (&core->mutex);

  if (waits == NULL)
    return;

  settle_all (waits, error);
  if (nexts != NULL && nexts->len > 0)
    {
      GError *closed = g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                                            _("The task group is closed and has no member left"));
      settle_all (g_steal_pointer (&nexts), closed);
      g_error_free (closed);
    }
  g_clear_pointer (&nexts, g_ptr_array_unref);
  g_clear_error (&error);
}

/* Members */

/* Resolves a next() future with @member; FALSE if it was settled meanwhile
 * (cancelled by its owner), and @member is still ours. */
static gboolean
hand_over (GAsyncPromise *promise,
           Member        *member)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_OBJECT);
  g_value_set_object (&value, member->future);
  return _gasync_future_resolve_steal (GASYNC_FUTURE (promise), &value);
}

/* Gives a settled member to @promise, the first waiting next() call
 * (owned), or to the next one if that was withdrawn meanwhile, or queues
 * it for a later call. */
static void
member_deliver (Core          *core,
                Member        *member,
                GAsyncPromise *promise)
{
  while (promise != NULL)
    {
      gboolean taken = hand_over (promise, member);

      g_object_unref (promise);
      if (taken)
        {
          member_free (member);
          return;
        }

      gasync_mutex_lock (&core->mutex);
      promise = next_waiter_pop_locked (core);
      if (promise == NULL)
        ready_push_locked (core, member);
      gasync_mutex_unlock (&core->mutex);
    }
}

/* A member settled, on whatever thread settled it: bookkeeping only. It
 * is handed out before the others are cancelled, so that next() sees the
 * members in the order they settled. */
static void
member_settled (GAsyncNotify *notify,
                GAsyncFuture *completed)
{
  Member *member = (Member *) notify;
  Core *core = g_steal_pointer (&member->core);
  const GError *error = gasync_future_get_error (completed);
  GAsyncPromise *promise = NULL;
  GPtrArray *to_cancel = NULL;
  gboolean dropped, finished;

  gasync_mutex_lock (&core->mutex);
  pending_unlink_locked (core, member);
  core->n_pending--;
  dropped = core->dropped;
  finished = core->closed && core->n_pending == 0;
  if (!dropped)
    {
      if (error != NULL && core->first_error == NULL)
        {
          core->first_error = g_error_copy (error);
          if (core->fail_fast)
            to_cancel = collect_pending_locked (core);
        }
      promise = next_waiter_pop_locked (core);
      if (promise == NULL)
        ready_push_locked (core, g_steal_pointer (&member));
    }
  gasync_mutex_unlock (&core->mutex);

  if (dropped)
    member_free (member);
  else
    {
      if (member != NULL)
        member_deliver (core, member, promise);
      cancel_and_free (to_cancel);
      /* Only the last member to settle in a closed group finishes it. */
      if (finished)
        core_check_finished (core);
    }
  core_unref (core);
}

/* Makes @future a member; the caller has counted it in n_pending already,
 * when the serial was @serial. */
static void
member_register (Core         *core,
                 GAsyncFuture *future,
                 guint         serial)
{
  Member *member = g_new0 (Member, 1);
  gboolean cancel;

  member->notify.func = member_settled;
  member->core = core_ref (core);
  member->future = g_object_ref (future);

  gasync_mutex_lock (&core->mutex);
  member->next = core->pending;
  if (core->pending != NULL)
    core->pending->prev = member;
  core->pending = member;
  cancel = serial != core->cancel_serial;
  gasync_mutex_unlock (&core->mutex);

  _gasync_future_add_notify (future, &member->notify);
  if (cancel)
    gasync_future_cancel (future);
}

/* Counts a member about to be registered; FALSE once the group is closed. */
static gboolean
core_reserve (Core  *core,
              guint *serial)
{
  gboolean ok;

  gasync_mutex_lock (&core->mutex);
  ok = !core->closed;
  if (ok)
    core->n_pending++;
  *serial = core->cancel_serial;
  gasync_mutex_unlock (&core->mutex);

  return ok;
}

/* Waiters */

/* The waiter's future settled: by the group (which unqueued it already),
 * or by its owner cancelling it, which withdraws the call. */
static void
waiter_settled (GAsyncNotify *notify,
                GAsyncFuture *completed)
{
  Waiter *waiter = (Waiter *) notify;
  Core *core = waiter->core;
  GAsyncPromise *withdrawn = NULL;
  GPtrArray *to_cancel = NULL;

  gasync_mutex_lock (&core->mutex);
  if (waiter->promise != NULL)
    {
      withdrawn = waiter_unqueue_locked (core, waiter);
      /* Nobody waits for the group any more: stop its members. */
      if (waiter->is_wait && g_queue_is_empty (&core->wait_waiters) && !core->dropped)
        to_cancel = collect_pending_locked (core);
    }
  gasync_mutex_unlock (&core->mutex);

  cancel_and_free (to_cancel);
  g_clear_object (&withdrawn);
  core_unref (core);
  g_free (waiter);
}

/* A pending promise queued as a next() or wait() call; returns a new
 * reference for the caller. */
static GAsyncFuture *
waiter_queue_locked (Core     *core,
                     gboolean  is_wait)
{
  Waiter *waiter = g_new0 (Waiter, 1);

  waiter->notify.func = waiter_settled;
  waiter->link.data = waiter;
  waiter->core = core_ref (core);
  waiter->promise = gasync_promise_new ();
  waiter->is_wait = is_wait;
  /* Nobody else has the promise yet: this only links the notify. */
  _gasync_future_add_notify (GASYNC_FUTURE (waiter->promise), &waiter->notify);
  g_queue_push_tail_link (is_wait ? &core->wait_waiters : &core->next_waiters, &waiter->link);

  return g_object_ref (GASYNC_FUTURE (waiter->promise));
}

/* GObject */

static void
gasync_task_group_dispose (GObject *object)
{
  GAsyncTaskGroup *self = GASYNC_TASK_GROUP (object);
  Core *core = self->core;
  GPtrArray *to_cancel = NULL;
  GPtrArray *nexts = NULL;
  GPtrArray *waits = NULL;
  Member *ready = NULL;

  gasync_mutex_lock (&core->mutex);
  if (!core->dropped)
    {
      core->dropped = core->closed = TRUE;
      to_cancel = collect_pending_locked (core);
      nexts = waiters_steal_locked (core, &core->next_waiters);
      waits = waiters_steal_locked (core, &core->wait_waiters);
      ready = g_steal_pointer (&core->ready_head);
      core->ready_tail = NULL;
    }
  gasync_mutex_unlock (&core->mutex);

  if (to_cancel != NULL)
    {
      GError *error = g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_DROPPED,
                                           _("The task group was dropped"));

      cancel_and_free (to_cancel);
      settle_all (nexts, error);
      settle_all (waits, error);
      g_error_free (error);
    }
  while (ready != NULL)
    {
      Member *next = ready->next;

      member_free (ready);
      ready = next;
    }

  G_OBJECT_CLASS (gasync_task_group_parent_class)->dispose (object);
}

static void
gasync_task_group_finalize (GObject *object)
{
  GAsyncTaskGroup *self = GASYNC_TASK_GROUP (object);

  g_clear_pointer (&self->core, core_unref);
  g_clear_object (&self->runtime);

  G_OBJECT_CLASS (gasync_task_group_parent_class)->finalize (object);
}

static void
gasync_task_group_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GAsyncTaskGroup *self = GASYNC_TASK_GROUP (object);

  switch (prop_id)
    {
    case PROP_RUNTIME:
      g_value_set_object (value, self->runtime);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_task_group_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  GAsyncTaskGroup *self = GASYNC_TASK_GROUP (object);

  switch (prop_id)
    {
    case PROP_RUNTIME:
      self->runtime = g_value_dup_object (value);
      if (self->runtime == NULL)
        self->runtime = g_object_ref (gasync_runtime_get_default ());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_task_group_class_init (GAsyncTaskGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gasync_task_group_dispose;
  object_class->finalize = gasync_task_group_finalize;
  object_class->get_property = gasync_task_group_get_property;
  object_class->set_property = gasync_task_group_set_property;

  /**
   * GAsyncTaskGroup:runtime:
   *
   * The runtime that gasync_task_group_spawn() and
   * gasync_task_group_spawn_blocking() run work on. Set at construction;
   * %NULL there means the default runtime (gasync_runtime_get_default()).
   *
   * Since: 0.1
   */
  properties[PROP_RUNTIME] =
    g_param_spec_object ("runtime", NULL, NULL,
                         GASYNC_TYPE_RUNTIME,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gasync_task_group_init (GAsyncTaskGroup *self)
{
  self->core = core_new ();
}

/* Public API */

/**
 * gasync_task_group_new:
 * @runtime: (nullable): the runtime to spawn work on, or %NULL for the
 *   default runtime
 *
 * Creates an empty, open task group.
 *
 * Returns: (transfer full): a new #GAsyncTaskGroup
 *
 * Since: 0.1
 */
GAsyncTaskGroup *
gasync_task_group_new (GAsyncRuntime *runtime)
{
  g_return_val_if_fail (runtime == NULL || GASYNC_IS_RUNTIME (runtime), NULL);

  return g_object_new (GASYNC_TYPE_TASK_GROUP, "runtime", runtime, NULL);
}

/* A spawn on a closed group: nothing runs, @user_data is freed now (on
 * the calling thread) and the member future is already rejected. */
static GAsyncFuture *
spawn_refused (gpointer       user_data,
               GDestroyNotify destroy)
{
  if (destroy != NULL)
    destroy (user_data);
  return gasync_future_new_for_error (g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                                                           _("The task group is closed")));
}

/**
 * gasync_task_group_spawn:
 * @group: a #GAsyncTaskGroup
 * @func: (scope notified) (closure user_data) (destroy destroy): starts the
 *   member's work and returns its future
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the task is done with it
 *
 * Runs @func on a worker of the group's runtime, as
 * gasync_runtime_spawn() does, and makes the task's handle a member of
 * @group. Cancelling the group's members cancels the #GCancellable @func
 * got.
 *
 * Once the group is closed (by gasync_task_group_wait()), nothing is
 * spawned: the returned future is already rejected with
 * %GASYNC_ERROR_CLOSED, and @destroy has run, on the calling thread.
 *
 * Returns: (transfer full): the member future (the task's handle)
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_task_group_spawn (GAsyncTaskGroup *group,
                         GAsyncFunc       func,
                         gpointer         user_data,
                         GDestroyNotify   destroy)
{
  GAsyncFuture *future;
  guint serial;

  g_return_val_if_fail (GASYNC_IS_TASK_GROUP (group), _gasync_future_new_invalid_argument ("group"));
  g_return_val_if_fail (func != NULL, _gasync_future_new_invalid_argument ("func"));

  if (!core_reserve (group->core, &serial))
    return spawn_refused (user_data, destroy);

  future = gasync_runtime_spawn (group->runtime, func, user_data, destroy);
  member_register (group->core, future, serial);
  return future;
}

/**
 * gasync_task_group_spawn_blocking:
 * @group: a #GAsyncTaskGroup
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   member's blocking work
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, right after @func returned
 *
 * Runs @func on the blocking pool of the group's runtime, as
 * gasync_runtime_spawn_blocking() does, and makes the task's handle a
 * member of @group. Otherwise as gasync_task_group_spawn(), including
 * the refusal once the group is closed.
 *
 * Returns: (transfer full): the member future (the task's handle)
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_task_group_spawn_blocking (GAsyncTaskGroup  *group,
                                  GAsyncThreadFunc  func,
                                  gpointer          user_data,
                                  GDestroyNotify    destroy)
{
  GAsyncFuture *future;
  guint serial;

  g_return_val_if_fail (GASYNC_IS_TASK_GROUP (group), _gasync_future_new_invalid_argument ("group"));
  g_return_val_if_fail (func != NULL, _gasync_future_new_invalid_argument ("func"));

  if (!core_reserve (group->core, &serial))
    return spawn_refused (user_data, destroy);

  future = gasync_runtime_spawn_blocking (group->runtime, func, user_data, destroy);
  member_register (group->core, future, serial);
  return future;
}

/**
 * gasync_task_group_add:
 * @group: a #GAsyncTaskGroup
 * @future: any future, pending or settled
 *
 * Makes @future a member of @group; the group takes a reference on it.
 * Adding the same future twice makes two members.
 *
 * Adding to a closed group (after gasync_task_group_wait()) is a
 * programming error: it is refused with a critical warning, and @future
 * is left alone.
 *
 * Since: 0.1
 */
void
gasync_task_group_add (GAsyncTaskGroup *group,
                       GAsyncFuture    *future)
{
  guint serial;

  g_return_if_fail (GASYNC_IS_TASK_GROUP (group));
  g_return_if_fail (GASYNC_IS_FUTURE (future));

  if (!core_reserve (group->core, &serial))
    {
      g_critical ("%s: the GAsyncTaskGroup %p is closed; "
                  "a future cannot be added after gasync_task_group_wait()",
                  G_STRFUNC, group);
      return;
    }

  member_register (group->core, future, serial);
}

/**
 * gasync_task_group_next:
 * @group: a #GAsyncTaskGroup
 *
 * Takes the next member of @group that settles, in the order they
 * settle. The returned future resolves with that member future (a
 * %G_TYPE_OBJECT value: read it with gasync_future_dup_object()), at
 * once if one has settled and not been handed out yet. The group then
 * drops its reference on the member.
 *
 * Once the group is closed and every member has been handed out, the
 * future rejects with %GASYNC_ERROR_CLOSED. An open group that is empty
 * keeps the call waiting for a member to be added and settle.
 *
 * Several calls may wait at once: each gets a different member, in the
 * order the calls were made. Cancelling the returned future withdraws
 * the call without losing a member; just dropping it does not (a
 * waiting call still takes a member).
 *
 * Returns: (transfer full): a future of the next settled member
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_task_group_next (GAsyncTaskGroup *group)
{
  Core *core;
  Member *member;
  GAsyncFuture *ret;
  GValue value = G_VALUE_INIT;

  g_return_val_if_fail (GASYNC_IS_TASK_GROUP (group), _gasync_future_new_invalid_argument ("group"));

  core = group->core;
  gasync_mutex_lock (&core->mutex);
  member = ready_pop_locked (core);
  if (member == NULL)
    {
      gboolean finished = core->closed && core->n_pending == 0;

      ret = finished ? NULL : waiter_queue_locked (core, FALSE);
      gasync_mutex_unlock (&core->mutex);
      if (ret == NULL)
        ret = gasync_future_new_for_error (g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                                                                _("The task group is closed and has no member left")));
      return ret;
    }
  gasync_mutex_unlock (&core->mutex);

  g_value_init (&value, G_TYPE_OBJECT);
  g_value_set_object (&value, member->future);
  ret = gasync_future_new_resolved (&value);
  g_value_unset (&value);
  member_free (member);
  return ret;
}

/**
 * gasync_task_group_wait:
 * @group: a #GAsyncTaskGroup
 *
 * Closes @group and waits for every member to settle.
 *
 * From now on gasync_task_group_spawn() and
 * gasync_task_group_spawn_blocking() return a future rejected with
 * %GASYNC_ERROR_CLOSED, and gasync_task_group_add() is refused.
 *
 * The returned future resolves with %TRUE once every member has settled
 * and all of them resolved. If a member rejected (before this call, or
 * after it), every member still pending is cancelled with
 * gasync_future_cancel(), and the future rejects with the first error
 * once they have all settled. Members are not handed out by this:
 * gasync_task_group_next() still returns them.
 *
 * Cancelling the returned future, when no other wait() future is
 * pending, cancels the members still pending.
 *
 * Returns: (transfer full): a future that resolves when every member
 *   has settled
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_task_group_wait (GAsyncTaskGroup *group)
{
  Core *core;
  GAsyncFuture *ret;
  GPtrArray *to_cancel = NULL;

  g_return_val_if_fail (GASYNC_IS_TASK_GROUP (group), _gasync_future_new_invalid_argument ("group"));

  core = group->core;
  gasync_mutex_lock (&core->mutex);
  core->closed = TRUE;
  core->fail_fast = TRUE;
  ret = waiter_queue_locked (core, TRUE);
  if (core->first_error != NULL && core->n_pending > 0)
    to_cancel = collect_pending_locked (core);
  gasync_mutex_unlock (&core->mutex);

  cancel_and_free (to_cancel);
  core_check_finished (core);
  return ret;
}

/**
 * gasync_task_group_cancel:
 * @group: a #GAsyncTaskGroup
 *
 * Cancels every member of @group that is still pending, with
 * gasync_future_cancel(): each rejects with %G_IO_ERROR_CANCELLED, and
 * the work behind it sees its #GCancellable cancelled. It does not close
 * the group: members added afterwards are not affected.
 *
 * Since: 0.1
 */
void
gasync_task_group_cancel (GAsyncTaskGroup *group)
{
  GPtrArray *to_cancel;

  g_return_if_fail (GASYNC_IS_TASK_GROUP (group));

  gasync_mutex_lock (&group->core->mutex);
  to_cancel = collect_pending_locked (group->core);
  gasync_mutex_unlock (&group->core->mutex);

  cancel_and_free (to_cancel);
}

/**
 * gasync_task_group_get_n_pending:
 * @group: a #GAsyncTaskGroup
 *
 * Gets the number of members of @group that have not settled yet.
 * Settled members waiting to be handed out by gasync_task_group_next()
 * are not counted. With members settling on other threads, the answer
 * may be out of date by the time it is read.
 *
 * Returns: the number of pending members
 *
 * Since: 0.1
 */
guint
gasync_task_group_get_n_pending (GAsyncTaskGroup *group)
{
  guint ret;

  g_return_val_if_fail (GASYNC_IS_TASK_GROUP (group), 0);

  gasync_mutex_lock (&group->core->mutex);
  ret = group->core->n_pending;
  gasync_mutex_unlock (&group->core->mutex);

  return ret;
}
