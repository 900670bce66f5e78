/* gasync-trace-private.h: Sysprof marks for task spans
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built with -Dsysprof=enabled (sysprof-capture-4), a spawned task's run
 * and a blocking job leave a mark in a Sysprof capture: its name and how
 * long its function ran. Without the option these are empty inline
 * functions, and the hooks compile to nothing.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#ifdef HAVE_SYSPROF

/* The span's start (Sysprof's clock), or 0 when no collector records. */
gint64 _gasync_trace_begin     (void);
void   _gasync_trace_task_mark (gint64       begin,
                                gpointer     task,
                                const char  *kind);

/* Ends a span _gasync_trace_begin() started: marks @task (a future, named
 * by gasync_future_get_name()) as a @kind ("gasync_runtime_spawn()"). */
static inline void
_gasync_trace_task_end (gint64      begin,
                        gpointer    task,
                        const char *kind)
{
  if G_UNLIKELY (begin != 0)
    _gasync_trace_task_mark (begin, task, kind);
}

#else

static inline gint64
_gasync_trace_begin (void)
{
  return 0;
}

static inline void
_gasync_trace_task_end (gint64      begin,
                        gpointer    task,
                        const char *kind)
{
}

#endif

G_END_DECLS
