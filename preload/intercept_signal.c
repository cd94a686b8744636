/*
 * intercept_signal: signal handlers in race mode. A handler runs as the
 * thread it interrupts (its accesses are that thread's), and, as
 * ThreadSanitizer orders them:
 *  - installing it (sigaction, signal) happens-before every run of it: what
 *    the installing thread did before is seen by the handler on any thread
 *    (compiler-rt's signal_sync);
 *  - it checks and orders its own accesses whatever the interrupted code
 *    asked to ignore (AnnotateIgnoreSyncBegin/ReadsBegin/WritesBegin: its
 *    release store must still order: signal_sync2); the interrupted code's
 *    state comes back when it returns.
 * The handler is installed as it was given (the same flags and mask)
 * behind one of two trampolines, with or without SA_SIGINFO; what the
 * program reads back (sigaction's old action, signal's result) is its own
 * handler. The runtime's own calls, and all calls while race detection is
 * off, go straight to libc.
 */
#include "preload.h"
#include "races/races.h"

#include <errno.h>
#include <signal.h>

/* the program's handler per signal (0: none wrapped); its address is the
 * sync object installing releases and each run acquires */
static uintptr_t handlers[_NSIG];

static void run_handler(int sig, siginfo_t *info, void *uc, bool with_info)
{
    uintptr_t fn = __atomic_load_n(&handlers[sig], __ATOMIC_ACQUIRE);
    struct rt_hb_thread *h = rt_hb_self;
    int ignore_reads = 0, ignore_writes = 0, ignore_sync = 0, saved_errno = errno;
    if (!fn) /* unwrapped by another thread while this signal came */
        return;
    if (!h && rt_self && !rt_self->in_runtime)
        h = rt_hb_current();
    /* not while it interrupted the engine: its locks may be held */
    if (h && (h->busy || (rt_self && rt_self->in_runtime)))
        h = NULL;
    if (h) {
        ignore_reads = h->ignore_reads;
        ignore_writes = h->ignore_writes;
        ignore_sync = h->ignore_sync;
        h->ignore_reads = h->ignore_writes = h->ignore_sync = 0;
        rt_hb_acquire(h, (uintptr_t)&handlers[sig]);
    }
    errno = saved_errno;
    if (with_info)
        ((void (*)(int, siginfo_t *, void *))fn)(sig, info, uc);
    else
        ((void (*)(int))fn)(sig);
    if (h) {
        h->ignore_reads = ignore_reads;
        h->ignore_writes = ignore_writes;
        h->ignore_sync = ignore_sync;
    }
}

static void trampoline_info(int sig, siginfo_t *info, void *uc)
{
    run_handler(sig, info, uc, true);
}

static void trampoline_plain(int sig)
{
    run_handler(sig, NULL, NULL, false);
}

static bool is_trampoline(uintptr_t fn)
{
    return fn == (uintptr_t)trampoline_info || fn == (uintptr_t)trampoline_plain;
}

/* Is a new handler fn for sig, set at pc, to be wrapped? Then the calling
 * thread's history so far is released to its runs. */
static bool wrapping(int sig, uintptr_t fn, uintptr_t pc)
{
    struct rt_hb_thread *h;
    if (sig <= 0 || sig >= _NSIG || !__atomic_load_n(&rt_hb_enabled, __ATOMIC_RELAXED) ||
        !rt_self || rt_self->in_runtime || rt_module_is_runtime(pc))
        return false;
    if (fn == (uintptr_t)SIG_DFL || fn == (uintptr_t)SIG_IGN || fn == (uintptr_t)SIG_ERR)
        return false;
    h = rt_hb_current();
    if (h && rt_hb_syncs(h))
        rt_hb_release(h, (uintptr_t)&handlers[sig]);
    return true;
}

/* What libc said the old handler was, as the program gave it (prev: the
 * program's handler behind the trampoline then). */
static uintptr_t as_given(uintptr_t old, uintptr_t prev)
{
    return is_trampoline(old) && prev ? prev : old;
}

/* The table before a call that sets sig's handler to fn (0: not wrapped):
 * a wrapped one goes in first, so that its trampoline finds it as soon
 * as it is installed; returns the one it replaces. */
static uintptr_t table_before(int sig, uintptr_t fn)
{
    if (sig <= 0 || sig >= _NSIG)
        return 0;
    if (fn)
        return __atomic_exchange_n(&handlers[sig], fn, __ATOMIC_ACQ_REL);
    return __atomic_load_n(&handlers[sig], __ATOMIC_ACQUIRE);
}

/* ... and after it: an unwrapped handler is out of the table once libc
 * took it; a failed call leaves the table as it was. */
static void table_after(int sig, uintptr_t fn, uintptr_t prev, bool ok)
{
    if (sig <= 0 || sig >= _NSIG)
        return;
    if (!ok)
        __atomic_store_n(&handlers[sig], prev, __ATOMIC_RELEASE);
    else if (!fn)
        __atomic_store_n(&handlers[sig], 0, __ATOMIC_RELEASE);
}

RD_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    struct sigaction wrapped;
    uintptr_t prev, fn = 0;
    int rc;
    if (act) {
        bool info = act->sa_flags & SA_SIGINFO;
        fn = info ? (uintptr_t)act->sa_sigaction : (uintptr_t)act->sa_handler;
        if (wrapping(sig, fn, CALLER_PC())) {
            wrapped = *act;
            if (info)
                wrapped.sa_sigaction = trampoline_info;
            else
                wrapped.sa_handler = trampoline_plain;
            act = &wrapped;
        } else {
            fn = 0;
        }
    }
    prev = table_before(sig, fn);
    rc = REAL(sigaction)(sig, act, old);
    if (act)
        table_after(sig, fn, prev, rc == 0);
    /* sa_handler and sa_sigaction share their storage */
    if (rc == 0 && old)
        old->sa_handler = (__sighandler_t)as_given((uintptr_t)old->sa_handler, prev);
    return rc;
}

RD_EXPORT __sighandler_t signal(int sig, __sighandler_t handler)
{
    uintptr_t fn = wrapping(sig, (uintptr_t)handler, CALLER_PC()) ? (uintptr_t)handler : 0;
    uintptr_t prev = table_before(sig, fn);
    __sighandler_t r = REAL(signal)(sig, fn ? trampoline_plain : handler);
    table_after(sig, fn, prev, r != SIG_ERR);
    return r == SIG_ERR ? r : (__sighandler_t)as_given((uintptr_t)r, prev);
}
