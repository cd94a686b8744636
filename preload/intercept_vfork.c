/*
 * intercept_vfork: a vfork child shares its parent's memory, and so the
 * runtime's state, until it execs or exits: whatever it does through the
 * interceptors (openjdk closes every descriptor there) would be taken as
 * the parent thread's own doing, in the parent's tables (a close racing
 * with another thread's use of the descriptor, a pipe's hand-off lost:
 * compiler-rt's vfork). In race mode a vfork is a fork, as
 * ThreadSanitizer makes it: the child's calls then change its own copy.
 * POSIX lets a vfork child do nothing but exec or _exit, which a fork
 * child does the same. Otherwise the call goes to libc's vfork.
 *
 * The interceptor is assembly: a C function that called vfork would
 * return twice from one frame on the shared stack (the child's return
 * would overwrite what the parent returns through). It jumps to libc's
 * vfork, which takes the caller's return address itself.
 */
#include "preload.h"
#include "real.h"

#include <unistd.h>

__attribute__((used)) static pid_t vfork_as_fork(void)
{
    return fork();
}

#if defined(__x86_64__)
__asm__(".text\n"
        ".globl vfork\n"
        ".type vfork, @function\n"
        "vfork:\n"
        "    cmpb $0, rt_hb_enabled(%rip)\n"
        "    jne 1f\n"
        "    movq real_vfork(%rip), %rax\n"
        "    testq %rax, %rax\n"
        "    je 1f\n"
        "    jmp *%rax\n"
        "1:  jmp vfork_as_fork\n"
        ".size vfork, .-vfork\n");
#else
#error "the vfork interceptor is x86-64 assembly"
#endif
