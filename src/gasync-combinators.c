/* gasync-combinators.c: waiting for several futures (all, any, race, a timeout)
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-combinators.h"
#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"
#include "gasync-timeout-private.h"
#include "gasync-tsan-private.h"

/* A combinator watches its inputs the way every gasync waiter does: with a
 * GAsyncNotify node in each input (a dependent of it), and without holding
 * a reference on it (a dropped input rejects with DROPPED, which the
 * combinator sees). The combined ("output") future is held by the
 * combinator, which is held by the inputs' notify lists, so it lives
 * until every input has settled or was withdrawn from.
 *
 * When an input decides the output, the combinator withdraws the nodes
 * still registered on pending inputs before it settles the output; when
 * the output is cancelled, a producer notify on it does the same. Both go
 * through the nodes' links (gasync-future-private.h): no reference is
 * taken on an input, and an input left without any dependent is
 * cancelled. */

typedef enum {
  COMB_ALL,
  COMB_ALL_SETTLED,
  COMB_ANY,
  COMB_RACE,
} CombKind;

typedef struct _Combinator Combinator;

typedef struct
{
  GAsyncNotify   notify;
  Combinator    *comb;
  GAsyncFuture  *input;    /* not owned: alive while link is LINKED or PINNED */
  gint           link;     /* atomic: a GASYNC_LINK_ state */
  guint          index;
} Node;

struct _Combinator
{
  gint            ref_count;   /* atomic: the constructor, each registered node, the output notify */
  gint            remaining;   /* atomic: inputs not settled, plus one while constructing */
  gint            decided;     /* atomic: the combinator has settled the output */
  CombKind        kind;
  guint           n;
  GAsyncFuture   *output;      /* owned */
  GAsyncNotify    output_notify;
  /* Owned references to settled inputs, one slot per input, each written
   * by exactly one party; read by whoever takes remaining to zero. NULL
   * for race, which does not keep them. */
  GAsyncFuture  **settled;
  Node            nodes[];
};

static void
comb_unref (Combinator *comb)
{
  if (!g_atomic_int_dec_and_test (&comb->ref_count))
    return;

  if (comb->settled != NULL)
    for (guint i = 0; i < comb->n; i++)
      g_clear_object (&comb->settled[i]);
  g_object_unref (comb->output);
  g_free (comb);
}

static gboolean
comb_decide (Combinator *comb)
{
  return g_atomic_int_compare_and_exchange (&comb->decided, FALSE, TRUE);
}

static void
comb_resolve_with_list (Combinator *comb)
{
  GListStore *store = g_list_store_new (GASYNC_TYPE_FUTURE);
  GValue value = G_VALUE_INIT;

  g_list_store_splice (store, 0, 0, (gpointer *) comb->settled, comb->n);
  g_value_init (&value, G_TYPE_LIST_MODEL);
  g_value_take_object (&value, store);
  _gasync_future_resolve_steal (comb->output, &value);
}

#define MAX_JOINED_MESSAGES 8

static void
comb_reject_all_failed (Combinator *comb)
{
  GString *message = g_string_new (NULL);
  guint shown = 0;

  if (comb->n == 0)
    g_string_append (message, _("No futures were given, so none could resolve"));
  else if (comb->n == 1)
    g_string_append (message, _("The only future was rejected: "));
  else
    g_string_append_printf (message, _("All %u futures were rejected: "), comb->n);

  for (guint i = 0; i < comb->n; i++)
    {
      const GError *error = gasync_future_get_error (comb->settled[i]);

      if (shown == MAX_JOINED_MESSAGES)
        {
          g_string_append_printf (message, _("; and %u more"), comb->n - shown);
          break;
        }
      g_string_append_printf (message, "%s%s", shown > 0 ? "; " : "",
                              error != NULL ? error->message : "?");
      shown++;
    }

  _gasync_future_reject (comb->output,
                         g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_ALL_FAILED, message->str));
  g_string_free (message, TRUE);
}

/* Withdraws from the inputs that are still pending: each one that no
 * longer has any dependent is cancelled. */
static void
comb_withdraw_pending (Combinator *comb)
{
  for (guint i = 0; i < comb->n; i++)
    {
      Node *node = &comb->nodes[i];

      /* Withdrawn: its notify, which held a reference, never runs. */
      if (_gasync_link_withdraw (&node->link, &node->input, &node->notify))
        comb_unref (comb);
    }
}

/* The combinator decided on @input's outcome: withdraws from the inputs
 * still pending first, then settles the output like @input. In this order
 * a thread that sees the output settled (a waiter's fast path) finds
 * every orphaned input already cancelled, and cannot depend on one again
 * in between and keep it alive. */
static void
comb_settle_like (Combinator   *comb,
                  GAsyncFuture *input)
{
  comb_withdraw_pending (comb);
  _gasync_future_settle_like (comb->output, input);
}

/* @input (alive for the duration) has settled. */
static void
comb_input_settled (Combinator   *comb,
                    guint         index,
                    GAsyncFuture *input)
{
  gboolean resolved = gasync_future_get_state (input) == GASYNC_FUTURE_RESOLVED;
  gboolean last;

  switch (comb->kind)
    {
    case COMB_ALL:
      if (resolved)
        comb->settled[index] = g_object_ref (input);
      else if (comb_decide (comb))
        comb_settle_like (comb, input);
      break;
    case COMB_ALL_SETTLED:
      comb->settled[index] = g_object_ref (input);
      break;
    case COMB_ANY:
      if (!resolved)
        comb->settled[index] = g_object_ref (input);
      else if (comb_decide (comb))
        comb_settle_like (comb, input);
      break;
    case COMB_RACE:
    default:
      if (comb_decide (comb))
        comb_settle_like (comb, input);
      break;
    }

  last = g_atomic_int_dec_and_test (&comb->remaining);
  if (!last || !comb_decide (comb))
    return;

  /* Every input settled and none decided earlier. */
  if (comb->kind == COMB_ANY)
    comb_reject_all_failed (comb);
  else
    comb_resolve_with_list (comb);
}

static void
node_notify (GAsyncNotify *notify,
             GAsyncFuture *completed)
{
  Node *node = (Node *) notify;
  Combinator *comb = node->comb;

  _gasync_link_notified (&node->link);
  comb_input_settled (comb, node->index, completed);
  comb_unref (comb);
}

static void
output_notify (GAsyncNotify *notify,
               GAsyncFuture *completed)
{
  Combinator *comb = (Combinator *) ((char *) notify - G_STRUCT_OFFSET (Combinator, output_notify));

  comb_withdraw_pending (comb);
  comb_unref (comb);
}

static gboolean
futures_are_valid (GAsyncFuture **futures,
                   guint          n_futures)
{
  if (futures == NULL)
    return n_futures == 0;
  for (guint i = 0; i < n_futures; i++)
    if (!GASYNC_IS_FUTURE (futures[i]))
      return FALSE;
  return TRUE;
}

/* Allocates a combinator of @kind for @n_futures inputs, with its pending
 * output; nothing is registered yet. */
static Combinator *
comb_new (CombKind kind,
          guint    n_futures)
{
  gsize size = sizeof (Combinator) + n_futures * sizeof (Node);
  gboolean keep_settled = kind != COMB_RACE;
  Combinator *comb;

  if (keep_settled)
    size += n_futures * sizeof (GAsyncFuture *);

  /* Zero-filled: every node's link starts DONE, so an output decided
   * while we register (which withdraws the nodes registered so far) skips
   * the ones not reached yet. */
  comb = g_malloc0 (size);
  comb->ref_count = 2;                 /* the constructor, the output notify */
  comb->remaining = n_futures + 1;     /* plus the constructor's guard */
  comb->kind = kind;
  comb->n = n_futures;
  comb->output = _gasync_future_new_pending ();
  comb->output_notify.func = output_notify;
  if (keep_settled)
    comb->settled = (GAsyncFuture **) &comb->nodes[n_futures];

  return comb;
}

/* Watches input @index: takes its outcome at once if it has settled,
 * else registers the input's node notify on it. */
static void
comb_watch_input (Combinator   *comb,
                  guint         index,
                  GAsyncFuture *input)
{
  Node *node = &comb->nodes[index];

  node->notify.func = node_notify;
  node->comb = comb;
  node->input = input;
  node->index = index;

  /* Decided already: what is left is not needed any more (by us; the
   * caller's reference keeps @input alive for the call). */
  if (g_atomic_int_get (&comb->decided))
    _gasync_future_cancel_if_orphaned (input);

  if (gasync_future_get_state (input) != GASYNC_FUTURE_PENDING)
    {
      comb_input_settled (comb, index, input);
      return;
    }

  /* Atomic: a canceller on another thread (the output was decided by an
   * input registered earlier) may be trying to pin this node. */
  g_atomic_int_set (&node->link, GASYNC_LINK_LINKED);
  g_atomic_int_inc (&comb->ref_count);
  _gasync_future_add_dependent (input, &node->notify);
}

/* Every input is watched: settles what an early decision left behind, and
 * drops the constructor's guard on remaining. */
static void
comb_finish_watching (Combinator *comb)
{
  /* Decided while we registered: withdraw from whatever the output
   * notify, which may have run before some nodes were registered, could
   * not see. */
  if (g_atomic_int_get (&comb->decided))
    comb_withdraw_pending (comb);

  /* Drop the guard: with no input, or all settled, this decides. */
  if (g_atomic_int_dec_and_test (&comb->remaining) && comb_decide (comb))
    {
      if (comb->kind == COMB_ANY)
        comb_reject_all_failed (comb);
      else
        comb_resolve_with_list (comb);
    }
}

static GAsyncFuture *
combine (CombKind       kind,
         GAsyncFuture **futures,
         guint          n_futures)
{
  Combinator *comb = comb_new (kind, n_futures);
  GAsyncFuture *output = g_object_ref (comb->output);

  _gasync_future_add_notify (output, &comb->output_notify);

  for (guint i = 0; i < n_futures; i++)
    comb_watch_input (comb, i, futures[i]);
  comb_finish_watching (comb);

  comb_unref (comb);
  return output;
}

/**
 * gasync_future_all:
 * @futures: (array length=n_futures) (transfer none): the futures to wait for
 * @n_futures: the number of futures
 *
 * Waits for every one of @futures to resolve.
 *
 * The returned future resolves, once all have resolved, with a
 * #GListModel of #GAsyncFuture (a #GListStore): @futures themselves, in
 * order, all resolved, so each value is read with the future's getters:
 *
 * |[<!-- language="C" -->
 * g_autoptr(GListModel) results = gasync_future_dup_object (all, &error);
 * g_autoptr(GAsyncFuture) first = g_list_model_get_item (results, 0);
 * int n = gasync_future_get_int (first, &error);
 * ]|
 *
 * (Python: `for f in all.get_value(): f.get_int()`.) It rejects as soon as
 * one of them is rejected, with a copy of that error, and then stops
 * waiting for the ones still pending: each that nothing else depends on is
 * cancelled (see "Cancellation" in #GAsyncFuture). It never resolves when
 * one was rejected, whatever settles later. With no futures it resolves
 * at once with an empty list.
 *
 * The combinator does not keep @futures alive (whatever settles them
 * does; one dropped by everyone rejects with %GASYNC_ERROR_DROPPED).
 * Cancelling the returned future withdraws from the pending @futures in
 * the same way.
 *
 * Returns: (transfer full): a future of a #GListModel of @futures
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_all (GAsyncFuture **futures,
                   guint          n_futures)
{
  g_return_val_if_fail (futures_are_valid (futures, n_futures), _gasync_future_new_invalid_argument ("futures"));

  return combine (COMB_ALL, futures, n_futures);
}

/**
 * gasync_future_all_settled:
 * @futures: (array length=n_futures) (transfer none): the futures to wait for
 * @n_futures: the number of futures
 *
 * Waits for every one of @futures to settle, resolved or rejected.
 *
 * The returned future never rejects (unless cancelled): it resolves, once
 * all have settled, with a #GListModel of #GAsyncFuture (a #GListStore)
 * holding @futures in order, each resolved or rejected, to be inspected
 * with gasync_future_get_state(), the getters and
 * gasync_future_get_error(). With no futures it resolves at once with an
 * empty list. Cancelling the returned future withdraws from the pending
 * @futures, cancelling each that nothing else depends on. See
 * gasync_join() for the C form with a variable number of arguments.
 *
 * Returns: (transfer full): a future of a #GListModel of @futures
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_all_settled (GAsyncFuture **futures,
                           guint          n_futures)
{
  g_return_val_if_fail (futures_are_valid (futures, n_futures), _gasync_future_new_invalid_argument ("futures"));

  return combine (COMB_ALL_SETTLED, futures, n_futures);
}

/**
 * gasync_future_any:
 * @futures: (array length=n_futures) (transfer none): the futures to wait for
 * @n_futures: the number of futures
 *
 * Waits for the first of @futures to resolve.
 *
 * The returned future resolves with (a copy of) the value of the first
 * one that resolves, and the others still pending are then cancelled
 * unless something else depends on them; so does cancelling it. It
 * rejects only when every one was rejected, with
 * %GASYNC_ERROR_ALL_FAILED and a message that joins theirs (the first
 * few); each error stays available from its own future with
 * gasync_future_get_error(). With no futures it rejects at once with
 * %GASYNC_ERROR_ALL_FAILED.
 *
 * Returns: (transfer full): the combined future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_any (GAsyncFuture **futures,
                   guint          n_futures)
{
  g_return_val_if_fail (futures_are_valid (futures, n_futures), _gasync_future_new_invalid_argument ("futures"));

  return combine (COMB_ANY, futures, n_futures);
}

/**
 * gasync_future_race:
 * @futures: (array length=n_futures) (transfer none): the futures to race
 * @n_futures: the number of futures, at least one
 *
 * Waits for the first of @futures to settle, either way.
 *
 * The returned future settles like the first one that settles (with a
 * copy of its value or error), and the losers still pending are
 * cancelled unless something else depends on them; so does cancelling
 * it. If some have settled already, the first of those in
 * @futures wins. With no futures it rejects at once with
 * %GASYNC_ERROR_INVALID_ARGUMENT, since it could never settle.
 *
 * Returns: (transfer full): the combined future
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_race (GAsyncFuture **futures,
                    guint          n_futures)
{
  g_return_val_if_fail (futures_are_valid (futures, n_futures), _gasync_future_new_invalid_argument ("futures"));

  if (n_futures == 0)
    return gasync_future_new_for_error_literal (GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                                                _("A race of no futures could never settle"));

  return combine (COMB_RACE, futures, n_futures);
}

/**
 * gasync_join: (skip)
 * @first: (nullable): the first future, or %NULL for none
 * @...: more futures, then %NULL
 *
 * Waits for every future given to settle, like `tokio::join!`: the C form
 * of gasync_future_all_settled(). The returned future resolves with a
 * #GListModel of the futures, in order, each resolved or rejected; in C
 * it is simplest to read the futures you passed once it has resolved:
 *
 * |[<!-- language="C" -->
 * g_autoptr(GAsyncFuture) a = gasync_spawn (fetch, "a", NULL);
 * g_autoptr(GAsyncFuture) b = gasync_spawn (fetch, "b", NULL);
 * g_autoptr(GAsyncFuture) both = gasync_join (a, b, NULL);
 *
 * // … once both has resolved, on the caller's context:
 * if (gasync_future_get_error (a) != NULL)
 *   g_printerr ("a failed: %s\n", gasync_future_get_error (a)->message);
 * ]|
 *
 * Use gasync_future_all() to stop at the first error instead.
 *
 * Returns: (transfer full): a future of a #GListModel of the futures
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_join (GAsyncFuture *first,
             ...)
{
  GAsyncFuture *stack[16];
  GAsyncFuture **futures = stack;
  guint n = 0, allocated = G_N_ELEMENTS (stack);
  GAsyncFuture *ret;
  va_list args;

  va_start (args, first);
  for (GAsyncFuture *f = first; f != NULL; f = va_arg (args, GAsyncFuture *))
    {
      if (n == allocated)
        {
          allocated *= 2;
          if (futures == stack)
            futures = g_memdup2 (stack, sizeof stack);
          futures = g_renew (GAsyncFuture *, futures, allocated);
        }
      futures[n++] = f;
    }
  va_end (args);

  ret = gasync_future_all_settled (futures, n);
  if (futures != stack)
    g_free (futures);
  return ret;
}

/**
 * gasync_future_with_timeout:
 * @future: a #GAsyncFuture
 * @msec: how long to wait, in milliseconds
 *
 * Returns a future that settles like @future if it settles within @msec
 * milliseconds, or else rejects with %GASYNC_ERROR_TIMED_OUT and cancels
 * @future, so that its producer stops, unless something else depends on
 * @future (another continuation or waiter). Cancelling the returned
 * future does the same, and removes the timer. It is the race of @future
 * against a timer; see gasync_timeout_new() for where the timer runs.
 *
 * Returns: (transfer full): the future with a deadline
 *
 * Since: 0.1
 */
GAsyncFuture *
gasync_future_with_timeout (GAsyncFuture *future,
                            guint         msec)
{
  GAsyncFuture *pair[2];
  GAsyncFuture *ret;

  g_return_val_if_fail (GASYNC_IS_FUTURE (future), _gasync_future_new_invalid_argument ("future"));

  pair[0] = future;
  pair[1] = _gasync_timeout_new_rejecting (msec);
  ret = combine (COMB_RACE, pair, 2);
  g_object_unref (pair[1]);

  return ret;
}
