/*
 * cxa_guard: the C++ ABI's guards of function-local statics
 * (__cxa_guard_acquire/release/abort, from libstdc++ or libc++abi). A
 * static's initialisation happens before every use of it, by any thread:
 *
 *   - the thread that initialised it releases the guard before the real
 *     __cxa_guard_release marks it done;
 *   - a thread that finds it done acquires the guard: the compiler's
 *     inline fast path by an acquire load of the guard's first byte
 *     (__tsan_atomic8_load on the same address, so the same clock), a
 *     thread that called __cxa_guard_acquire after the real one returns;
 *   - an initialisation that throws (__cxa_guard_abort) releases too, so
 *     that whichever thread tries next is ordered after it (the real
 *     functions order them with a lock or futex racedet does not see).
 *
 * These exist only in C++ programs: the real functions are looked up on
 * first use (dlsym RTLD_NEXT), not with the libc ones (real.h), which a C
 * program must have.
 */
#include "races/races.h"
#include "preload.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* The Itanium C++ ABI's guard: 64 bits, the first byte non-zero once done. */
typedef uint64_t cxa_guard;

static void *real_guard_fn(void **slot, const char *name)
{
    void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (p)
        return p;
    p = dlsym(RTLD_NEXT, name);
    if (!p) {
        static const char msg[] = "racedet: no C++ runtime defines __cxa_guard_*\n";
        ssize_t r = write(2, msg, sizeof msg - 1);
        (void)r;
        abort();
    }
    __atomic_store_n(slot, p, __ATOMIC_RELEASE);
    return p;
}

#define REAL_GUARD(name, type) ((type)real_guard_fn(&real_##name, #name))
static void *real___cxa_guard_acquire, *real___cxa_guard_release, *real___cxa_guard_abort;

/* The thread's happens-before event on the guard, if the runtime runs. */
static void guard_event(cxa_guard *g, void (*event)(struct rt_thread *, uintptr_t))
{
    struct rt_thread *t = preload_enter();
    if (!t)
        return;
    event(t, (uintptr_t)g);
    rt_leave(t);
}

RD_EXPORT int __cxa_guard_acquire(cxa_guard *g)
{
    int r = REAL_GUARD(__cxa_guard_acquire, int (*)(cxa_guard *))(g);
    /* 0: done by another thread; 1: this thread initialises, maybe after
     * another's attempt threw */
    guard_event(g, on_sync_acquire);
    return r;
}

RD_EXPORT void __cxa_guard_release(cxa_guard *g)
{
    guard_event(g, on_sync_release);
    REAL_GUARD(__cxa_guard_release, void (*)(cxa_guard *))(g);
}

RD_EXPORT void __cxa_guard_abort(cxa_guard *g)
{
    guard_event(g, on_sync_release);
    REAL_GUARD(__cxa_guard_abort, void (*)(cxa_guard *))(g);
}
