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
 * system calls, never these. While race detection is on, every call here
 * is also an event of the descriptor model (fd_events.h): a close is a
 * write of the descriptor, a copy starts the new one's history.
 */
#include "fd_events.h"
#include "preload.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
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
    struct rt_hb_thread *h;
    if (__builtin_expect(ours(fd), 0))
        return not_there();
    if (fd_model_on() && (h = fd_thread(CALLER_PC(), fd)) != NULL)
        FD_ENGINE(rt_fd_close(h, fd, CALLER_PC()));
    return REAL(close)(fd);
}

/* newfd was made a copy of oldfd at pc (when it is >= 0). */
static int copied(int oldfd, int newfd, uintptr_t pc)
{
    struct rt_hb_thread *h;
    if (newfd >= 0 && fd_model_on() && (h = fd_thread(pc, oldfd)) != NULL)
        FD_ENGINE(rt_fd_dup(h, oldfd, newfd, pc));
    return newfd;
}

/* dup2/dup3 are about to put a copy of oldfd at newfd: an open newfd is
 * closed by it. */
static void replacing(int oldfd, int newfd, uintptr_t pc)
{
    struct rt_hb_thread *h;
    if (oldfd == newfd || !fd_model_on() || !(h = fd_thread(pc, oldfd)))
        return;
    FD_ENGINE(if (REAL(fcntl)(newfd, F_GETFD) >= 0) rt_fd_close(h, newfd, pc));
}

RD_EXPORT int dup(int fd)
{
    if (__builtin_expect(ours(fd), 0))
        return not_there();
    if (fd_model_on())
        return copied(fd, REAL(dup)(fd), CALLER_PC());
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

/* The descriptors of [lo, hi] are closed (CLOSE_RANGE_CLOEXEC: not yet). */
static void closed_range(unsigned lo, unsigned hi, int flags, uintptr_t pc)
{
    if (fd_model_on() && !(flags & CLOSE_RANGE_CLOEXEC) && fd_thread(pc, -1))
        rt_fd_close_range(lo, hi);
}

RD_EXPORT int close_range(unsigned lo, unsigned hi, int flags)
{
    closed_range(lo, hi, flags, CALLER_PC());
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
    closed_range(lo, ~0u, 0, CALLER_PC());
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
    if (fd_model_on())
        replacing(oldfd, newfd, CALLER_PC());
    if (__builtin_expect(rt_record_owns_fd(newfd), 0))
        return copied(oldfd, rt_record_fd_wanted(newfd, dup_onto, &a), CALLER_PC());
    if (fd_model_on())
        return copied(oldfd, REAL(dup2)(oldfd, newfd), CALLER_PC());
    return REAL(dup2)(oldfd, newfd);
}

RD_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    struct dup_args a = {oldfd, newfd, flags, true};
    if (__builtin_expect(ours(oldfd) && oldfd != newfd, 0))
        return not_there(); /* oldfd == newfd: EINVAL first, as the kernel does */
    if (oldfd != newfd)
        preload_reporter_fd_wanted(newfd);
    if (fd_model_on())
        replacing(oldfd, newfd, CALLER_PC());
    if (__builtin_expect(rt_record_owns_fd(newfd) && oldfd != newfd, 0))
        return copied(oldfd, rt_record_fd_wanted(newfd, dup_onto, &a), CALLER_PC());
    if (fd_model_on())
        return copied(oldfd, REAL(dup3)(oldfd, newfd, flags), CALLER_PC());
    return REAL(dup3)(oldfd, newfd, flags);
}

/* ---- fcntl -------------------------------------------------------------------------- */

/* The third argument is an int, a long or a pointer, or absent; read as a
 * pointer and passed on unchanged, as glibc's own fcntl does. F_DUPFD
 * never returns a descriptor in use, so only calls on ours matter. */
/* fcntl while race detection is on: a use of fd; F_DUPFD a copy of it. */
static int fcntl_modelled(int fd, int cmd, void *arg, int (*fn)(int, int, ...), uintptr_t pc)
{
    struct rt_hb_thread *h = fd_thread(pc, fd);
    if (h)
        FD_ENGINE(rt_fd_use(h, fd, pc));
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
        return copied(fd, fn(fd, cmd, arg), pc);
    return fn(fd, cmd, arg);
}

#define RD_FCNTL(REALFN)                                                     \
    do {                                                                     \
        va_list ap;                                                          \
        void *arg;                                                           \
        va_start(ap, cmd);                                                   \
        arg = va_arg(ap, void *);                                            \
        va_end(ap);                                                          \
        if (__builtin_expect(ours(fd), 0))                                   \
            return not_there();                                              \
        if (fd_model_on())                                                   \
            return fcntl_modelled(fd, cmd, arg, (REALFN), CALLER_PC());      \
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
