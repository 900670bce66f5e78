/* gasync-fiber-switch.c: switching between a thread's stack and fibers
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two ways to switch, chosen once per process:
 *
 * - on x86-64, a dozen instructions of assembly that push the registers
 *   the System V ABI asks a callee to preserve (rbx, rbp, r12-r15, the
 *   SSE and x87 control words) on the running stack, store the stack
 *   pointer, load the other one and pop the same set: a switch is a
 *   function call, no system call;
 * - everywhere, and on x86-64 when GASYNC_FIBER_SWITCH=ucontext is set,
 *   glibc's makecontext()/swapcontext(), which also saves and restores
 *   the signal mask with a system call on each switch.
 *
 * Either way every switch is announced to the sanitizers, so that they
 * follow the stacks: AddressSanitizer (__sanitizer_start_switch_fiber()
 * before, __sanitizer_finish_switch_fiber() after, which keeps its fake
 * stacks and stack bounds right) and ThreadSanitizer (a TSan fiber per
 * gasync fiber, __tsan_switch_to_fiber() before each switch, which also
 * orders what the two contexts did, as they run on one thread).
 */

/* pthread_getattr_np() */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE
#endif

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gasync-fiber-switch-private.h"

#if defined(__SANITIZE_ADDRESS__)
# define HAVE_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define HAVE_ASAN 1
# endif
#endif

#if defined(__SANITIZE_THREAD__)
# define HAVE_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define HAVE_TSAN 1
# endif
#endif

#ifdef HAVE_ASAN
void __sanitizer_start_switch_fiber (void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber (void *fake_stack_save, const void **bottom_old, size_t *size_old);
#endif

#ifdef HAVE_TSAN
void *__tsan_get_current_fiber (void);
void *__tsan_create_fiber (unsigned flags);
void  __tsan_destroy_fiber (void *fiber);
void  __tsan_switch_to_fiber (void *fiber, unsigned flags);
#endif

/* The assembly switch */

#if defined(__x86_64__) && defined(__ELF__)
# define HAVE_ASM_SWITCH 1

void _gasync_fiber_asm_switch (gpointer *save_sp, gpointer to_sp);
void _gasync_fiber_asm_start (void);

__asm__ (
  ".text\n"
  ".globl _gasync_fiber_asm_switch\n"
  ".hidden _gasync_fiber_asm_switch\n"
  ".type _gasync_fiber_asm_switch, @function\n"
  ".p2align 4\n"
  "_gasync_fiber_asm_switch:\n"
  "  pushq %rbp\n"
  "  pushq %rbx\n"
  "  pushq %r12\n"
  "  pushq %r13\n"
  "  pushq %r14\n"
  "  pushq %r15\n"
  "  subq $8, %rsp\n"
  "  stmxcsr (%rsp)\n"
  "  fnstcw 4(%rsp)\n"
  "  movq %rsp, (%rdi)\n"
  "  movq %rsi, %rsp\n"
  "  ldmxcsr (%rsp)\n"
  "  fldcw 4(%rsp)\n"
  "  addq $8, %rsp\n"
  "  popq %r15\n"
  "  popq %r14\n"
  "  popq %r13\n"
  "  popq %r12\n"
  "  popq %rbx\n"
  "  popq %rbp\n"
  "  ret\n"
  ".size _gasync_fiber_asm_switch, .-_gasync_fiber_asm_switch\n"
  /* A new fiber's first "return" lands here, with the entry function in
   * r13 and its argument in r12, and the stack 16-byte aligned. */
  ".globl _gasync_fiber_asm_start\n"
  ".hidden _gasync_fiber_asm_start\n"
  ".type _gasync_fiber_asm_start, @function\n"
  "_gasync_fiber_asm_start:\n"
  "  .cfi_startproc\n"
  "  .cfi_undefined rip\n"
  "  movq %r12, %rdi\n"
  "  callq *%r13\n"
  "  ud2\n"
  "  .cfi_endproc\n"
  ".size _gasync_fiber_asm_start, .-_gasync_fiber_asm_start\n"
);

/* The frame _gasync_fiber_asm_switch() pops, at the top of a new stack. */
typedef struct
{
  guint32  mxcsr;
  guint16  x87_cw;
  guint16  pad;
  gpointer r15, r14, r13, r12, rbx, rbp;
  gpointer ret;
} AsmFrame;

static gpointer
asm_frame_init (gpointer         stack,
                gsize            size,
                GAsyncFiberEntry entry,
                gpointer         data)
{
  guintptr top = ((guintptr) stack + size) & ~(guintptr) 15;
  AsmFrame *frame = (AsmFrame *) (top - 16 - sizeof (AsmFrame));

  G_STATIC_ASSERT (sizeof (AsmFrame) == 64);
  memset (frame, 0, sizeof *frame);
  frame->mxcsr = 0x1f80;        /* all exceptions masked, round to nearest */
  frame->x87_cw = 0x037f;       /* the same, extended precision */
  frame->r13 = (gpointer) entry;
  frame->r12 = data;
  frame->ret = (gpointer) _gasync_fiber_asm_start;
  return frame;
}
#endif

/* Which switch: decided once */

static gboolean
use_ucontext (void)
{
#ifdef HAVE_ASM_SWITCH
  static gsize decided;

  if (g_once_init_enter (&decided))
    {
      const char *env = g_getenv ("GASYNC_FIBER_SWITCH");

      g_once_init_leave (&decided, g_strcmp0 (env, "ucontext") == 0 ? 2 : 1);
    }
  return decided == 2;
#else
  return TRUE;
#endif
}

const char *
_gasync_fiber_switch_method (void)
{
  return use_ucontext () ? "ucontext" : "asm";
}

/* The ucontext switch: the context and the entry point live at the top of
 * the fiber's stack, so a fiber costs no allocation. */

typedef struct
{
  ucontext_t       uc;
  GAsyncFiberEntry entry;
  gpointer         data;
} UcStart;

static void
uc_trampoline (unsigned int hi,
               unsigned int lo)
{
  UcStart *start = (UcStart *) (((guintptr) hi << 16 << 16) | (guintptr) lo);

  start->entry (start->data);
  g_assert_not_reached ();
}

static void
uc_init (GAsyncFiberContext *ctx,
         gpointer            stack,
         gsize               size,
         GAsyncFiberEntry    entry,
         gpointer            data)
{
  guintptr top = ((guintptr) stack + size - sizeof (UcStart)) & ~(guintptr) 63;
  UcStart *start = (UcStart *) top;
  guintptr p = (guintptr) start;

  memset (start, 0, sizeof *start);
  start->entry = entry;
  start->data = data;
  if (getcontext (&start->uc) != 0)
    g_error ("getcontext() failed: %s", g_strerror (errno));
  start->uc.uc_stack.ss_sp = stack;
  start->uc.uc_stack.ss_size = top - (guintptr) stack;
  start->uc.uc_link = NULL;
  makecontext (&start->uc, (void (*) (void)) uc_trampoline, 2,
               (unsigned int) (p >> 16 >> 16), (unsigned int) (p & 0xffffffffu));
  ctx->uc = &start->uc;
}

/* Contexts */

void
_gasync_fiber_context_init_thread (GAsyncFiberContext *ctx)
{
  memset (ctx, 0, sizeof *ctx);
  if (use_ucontext ())
    {
      ctx->uc = g_new0 (ucontext_t, 1);
      ctx->owns_uc = TRUE;
    }
#ifdef HAVE_ASAN
  {
    pthread_attr_t attr;
    void *addr;
    size_t size;

    if (pthread_getattr_np (pthread_self (), &attr) == 0)
      {
        if (pthread_attr_getstack (&attr, &addr, &size) == 0)
          {
            ctx->stack_bottom = addr;
            ctx->stack_size = size;
          }
        pthread_attr_destroy (&attr);
      }
  }
#endif
#ifdef HAVE_TSAN
  ctx->tsan_fiber = __tsan_get_current_fiber ();
#endif
}

void
_gasync_fiber_context_clear_thread (GAsyncFiberContext *ctx)
{
  if (ctx->owns_uc)
    g_clear_pointer (&ctx->uc, g_free);
}

void
_gasync_fiber_context_init (GAsyncFiberContext *ctx,
                            gpointer            stack,
                            gsize               size,
                            GAsyncFiberEntry    entry,
                            gpointer            data)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->stack_bottom = stack;
  ctx->stack_size = size;
#ifdef HAVE_ASM_SWITCH
  if (!use_ucontext ())
    ctx->sp = asm_frame_init (stack, size, entry, data);
  else
#endif
    uc_init (ctx, stack, size, entry, data);
#ifdef HAVE_TSAN
  ctx->tsan_fiber = __tsan_create_fiber (0);
#endif
}

void
_gasync_fiber_context_destroy (GAsyncFiberContext *ctx)
{
#ifdef HAVE_TSAN
  g_clear_pointer (&ctx->tsan_fiber, __tsan_destroy_fiber);
#endif
  ctx->sp = NULL;
  ctx->uc = NULL;
}

static inline void
raw_switch (GAsyncFiberContext *from,
            GAsyncFiberContext *to)
{
#ifdef HAVE_TSAN
  __tsan_switch_to_fiber (to->tsan_fiber, 0);
#endif
#ifdef HAVE_ASM_SWITCH
  if (!use_ucontext ())
    {
      _gasync_fiber_asm_switch (&from->sp, to->sp);
      return;
    }
#endif
  if (swapcontext (from->uc, to->uc) != 0)
    g_error ("swapcontext() failed: %s", g_strerror (errno));
}

void
_gasync_fiber_context_switch (GAsyncFiberContext *from,
                              GAsyncFiberContext *to)
{
#ifdef HAVE_ASAN
  __sanitizer_start_switch_fiber (&from->fake_stack, to->stack_bottom, to->stack_size);
#endif
  raw_switch (from, to);
#ifdef HAVE_ASAN
  __sanitizer_finish_switch_fiber (from->fake_stack, NULL, NULL);
#endif
}

void
_gasync_fiber_context_entered (GAsyncFiberContext *self)
{
#ifdef HAVE_ASAN
  __sanitizer_finish_switch_fiber (NULL, NULL, NULL);
#endif
}

void
_gasync_fiber_context_exit (GAsyncFiberContext *from,
                            GAsyncFiberContext *to)
{
#ifdef HAVE_ASAN
  /* NULL: this fiber's fake stack may go. */
  __sanitizer_start_switch_fiber (NULL, to->stack_bottom, to->stack_size);
#endif
  raw_switch (from, to);
  g_assert_not_reached ();
}
