/*
 * intercept_fd_open: the calls that make descriptors (open, socket, pipe,
 * socketpair, eventfd, epoll_create, ...), the I/O calls on them that
 * intercept_blocking.c does not time (readv, writev, eventfd_read, ...),
 * and the calls that only use one (fstat, ioctl, epoll_ctl). Events of
 * the descriptor model (fd_events.h) while race detection is on; with the
 * shim alone, each is one test and the real call.
 */
#include "fd_events.h"
#include "preload.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

struct rt_hb_thread *fd_before(uintptr_t pc, int fd, int sends, const struct sockaddr *to,
                               socklen_t tolen)
{
    struct rt_hb_thread *h = fd_thread(pc, fd);
    if (h)
        FD_ENGINE(rt_fd_use(h, fd, pc); if (sends == FD_CONNECTS) rt_fd_connecting(h);
                  else if (sends) rt_fd_send(h, fd, to, tolen));
    return h;
}

void fd_received(struct rt_hb_thread *h, int fd)
{
    FD_ENGINE(rt_fd_recv(h, fd));
}

void fd_buffer(const void *p, ssize_t done, bool into, uintptr_t pc)
{
    if (done > 0)
        preload_check_range(p, (size_t)done, into, pc);
}

void fd_iov_buffer(const struct iovec *v, size_t n, ssize_t done, bool into, uintptr_t pc)
{
    for (size_t i = 0; i < n && done > 0; i++) {
        size_t len = v[i].iov_len < (size_t)done ? v[i].iov_len : (size_t)done;
        preload_check_range(v[i].iov_base, len, into, pc);
        done -= (ssize_t)len;
    }
}

/* fd was made by the call at pc (when it is >= 0): a new history. */
static int made(int fd, enum rt_fd_kind kind, uintptr_t pc)
{
    struct rt_hb_thread *h;
    if (fd >= 0 && fd_model_on() && (h = fd_thread(pc, -1)) != NULL)
        FD_ENGINE(rt_fd_opened(h, fd, kind, pc));
    return fd;
}

/* pipe, socketpair: both ends made, one file (when rc is 0). */
static int made_pair(int rc, const int fds[2], uintptr_t pc)
{
    struct rt_hb_thread *h;
    if (rc == 0 && fd_model_on() && (h = fd_thread(pc, -1)) != NULL)
        FD_ENGINE(rt_fd_pair_opened(h, fds[0], fds[1], pc));
    return rc;
}

/* ---- opening ------------------------------------------------------------------------------ */

/* open's mode argument is there only when the flags ask for one */
#define MODE_ARG(flags, mode)                                                \
    do {                                                                     \
        if (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE) {     \
            va_list ap;                                                      \
            va_start(ap, flags);                                             \
            mode = (mode_t)va_arg(ap, int);                                  \
            va_end(ap);                                                      \
        }                                                                    \
    } while (0)

RD_EXPORT int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    return made(REAL(open)(path, flags, mode), RT_FD_UNKNOWN, CALLER_PC());
}

RD_EXPORT int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    return made(REAL(open64)(path, flags, mode), RT_FD_UNKNOWN, CALLER_PC());
}

RD_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    return made(REAL(openat)(dirfd, path, flags, mode), RT_FD_UNKNOWN, CALLER_PC());
}

RD_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    return made(REAL(openat64)(dirfd, path, flags, mode), RT_FD_UNKNOWN, CALLER_PC());
}

RD_EXPORT int creat(const char *path, mode_t mode)
{
    return made(REAL(creat)(path, mode), RT_FD_UNKNOWN, CALLER_PC());
}

RD_EXPORT int socket(int domain, int type, int protocol)
{
    return made(REAL(socket)(domain, type, protocol), RT_FD_SOCKET, CALLER_PC());
}

RD_EXPORT int socketpair(int domain, int type, int protocol, int fds[2])
{
    return made_pair(REAL(socketpair)(domain, type, protocol, fds), fds, CALLER_PC());
}

RD_EXPORT int pipe(int fds[2])
{
    return made_pair(REAL(pipe)(fds), fds, CALLER_PC());
}

RD_EXPORT int pipe2(int fds[2], int flags)
{
    return made_pair(REAL(pipe2)(fds, flags), fds, CALLER_PC());
}

RD_EXPORT int eventfd(unsigned initval, int flags)
{
    return made(REAL(eventfd)(initval, flags), RT_FD_OWN, CALLER_PC());
}

RD_EXPORT int timerfd_create(int clockid, int flags)
{
    return made(REAL(timerfd_create)(clockid, flags), RT_FD_OWN, CALLER_PC());
}

RD_EXPORT int signalfd(int fd, const sigset_t *mask, int flags)
{
    if (fd >= 0) /* changes the mask of an existing one */
        RD_FD_CALL(int, fd, 0, NULL, 0, 0, REAL(signalfd)(fd, mask, flags));
    return made(REAL(signalfd)(fd, mask, flags), RT_FD_OWN, CALLER_PC());
}

RD_EXPORT int inotify_init(void)
{
    return made(REAL(inotify_init)(), RT_FD_OWN, CALLER_PC());
}

RD_EXPORT int inotify_init1(int flags)
{
    return made(REAL(inotify_init1)(flags), RT_FD_OWN, CALLER_PC());
}

RD_EXPORT int epoll_create(int size)
{
    return made(REAL(epoll_create)(size), RT_FD_EPOLL, CALLER_PC());
}

RD_EXPORT int epoll_create1(int flags)
{
    return made(REAL(epoll_create1)(flags), RT_FD_EPOLL, CALLER_PC());
}

/* ---- using ---------------------------------------------------------------------------------- */

/* epoll_ctl: a use of both descriptors; the registration is kept (for
 * epoll_wait to find the descriptor of an event), and releases the epoll
 * descriptor. */
RD_EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    struct rt_hb_thread *h;
    uintptr_t pc = CALLER_PC();
    int rc;
    if (!fd_model_on() || !(h = fd_thread(pc, epfd)))
        return REAL(epoll_ctl)(epfd, op, fd, ev);
    FD_ENGINE(rt_fd_use(h, epfd, pc); rt_fd_use(h, fd, pc));
    rc = REAL(epoll_ctl)(epfd, op, fd, ev);
    if (rc == 0)
        FD_ENGINE(rt_fd_epoll_ctl(h, epfd, op, fd, ev ? ev->data.u64 : 0));
    return rc;
}

/* fstat is a libc function from glibc 2.33 on (before, programs call
 * __fxstat, not intercepted): where libc lacks it, the system call */
static int real_fstat_or_syscall(int fd, void *st)
{
    if (!real_fstat)
        real_resolve_all();
    return real_fstat ? real_fstat(fd, st) : (int)syscall(SYS_fstat, fd, st);
}

RD_EXPORT int fstat(int fd, struct stat *st)
{
    RD_FD_CALL(int, fd, 0, NULL, 0, 0, real_fstat_or_syscall(fd, st));
}

RD_EXPORT int fstat64(int fd, struct stat64 *st)
{
    RD_FD_CALL(int, fd, 0, NULL, 0, 0, real_fstat_or_syscall(fd, st));
}

/* The third argument is an int or a pointer, passed on as glibc does. */
RD_EXPORT int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    void *arg;
    va_start(ap, request);
    arg = va_arg(ap, void *);
    va_end(ap);
    RD_FD_CALL(int, fd, 0, NULL, 0, 0, REAL(ioctl)(fd, request, arg));
}

RD_EXPORT ssize_t readv(int fd, const struct iovec *v, int n)
{
    RD_FD_CALL_BUF(ssize_t, fd, 0, NULL, 0, 1, REAL(readv)(fd, v, n),
                   fd_iov_buffer(v, n > 0 ? (size_t)n : 0, r_, true, CALLER_PC()));
}

RD_EXPORT ssize_t preadv(int fd, const struct iovec *v, int n, off_t off)
{
    RD_FD_CALL_BUF(ssize_t, fd, 0, NULL, 0, 1, REAL(preadv)(fd, v, n, off),
                   fd_iov_buffer(v, n > 0 ? (size_t)n : 0, r_, true, CALLER_PC()));
}

RD_EXPORT ssize_t writev(int fd, const struct iovec *v, int n)
{
    RD_FD_CALL_BUF(ssize_t, fd, 1, NULL, 0, 0, REAL(writev)(fd, v, n),
                   fd_iov_buffer(v, n > 0 ? (size_t)n : 0, r_, false, CALLER_PC()));
}

RD_EXPORT ssize_t pwritev(int fd, const struct iovec *v, int n, off_t off)
{
    RD_FD_CALL_BUF(ssize_t, fd, 1, NULL, 0, 0, REAL(pwritev)(fd, v, n, off),
                   fd_iov_buffer(v, n > 0 ? (size_t)n : 0, r_, false, CALLER_PC()));
}

/* glibc's own read and write inside these are not interposable */
RD_EXPORT int eventfd_read(int fd, eventfd_t *value)
{
    RD_FD_CALL_BUF(int, fd, 0, NULL, 0, 1, REAL(eventfd_read)(fd, value),
                   fd_buffer(value, r_ == 0 ? (ssize_t)sizeof *value : 0, true, CALLER_PC()));
}

RD_EXPORT int eventfd_write(int fd, eventfd_t value)
{
    RD_FD_CALL(int, fd, 1, NULL, 0, 0, REAL(eventfd_write)(fd, value));
}
