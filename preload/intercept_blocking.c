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

/* The call REALCALL, its result into OUT; NAME: its name in reports, PC
 * where the program made the call. */
#define RD_BLOCKING_INTO(OUT, NAME, REALCALL) RD_BLOCKING_INTO_AT(OUT, NAME, REALCALL, CALLER_PC())
#define RD_BLOCKING_INTO_AT(OUT, NAME, REALCALL, PC)                         \
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
            on_blocking_end(t_, b_, NAME, (PC));                             \
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

/* RD_FD_FN(TYPE, NAME, LABEL, FD, SENDS, TO, TOLEN, AFTER, BUF, REALCALL,
 * ARGS, PARAMS...): the interceptor `TYPE NAME(PARAMS)` of a blocking call
 * on descriptor FD (timed as above, LABEL its name in reports). While race
 * detection is on it is also an event of the descriptor model (fd_events.h):
 * a use of FD and, when SENDS (FD_SENDS), a release of its file (TO,
 * TOLEN: a datagram's destination), or for FD_CONNECTS the connect clock
 * (fd_objects.h), before the call, then the statement AFTER (with
 * h_ the thread's race state, r_ the result, pc_ the caller), then BUF, the
 * check of the call's buffer (fd_buffer: outside the engine's part, as
 * the program's access it is). That part
 * is a function of its own (NAME_modelled, given ARGS, the parameters in
 * parentheses), so that with race detection off the interceptor costs one
 * test of a flag more than a plain blocking call. */
#define RD_UNPAREN(...) __VA_ARGS__
#define RD_FD_FN(TYPE, NAME, LABEL, FD, SENDS, TO, TOLEN, AFTER, BUF, REALCALL, ARGS, ...) \
    static __attribute__((noinline)) TYPE NAME##_modelled(uintptr_t pc_, __VA_ARGS__)     \
    {                                                                                      \
        struct rt_hb_thread *h_ = fd_before(pc_, (FD), (SENDS), (TO), (TOLEN));            \
        TYPE r_;                                                                           \
        RD_BLOCKING_INTO_AT(r_, LABEL, REALCALL, pc_);                                     \
        if (h_) {                                                                          \
            FD_ENGINE(AFTER);                                                              \
            BUF;                                                                           \
        }                                                                                  \
        return r_;                                                                         \
    }                                                                                      \
    RD_EXPORT TYPE NAME(__VA_ARGS__)                                                       \
    {                                                                                      \
        if (fd_model_on())                                                                 \
            return NAME##_modelled(CALLER_PC(), RD_UNPAREN ARGS);                          \
        RD_BLOCKING(TYPE, LABEL, REALCALL);                                                \
    }
/* what a call that receives does after it: acquire fd's file */
#define RECEIVED(fd)                                                         \
    if (r_ >= 0)                                                             \
        rt_fd_recv(h_, (fd))
#define NOTHING (void)pc_
/* the buffer buf, written (INTO) or read (FROM) for the r_ bytes moved */
#define INTO(buf) fd_buffer((buf), r_, true, pc_)
#define FROM(buf) fd_buffer((buf), r_, false, pc_)
#define MSG(msg, into)                                                       \
    if (msg)                                                                 \
        fd_iov_buffer((msg)->msg_iov, (msg)->msg_iovlen, r_, (into), pc_)

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

RD_FD_FN(ssize_t, read, "read", fd, 0, NULL, 0, RECEIVED(fd), INTO(buf), REAL(read)(fd, buf, n),
         (fd, buf, n), int fd, void *buf, size_t n)
RD_FD_FN(ssize_t, write, "write", fd, 1, NULL, 0, NOTHING, FROM(buf), REAL(write)(fd, buf, n),
         (fd, buf, n), int fd, const void *buf, size_t n)
RD_FD_FN(ssize_t, pread, "pread", fd, 0, NULL, 0, RECEIVED(fd), INTO(buf), REAL(pread)(fd, buf, n, off),
         (fd, buf, n, off), int fd, void *buf, size_t n, off_t off)
RD_FD_FN(ssize_t, pread64, "pread", fd, 0, NULL, 0, RECEIVED(fd), INTO(buf), REAL(pread64)(fd, buf, n, off),
         (fd, buf, n, off), int fd, void *buf, size_t n, off64_t off)
RD_FD_FN(ssize_t, pwrite, "pwrite", fd, 1, NULL, 0, NOTHING, FROM(buf), REAL(pwrite)(fd, buf, n, off),
         (fd, buf, n, off), int fd, const void *buf, size_t n, off_t off)
RD_FD_FN(ssize_t, pwrite64, "pwrite", fd, 1, NULL, 0, NOTHING, FROM(buf), REAL(pwrite64)(fd, buf, n, off),
         (fd, buf, n, off), int fd, const void *buf, size_t n, off64_t off)
RD_FD_FN(int, fsync, "fsync", fd, 0, NULL, 0, NOTHING, NOTHING, REAL(fsync)(fd), (fd), int fd)
RD_FD_FN(int, fdatasync, "fdatasync", fd, 0, NULL, 0, NOTHING, NOTHING, REAL(fdatasync)(fd), (fd), int fd)

/* ---- sockets -------------------------------------------------------------------- */

RD_FD_FN(ssize_t, recv, "recv", fd, 0, NULL, 0, RECEIVED(fd), INTO(buf), REAL(recv)(fd, buf, n, flags),
         (fd, buf, n, flags), int fd, void *buf, size_t n, int flags)
RD_FD_FN(ssize_t, recvfrom, "recvfrom", fd, 0, NULL, 0, RECEIVED(fd), INTO(buf),
         REAL(recvfrom)(fd, buf, n, flags, from, fromlen), (fd, buf, n, flags, from, fromlen),
         int fd, void *buf, size_t n, int flags, struct sockaddr *from, socklen_t *fromlen)
RD_FD_FN(ssize_t, recvmsg, "recvmsg", fd, 0, NULL, 0, RECEIVED(fd), MSG(msg, true), REAL(recvmsg)(fd, msg, flags),
         (fd, msg, flags), int fd, struct msghdr *msg, int flags)
RD_FD_FN(ssize_t, send, "send", fd, 1, NULL, 0, NOTHING, FROM(buf), REAL(send)(fd, buf, n, flags),
         (fd, buf, n, flags), int fd, const void *buf, size_t n, int flags)
RD_FD_FN(ssize_t, sendto, "sendto", fd, 1, to, tolen, NOTHING, FROM(buf),
         REAL(sendto)(fd, buf, n, flags, to, tolen), (fd, buf, n, flags, to, tolen), int fd,
         const void *buf, size_t n, int flags, const struct sockaddr *to, socklen_t tolen)
RD_FD_FN(ssize_t, sendmsg, "sendmsg", fd, 1, msg ? (const struct sockaddr *)msg->msg_name : NULL,
         msg ? msg->msg_namelen : 0, NOTHING, MSG(msg, false), REAL(sendmsg)(fd, msg, flags), (fd, msg, flags),
         int fd, const struct msghdr *msg, int flags)
/* accept: a use of the listening descriptor; the new one's history starts,
 * after every connect so far (fd_objects.h) */
#define ACCEPTED                                                             \
    if (r_ >= 0) {                                                           \
        rt_fd_opened(h_, r_, RT_FD_SOCKET, pc_);                             \
        rt_fd_accepted(h_);                                                  \
    }
RD_FD_FN(int, accept, "accept", fd, 0, NULL, 0, ACCEPTED, NOTHING, REAL(accept)(fd, addr, len),
         (fd, addr, len), int fd, struct sockaddr *addr, socklen_t *len)
RD_FD_FN(int, accept4, "accept4", fd, 0, NULL, 0, ACCEPTED, NOTHING,
         REAL(accept4)(fd, addr, len, flags), (fd, addr, len, flags), int fd,
         struct sockaddr *addr, socklen_t *len, int flags)
RD_FD_FN(int, connect, "connect", fd, FD_CONNECTS, NULL, 0, NOTHING, NOTHING,
         REAL(connect)(fd, addr, len), (fd, addr, len), int fd, const struct sockaddr *addr,
         socklen_t len)

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
static void epoll_events(struct rt_hb_thread *h, int epfd, const struct epoll_event *ev, int n)
{
    rt_fd_epoll_waited(h, epfd);
    for (int i = 0; i < n; i++)
        rt_fd_epoll_ready(h, epfd, ev[i].data.u64);
}
#define EPOLL_EVENTS                                                         \
    if (r_ > 0)                                                              \
        epoll_events(h_, epfd, ev, r_)

RD_FD_FN(int, epoll_wait, "epoll_wait", epfd, 0, NULL, 0, EPOLL_EVENTS, NOTHING,
         REAL(epoll_wait)(epfd, ev, max, timeout), (epfd, ev, max, timeout), int epfd,
         struct epoll_event *ev, int max, int timeout)
RD_FD_FN(int, epoll_pwait, "epoll_pwait", epfd, 0, NULL, 0, EPOLL_EVENTS, NOTHING,
         REAL(epoll_pwait)(epfd, ev, max, timeout, mask), (epfd, ev, max, timeout, mask),
         int epfd, struct epoll_event *ev, int max, int timeout, const sigset_t *mask)
