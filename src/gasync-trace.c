/* gasync-trace.c: Sysprof marks for task spans
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Only built into something with -Dsysprof=enabled: then a task's span
 * costs a check of the thread's Sysprof collector when nobody profiles,
 * and a mark in the capture when somebody does (`sysprof-cli -- PROGRAM`,
 * or the Sysprof application).
 */

#include "config.h"

#include "gasync-future.h"
#include "gasync-trace-private.h"

#ifdef HAVE_SYSPROF

#include <sysprof-capture.h>

gint64
_gasync_trace_begin (void)
{
  if (!sysprof_collector_is_active ())
    return 0;
  return SYSPROF_CAPTURE_CURRENT_TIME;
}

void
_gasync_trace_task_mark (gint64      begin,
                         gpointer    task,
                         const char *kind)
{
  const char *name = gasync_future_get_name (task);

  sysprof_collector_mark (begin, SYSPROF_CAPTURE_CURRENT_TIME - begin, "gasync",
                          name != NULL ? name : "task", kind);
}

#endif
