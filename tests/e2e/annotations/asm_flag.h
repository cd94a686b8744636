/* asm_flag.h: a flag of the program's own, raised and tested with
 * hand-written x86-64 assembly (a plain mov is a release store and an
 * acquire load there; the "memory" clobber keeps the compiler from moving
 * accesses across it): correct synchronisation that racedet cannot see,
 * for the programs that annotate it. */
#ifndef ASM_FLAG_H
#define ASM_FLAG_H

#include <sched.h>

#if !defined(__x86_64__)
#error "these flags are x86-64 assembly"
#endif

static inline void flag_raise(int *flag)
{
    __asm__ volatile("movl $1, %0" : "=m"(*flag) : : "memory");
}

static inline int flag_raised(const int *flag)
{
    int v;
    __asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*flag) : "memory");
    return v;
}

static inline void flag_wait(const int *flag)
{
    while (!flag_raised(flag))
        sched_yield();
}

#endif
