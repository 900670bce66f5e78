/* gasync-notify.c: running a settled future's notifies
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Settling a future runs its notifies, and a notify may settle another
 * future: the future a continuation adopted, a combinator's output. A
 * chain of continuations that each return the next one's future settles
 * all the way down in one call, one stack frame group per link, and a
 * long enough chain (200,000 links) overflowed the thread's stack. So
 * each thread counts how deep it is in notify runs; past MAX_DEPTH it
 * queues the run instead, and the outermost run drains the queue, in
 * order, before it returns. Nothing changes for chains shorter than that:
 * a settle still returns with its notifies run.
 */

#include "config.h"

#include "gasync-notify-private.h"

#define MAX_DEPTH 128

typedef struct _Deferred Deferred;

struct _Deferred
{
  Deferred      *next;
  GAsyncNotify  *notifies;
  GAsyncFuture  *completed;   /* owned */
};

/* One per thread, only touched by it. */
typedef struct
{
  guint      depth;
  Deferred  *head;
  Deferred  *tail;
} NotifyRunner;

static _Thread_local NotifyRunner runner
  __attribute__ ((tls_model ("initial-exec")));

static void
notify_list_run_now (GAsyncNotify *notifies,
                     GAsyncFuture *completed)
{
  GAsyncNotify *ordered = NULL;

  while (notifies != NULL)
    {
      GAsyncNotify *next = notifies->next;

      notifies->next = ordered;
      ordered = notifies;
      notifies = next;
    }

  while (ordered != NULL)
    {
      GAsyncNotify *notify = ordered;

      ordered = notify->next;
      notify->next = NULL;
      notify->func (notify, completed);
    }
}

static void
notify_list_defer (NotifyRunner *r,
                   GAsyncNotify *notifies,
                   GAsyncFuture *completed)
{
  Deferred *d = g_new (Deferred, 1);

  d->next = NULL;
  d->notifies = notifies;
  d->completed = g_object_ref (completed);
  if (r->tail != NULL)
    r->tail->next = d;
  else
    r->head = d;
  r->tail = d;
}

/* At the outermost level: runs what deeper levels queued, and what those
 * runs queue in turn, oldest first. */
static void
notify_list_drain (NotifyRunner *r)
{
  while (r->head != NULL)
    {
      Deferred *d = r->head;

      r->head = d->next;
      if (r->head == NULL)
        r->tail = NULL;
      notify_list_run_now (d->notifies, d->completed);
      g_object_unref (d->completed);
      g_free (d);
    }
}

void
_gasync_notify_list_run (GAsyncNotify *notifies,
                         GAsyncFuture *completed)
{
  NotifyRunner *r = &runner;

  if (notifies == NULL)
    return;

  if G_UNLIKELY (r->depth >= MAX_DEPTH)
    {
      notify_list_defer (r, notifies, completed);
      return;
    }

  r->depth++;
  notify_list_run_now (notifies, completed);
  if (r->depth == 1)
    notify_list_drain (r);
  r->depth--;
}
