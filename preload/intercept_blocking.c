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
 * While race detection is on, the calls on descriptors are also events of
 * the descriptor model (fd_events.h): a use of the descriptor, a write
 * releasing its file, a read acquiring it.
 */
#include "fd_events.h"
#include "preload.h"

#include <errno.h>
#include <sys/epoll.h>

/* The call REALCALL, its result into OUT; NAME: its name in reports. */
#define RD_BLOCKING_INTO(OUT, NAME, REALCALL)                                \
    do {                                                                     \
        struct rt_thread *t_ = rt_self;                                      \
        uint64_t b_;                                                         \
        int e_;                                                              \
        if (__builtin_expect(!t_ || (t_->nheld == 0 && !t_->in_runtime), 1)) { \
            OUT = REALCALL;                                                  \
            break;                                                           \
        }                                                                    \
        if (t_->in_runtime) {                                                \
            /* the runtime's own I/O (record lines, under its locks): no     \
             * cancellation may unwind the thread out of it */               \
            int cs_;                                                         \
            pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs_);            \
            OUT = REALCALL;                                                  \
            e_ = errno;                                                      \
            pthread_setcancelstate(cs_, NULL);                               \
            errno = e_;                                                      \
            break;                                                           \
        }                                                                    \
        if (!(t_ = rt_enter())) {                                            \
            OUT = REALCALL;                                                  \
            break;                                                           \
        }                                                                    \
        b_ = on_blocking_begin(t_);                                          \
        rt_leave(t_);                                                        \
        if (!b_) {                                                           \
            OUT = REALCALL;                                                  \
            break;                                                           \
        }                                                                    \
        OUT = REALCALL;                                                      \
        e_ = errno;                                                          \
        if (rt_reenter(t_)) {                                                \
            on_blocking_end(t_, b_, NAME, CALLER_PC());                      \
            rt_leave(t_);                                                    \
        }                                                                    \
        errno = e_;                                                          \
    } while (0)

/* TYPE: the function's return type. */
#define RD_BLOCKING(TYPE, NAME, REALCALL)                                    \
    do {                                                                     \
        TYPE rb_;                                                            \
        RD_BLOCKING_INTO(rb_, NAME, REALCALL);                               \
        return rb_;                                                          \
    } while (0)

/* A blocking call on descriptor FD (RD_FD_CALL in fd_events.h, timed as
 * above). The model's work is out of line (fd_events.h), so that with race
 * detection off the call costs one test more than a plain blocking one. */
#define RD_FD_IO(TYPE, NAME, FD, SENDS, TO, TOLEN, RECEIVES, REALCALL)       \
    do {                                                                     \
        struct rt_hb_thread *h_;                                             \
        TYPE r_;                                                             \
        if (!fd_model_on())                                                  \
            RD_BLOCKING(TYPE, NAME, REALCALL);                               \
        h_ = fd_before(CALLER_PC(), (FD), (SENDS), (TO), (TOLEN));           \
        RD_BLOCKING_INTO(r_, NAME, REALCALL);                                \
        if ((RECEIVES) && h_ && r_ >= 0)                                     \
            fd_received(h_, (FD));                                           \
        return r_;                                                           \
    } while (0)
#define RD_FD_READ(TYPE, NAME, FD, REALCALL) RD_FD_IO(TYPE, NAME, FD, 0, NULL, 0, 1, REALCALL)
#define RD_FD_WRITE(TYPE, NAME, FD, REALCALL) RD_FD_IO(TYPE, NAME, FD, 1, NULL, 0, 0, REALCALL)
#define RD_FD_USE(TYPE, NAME, FD, REALCALL) RD_FD_IO(TYPE, NAME, FD, 0, NULL, 0, 0, REALCALL)

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
    RD_FD_READ(ssize_t, "read", fd, REAL(read)(fd, buf, n));
}

RD_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    RD_FD_WRITE(ssize_t, "write", fd, REAL(write)(fd, buf, n));
}

RD_EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    RD_FD_READ(ssize_t, "pread", fd, REAL(pread)(fd, buf, n, off));
}

RD_EXPORT ssize_t pread64(int fd, void *buf, size_t n, off64_t off)
{
    RD_FD_READ(ssize_t, "pread", fd, REAL(pread64)(fd, buf, n, off));
}

RD_EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    RD_FD_WRITE(ssize_t, "pwrite", fd, REAL(pwrite)(fd, buf, n, off));
}

RD_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    RD_FD_WRITE(ssize_t, "pwrite", fd, REAL(pwrite64)(fd, buf, n, off));
}

RD_EXPORT int fsync(int fd)
{
    RD_FD_USE(int, "fsync", fd, REAL(fsync)(fd));
}

RD_EXPORT int fdatasync(int fd)
{
    RD_FD_USE(int, "fdatasync", fd, REAL(fdatasync)(fd));
}

/* ---- sockets -------------------------------------------------------------------- */

RD_EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    RD_FD_READ(ssize_t, "recv", fd, REAL(recv)(fd, buf, n, flags));
}

RD_EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from,
                           socklen_t *fromlen)
{
    RD_FD_READ(ssize_t, "recvfrom", fd, REAL(recvfrom)(fd, buf, n, flags, from, fromlen));
}

RD_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    RD_FD_READ(ssize_t, "recvmsg", fd, REAL(recvmsg)(fd, msg, flags));
}

RD_EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    RD_FD_WRITE(ssize_t, "send", fd, REAL(send)(fd, buf, n, flags));
}

RD_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
                         socklen_t tolen)
{
    RD_FD_IO(ssize_t, "sendto", fd, 1, to, tolen, 0, REAL(sendto)(fd, buf, n, flags, to, tolen));
}

RD_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    RD_FD_IO(ssize_t, "sendmsg", fd, 1, msg ? (const struct sockaddr *)msg->msg_name : NULL,
             msg ? msg->msg_namelen : 0, 0, REAL(sendmsg)(fd, msg, flags));
}

/* accept: a use of the listening descriptor; the new one's history starts
 * with it. */
#define RD_ACCEPT(NAME, REALCALL)                                            \
    do {                                                                     \
        struct rt_hb_thread *h_;                                             \
        int r_;                                                              \
        if (!fd_model_on() || !(h_ = fd_thread(CALLER_PC(), fd)))            \
            RD_BLOCKING(int, NAME, REALCALL);                                \
        FD_KEEP_ERRNO(rt_fd_use(h_, fd, CALLER_PC()));                       \
        RD_BLOCKING_INTO(r_, NAME, REALCALL);                                \
        if (r_ >= 0)                                                         \
            FD_KEEP_ERRNO(rt_fd_opened(h_, r_, RT_FD_SOCKET, CALLER_PC()));  \
        return r_;                                                           \
    } while (0)

RD_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    RD_ACCEPT("accept", REAL(accept)(fd, addr, len));
}

RD_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    RD_ACCEPT("accept4", REAL(accept4)(fd, addr, len, flags));
}

RD_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    RD_FD_USE(int, "connect", fd, REAL(connect)(fd, addr, len));
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

/* epoll_wait: a use of the epoll descriptor; the events it returns
 * acquire what epoll_ctl and the ready descriptors' writers released
 * (fd_objects.h). */
#define RD_EPOLL_WAIT(NAME, REALCALL)                                        \
    do {                                                                     \
        struct rt_hb_thread *h_;                                             \
        int r_;                                                              \
        if (!fd_model_on() || !(h_ = fd_thread(CALLER_PC(), epfd)))          \
            RD_BLOCKING(int, NAME, REALCALL);                                \
        FD_KEEP_ERRNO(rt_fd_use(h_, epfd, CALLER_PC()));                     \
        RD_BLOCKING_INTO(r_, NAME, REALCALL);                                \
        if (r_ > 0)                                                          \
            FD_KEEP_ERRNO(epoll_events(h_, epfd, ev, r_));                   \
        return r_;                                                           \
    } while (0)

static void epoll_events(struct rt_hb_thread *h, int epfd, const struct epoll_event *ev, int n)
{
    rt_fd_epoll_waited(h, epfd);
    for (int i = 0; i < n; i++)
        rt_fd_epoll_ready(h, epfd, ev[i].data.u64);
}

RD_EXPORT int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
    RD_EPOLL_WAIT("epoll_wait", REAL(epoll_wait)(epfd, ev, max, timeout));
}

RD_EXPORT int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
                          const sigset_t *mask)
{
    RD_EPOLL_WAIT("epoll_pwait", REAL(epoll_pwait)(epfd, ev, max, timeout, mask));
}
