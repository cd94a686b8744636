/*
 * intercept_locks: the one shape every lock interceptor has, so that each
 * interceptor only says how to describe its call and which real function
 * to make. See events.h for the order of events around the real call.
 */
#ifndef RD_INTERCEPT_LOCKS_H
#define RD_INTERCEPT_LOCKS_H

#include "preload.h"
#include "sched_hooks.h"

#include <errno.h>

/* What every acquisition does once it may block: check before (a
 * self-deadlock ends the process, since the call would never return), make
 * the real call, record the outcome. t_ is entered, c_ filled in. A robust
 * mutex whose owner died is taken with EOWNERDEAD. */
#define RD_WAIT_AND_ACQUIRE(t_, c_, REALCALL)                                \
    do {                                                                     \
        int rc_;                                                             \
        if (on_lock_wait(t_, &c_) == RT_HANGS)                               \
            rt_die();                                                        \
        rt_leave(t_);                                                        \
        rc_ = REALCALL;                                                      \
        if (rt_reenter(t_)) {                                                \
            if (rc_ == 0 || rc_ == EOWNERDEAD)                               \
                on_lock_acquired(t_, &c_);                                   \
            else                                                             \
                on_lock_not_acquired(t_, &c_);                               \
            SCHED_ACQUIRED(t_, c_, rc_);                                     \
            rt_leave(t_);                                                    \
        }                                                                    \
        return rc_;                                                          \
    } while (0)

/* An acquisition (trylock, timed lock, or a lock that cannot be tried
 * first). MAKE_CALL fills a struct rt_sync_call; CHECK is made first, with
 * t_ and c_ (a timed lock's deadline; (void)0 for none); REALCALL is the
 * real call's expression. */
#define RD_ACQUIRE_CHECKED(MAKE_CALL, CHECK, REALCALL)                       \
    do {                                                                     \
        struct rt_thread *t_ = preload_enter();                              \
        struct rt_sync_call c_;                                              \
        if (!t_)                                                             \
            return REALCALL;                                                 \
        c_ = MAKE_CALL;                                                      \
        CHECK;                                                               \
        SCHED_POINT(t_);                                                     \
        RD_WAIT_AND_ACQUIRE(t_, c_, REALCALL);                               \
    } while (0)
#define RD_ACQUIRE(MAKE_CALL, REALCALL) RD_ACQUIRE_CHECKED(MAKE_CALL, (void)0, REALCALL)
/* A timed acquisition: its deadline is checked first (EINVAL). */
#define RD_ACQUIRE_TIMED(MAKE_CALL, NAME, DEADLINE, REALCALL)                \
    RD_ACQUIRE_CHECKED(MAKE_CALL, on_timed_wait(t_, &c_, NAME, DEADLINE), REALCALL)

/* How many more times a blocking acquisition that found the object taken
 * tries it, a pause apart (a few microseconds in all), before it waits.
 * The engine's work inside every critical section makes them longer than
 * the program's own; without this, two threads taking turns on one lock
 * put each other to sleep and wake each other on nearly every turn, a
 * system call each way (glibc's adaptive mutexes spin the same way). */
#define RD_SPIN_TRIES 100

/* A blocking acquisition, tried first without blocking: when the object is
 * free (the common, uncontended case) or soon freed (RD_SPIN_TRIES)
 * nothing waited, so there is nothing to check before (no self-deadlock,
 * no wait for the watchdog) and only the acquisition is recorded. TRYCALL
 * is the real try-variant; it must return 0 when it took the object and
 * EBUSY when it would have waited. */
#define RD_ACQUIRE_TRY_FIRST(MAKE_CALL, TRYCALL, REALCALL)                   \
    do {                                                                     \
        struct rt_thread *t_;                                                \
        struct rt_sync_call c_;                                              \
        int got_;                                                            \
        SCHED_ACQUIRE(MAKE_CALL, TRYCALL)                                    \
        got_ = TRYCALL == 0;                                                 \
        for (int n_ = 0; !got_ && n_ < RD_SPIN_TRIES; n_++) {                \
            __builtin_ia32_pause();                                          \
            got_ = TRYCALL == 0;                                             \
        }                                                                    \
        if (got_) {                                                          \
            if ((t_ = preload_enter()) != NULL) {                            \
                c_ = MAKE_CALL;                                              \
                on_lock_acquired(t_, &c_);                                   \
                rt_leave(t_);                                                \
            }                                                                \
            return 0;                                                        \
        }                                                                    \
        if ((t_ = preload_enter()) == NULL)                                  \
            return REALCALL;                                                 \
        c_ = MAKE_CALL;                                                      \
        RD_WAIT_AND_ACQUIRE(t_, c_, REALCALL);                               \
    } while (0)

/* A release: the event comes before the real unlock. FAST (an expression
 * with t_; false for none) may record it instead of the full event when
 * no schedule runs: true when it did (events/lock_fast.h). */
#define RD_RELEASE(MAKE_CALL, FAST, REALCALL)                                \
    do {                                                                     \
        struct rt_thread *t_ = preload_enter();                              \
        uintptr_t a_ = 0;                                                    \
        int rc_;                                                             \
        if (t_) {                                                            \
            if (__builtin_expect(rt_sched_active, 0) || !(FAST)) {           \
                struct rt_sync_call c_ = MAKE_CALL;                          \
                SCHED_RELEASING(t_, c_);                                     \
                on_lock_release(t_, &c_);                                    \
            }                                                                \
            rt_leave(t_);                                                    \
        }                                                                    \
        if (__builtin_expect(rt_sched_active, 0))                            \
            a_ = (MAKE_CALL).addr; /* before: the object may go with it */   \
        rc_ = REALCALL;                                                      \
        SCHED_RELEASED_POINT(t_, a_);                                        \
        return rc_;                                                          \
    } while (0)

/* A call with an event before the real call and one after it: the
 * events are statements using t_, c_ (and rc_, the real call's result,
 * after). */
#define RD_AROUND(MAKE_CALL, BEFORE, REALCALL, AFTER)                        \
    do {                                                                     \
        struct rt_thread *t_ = preload_enter();                              \
        struct rt_sync_call c_;                                              \
        int rc_;                                                             \
        if (!t_)                                                             \
            return REALCALL;                                                 \
        c_ = MAKE_CALL;                                                      \
        BEFORE;                                                              \
        rt_leave(t_);                                                        \
        rc_ = REALCALL;                                                      \
        if (rt_reenter(t_)) {                                                \
            AFTER;                                                           \
            rt_leave(t_);                                                    \
        }                                                                    \
        return rc_;                                                          \
    } while (0)

/* Initialisation: checked before (re-initialising a lock in use), and the
 * new lock registered after the real init succeeded, described again (its
 * type is the new one). */
#define RD_INIT(MAKE_CALL, REALCALL)                                         \
    RD_AROUND(MAKE_CALL, on_lock_init_begin(t_, &c_), REALCALL,              \
              if (rc_ == 0) {                                                \
                  c_ = MAKE_CALL;                                            \
                  on_lock_init(t_, &c_);                                     \
              })

/* Destruction: checked before, forgotten after it succeeded. */
#define RD_DESTROY(MAKE_CALL, REALCALL)                                      \
    RD_AROUND(MAKE_CALL, on_lock_destroy(t_, &c_), REALCALL,                 \
              on_lock_destroyed(t_, &c_, rc_ == 0))

#endif
