/* gasync-fiber-switch-private.h: switching between a thread's stack and fibers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <ucontext.h>

G_BEGIN_DECLS

typedef struct _GAsyncFiberContext GAsyncFiberContext;

typedef void (*GAsyncFiberEntry) (gpointer data);

/* Where an execution context (a thread's own stack, or a fiber's) keeps
 * what it needs to be resumed. Only the thread it belongs to touches it. */
struct _GAsyncFiberContext
{
  gpointer    sp;            /* assembly switch: the saved stack pointer */
  ucontext_t *uc;            /* ucontext switch: the saved registers */
  gpointer    stack_bottom;  /* AddressSanitizer: this context's stack */
  gsize       stack_size;
  gpointer    fake_stack;    /* AddressSanitizer: saved while switched out */
  gpointer    tsan_fiber;    /* ThreadSanitizer's fiber, or the thread's */
  gboolean    owns_uc;       /* a thread's context: uc is allocated */
};

/* The calling thread's own context, to switch into fibers from. */
void     _gasync_fiber_context_init_thread (GAsyncFiberContext *ctx);
void     _gasync_fiber_context_clear_thread (GAsyncFiberContext *ctx);
/* A fiber that will run @entry (@data) on [@stack, @stack + @size) when
 * first switched to. @entry must call _gasync_fiber_context_entered()
 * first and must end with _gasync_fiber_context_exit(). */
void     _gasync_fiber_context_init        (GAsyncFiberContext *ctx,
                                            gpointer            stack,
                                            gsize               size,
                                            GAsyncFiberEntry    entry,
                                            gpointer            data);
/* After a fiber finished (from another context). */
void     _gasync_fiber_context_destroy     (GAsyncFiberContext *ctx);
/* Saves the running context in @from and resumes @to; returns when
 * something switches back to @from. */
void     _gasync_fiber_context_switch      (GAsyncFiberContext *from,
                                            GAsyncFiberContext *to);
void     _gasync_fiber_context_entered     (GAsyncFiberContext *self);
/* The last switch of a finished fiber: never returns. */
void     _gasync_fiber_context_exit        (GAsyncFiberContext *from,
                                            GAsyncFiberContext *to) G_GNUC_NORETURN;
/* "asm" or "ucontext": how this process switches (GASYNC_FIBER_SWITCH
 * chooses ucontext where the assembly path exists). */
const char *_gasync_fiber_switch_method    (void);

G_END_DECLS
