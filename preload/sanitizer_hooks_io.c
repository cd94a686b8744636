/*
 * sanitizer_hooks_io: the system-call hooks (sanitizer_hooks.h) that racedet
 * acts on. A call that reads a buffer of the program (write, send, the
 * vectors of writev and sendmsg, ...) is checked as a read of it before the
 * call, one that fills a buffer (read, recv, readv, recvmsg, ...) as a
 * write of the bytes it returned after it, as the memory-function
 * interceptors check memcpy (intercept_memory.c): a raw read() into a
 * buffer another thread reads unordered is a data race. Calls that close
 * or duplicate a descriptor go to raw_fd_event, the one place the
 * descriptor model will hear of them.
 */
#include "sanitizer_hooks.h"

#include "races/races.h"
#include "preload.h"

#include <sys/socket.h>
#include <sys/uio.h>

/* ---- checks ------------------------------------------------------------------------------- */

static void reads(long addr, long size, uintptr_t pc)
{
    if (addr && size > 0)
        preload_check_range((const void *)addr, (size_t)size, false, pc);
}

static void writes(long addr, long size, uintptr_t pc)
{
    if (addr && size > 0)
        preload_check_range((const void *)addr, (size_t)size, true, pc);
}

static void access_range(long addr, long size, unsigned kind, uintptr_t pc)
{
    if (kind & RT_ACCESS_WRITE)
        writes(addr, size, pc);
    else
        reads(addr, size, pc);
}

/* The buffers of an I/O vector, up to `limit` bytes in all; the vector
 * itself is read. */
static void vector(long vec, long vlen, long limit, unsigned kind, uintptr_t pc)
{
    const struct iovec *v = (const struct iovec *)vec;
    if (!v || vlen <= 0 || !rt_hb_enabled)
        return;
    reads(vec, vlen * (long)sizeof *v, pc);
    for (long i = 0; i < vlen && limit > 0; i++) {
        long n = (long)v[i].iov_len < limit ? (long)v[i].iov_len : limit;
        access_range((long)v[i].iov_base, n, kind, pc);
        limit -= n;
    }
}

/* A message's header and data (sendmsg, recvmsg), `limit` bytes of it. */
static void message(const struct msghdr *m, long limit, unsigned kind, uintptr_t pc)
{
    if (!m || !rt_hb_enabled)
        return;
    reads((long)m, (long)sizeof *m, pc);
    vector((long)m->msg_iov, (long)m->msg_iovlen, limit, kind, pc);
}

#define PC() ((uintptr_t)__builtin_return_address(0))
#define HOOK(when, name) RD_EXPORT void __sanitizer_syscall_##when##_impl_##name
#define ALL (~0ul >> 1) /* no limit */

/* ---- buffers read by the call ---------------------------------------------------------------- */

HOOK(pre, write)(long fd, long buf, long count) { reads(buf, count, PC()); }
HOOK(pre, pwrite64)(long fd, long buf, long count, long pos0, long pos1) { reads(buf, count, PC()); }
HOOK(pre, writev)(long fd, long vec, long vlen) { vector(vec, vlen, ALL, 0, PC()); }
HOOK(pre, pwritev)(long fd, long vec, long vlen, long pos_l, long pos_h)
{
    vector(vec, vlen, ALL, 0, PC());
}
HOOK(pre, send)(long fd, long buf, long len, long flags) { reads(buf, len, PC()); }
HOOK(pre, sendto)(long fd, long buf, long len, long flags, long addr, long addrlen)
{
    reads(buf, len, PC());
    reads(addr, addrlen, PC());
}
HOOK(pre, sendmsg)(long fd, long msg, long flags)
{
    message((const struct msghdr *)msg, ALL, 0, PC());
}
HOOK(pre, sendmmsg)(long fd, long msg, long vlen, long flags)
{
    const struct mmsghdr *m = (const struct mmsghdr *)msg;
    for (long i = 0; m && i < vlen; i++)
        message(&m[i].msg_hdr, ALL, 0, PC());
}
HOOK(pre, process_vm_writev)(long pid, long lvec, long liovcnt, long rvec, long riovcnt,
                             long flags)
{
    vector(lvec, liovcnt, ALL, 0, PC());
}

/* ---- buffers filled by the call: what it returned ---------------------------------------------- */

HOOK(post, read)(long res, long fd, long buf, long count) { writes(buf, res, PC()); }
HOOK(post, pread64)(long res, long fd, long buf, long count, long pos0, long pos1)
{
    writes(buf, res, PC());
}
HOOK(post, readv)(long res, long fd, long vec, long vlen)
{
    vector(vec, vlen, res, RT_ACCESS_WRITE, PC());
}
HOOK(post, preadv)(long res, long fd, long vec, long vlen, long pos_l, long pos_h)
{
    vector(vec, vlen, res, RT_ACCESS_WRITE, PC());
}
HOOK(post, recv)(long res, long fd, long buf, long len, long flags) { writes(buf, res, PC()); }
HOOK(post, recvfrom)(long res, long fd, long buf, long len, long flags, long addr, long addrlen)
{
    writes(buf, res, PC());
    if (res >= 0 && addr && addrlen) {
        writes(addrlen, (long)sizeof(socklen_t), PC());
        writes(addr, (long)*(const socklen_t *)addrlen, PC());
    }
}
HOOK(post, recvmsg)(long res, long fd, long msg, long flags)
{
    if (res >= 0)
        message((const struct msghdr *)msg, res, RT_ACCESS_WRITE, PC());
}
HOOK(post, recvmmsg)(long res, long fd, long msg, long vlen, long flags, long timeout)
{
    const struct mmsghdr *m = (const struct mmsghdr *)msg;
    for (long i = 0; m && i < res; i++)
        message(&m[i].msg_hdr, (long)m[i].msg_len, RT_ACCESS_WRITE, PC());
}
HOOK(post, process_vm_readv)(long res, long pid, long lvec, long liovcnt, long rvec,
                             long riovcnt, long flags)
{
    vector(lvec, liovcnt, res, RT_ACCESS_WRITE, PC());
}

/* ---- descriptors -------------------------------------------------------------------------------- */

/* The one place where descriptors that raw system calls close or duplicate
 * are told to racedet (`call` closed fd, or made newfd a copy of it; res:
 * what the call returned). Nothing is done with them yet: the descriptor
 * model is being built apart and is to start here. */
static void raw_fd_event(const char *call, long fd, long newfd, long res)
{
    (void)call;
    (void)fd;
    (void)newfd;
    (void)res;
}

HOOK(post, close)(long res, long fd) { raw_fd_event("close", fd, -1, res); }
HOOK(post, dup)(long res, long fildes) { raw_fd_event("dup", fildes, res, res); }
HOOK(post, dup2)(long res, long oldfd, long newfd) { raw_fd_event("dup2", oldfd, newfd, res); }
HOOK(post, dup3)(long res, long oldfd, long newfd, long flags)
{
    raw_fd_event("dup3", oldfd, newfd, res);
}
