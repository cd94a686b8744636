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
#include <sys/types.h>
#include <sys/uio.h>

/* Is the descriptor model on? The one test the interceptors make when it
 * is not. */
/* (hidden, as every definition in the shim: one compare with the byte in
 * memory and a branch, rather than an address load first) */
extern bool rt_hb_enabled __attribute__((visibility("hidden")));
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

/* Run STMT, the engine's part of a call fd_thread accepted, as the
 * runtime's own (a signal handler that interrupts it and calls write()
 * passes straight through rather than wait for a clock's lock this thread
 * holds), keeping errno as it was (the model makes system calls of its
 * own: fstat, getsockname, ...). */
#define FD_ENGINE(STMT)                                                  \
    do {                                                                     \
        int saved_errno_ = errno;                                            \
        rt_self->in_runtime = 1;                                             \
        STMT;                                                                \
        rt_self->in_runtime = 0;                                             \
        errno = saved_errno_;                                                \
    } while (0)

/* Out of line, for the interceptors' rare path: before a call on fd made
 * at pc, a use of it and, when `sends`, a release of its file (to, tolen:
 * a datagram's destination, or NULL, 0); returns the thread's race state,
 * or NULL when the call is not the program's. fd_received: after a call
 * on fd that received (returned >= 0), an acquire of its file. errno is
 * kept. */
enum { FD_SENDS = 1, FD_CONNECTS = 2 }; /* what fd_before's `sends` may say */
struct rt_hb_thread *fd_before(uintptr_t pc, int fd, int sends, const struct sockaddr *to,
                               socklen_t tolen);
void fd_received(struct rt_hb_thread *h, int fd);

/* The program's buffer p of a call that moved `done` bytes (its result)
 * through it: read by a write or send, written by a read or recv (`into`), as ThreadSanitizer checks them: a
 * read() into a buffer another thread uses unordered races. Only the
 * bytes moved; nothing when the call failed. fd_iov_buffer: the same over
 * an iovec array (readv, writev, recvmsg, sendmsg). Race mode only: the
 * interceptors call them on their modelled path. */
void fd_buffer(const void *p, ssize_t done, bool into, uintptr_t pc);
void fd_iov_buffer(const struct iovec *v, size_t n, ssize_t done, bool into, uintptr_t pc);

/* A call on FD that is a use of it; SENDS: it releases FD's file before
 * the call (TO, TOLEN: a datagram's destination, or NULL, 0); RECEIVES: it
 * acquires it after the call when that returned >= 0. TYPE is the call's
 * result type. Returns the real call's result. RD_FD_CALL_BUF: then the
 * statement BUF (r_ the result), for the call's buffers. */
#define RD_FD_CALL_BUF(TYPE, FD, SENDS, TO, TOLEN, RECEIVES, REALCALL, BUF)  \
    do {                                                                     \
        struct rt_hb_thread *h_;                                             \
        TYPE r_;                                                             \
        if (!fd_model_on())                                                  \
            return REALCALL;                                                 \
        h_ = fd_before(CALLER_PC(), (FD), (SENDS), (TO), (TOLEN));           \
        r_ = REALCALL;                                                       \
        if ((RECEIVES) && h_ && r_ >= 0)                                     \
            fd_received(h_, (FD));                                           \
        if (h_)                                                              \
            BUF;                                                             \
        return r_;                                                           \
    } while (0)
#define RD_FD_CALL(TYPE, FD, SENDS, TO, TOLEN, RECEIVES, REALCALL)           \
    RD_FD_CALL_BUF(TYPE, FD, SENDS, TO, TOLEN, RECEIVES, REALCALL, (void)0)

#endif
