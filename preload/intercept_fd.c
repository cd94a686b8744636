/*
 * intercept_fd: the program's calls that close or replace descriptors. The
 * record's descriptor is racedet's (core/record.h): to the program it does
 * not exist. close() of it fails with EBADF, as for any number the program
 * never opened, and closes nothing; close_range and closefrom close
 * everything else in their range; dup, dup2, dup3 and fcntl of it fail
 * with EBADF; dup2 or dup3 onto its number works, the record moving to
 * another number first. The reporter's pipe (reporter.c), when there is
 * one, is treated the same way. Every other call goes straight to libc, at
 * the cost of two comparisons. The runtime's own calls on its descriptor are
 * system calls, never these.
 */
#include "preload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

static int not_there(void)
{
    errno = EBADF;
    return -1;
}

static bool ours(int fd)
{
    return rt_record_owns_fd(fd) || preload_reporter_owns_fd(fd);
}

RD_EXPORT int close(int fd)
{
    if (__builtin_expect(ours(fd), 0))
        return not_there();
    return REAL(close)(fd);
}

RD_EXPORT int dup(int fd)
{
    if (__builtin_expect(ours(fd), 0))
        return not_there();
    return REAL(dup)(fd);
}

/* ---- close_range, closefrom ------------------------------------------------------ */

/* close_range(lo, hi, flags), also where libc has no close_range (before
 * glibc 2.34): the system call, else one close() at a time (a part of a
 * range below the record's descriptor: bounded). */
static int close_range_part(unsigned lo, unsigned hi, void *flagsp)
{
    int flags = *(int *)flagsp;
    int rc;
    if (!real_close) /* called before the shim's constructor */
        real_resolve_all();
    if (real_close_range)
        return real_close_range(lo, hi, flags);
    rc = (int)syscall(SYS_close_range, lo, hi, flags);
    if (rc == 0 || errno != ENOSYS || flags != 0)
        return rc;
    for (unsigned fd = lo; fd <= hi && fd < (1u << 20); fd++)
        REAL(close)((int)fd);
    return 0;
}

/* The parts of a range without the reporter's pipe: without the record's
 * descriptor too. */
static int close_range_record(unsigned lo, unsigned hi, void *flagsp)
{
    int rec = rt_record_fd();
    if (__builtin_expect(rec < 0 || (unsigned)rec < lo || (unsigned)rec > hi, 1))
        return close_range_part(lo, hi, flagsp);
    return rt_record_fd_around(lo, hi, close_range_part, flagsp);
}

RD_EXPORT int close_range(unsigned lo, unsigned hi, int flags)
{
    return preload_reporter_fd_around(lo, hi, close_range_record, &flags);
}

/* closefrom's upper part is libc's own (it falls back to reading
 * /proc/self/fd where the system call is missing). */
static int closefrom_part(unsigned lo, unsigned hi, void *unused)
{
    int flags = 0;
    (void)unused;
    if (!real_close)
        real_resolve_all();
    if (hi == ~0u && real_closefrom) {
        real_closefrom((int)lo);
        return 0;
    }
    return close_range_part(lo, hi, &flags);
}

static int closefrom_record(unsigned lo, unsigned hi, void *unused)
{
    int rec = rt_record_fd();
    if (__builtin_expect(rec < 0 || (unsigned)rec < lo || (unsigned)rec > hi, 1))
        return closefrom_part(lo, hi, unused);
    return rt_record_fd_around(lo, hi, closefrom_part, unused);
}

RD_EXPORT void closefrom(int lowfd)
{
    unsigned lo = lowfd < 0 ? 0u : (unsigned)lowfd;
    int saved = errno; /* closefrom reports nothing */
    preload_reporter_fd_around(lo, ~0u, closefrom_record, NULL);
    errno = saved;
}

/* ---- dup2, dup3 ------------------------------------------------------------------- */

struct dup_args {
    int oldfd, newfd, flags;
    bool three;
};

static int dup_onto(void *p)
{
    struct dup_args *a = p;
    return a->three ? REAL(dup3)(a->oldfd, a->newfd, a->flags) : REAL(dup2)(a->oldfd, a->newfd);
}

RD_EXPORT int dup2(int oldfd, int newfd)
{
    struct dup_args a = {oldfd, newfd, 0, false};
    if (__builtin_expect(ours(oldfd), 0))
        return not_there();
    preload_reporter_fd_wanted(newfd);
    if (__builtin_expect(rt_record_owns_fd(newfd), 0))
        return rt_record_fd_wanted(newfd, dup_onto, &a);
    return REAL(dup2)(oldfd, newfd);
}

RD_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    struct dup_args a = {oldfd, newfd, flags, true};
    if (__builtin_expect(ours(oldfd) && oldfd != newfd, 0))
        return not_there(); /* oldfd == newfd: EINVAL first, as the kernel does */
    if (oldfd != newfd)
        preload_reporter_fd_wanted(newfd);
    if (__builtin_expect(rt_record_owns_fd(newfd) && oldfd != newfd, 0))
        return rt_record_fd_wanted(newfd, dup_onto, &a);
    return REAL(dup3)(oldfd, newfd, flags);
}

/* ---- fcntl -------------------------------------------------------------------------- */

/* The third argument is an int, a long or a pointer, or absent; read as a
 * pointer and passed on unchanged, as glibc's own fcntl does. F_DUPFD
 * never returns a descriptor in use, so only calls on ours matter. */
#define RD_FCNTL(REALFN)                                                     \
    do {                                                                     \
        va_list ap;                                                          \
        void *arg;                                                           \
        va_start(ap, cmd);                                                   \
        arg = va_arg(ap, void *);                                            \
        va_end(ap);                                                          \
        if (__builtin_expect(ours(fd), 0))                                   \
            return not_there();                                              \
        return (REALFN)(fd, cmd, arg);                                       \
    } while (0)

RD_EXPORT int fcntl(int fd, int cmd, ...)
{
    RD_FCNTL(REAL(fcntl));
}

RD_EXPORT int fcntl64(int fd, int cmd, ...)
{
    RD_FCNTL(REAL(fcntl) && real_fcntl64 ? real_fcntl64 : real_fcntl);
}
