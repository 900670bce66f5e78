/* gasync-timer.c: the context that timeouts, deadlines and intervals run on
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gasync-timer-private.h"
#include "gasync-tsan-private.h"

/* One thread iterates this context for the rest of the process; the
 * timeout futures (gasync-timeout.c), deadlines and intervals all attach
 * their sources to it. */

static GMutex        timer_lock;
static GMainContext *timer_context;   /* protected by timer_lock; set once */

static gpointer
timer_thread_main (gpointer data)
{
  GMainContext *context = data;

  g_main_context_push_thread_default (context);
  for (;;)
    g_main_context_iteration (context, TRUE);
  return NULL;
}

GMainContext *
_gasync_timer_get_context (void)
{
  GMainContext *context;

  gasync_mutex_lock (&timer_lock);
  if (timer_context == NULL)
    {
      timer_context = g_main_context_new ();
      g_thread_unref (g_thread_new ("gasync-timers", timer_thread_main, timer_context));
    }
  context = timer_context;
  gasync_mutex_unlock (&timer_lock);

  return context;
}
