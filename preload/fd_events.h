/*
 * fd_events: what the descriptor interceptors share (intercept_fd.c,
 * intercept_fd_open.c, intercept_blocking.c). While race detection is on
 * (racedet-cc builds), a call on a descriptor is an event of the
 * descriptor model (races/fd_objects.h); otherwise the interceptors test
 * one flag and call the real function.
 */
#ifndef RD_FD_EVENTS_H
#define RD_FD_EVENTS_H

#include "preload.h"
#include "races/races.h"

#include <errno.h>

/* Is the descriptor model on? The one test the interceptors make when it
 * is not. */
static inline bool fd_model_on(void)
{
    return __builtin_expect(__atomic_load_n(&rt_hb_enabled, __ATOMIC_RELAXED), 0);
}

/* The calling thread's race state when its call at pc on fd is the
 * program's (not the runtime's own, not on the record's descriptor),
 * else NULL. fd < 0: a call that makes descriptors. */
static inline struct rt_hb_thread *fd_thread(uintptr_t pc, int fd)
{
    struct rt_thread *t = rt_self;
    struct rt_hb_thread *h;
    if (!t || t->in_runtime || rt_module_is_runtime(pc) || (fd >= 0 && rt_record_owns_fd(fd)))
        return NULL;
    h = rt_hb_self ? rt_hb_self : rt_hb_current();
    return h && !h->busy ? h : NULL;
}

/* Run STMT keeping errno as it was (the model makes system calls of its
 * own: fstat, getsockname, ...). */
#define FD_KEEP_ERRNO(STMT)                                                  \
    do {                                                                     \
        int saved_errno_ = errno;                                            \
        STMT;                                                                \
        errno = saved_errno_;                                                \
    } while (0)

/* A call on FD that is a use of it; SENDS: it releases FD's file before
 * the call (TO, TOLEN: a datagram's destination, or NULL, 0); RECEIVES: it
 * acquires it after the call when that returned >= 0. TYPE is the call's
 * result type. Returns the real call's result. */
#define RD_FD_CALL(TYPE, FD, SENDS, TO, TOLEN, RECEIVES, REALCALL)           \
    do {                                                                     \
        struct rt_hb_thread *h_;                                             \
        TYPE r_;                                                             \
        if (!fd_model_on() || !(h_ = fd_thread(CALLER_PC(), (FD))))          \
            return REALCALL;                                                 \
        FD_KEEP_ERRNO(rt_fd_use(h_, (FD), CALLER_PC());                      \
                      if (SENDS) rt_fd_send(h_, (FD), (TO), (TOLEN)));       \
        r_ = REALCALL;                                                       \
        if ((RECEIVES) && r_ >= 0)                                           \
            FD_KEEP_ERRNO(rt_fd_recv(h_, (FD)));                             \
        return r_;                                                           \
    } while (0)

#endif
