/*
 * intercept_locks: the one shape every lock interceptor has, so that each
 * interceptor only says how to describe its call and which real function
 * to make. See events.h for the order of events around the real call.
 */
#ifndef RD_INTERCEPT_LOCKS_H
#define RD_INTERCEPT_LOCKS_H

#include "preload.h"

/* An acquisition (lock, trylock, timed lock). MAKE_CALL(t) fills a struct
 * rt_sync_call for thread t; REALCALL is the real call's expression. */
#define RD_ACQUIRE(MAKE_CALL, REALCALL)                                      \
    do {                                                                     \
        struct rt_thread *t_ = preload_enter();                              \
        struct rt_sync_call c_;                                              \
        int rc_;                                                             \
        if (!t_)                                                             \
            return REALCALL;                                                 \
        c_ = MAKE_CALL;                                                      \
        if (on_lock_wait(t_, &c_) == RT_HANGS)                               \
            rt_die();                                                        \
        rt_leave(t_);                                                        \
        rc_ = REALCALL;                                                      \
        if ((t_ = rt_enter()) != NULL) {                                     \
            if (rc_ == 0)                                                    \
                on_lock_acquired(t_, &c_);                                   \
            else                                                             \
                on_lock_not_acquired(t_, &c_);                               \
            rt_leave(t_);                                                    \
        }                                                                    \
        return rc_;                                                          \
    } while (0)

/* A release: the event comes before the real unlock. */
#define RD_RELEASE(MAKE_CALL, REALCALL)                                      \
    do {                                                                     \
        struct rt_thread *t_ = preload_enter();                              \
        if (t_) {                                                            \
            struct rt_sync_call c_ = MAKE_CALL;                              \
            on_lock_release(t_, &c_);                                        \
            rt_leave(t_);                                                    \
        }                                                                    \
        return REALCALL;                                                     \
    } while (0)

/* Initialisation: the event comes after the real init succeeded. */
#define RD_INIT(MAKE_CALL, REALCALL)                                         \
    do {                                                                     \
        int rc_ = REALCALL;                                                  \
        struct rt_thread *t_;                                                \
        if (rc_ == 0 && (t_ = preload_enter()) != NULL) {                    \
            struct rt_sync_call c_ = MAKE_CALL;                              \
            on_lock_init(t_, &c_);                                           \
            rt_leave(t_);                                                    \
        }                                                                    \
        return rc_;                                                          \
    } while (0)

/* Destruction: checked before, forgotten after it succeeded. */
#define RD_DESTROY(MAKE_CALL, REALCALL)                                      \
    do {                                                                     \
        struct rt_thread *t_ = preload_enter();                              \
        struct rt_sync_call c_;                                              \
        int rc_;                                                             \
        if (!t_)                                                             \
            return REALCALL;                                                 \
        c_ = MAKE_CALL;                                                      \
        on_lock_destroy(t_, &c_);                                            \
        rt_leave(t_);                                                        \
        rc_ = REALCALL;                                                      \
        if ((t_ = rt_enter()) != NULL) {                                     \
            on_lock_destroyed(t_, &c_, rc_ == 0);                            \
            rt_leave(t_);                                                    \
        }                                                                    \
        return rc_;                                                          \
    } while (0)

#endif
