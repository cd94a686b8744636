/*
 * intercept_blocking: libc calls that can block for long — the sleep
 * family, I/O on files, pipes and sockets, waiting for descriptors, syncing
 * to disk. When the calling thread holds a lock, the call is timed and the
 * engine reports it if it lasted longer than blocking_threshold_ms
 * (blocking_under_lock). Otherwise — the common case, and also before the
 * runtime started, inside the runtime, and in a signal handler that
 * interrupted the runtime — the real function is called directly: one
 * check. errno is the real call's; cancellation happens inside the real
 * call, which is where the program expects it — except when the runtime
 * itself makes the call (writing its record, under its own locks): then
 * cancellation is held off for the call, so that a cancelled thread never
 * unwinds out of the runtime holding a lock every other thread needs.
 */
#include "preload.h"

#include <errno.h>

/* TYPE: the function's return type; NAME: its name in reports. */
#define RD_BLOCKING(TYPE, NAME, REALCALL)                                    \
    do {                                                                     \
        struct rt_thread *t_ = rt_self;                                      \
        uint64_t b_;                                                         \
        TYPE rc_;                                                            \
        int e_;                                                              \
        if (__builtin_expect(!t_ || (t_->nheld == 0 && !t_->in_runtime), 1)) \
            return REALCALL;                                                 \
        if (t_->in_runtime) {                                                \
            /* the runtime's own I/O (record lines, under its locks): no     \
             * cancellation may unwind the thread out of it */               \
            int cs_;                                                         \
            pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs_);            \
            rc_ = REALCALL;                                                  \
            e_ = errno;                                                      \
            pthread_setcancelstate(cs_, NULL);                               \
            errno = e_;                                                      \
            return rc_;                                                      \
        }                                                                    \
        if (!(t_ = rt_enter()))                                              \
            return REALCALL;                                                 \
        b_ = on_blocking_begin(t_);                                          \
        rt_leave(t_);                                                        \
        if (!b_)                                                             \
            return REALCALL;                                                 \
        rc_ = REALCALL;                                                      \
        e_ = errno;                                                          \
        if (rt_reenter(t_)) {                                                \
            on_blocking_end(t_, b_, NAME, CALLER_PC());                      \
            rt_leave(t_);                                                    \
        }                                                                    \
        errno = e_;                                                          \
        return rc_;                                                          \
    } while (0)

/* ---- sleeping ---------------------------------------------------------------- */

RD_EXPORT unsigned sleep(unsigned s)
{
    RD_BLOCKING(unsigned, "sleep", REAL(sleep)(s));
}

RD_EXPORT int usleep(useconds_t us)
{
    RD_BLOCKING(int, "usleep", REAL(usleep)(us));
}

RD_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
    RD_BLOCKING(int, "nanosleep", REAL(nanosleep)(req, rem));
}

RD_EXPORT int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
                              struct timespec *rem)
{
    RD_BLOCKING(int, "clock_nanosleep", REAL(clock_nanosleep)(clk, flags, req, rem));
}

/* ---- reading and writing ------------------------------------------------------ */

RD_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
    RD_BLOCKING(ssize_t, "read", REAL(read)(fd, buf, n));
}

RD_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    RD_BLOCKING(ssize_t, "write", REAL(write)(fd, buf, n));
}

RD_EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    RD_BLOCKING(ssize_t, "pread", REAL(pread)(fd, buf, n, off));
}

RD_EXPORT ssize_t pread64(int fd, void *buf, size_t n, off64_t off)
{
    RD_BLOCKING(ssize_t, "pread", REAL(pread64)(fd, buf, n, off));
}

RD_EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    RD_BLOCKING(ssize_t, "pwrite", REAL(pwrite)(fd, buf, n, off));
}

RD_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    RD_BLOCKING(ssize_t, "pwrite", REAL(pwrite64)(fd, buf, n, off));
}

RD_EXPORT int fsync(int fd)
{
    RD_BLOCKING(int, "fsync", REAL(fsync)(fd));
}

RD_EXPORT int fdatasync(int fd)
{
    RD_BLOCKING(int, "fdatasync", REAL(fdatasync)(fd));
}

/* ---- sockets -------------------------------------------------------------------- */

RD_EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    RD_BLOCKING(ssize_t, "recv", REAL(recv)(fd, buf, n, flags));
}

RD_EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from,
                           socklen_t *fromlen)
{
    RD_BLOCKING(ssize_t, "recvfrom", REAL(recvfrom)(fd, buf, n, flags, from, fromlen));
}

RD_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    RD_BLOCKING(ssize_t, "recvmsg", REAL(recvmsg)(fd, msg, flags));
}

RD_EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    RD_BLOCKING(ssize_t, "send", REAL(send)(fd, buf, n, flags));
}

RD_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
                         socklen_t tolen)
{
    RD_BLOCKING(ssize_t, "sendto", REAL(sendto)(fd, buf, n, flags, to, tolen));
}

RD_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    RD_BLOCKING(ssize_t, "sendmsg", REAL(sendmsg)(fd, msg, flags));
}

RD_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    RD_BLOCKING(int, "accept", REAL(accept)(fd, addr, len));
}

RD_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    RD_BLOCKING(int, "accept4", REAL(accept4)(fd, addr, len, flags));
}

RD_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    RD_BLOCKING(int, "connect", REAL(connect)(fd, addr, len));
}

/* ---- waiting for descriptors ---------------------------------------------------- */

RD_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    RD_BLOCKING(int, "poll", REAL(poll)(fds, n, timeout));
}

RD_EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
    RD_BLOCKING(int, "ppoll", REAL(ppoll)(fds, n, ts, mask));
}

RD_EXPORT int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
    RD_BLOCKING(int, "select", REAL(select)(n, r, w, e, tv));
}

RD_EXPORT int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *ts,
                      const sigset_t *mask)
{
    RD_BLOCKING(int, "pselect", REAL(pselect)(n, r, w, e, ts, mask));
}

RD_EXPORT int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
    RD_BLOCKING(int, "epoll_wait", REAL(epoll_wait)(epfd, ev, max, timeout));
}

RD_EXPORT int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
                          const sigset_t *mask)
{
    RD_BLOCKING(int, "epoll_pwait", REAL(epoll_pwait)(epfd, ev, max, timeout, mask));
}
