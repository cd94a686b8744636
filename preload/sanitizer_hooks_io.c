/*
 * sanitizer_hooks_io: the system-call hooks (sanitizer_hooks.h) that racedet
 * acts on. A call that reads a buffer of the program (write, send, the
 * vectors of writev and sendmsg, ...) is checked as a read of it before the
 * call, one that fills a buffer (read, recv, readv, recvmsg, ...) as a
 * write of the bytes it returned after it, as the memory-function
 * interceptors check memcpy (intercept_memory.c): a raw read() into a
 * buffer another thread reads unordered is a data race. While race
 * detection is on, the calls on descriptors are also events of the
 * descriptor model, as the interceptors make them (fd_events.h): a use of
 * the descriptor; a write or send releasing its file before the call, a
 * read or receive acquiring it after; a close (raw_fd_event) a write of
 * the descriptor, a dup the start of the copy's history. Descriptors made
 * by raw calls (pipe, socket, open) are met at their first use: their
 * files are found by fstat and socket addresses then (fd_objects.h).
 */
#include "sanitizer_hooks.h"

#include "fd_events.h"
#include "races/races.h"
#include "preload.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
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

/* ---- descriptors ---------------------------------------------------------------------------------
 * The same events of the descriptor model (races/fd_objects.h) as the
 * interceptors make (fd_events.h): a use of the descriptor, a send
 * releasing its file before the call, a receive acquiring it after. */

static struct rt_hb_thread *fd_hook(uintptr_t pc, long fd)
{
    return fd_model_on() ? fd_thread(pc, (int)fd) : NULL;
}

static void raw_sends(long fd, long to, long tolen, uintptr_t pc)
{
    struct rt_hb_thread *h = fd_hook(pc, fd);
    if (h)
        FD_ENGINE(rt_fd_use(h, (int)fd, pc);
                      rt_fd_send(h, (int)fd, (const struct sockaddr *)to, (socklen_t)tolen));
}

/* before a receive: a use; after it: an acquire when it succeeded */
static void raw_uses(long fd, uintptr_t pc)
{
    struct rt_hb_thread *h = fd_hook(pc, fd);
    if (h)
        FD_ENGINE(rt_fd_use(h, (int)fd, pc));
}

static void raw_received(long res, long fd, uintptr_t pc)
{
    struct rt_hb_thread *h = res >= 0 ? fd_hook(pc, fd) : NULL;
    if (h)
        FD_ENGINE(rt_fd_recv(h, (int)fd));
}

#define PC() ((uintptr_t)__builtin_return_address(0))
#define HOOK(when, name) RD_EXPORT void __sanitizer_syscall_##when##_impl_##name
#define ALL (~0ul >> 1) /* no limit */

/* ---- buffers read by the call ---------------------------------------------------------------- */

HOOK(pre, write)(long fd, long buf, long count)
{
    reads(buf, count, PC());
    raw_sends(fd, 0, 0, PC());
}
HOOK(pre, pwrite64)(long fd, long buf, long count, long pos0, long pos1)
{
    reads(buf, count, PC());
    raw_sends(fd, 0, 0, PC());
}
HOOK(pre, writev)(long fd, long vec, long vlen)
{
    vector(vec, vlen, ALL, 0, PC());
    raw_sends(fd, 0, 0, PC());
}
HOOK(pre, pwritev)(long fd, long vec, long vlen, long pos_l, long pos_h)
{
    vector(vec, vlen, ALL, 0, PC());
    raw_sends(fd, 0, 0, PC());
}
HOOK(pre, send)(long fd, long buf, long len, long flags)
{
    reads(buf, len, PC());
    raw_sends(fd, 0, 0, PC());
}
HOOK(pre, sendto)(long fd, long buf, long len, long flags, long addr, long addrlen)
{
    reads(buf, len, PC());
    reads(addr, addrlen, PC());
    raw_sends(fd, addr, addrlen, PC());
}
HOOK(pre, sendmsg)(long fd, long msg, long flags)
{
    const struct msghdr *m = (const struct msghdr *)msg;
    message(m, ALL, 0, PC());
    raw_sends(fd, m ? (long)m->msg_name : 0, m ? (long)m->msg_namelen : 0, PC());
}
HOOK(pre, sendmmsg)(long fd, long msg, long vlen, long flags)
{
    const struct mmsghdr *m = (const struct mmsghdr *)msg;
    for (long i = 0; m && i < vlen; i++)
        message(&m[i].msg_hdr, ALL, 0, PC());
    raw_sends(fd, 0, 0, PC());
}
HOOK(pre, process_vm_writev)(long pid, long lvec, long liovcnt, long rvec, long riovcnt,
                             long flags)
{
    vector(lvec, liovcnt, ALL, 0, PC());
}

/* ---- buffers filled by the call: what it returned ---------------------------------------------- */

HOOK(pre, read)(long fd, long buf, long count) { raw_uses(fd, PC()); }
HOOK(post, read)(long res, long fd, long buf, long count)
{
    writes(buf, res, PC());
    raw_received(res, fd, PC());
}
HOOK(pre, pread64)(long fd, long buf, long count, long pos0, long pos1) { raw_uses(fd, PC()); }
HOOK(post, pread64)(long res, long fd, long buf, long count, long pos0, long pos1)
{
    writes(buf, res, PC());
    raw_received(res, fd, PC());
}
HOOK(pre, readv)(long fd, long vec, long vlen) { raw_uses(fd, PC()); }
HOOK(post, readv)(long res, long fd, long vec, long vlen)
{
    vector(vec, vlen, res, RT_ACCESS_WRITE, PC());
    raw_received(res, fd, PC());
}
HOOK(pre, preadv)(long fd, long vec, long vlen, long pos_l, long pos_h) { raw_uses(fd, PC()); }
HOOK(post, preadv)(long res, long fd, long vec, long vlen, long pos_l, long pos_h)
{
    vector(vec, vlen, res, RT_ACCESS_WRITE, PC());
    raw_received(res, fd, PC());
}
HOOK(pre, recv)(long fd, long buf, long len, long flags) { raw_uses(fd, PC()); }
HOOK(post, recv)(long res, long fd, long buf, long len, long flags)
{
    writes(buf, res, PC());
    raw_received(res, fd, PC());
}
HOOK(pre, recvfrom)(long fd, long buf, long len, long flags, long addr, long addrlen)
{
    raw_uses(fd, PC());
}
HOOK(post, recvfrom)(long res, long fd, long buf, long len, long flags, long addr, long addrlen)
{
    writes(buf, res, PC());
    raw_received(res, fd, PC());
    if (res >= 0 && addr && addrlen) {
        writes(addrlen, (long)sizeof(socklen_t), PC());
        writes(addr, (long)*(const socklen_t *)addrlen, PC());
    }
}
HOOK(pre, recvmsg)(long fd, long msg, long flags) { raw_uses(fd, PC()); }
HOOK(post, recvmsg)(long res, long fd, long msg, long flags)
{
    if (res >= 0)
        message((const struct msghdr *)msg, res, RT_ACCESS_WRITE, PC());
    raw_received(res, fd, PC());
}
HOOK(post, recvmmsg)(long res, long fd, long msg, long vlen, long flags, long timeout)
{
    const struct mmsghdr *m = (const struct mmsghdr *)msg;
    for (long i = 0; m && i < res; i++)
        message(&m[i].msg_hdr, (long)m[i].msg_len, RT_ACCESS_WRITE, PC());
    raw_received(res, fd, PC());
}
HOOK(post, process_vm_readv)(long res, long pid, long lvec, long liovcnt, long rvec,
                             long riovcnt, long flags)
{
    vector(lvec, liovcnt, res, RT_ACCESS_WRITE, PC());
}

/* ---- descriptors ---------------------------------------------------------------------------------- */

/* Descriptors closed or duplicated by raw system calls (`call` closed fd,
 * or made newfd a copy of it; res: what the call returned). A close is
 * told before the call (pre hook), so that the number cannot be reused
 * in between; a copy after it. */
static void raw_fd_event(const char *call, long fd, long newfd, long res, uintptr_t pc)
{
    struct rt_hb_thread *h = fd_hook(pc, fd);
    if (!h)
        return;
    if (call[0] == 'c') /* close */
        FD_ENGINE(rt_fd_close(h, (int)fd, pc));
    else if (res >= 0)
        FD_ENGINE(rt_fd_dup(h, (int)fd, (int)res, pc));
}

HOOK(pre, close)(long fd) { raw_fd_event("close", fd, -1, 0, PC()); }
HOOK(post, dup)(long res, long fildes) { raw_fd_event("dup", fildes, res, res, PC()); }
HOOK(pre, dup2)(long oldfd, long newfd)
{
    struct rt_hb_thread *h = oldfd != newfd ? fd_hook(PC(), newfd) : NULL;
    if (h && syscall(SYS_fcntl, newfd, F_GETFD) >= 0) /* an open newfd is closed by it */
        FD_ENGINE(rt_fd_close(h, (int)newfd, PC()));
}
HOOK(post, dup2)(long res, long oldfd, long newfd) { raw_fd_event("dup2", oldfd, newfd, res, PC()); }
HOOK(pre, dup3)(long oldfd, long newfd, long flags)
{
    struct rt_hb_thread *h = oldfd != newfd ? fd_hook(PC(), newfd) : NULL;
    if (h && syscall(SYS_fcntl, newfd, F_GETFD) >= 0)
        FD_ENGINE(rt_fd_close(h, (int)newfd, PC()));
}
HOOK(post, dup3)(long res, long oldfd, long newfd, long flags)
{
    raw_fd_event("dup3", oldfd, newfd, res, PC());
}
