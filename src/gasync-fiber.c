/* gasync-fiber.c: fibers, and gasync_await() for sequential async C
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A fiber is a runtime task whose GAsyncFunc (fiber_task_start()) switches
 * to a stack of its own and runs the user's GAsyncThreadFunc there. When
 * that function calls gasync_await() on a pending future, the fiber
 * switches back to whoever resumed it (the worker's main loop), which
 * goes on running other tasks and fibers; when the future settles, a
 * dispatch item on the worker's context switches to the fiber again. So a
 * fiber runs only on the worker that started it, with that worker's
 * context as thread-default. The task layer sees an ordinary async task
 * whose function returned a future (settled, if the fiber never waited).
 *
 * Layers: this file uses the runtime's public spawn, the future state
 * machine's notifies, the dispatcher, the stacks (gasync-fiber-stack.c)
 * and the switch (gasync-fiber-switch.c); nothing calls into it.
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "gasync-debug-private.h"
#include "gasync-error.h"
#include "gasync-fiber.h"
#include "gasync-fiber-private.h"
#include "gasync-fiber-stack-private.h"
#include "gasync-fiber-switch-private.h"
#include "gasync-future-private.h"
#include "gasync-task-private.h"
#include "gasync-i18n-private.h"

/**
 * SECTION:gasync-fiber
 * @title: Fibers
 * @short_description: sequential async C: gasync_await() inside fibers
 *
 * A fiber runs a #GAsyncThreadFunc, the same function
 * gasync_runtime_spawn_blocking() takes, on an async worker of a
 * #GAsyncRuntime, on a stack of its own. Inside it, gasync_await() waits
 * for a future the way `await` does in Python or JavaScript: the fiber is
 * suspended, the worker runs other tasks and fibers meanwhile, and the
 * fiber resumes on the same worker once the future settled. So
 * asynchronous work reads as sequential C, and one function body runs
 * unchanged as a blocking job (where gasync_await() blocks) or as a fiber
 * (where it suspends):
 *
 * |[<!-- language="C" -->
 * static gboolean
 * sleep_then_answer (GCancellable  *cancellable,
 *                    GValue        *result,
 *                    gpointer       user_data,
 *                    GError       **error)
 * {
 *   g_autoptr(GAsyncFuture) nap = gasync_timeout_new (100);
 *
 *   if (!gasync_await (nap, NULL, error))
 *     return FALSE;
 *   g_value_init (result, G_TYPE_INT);
 *   g_value_set_int (result, 42);
 *   return TRUE;
 * }
 *
 * g_autoptr(GAsyncFuture) fiber = gasync_fiber_spawn (sleep_then_answer, NULL, NULL);
 * g_autoptr(GAsyncFuture) job = gasync_spawn_blocking (sleep_then_answer, NULL, NULL);
 * ]|
 *
 * ## The handle
 *
 * gasync_fiber_spawn() returns the fiber's handle, a #GAsyncFuture that
 * behaves as a spawned task's: it resolves with the value the function
 * set (a %G_TYPE_POINTER %NULL if none) or rejects with its error;
 * dropping it detaches the fiber; gasync_future_cancel() on it rejects it
 * at once and cancels the #GCancellable the function got, and a
 * gasync_await() the fiber is suspended in returns %G_IO_ERROR_CANCELLED
 * at once (as does every later one of that fiber on a pending future).
 * The future it was waiting for is then withdrawn from, and cancelled if
 * nothing else waits for it, as a cancelled combinator does with its
 * inputs: a channel receive is withdrawn (no item lost), a timer removed.
 *
 * ## Where a fiber runs
 *
 * A fiber never leaves the worker thread that started it. Its
 * thread-default #GMainContext is that worker's, so GIO calls it starts,
 * and continuations it registers, complete on that worker. A fiber must
 * not block the worker: gasync_future_wait() and gasync_block_on() are
 * refused there as on any async worker (%GASYNC_ERROR_WOULD_DEADLOCK);
 * gasync_await() is the way to wait. Leave the thread-default context as
 * you found it before each gasync_await(): other fibers run on the same
 * thread while this one is suspended.
 *
 * gasync_await() outside a fiber: on a thread of your own or of the
 * blocking pool, it blocks as gasync_future_wait() does; on an async
 * worker (in a #GAsyncFunc task or a continuation) it fails at once with
 * %GASYNC_ERROR_WOULD_DEADLOCK, every time, not only when it would wait.
 * On a future that has already settled, it returns its outcome without
 * suspending.
 *
 * ## Stacks
 *
 * Each fiber has a stack of gasync_fiber_get_stack_size() bytes
 * (%GASYNC_FIBER_DEFAULT_STACK_SIZE, 256 KiB, unless
 * gasync_fiber_set_stack_size() or the `GASYNC_FIBER_STACK_SIZE`
 * environment variable, in bytes or with a `K` or `M` suffix, says
 * otherwise). Stacks are reserved with `MAP_NORESERVE`: a parked fiber
 * costs only the pages it touched (a few KiB), so a hundred thousand
 * parked fibers fit in well under a gigabyte. A PROT_NONE guard page
 * below each stack turns an overflow into a SIGSEGV. Linux limits how
 * many mappings a process has (`vm.max_map_count`), and a guard page
 * costs one; past about 24,000 fibers alive at once (with the default
 * limit), new stacks get a canary instead, checked whenever their fiber
 * switches out, which aborts the program on an overflow of up to a page
 * (a deeper one may corrupt memory unseen: raise the stack size rather
 * than rely on it). Finished fibers' stacks are kept for the next fibers
 * of the same worker.
 *
 * ## Bindings
 *
 * Fibers are for C: an interpreter's state cannot run on a fiber stack of
 * a worker thread, so these functions are not introspectable. Python,
 * JavaScript and Vala have `await` or `yield` of their own on
 * gasync_future_wait_async().
 */

/* Where a suspended gasync_await() stands; atomic. */
enum {
  AWAIT_NONE,         /* not waiting */
  AWAIT_WAITING,      /* suspended, or about to be */
  AWAIT_SETTLED,      /* the future's notify won: resume with its outcome */
  AWAIT_CANCELLED,    /* the fiber's cancellable won: resume cancelled */
};

typedef struct _FiberThread FiberThread;
typedef struct _Fiber       Fiber;

/* Per thread that ran a fiber; only that thread touches it. */
struct _FiberThread
{
  GAsyncFiberContext    context;    /* the thread's own stack */
  GAsyncFiberStackCache stacks;
  Fiber                *current;    /* the fiber running now, if any */
  guint64               n_suspends;
};

/* What a fiber runs: the task's user data, freed by the task's destroy
 * notify once the fiber finished (or if it never started). Immutable. */
typedef struct
{
  GAsyncThreadFunc    func;
  gpointer            user_data;
  GDestroyNotify      destroy;
} FiberTask;

/* A running fiber. It lives at the top of its own stack, in the page the
 * fiber touches first anyway: starting a fiber allocates nothing more,
 * and the fiber is gone once its stack is released (fiber_finish()). */
struct _Fiber
{
  FiberTask          *task;

  /* the worker thread only */
  FiberThread        *thread;
  GMainContext       *context;      /* the worker's, not owned */
  GAsyncDispatcher   *dispatcher;   /* of context, found at the first wait */
  GAsyncFiberStack   *stack;
  GAsyncFiberContext  fiber_context;
  GAsyncFiberContext *resumer;      /* whoever switched to us last */
  GCancellable       *cancellable;  /* the task's, until the fiber finished */
  gulong              cancel_handler;
  GAsyncFuture       *done;         /* what the task waits on; owned */
  gboolean            finished;
  gboolean            ok;
  GValue              result;
  GError             *error;

  /* gasync_await(): the state word decides who resumes us (atomic) */
  gint                await_state;
  gint                notify_busy;  /* atomic: the notify may still touch us */
  GAsyncNotify        notify;       /* on the future awaited */
  GAsyncDispatchItem  resume;       /* on the worker's dispatcher */
  GAsyncFuture       *completed;    /* set by the notify before it queues resume */
};

static gsize stack_size_setting;   /* atomic; 0: not read from the environment yet */

/* initial-exec, as gasync's other thread-locals: gasync_await() reads it
 * on every call, and the default model for a shared library is a call. */
static _Thread_local FiberThread *fiber_thread
  __attribute__ ((tls_model ("initial-exec")));

static void
fiber_thread_free (gpointer data)
{
  FiberThread *thread = data;

  /* At the exit of the thread, on it: later destructors find no state. */
  fiber_thread = NULL;
  _gasync_fiber_stack_cache_clear (&thread->stacks);
  _gasync_fiber_context_clear_thread (&thread->context);
  g_free (thread);
}

static GPrivate fiber_thread_cleanup = G_PRIVATE_INIT (fiber_thread_free);

static FiberThread *
fiber_thread_get (void)
{
  FiberThread *thread = fiber_thread;

  if G_LIKELY (thread != NULL)
    return thread;

  thread = g_new0 (FiberThread, 1);
  _gasync_fiber_context_init_thread (&thread->context);
  g_private_set (&fiber_thread_cleanup, thread);
  fiber_thread = thread;
  return thread;
}

static inline Fiber *
fiber_current (void)
{
  FiberThread *thread = fiber_thread;

  return thread != NULL ? thread->current : NULL;
}

/* Running and finishing */

/* The fiber's whole life on its own stack. */
static void
fiber_entry (gpointer data)
{
  Fiber *fiber = data;

  _gasync_fiber_context_entered (&fiber->fiber_context);
  fiber->ok = fiber->task->func (fiber->cancellable, &fiber->result, fiber->task->user_data, &fiber->error);
  fiber->finished = TRUE;
  _gasync_fiber_context_exit (&fiber->fiber_context, fiber->resumer);
}

/* Settles @future with what the function returned, as a blocking task's
 * handle would be. */
static void
fiber_deliver (Fiber        *fiber,
               GAsyncFuture *future)
{
  GError *error = g_steal_pointer (&fiber->error);

  if (fiber->ok)
    {
      if (error != NULL)
        {
          g_critical ("A GAsyncThreadFunc returned TRUE but set an error: %s", error->message);
          g_clear_error (&error);
        }
      if (G_VALUE_TYPE (&fiber->result) == G_TYPE_INVALID)
        g_value_init (&fiber->result, G_TYPE_POINTER);
      _gasync_future_resolve_steal (future, &fiber->result);
      memset (&fiber->result, 0, sizeof fiber->result);
      return;
    }

  if (G_VALUE_TYPE (&fiber->result) != G_TYPE_INVALID)
    g_value_unset (&fiber->result);
  if (error == NULL)
    {
      g_critical ("A GAsyncThreadFunc returned FALSE without setting an error");
      error = g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED,
                                   _("The fiber failed without saying why"));
    }
  _gasync_future_reject (future, error);
}

/* The fiber returned: settle what the task waits on (a new future if it
 * never suspended) and release its stack, and the fiber with it. Returns
 * that future, with the fiber's reference. Runs on the worker. */
static GAsyncFuture *
fiber_finish (Fiber *fiber)
{
  FiberThread *thread = fiber->thread;
  GAsyncFiberStack *stack = fiber->stack;
  GAsyncFuture *done = g_steal_pointer (&fiber->done);

  if (fiber->cancel_handler != 0)
    g_cancellable_disconnect (fiber->cancellable, fiber->cancel_handler);
  /* Tell TSan about that wait (GLib's locks): the handler is done with us. */
  GASYNC_TSAN_ACQUIRE (&fiber->cancel_handler);

  _gasync_fiber_context_destroy (&fiber->fiber_context);
  if (done == NULL)
    done = _gasync_future_new_pending ();
  fiber_deliver (fiber, done);

  /* @fiber lives on this stack: not a word of it from here on. */
  _gasync_fiber_stack_release (&thread->stacks, stack);
  return done;
}

/* Switches from the running context (the worker's loop, or a fiber that
 * iterates the context itself) to @fiber, until it suspends (returns
 * NULL) or returns (returns what fiber_finish() returned; @fiber is gone). */
static GAsyncFuture *
fiber_run (Fiber *fiber)
{
  FiberThread *thread = fiber->thread;
  Fiber *outer = thread->current;
  GAsyncFiberContext *from = outer != NULL ? &outer->fiber_context : &thread->context;

  fiber->resumer = from;
  thread->current = fiber;
  _gasync_fiber_context_switch (from, &fiber->fiber_context);
  thread->current = outer;

  if G_UNLIKELY (!_gasync_fiber_stack_check (fiber->stack))
    g_error ("A fiber overflowed its stack of %" G_GSIZE_FORMAT " bytes; "
             "see gasync_fiber_set_stack_size()", fiber->stack->size);

  if (!fiber->finished)
    return NULL;
  return fiber_finish (fiber);
}

/* The dispatch item that resumes a suspended fiber, on its worker. */
static void
fiber_resume (GAsyncDispatchItem *item)
{
  Fiber *fiber = (Fiber *) ((char *) item - G_STRUCT_OFFSET (Fiber, resume));
  GAsyncFuture *done = fiber_run (fiber);

  /* The task holds no reference on it: settling it was our last use of
   * it, and the task's job now finishes the task. */
  if (done != NULL)
    g_object_unref (done);
}

static gsize
fiber_stack_size (void)
{
  gsize size = g_atomic_pointer_get (&stack_size_setting);

  if G_UNLIKELY (size == 0)
    size = gasync_fiber_get_stack_size ();
  return size;
}

/* Carves the fiber from the top of @stack, below the stack's header. */
static Fiber *
fiber_new_on_stack (GAsyncFiberStack *stack)
{
  guintptr top = (guintptr) stack->base + stack->size;
  Fiber *fiber = (Fiber *) ((top - sizeof (Fiber)) & ~(guintptr) 63);

  memset (fiber, 0, sizeof *fiber);
  fiber->stack = stack;
  return fiber;
}

/* The task's GAsyncFunc: runs on a worker, with its context as
 * thread-default. */
static GAsyncFuture *
fiber_task_start (GCancellable *cancellable,
                  gpointer      data)
{
  FiberThread *thread = fiber_thread_get ();
  GAsyncFiberStack *stack = _gasync_fiber_stack_acquire (&thread->stacks, fiber_stack_size ());
  GAsyncFuture *done;
  Fiber *fiber;

  if G_UNLIKELY (stack == NULL)
    {
      int saved = errno;

      return gasync_future_new_for_error (g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                                       _("Could not map a fiber stack: %s"),
                                                       g_strerror (saved)));
    }

  fiber = fiber_new_on_stack (stack);
  fiber->task = data;
  fiber->thread = thread;
  fiber->context = g_main_context_get_thread_default ();
  fiber->cancellable = cancellable;
  _gasync_fiber_context_init (&fiber->fiber_context, stack->base,
                              (gsize) ((guint8 *) fiber - (guint8 *) stack->base),
                              fiber_entry, fiber);

  done = fiber_run (fiber);
  if (done != NULL)
    return done;

  /* Suspended: the task waits on this, which we settle when it returns. */
  fiber->done = _gasync_future_new_pending ();
  return g_object_ref (fiber->done);
}

static void
fiber_task_free (gpointer data)
{
  FiberTask *task = data;

  if (task->destroy != NULL)
    task->destroy (task->user_data);
  g_slice_free (FiberTask, task);
}

/* Awaiting */

static void
fiber_wake (Fiber *fiber)
{
  _gasync_dispatcher_push (fiber->dispatcher, &fiber->resume);
}

/* The awaited future settled: on whatever thread settled it. */
static void
fiber_await_notify (GAsyncNotify *notify,
                    GAsyncFuture *completed)
{
  Fiber *fiber = (Fiber *) ((char *) notify - G_STRUCT_OFFSET (Fiber, notify));

  if (g_atomic_int_compare_and_exchange (&fiber->await_state, AWAIT_WAITING, AWAIT_SETTLED))
    {
      fiber->completed = g_object_ref (completed);
      g_atomic_int_set (&fiber->notify_busy, FALSE);
      /* The fiber stays suspended until this is dispatched. */
      fiber_wake (fiber);
      return;
    }

  /* The cancellable won; the fiber waits for this before it goes on. */
  g_atomic_int_set (&fiber->notify_busy, FALSE);
}

/* The fiber's cancellable was cancelled: on the cancelling thread. */
static void
fiber_cancelled (GCancellable *cancellable,
                 gpointer      data)
{
  Fiber *fiber = data;

  GASYNC_TSAN_ACQUIRE (cancellable);
  if (g_atomic_int_compare_and_exchange (&fiber->await_state, AWAIT_WAITING, AWAIT_CANCELLED))
    fiber_wake (fiber);
  /* fiber_finish() reuses our memory after the disconnect waited for us. */
  GASYNC_TSAN_RELEASE (&fiber->cancel_handler);
}

static void
fiber_suspend (Fiber *fiber)
{
  FiberThread *thread = fiber->thread;

  thread->n_suspends++;
  _gasync_fiber_context_switch (&fiber->fiber_context, fiber->resumer);
}

/* Waits (suspended) for @future, which was pending, or for the fiber's
 * cancellation; returns the state that won. */
static gint
fiber_wait (Fiber        *fiber,
            GAsyncFuture *future)
{
  if (fiber->cancel_handler == 0 && fiber->cancellable != NULL)
    {
      GASYNC_TSAN_RELEASE (fiber->cancellable);
      fiber->cancel_handler = g_cancellable_connect (fiber->cancellable,
                                                     G_CALLBACK (fiber_cancelled),
                                                     fiber, NULL);
    }

  if (fiber->dispatcher == NULL)
    fiber->dispatcher = _gasync_dispatcher_for_context (fiber->context);
  fiber->resume.func = fiber_resume;
  fiber->notify.func = fiber_await_notify;
  g_atomic_int_set (&fiber->await_state, AWAIT_WAITING);
  g_atomic_int_set (&fiber->notify_busy, TRUE);
  _gasync_future_add_dependent (future, &fiber->notify);

  /* Cancelled before the handler could see us waiting: do not sleep. */
  if (!(g_cancellable_is_cancelled (fiber->cancellable) &&
        g_atomic_int_compare_and_exchange (&fiber->await_state, AWAIT_WAITING, AWAIT_CANCELLED)))
    fiber_suspend (fiber);

  return g_atomic_int_get (&fiber->await_state);
}

static gboolean
fiber_await_pending (Fiber         *fiber,
                     GAsyncFuture  *future,
                     GValue        *value,
                     GError       **error)
{
  g_autoptr(GAsyncFuture) completed = NULL;
  gboolean ret;
  gint won;

  if (g_cancellable_set_error_if_cancelled (fiber->cancellable, error))
    goto fail;

  /* Ours while we wait, as gasync_future_wait() keeps one. */
  g_object_ref (future);
  won = fiber_wait (fiber, future);
  g_atomic_int_set (&fiber->await_state, AWAIT_NONE);

  if (won == AWAIT_CANCELLED)
    {
      /* Withdraw; if the future settled meanwhile, its notify is running
       * or has run: wait until it no longer touches us. */
      if (_gasync_future_withdraw (future, &fiber->notify, TRUE))
        g_atomic_int_set (&fiber->notify_busy, FALSE);
      while (g_atomic_int_get (&fiber->notify_busy))
        g_thread_yield ();
      g_object_unref (future);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
      goto fail;
    }

  /* Resumed by the dispatch item the notify queued, after it let go. */
  completed = g_steal_pointer (&fiber->completed);
  g_object_unref (future);
  ret = gasync_future_get_value (completed, value, error);
  return ret;

fail:
  _gasync_value_init_for_error (value);
  return FALSE;
}

/* Public API */

/**
 * gasync_runtime_spawn_fiber: (skip)
 * @runtime: a #GAsyncRuntime
 * @func: (scope notified) (closure user_data) (destroy destroy): the work,
 *   which may call gasync_await()
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func returned
 *
 * Runs @func as a fiber on one of @runtime's async workers and returns
 * its handle, which settles like a gasync_runtime_spawn_blocking() task's
 * would: with the value @func set (a %G_TYPE_POINTER %NULL if it set
 * none) or with its error. Inside @func, gasync_await() suspends the
 * fiber instead of blocking; see gasync_await().
 *
 * As with gasync_runtime_spawn(): the call returns at once; dropping the
 * handle detaches the fiber; cancelling it cancels the #GCancellable
 * @func got and makes a pending gasync_await() of the fiber return
 * %G_IO_ERROR_CANCELLED; @destroy runs on the worker before the handle
 * settles (or, if @func never runs, where the task was discarded). Once
 * @runtime is shut down, the handle is already rejected with
 * %GASYNC_ERROR_CLOSED.
 *
 * Returns: (transfer full): the fiber's handle
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_runtime_spawn_fiber (GAsyncRuntime    *runtime,
                            GAsyncThreadFunc  func,
                            gpointer          user_data,
                            GDestroyNotify    destroy)
{
  GAsyncFuture *handle;
  FiberTask *task;

  g_return_val_if_fail (GASYNC_IS_RUNTIME (runtime),
                        gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                             _("Invalid argument: runtime")));
  g_return_val_if_fail (func != NULL,
                        gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                             _("Invalid argument: func")));

  task = g_slice_new (FiberTask);
  task->func = func;
  task->user_data = user_data;
  task->destroy = destroy;

  handle = gasync_runtime_spawn (runtime, fiber_task_start, task, fiber_task_free);
  /* Lists of pending futures (GASYNC_DEBUG=pending) name the fiber by its
   * function rather than by fiber_task_start(). Only then: a name costs. */
  if G_UNLIKELY (_gasync_debug_pending && gasync_future_get_state (handle) == GASYNC_FUTURE_PENDING)
    gasync_future_set_name (handle, _gasync_debug_function_name ((gpointer) func));
  return handle;
}

/**
 * gasync_fiber_spawn: (skip)
 * @func: (scope notified) (closure user_data) (destroy destroy): the work,
 *   which may call gasync_await()
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once @func returned
 *
 * Runs @func as a fiber on the default runtime's async workers; see
 * gasync_runtime_spawn_fiber().
 *
 * Returns: (transfer full): the fiber's handle
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_fiber_spawn (GAsyncThreadFunc func,
                    gpointer         user_data,
                    GDestroyNotify   destroy)
{
  return gasync_runtime_spawn_fiber (gasync_runtime_get_default (), func, user_data, destroy);
}

/* gasync_await() off the async workers: blocks. In a blocking-pool job,
 * as in a fiber, cancelling the job's handle ends the wait, and cancels
 * @future if nothing else waits for it. */
static gboolean
await_blocking (GAsyncFuture  *future,
                GValue        *value,
                GError       **error)
{
  GCancellable *job = _gasync_task_get_blocking_cancellable ();

  if (gasync_future_wait (future, job, value, error))
    return TRUE;

  if (job != NULL && g_cancellable_is_cancelled (job))
    _gasync_future_cancel_if_orphaned (future);
  return FALSE;
}

/**
 * gasync_await: (skip)
 * @future: a #GAsyncFuture
 * @value: (out caller-allocates) (optional): a zero-filled #GValue for the
 *   value, or one initialized with a type the value converts to; or %NULL
 *   if only the outcome matters
 * @error: return location for an error
 *
 * Waits for @future to settle and returns its outcome, wherever it is
 * called:
 *
 * - in a fiber, it suspends the fiber until @future settles or the
 *   fiber's handle is cancelled (then %G_IO_ERROR_CANCELLED), while the
 *   worker runs other work, and resumes it on the same worker;
 * - in a blocking-pool job (gasync_spawn_blocking()), it blocks, and
 *   cancelling the job's handle ends the wait as in a fiber (then
 *   %G_IO_ERROR_CANCELLED, and @future is cancelled if nothing else
 *   waits for it), so one function body behaves the same either way;
 * - on a thread of your own, it blocks as gasync_future_wait() does
 *   (with no #GCancellable);
 * - on an async worker outside a fiber, it fails at once with
 *   %GASYNC_ERROR_WOULD_DEADLOCK, even if @future has settled.
 *
 * A @future that has already settled is read at once, without
 * suspending. On failure a zero-filled @value is initialized to
 * %G_TYPE_POINTER, %NULL. The call holds a reference on @future while it
 * waits.
 *
 * Returns: %TRUE if @future resolved (and @value, if given, was set);
 *   %FALSE with @error set if it was rejected or the wait was refused or
 *   cancelled
 *
 * Since: 0.1
 */
gboolean
gasync_await (GAsyncFuture  *future,
              GValue        *value,
              GError       **error)
{
  Fiber *fiber;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fiber = fiber_current ();
  if (fiber == NULL)
    {
      if G_UNLIKELY (_gasync_thread_is_async_worker ())
        {
          g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK,
                               _("gasync_await() was called on an async runtime worker "
                                 "outside a fiber, where blocking could deadlock the work "
                                 "queued behind it; run the code with gasync_fiber_spawn()"));
          _gasync_value_init_for_error (value);
          return FALSE;
        }
      return await_blocking (future, value, error);
    }

  if (_gasync_future_peek_state (future) != GASYNC_FUTURE_PENDING)
    return gasync_future_get_value (future, value, error);

  return fiber_await_pending (fiber, future, value, error);
}

/**
 * gasync_fiber_is_current: (skip)
 *
 * Whether the caller runs inside a fiber, where gasync_await() suspends
 * rather than blocks.
 *
 * Returns: %TRUE inside a fiber
 *
 * Since: 0.1
 */
gboolean
gasync_fiber_is_current (void)
{
  return fiber_current () != NULL;
}

static gsize
parse_stack_size (const char *text)
{
  char *end = NULL;
  guint64 n = g_ascii_strtoull (text, &end, 10);

  if (end == text)
    return 0;
  if (*end == 'k' || *end == 'K')
    n *= 1024;
  else if (*end == 'm' || *end == 'M')
    n *= 1024 * 1024;
  return (gsize) MIN (n, (guint64) G_MAXSIZE / 2);
}

/**
 * gasync_fiber_set_stack_size: (skip)
 * @size: the stack size in bytes, at least %GASYNC_FIBER_MIN_STACK_SIZE,
 *   or 0 for %GASYNC_FIBER_DEFAULT_STACK_SIZE
 *
 * Sets the size of the stacks of fibers spawned from now on, in the whole
 * process (rounded up to whole pages). The default is 256 KiB, or the
 * `GASYNC_FIBER_STACK_SIZE` environment variable. Fibers that recurse
 * deeply or keep large arrays on the stack need more; the pages a fiber
 * does not touch cost nothing but address space.
 *
 * Since: 0.1
 */
void
gasync_fiber_set_stack_size (gsize size)
{
  if (size == 0)
    size = GASYNC_FIBER_DEFAULT_STACK_SIZE;
  g_return_if_fail (size >= GASYNC_FIBER_MIN_STACK_SIZE);

  g_atomic_pointer_set (&stack_size_setting, size);
}

/**
 * gasync_fiber_get_stack_size: (skip)
 *
 * Gets the size of the stacks of fibers spawned from now on; see
 * gasync_fiber_set_stack_size().
 *
 * Returns: the stack size in bytes
 *
 * Since: 0.1
 */
gsize
gasync_fiber_get_stack_size (void)
{
  gsize size = g_atomic_pointer_get (&stack_size_setting);

  if G_LIKELY (size != 0)
    return size;

  size = parse_stack_size (g_getenv ("GASYNC_FIBER_STACK_SIZE") ?: "");
  if (size < GASYNC_FIBER_MIN_STACK_SIZE)
    size = GASYNC_FIBER_DEFAULT_STACK_SIZE;
  /* Whoever set it meanwhile wins. */
  if (!g_atomic_pointer_compare_and_exchange (&stack_size_setting, (gsize) 0, size))
    size = g_atomic_pointer_get (&stack_size_setting);
  return size;
}

/* Private, for the tests and benchmarks */

guint64
_gasync_fiber_thread_count_suspends (void)
{
  FiberThread *thread = fiber_thread;

  return thread != NULL ? thread->n_suspends : 0;
}
