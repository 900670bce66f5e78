/* bench-task-group.c: a task group next to plain spawn + all()
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>

#include "gasync-bench-util.h"

/* Task group: spawn a window into the group, then next() for each member
 * as it finishes, and read its value. */
static gdouble
bench_group_next (guint64  n,
                  gpointer data)
{
  GAsyncTaskGroup *group = gasync_task_group_new (NULL);
  GAsyncFuture *closed;
  gdouble start = gasync_bench_now ();
  gdouble elapsed;
  gint64 sum = 0;

  for (guint64 base = 0; base < n; base += GASYNC_BENCH_WINDOW)
    {
      guint w = (guint) MIN (GASYNC_BENCH_WINDOW, n - base);

      for (guint i = 0; i < w; i++)
        g_object_unref (gasync_task_group_spawn (group, gasync_bench_trivial_task,
                                                 GINT_TO_POINTER (gasync_bench_task_value (base + i)), NULL));
      for (guint i = 0; i < w; i++)
        {
          GAsyncFuture *next = gasync_task_group_next (group);
          g_auto(GValue) value = G_VALUE_INIT;
          GAsyncFuture *member;

          if (!gasync_future_wait (next, NULL, &value, NULL))
            g_error ("task group: next() failed");
          member = g_value_get_object (&value);
          sum += gasync_future_get_int (member, NULL);
          g_object_unref (next);
        }
    }
  closed = gasync_task_group_wait (group);
  elapsed = gasync_bench_now () - start;

  if (gasync_future_get_state (closed) != GASYNC_FUTURE_RESOLVED)
    g_error ("task group: wait() did not resolve");
  g_object_unref (closed);
  g_object_unref (group);
  gasync_bench_check_sum ("task group", sum, n);
  return elapsed;
}

/* The same job without a group: spawn a window, all() over the handles,
 * and read each value from the list it resolves with. */
static gdouble
bench_spawn_all (guint64  n,
                 gpointer data)
{
  GAsyncFuture **handles = g_new (GAsyncFuture *, GASYNC_BENCH_WINDOW);
  gdouble start = gasync_bench_now ();
  gdouble elapsed;
  gint64 sum = 0;

  for (guint64 base = 0; base < n; base += GASYNC_BENCH_WINDOW)
    {
      guint w = (guint) MIN (GASYNC_BENCH_WINDOW, n - base);
      GAsyncFuture *all;
      g_auto(GValue) value = G_VALUE_INIT;
      GListModel *list;

      for (guint i = 0; i < w; i++)
        handles[i] = gasync_spawn (gasync_bench_trivial_task, GINT_TO_POINTER (gasync_bench_task_value (base + i)), NULL);
      all = gasync_future_all (handles, w);
      if (!gasync_future_wait (all, NULL, &value, NULL))
        g_error ("all(): failed");
      list = g_value_get_object (&value);
      for (guint i = 0; i < w; i++)
        {
          GAsyncFuture *member = g_list_model_get_item (list, i);

          sum += gasync_future_get_int (member, NULL);
          g_object_unref (member);
        }
      g_object_unref (all);
      for (guint i = 0; i < w; i++)
        g_object_unref (handles[i]);
    }

  elapsed = gasync_bench_now () - start;
  g_free (handles);
  gasync_bench_check_sum ("spawn+all", sum, n);
  return elapsed;
}

int
main (int   argc,
      char *argv[])
{
  guint64 n;
  gdouble ratio;

  gasync_bench_init (&argc, &argv, "gasync task group: spawn + next against spawn + all()");
  printf ("# %u async workers (default runtime), %u processors; windows of %u tasks\n",
          gasync_runtime_get_n_workers (gasync_runtime_get_default ()),
          g_get_num_processors (), GASYNC_BENCH_WINDOW);

  n = gasync_bench_n (1000000, 2000);
  ratio = gasync_bench_compare ("task group spawn+next, trivial tasks", GASYNC_BENCH_OPS_PER_SEC, n,
                                bench_group_next, NULL,
                                "spawn + all()", bench_spawn_all, NULL);
  printf ("#   target: >= 0.8x spawn + all(); got %.2fx\n", ratio);

  return 0;
}
