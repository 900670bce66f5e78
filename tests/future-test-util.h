/* future-test-util.h: helpers shared by the future and continuation tests
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gasync-test-util.h"
#include "gasync-future-private.h"

G_BEGIN_DECLS

/* What a continuation saw: how often it ran, on which thread, and the
 * outcome of the future it was registered on. */
typedef struct
{
  gint      ran;
  gint      destroyed;
  GThread  *thread;
  gboolean  resolved_seen;
  gint      value;
} Record;

/* A continuation callback (user_data: a Record) that records and returns
 * NULL; its destroy notify checks it runs on the callback's thread. */
GAsyncFuture *record_cb      (GAsyncFuture *completed,
                              gpointer      user_data);
void          record_destroy (gpointer      user_data);
/* An or_else callback resolving with GPOINTER_TO_INT (user_data). */
GAsyncFuture *recover_cb     (GAsyncFuture *completed,
                              gpointer      user_data);

/* A promise resolved by another thread, which opens @resolved after. */
typedef struct
{
  GAsyncPromise *promise;   /* a reference owned by the resolving thread */
  GAsyncTestLatch resolved;
} Resolver;

/* A GThreadFunc (data: a Resolver): resolves the promise with 123, drops
 * its reference, then opens the latch. */
gpointer      resolve_in_thread (gpointer    data);

G_END_DECLS
