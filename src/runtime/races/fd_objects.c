/* fd_objects: see fd_objects.h. */
#include "fd_objects.h"

#include "core/core.h"
#include "race_check.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- the table: descriptor number -> entry ----------------------------------------------
 * Two levels, both made on first use (zeroed, mmap-backed: pages never
 * touched cost nothing): 2^19 chunks of 4096 entries cover every number
 * the kernel can hand out (below 2^31). 32 bytes a descriptor number ever
 * used, by chunks of 4096. */
#define CHUNK_BITS 12
#define CHUNK (1u << CHUNK_BITS)
#define NCHUNKS (1u << (31 - CHUNK_BITS))

/* socket types, once known */
enum { SOCK_NOT_KNOWN, SOCK_IS_STREAM, SOCK_IS_DGRAM, SOCK_IS_NOT };

struct fd_entry {
    uint64_t location;          /* never read or written: its shadow is the fd's history */
    _Atomic uintptr_t file;     /* the file key (recv key for a datagram socket); 0: not known */
    _Atomic uintptr_t send;     /* a connected datagram socket's send key; 0: not known */
    _Atomic uint8_t kind;       /* enum rt_fd_kind */
    _Atomic uint8_t sock;       /* SOCK_* */
    _Atomic bool closed;        /* closed by a call racedet saw, not opened again by one */
};

static struct fd_entry *_Atomic *_Atomic chunks;
static atomic_uint nchunks_used; /* chunks below this index may exist */

static struct fd_entry *entry_of(int fd, bool create)
{
    struct fd_entry *_Atomic *top = atomic_load_explicit(&chunks, memory_order_acquire);
    struct fd_entry *c;
    unsigned i, used;
    if (fd < 0)
        return NULL;
    i = (unsigned)fd >> CHUNK_BITS;
    if (!top) {
        struct fd_entry *_Atomic *fresh;
        struct fd_entry *_Atomic *expected = NULL;
        if (!create)
            return NULL;
        fresh = rt_alloc(sizeof *fresh * NCHUNKS);
        if (atomic_compare_exchange_strong(&chunks, &expected, fresh))
            top = fresh;
        else {
            rt_free(fresh, sizeof *fresh * NCHUNKS);
            top = expected;
        }
    }
    c = atomic_load_explicit(&top[i], memory_order_acquire);
    if (!c) {
        struct fd_entry *fresh, *expected = NULL;
        if (!create)
            return NULL;
        fresh = rt_alloc(sizeof *fresh * CHUNK);
        if (atomic_compare_exchange_strong(&top[i], &expected, fresh))
            c = fresh;
        else {
            rt_free(fresh, sizeof *fresh * CHUNK);
            c = expected;
        }
        used = atomic_load(&nchunks_used);
        while (used <= i && !atomic_compare_exchange_weak(&nchunks_used, &used, i + 1))
            ;
    }
    return &c[(unsigned)fd & (CHUNK - 1)];
}

int rt_fd_of_location(uintptr_t addr)
{
    struct fd_entry *_Atomic *top = atomic_load_explicit(&chunks, memory_order_acquire);
    unsigned n = atomic_load(&nchunks_used);
    for (unsigned i = 0; top && i < n; i++) {
        struct fd_entry *c = atomic_load_explicit(&top[i], memory_order_acquire);
        if (c && addr >= (uintptr_t)c && addr < (uintptr_t)(c + CHUNK)) {
            uintptr_t k = (addr - (uintptr_t)c) / sizeof *c;
            if (addr - (uintptr_t)&c[k].location < sizeof c[k].location)
                return (int)((i << CHUNK_BITS) | (unsigned)k);
        }
    }
    return -1;
}

/* ---- the location ------------------------------------------------------------------------- */

static void access_location(struct rt_hb_thread *h, struct fd_entry *e, bool write, uintptr_t pc)
{
    /* the inline check: a thread's uses in a row (an epoch apart, as each
     * send releases) take the memoised path of rt_race_word */
    if (!rt_hb_ignores(h, write))
        rt_race_access(h, (uintptr_t)&e->location, 1, write ? RT_ACCESS_WRITE : 0, pc);
}

/* The entry knows no file any more: closed, or a number reopened unseen
 * (then a file to find again on first use). */
static void forget_file(struct fd_entry *e, bool closed)
{
    atomic_store(&e->file, 0);
    atomic_store(&e->send, 0);
    atomic_store(&e->kind, (uint8_t)RT_FD_UNKNOWN);
    atomic_store(&e->sock, SOCK_NOT_KNOWN);
    atomic_store(&e->closed, closed);
}

/* A new history, written by h; the file: `key` (0: found on first use). */
static void start(struct rt_hb_thread *h, struct fd_entry *e, enum rt_fd_kind kind, uintptr_t key,
                  uintptr_t pc)
{
    rt_shadow_reset((uintptr_t)&e->location, sizeof e->location);
    atomic_store(&e->file, key);
    atomic_store(&e->send, 0);
    atomic_store(&e->kind, (uint8_t)kind);
    atomic_store(&e->sock, kind == RT_FD_SOCKET ? SOCK_NOT_KNOWN
                           : kind == RT_FD_UNKNOWN ? SOCK_NOT_KNOWN : SOCK_IS_NOT);
    atomic_store(&e->closed, false);
    access_location(h, e, true, pc);
}

/* The key of a file of its own: the address of its first descriptor's
 * entry (runtime memory: never a program's synchronisation object; a
 * number reused for another file takes over a clock that can only add
 * ordering). */
static uintptr_t own_key(struct fd_entry *e)
{
    return (uintptr_t)&e->file;
}

/* A computed key, in the pool (from 2^62: no user address). */
static uintptr_t pool_key(uint64_t hash)
{
    return (1ull << 62) | ((uintptr_t)(rt_mix64(hash) & (RT_FD_POOL - 1)) << 3);
}

/* ---- computed keys -------------------------------------------------------------------------- */

/* An address's hash: internet sockets by port alone (an address bound to
 * 0.0.0.0 receives what is sent to 127.0.0.1, a v4-mapped v6 peer is the
 * v4 one), unix sockets by path (unnamed ones all alike). */
static uint64_t address_hash(const struct sockaddr *a, socklen_t len)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    if (len < (socklen_t)sizeof(sa_family_t))
        return x;
    switch (a->sa_family) {
    case AF_INET:
        return rt_mix64(1u << 20 | ((const struct sockaddr_in *)a)->sin_port);
    case AF_INET6:
        return rt_mix64(1u << 20 | ((const struct sockaddr_in6 *)a)->sin6_port);
    default: {
        const unsigned char *p = (const unsigned char *)a;
        socklen_t n = len > (socklen_t)sizeof(struct sockaddr_storage)
                          ? (socklen_t)sizeof(struct sockaddr_storage) : len;
        for (socklen_t i = 0; i < n; i++)
            x = (x ^ p[i]) * 0x100000001b3ull;
        return rt_mix64(x);
    }
    }
}

static bool own_address(int fd, bool peer, uint64_t *hash)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    if (syscall(peer ? SYS_getpeername : SYS_getsockname, fd, &a, &len) != 0)
        return false;
    *hash = address_hash((const struct sockaddr *)&a, len);
    return true;
}

static uint8_t socket_type(int fd, struct fd_entry *e)
{
    uint8_t s = atomic_load(&e->sock);
    int type = 0;
    socklen_t len = sizeof type;
    if (s != SOCK_NOT_KNOWN)
        return s;
    if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
        s = SOCK_IS_NOT;
    else
        s = type == SOCK_DGRAM ? SOCK_IS_DGRAM : SOCK_IS_STREAM; /* seqpacket: connected */
    atomic_store(&e->sock, s);
    return s;
}

/* A stream socket: its own address and its peer's, in either order, so
 * that both ends of a connection find the same key. 0 until connected. */
static uintptr_t stream_key(int fd)
{
    uint64_t a, b;
    if (!own_address(fd, false, &a) || !own_address(fd, true, &b))
        return 0;
    if (a > b) {
        uint64_t t = a;
        a = b;
        b = t;
    }
    return pool_key(a * 0x9e3779b97f4a7c15ull ^ rt_mix64(b));
}

/* The key a receive on fd acquires (and, but for datagram sockets, a send
 * releases): cached in the entry. 0: none (not connected yet, fstat
 * failed). */
static uintptr_t file_key(int fd, struct fd_entry *e)
{
    uintptr_t key = atomic_load_explicit(&e->file, memory_order_relaxed);
    struct stat st;
    uint8_t sock;
    if (key)
        return key;
    sock = atomic_load(&e->sock);
    if (sock == SOCK_NOT_KNOWN && atomic_load(&e->kind) == RT_FD_UNKNOWN) {
        if (syscall(SYS_fstat, fd, &st) != 0)
            return 0;
        if (!S_ISSOCK(st.st_mode)) {
            atomic_store(&e->sock, SOCK_IS_NOT);
            key = pool_key((uint64_t)st.st_dev * 0x9e3779b97f4a7c15ull ^ rt_mix64(st.st_ino));
            atomic_store(&e->file, key);
            return key;
        }
    }
    sock = socket_type(fd, e);
    if (sock == SOCK_IS_NOT)
        return 0;
    if (sock == SOCK_IS_DGRAM) {
        uint64_t mine;
        key = own_address(fd, false, &mine) ? pool_key(mine) : 0;
    } else {
        key = stream_key(fd);
    }
    if (key)
        atomic_store(&e->file, key);
    return key;
}

/* The key a send on a datagram socket releases: the destination's. */
static uintptr_t datagram_send_key(int fd, struct fd_entry *e, const struct sockaddr *to,
                                   socklen_t tolen)
{
    uintptr_t key;
    uint64_t peer;
    if (to && tolen)
        return pool_key(address_hash(to, tolen));
    if ((key = atomic_load_explicit(&e->send, memory_order_relaxed)) != 0)
        return key;
    if (!own_address(fd, true, &peer))
        return 0;
    key = pool_key(peer);
    atomic_store(&e->send, key);
    return key;
}

/* ---- events ----------------------------------------------------------------------------------- */

void rt_fd_use(struct rt_hb_thread *h, int fd, uintptr_t pc)
{
    struct fd_entry *e = entry_of(fd, true);
    if (!e)
        return;
    /* Closed by a call racedet saw: either a use after close (the call
     * fails; it races with the close unless ordered after it) or the
     * number was opened again by code racedet does not see (fopen inside
     * libc): then it is a new file with a new history. */
    if (atomic_load_explicit(&e->closed, memory_order_relaxed) &&
        syscall(SYS_fcntl, fd, F_GETFD) >= 0) {
        rt_shadow_reset((uintptr_t)&e->location, sizeof e->location);
        forget_file(e, false);
    }
    access_location(h, e, false, pc);
}

static void forget_registrations(int epfd);

void rt_fd_close(struct rt_hb_thread *h, int fd, uintptr_t pc)
{
    struct fd_entry *e = entry_of(fd, true);
    uintptr_t key;
    if (!e)
        return;
    if (!atomic_load(&e->closed)) {
        key = atomic_load(&e->file);
        if (key && rt_hb_syncs(h))
            rt_hb_release(h, key); /* end of file follows everything written */
    }
    access_location(h, e, true, pc);
    if (atomic_load(&e->kind) == RT_FD_EPOLL)
        forget_registrations(fd);
    forget_file(e, true);
}

void rt_fd_close_range(unsigned lo, unsigned hi)
{
    struct fd_entry *_Atomic *top = atomic_load_explicit(&chunks, memory_order_acquire);
    unsigned n = atomic_load(&nchunks_used);
    if (!top || lo > INT32_MAX)
        return;
    if (hi > INT32_MAX)
        hi = INT32_MAX;
    for (unsigned i = lo >> CHUNK_BITS; i < n && i <= hi >> CHUNK_BITS; i++) {
        struct fd_entry *c = atomic_load_explicit(&top[i], memory_order_acquire);
        for (unsigned k = 0; c && k < CHUNK; k++) {
            unsigned fd = i << CHUNK_BITS | k;
            struct fd_entry *e = &c[k];
            if (fd < lo || fd > hi || atomic_load(&e->closed))
                continue;
            if (atomic_load(&e->kind) == RT_FD_EPOLL)
                forget_registrations((int)fd);
            rt_shadow_reset((uintptr_t)&e->location, sizeof e->location);
            forget_file(e, true);
        }
    }
}

void rt_fd_opened(struct rt_hb_thread *h, int fd, enum rt_fd_kind kind, uintptr_t pc)
{
    struct fd_entry *e = entry_of(fd, true);
    if (e)
        start(h, e, kind, kind == RT_FD_OWN || kind == RT_FD_EPOLL ? own_key(e) : 0, pc);
}

void rt_fd_pair_opened(struct rt_hb_thread *h, int fd0, int fd1, uintptr_t pc)
{
    struct fd_entry *a = entry_of(fd0, true), *b = entry_of(fd1, true);
    if (!a || !b)
        return;
    start(h, a, RT_FD_OWN, own_key(a), pc);
    start(h, b, RT_FD_OWN, own_key(a), pc);
}

void rt_fd_dup(struct rt_hb_thread *h, int oldfd, int newfd, uintptr_t pc)
{
    struct fd_entry *o = entry_of(oldfd, true), *n = entry_of(newfd, true);
    uint8_t kind, sock;
    uintptr_t key, send;
    if (!o || !n || o == n)
        return;
    key = file_key(oldfd, o);
    kind = atomic_load(&o->kind);
    sock = atomic_load(&o->sock);
    send = atomic_load(&o->send);
    start(h, n, kind == RT_FD_EPOLL ? RT_FD_OWN : (enum rt_fd_kind)kind, key, pc);
    atomic_store(&n->sock, sock);
    atomic_store(&n->send, send);
}

void rt_fd_send(struct rt_hb_thread *h, int fd, const struct sockaddr *to, socklen_t tolen)
{
    struct fd_entry *e = entry_of(fd, true);
    uintptr_t key;
    if (!e || !rt_hb_syncs(h))
        return;
    key = file_key(fd, e); /* also learns whether it is a datagram socket */
    if (atomic_load_explicit(&e->sock, memory_order_relaxed) == SOCK_IS_DGRAM)
        key = datagram_send_key(fd, e, to, tolen);
    if (key)
        rt_hb_release(h, key);
}

static char connections; /* its address: the connect -> accept clock */

void rt_fd_connecting(struct rt_hb_thread *h)
{
    if (rt_hb_syncs(h))
        rt_hb_release(h, (uintptr_t)&connections);
}

void rt_fd_accepted(struct rt_hb_thread *h)
{
    if (rt_hb_syncs(h))
        rt_hb_acquire(h, (uintptr_t)&connections);
}

void rt_fd_recv(struct rt_hb_thread *h, int fd)
{
    struct fd_entry *e = entry_of(fd, true);
    uintptr_t key;
    if (!e || !rt_hb_syncs(h))
        return;
    if ((key = file_key(fd, e)) != 0)
        rt_hb_acquire(h, key);
}

/* ---- epoll registrations ----------------------------------------------------------------------
 * Each (epfd, fd) registration is found by (epfd, fd) for EPOLL_CTL_MOD/DEL
 * and by (epfd, data) when epoll_wait returns its data (several fds may
 * share one data value): two uthash indexes under one lock. epoll_ctl is
 * rare next to epoll_wait, which takes the lock once per event it returns. */
struct reg_by_fd_key {
    int32_t epfd, fd;
};
struct reg_by_data_key {
    uint64_t data;
    int64_t epfd;
};
struct reg_group;               /* the registrations of one (epfd, data) */
struct reg {
    struct reg_by_fd_key key;
    struct reg_group *group;
    struct reg *next_in_group;
    UT_hash_handle hh;
};
struct reg_group {
    struct reg_by_data_key key;
    struct reg *first;
    UT_hash_handle hh;
};

static rt_spin_t regs_lock = RT_SPIN_INIT;
static struct reg *regs_by_fd;
static struct reg_group *regs_by_data;

static void unregister_locked(struct reg *r)
{
    struct reg_group *g = r->group;
    struct reg **p = &g->first;
    while (*p != r)
        p = &(*p)->next_in_group;
    *p = r->next_in_group;
    if (!g->first) {
        HASH_DEL(regs_by_data, g);
        rt_free(g, sizeof *g);
    }
    HASH_DEL(regs_by_fd, r);
    rt_free(r, sizeof *r);
}

static void register_locked(int epfd, int fd, uint64_t data)
{
    struct reg_by_data_key gk = {data, epfd};
    struct reg_group *g;
    struct reg *r = rt_alloc(sizeof *r);
    HASH_FIND(hh, regs_by_data, &gk, sizeof gk, g);
    if (!g) {
        g = rt_alloc(sizeof *g);
        g->key = gk;
        g->first = NULL;
        HASH_ADD(hh, regs_by_data, key, sizeof g->key, g);
    }
    r->key = (struct reg_by_fd_key){epfd, fd};
    r->group = g;
    r->next_in_group = g->first;
    g->first = r;
    HASH_ADD(hh, regs_by_fd, key, sizeof r->key, r);
}

/* epfd was closed: all its registrations go (a walk of them all: rare). */
static void forget_registrations(int epfd)
{
    struct reg *r, *tmp;
    rt_spin_lock(&regs_lock);
    HASH_ITER(hh, regs_by_fd, r, tmp)
        if (r->key.epfd == epfd)
            unregister_locked(r);
    rt_spin_unlock(&regs_lock);
}

void rt_fd_epoll_ctl(struct rt_hb_thread *h, int epfd, int op, int fd, uint64_t data)
{
    struct fd_entry *e = entry_of(epfd, true);
    if (!e)
        return;
    struct reg_by_fd_key k = {epfd, fd};
    struct reg *old;
    rt_spin_lock(&regs_lock);
    /* ADD over a registration the kernel refused, MOD, DEL: the old one goes */
    HASH_FIND(hh, regs_by_fd, &k, sizeof k, old);
    if (old)
        unregister_locked(old);
    if (op != EPOLL_CTL_DEL)
        register_locked(epfd, fd, data);
    rt_spin_unlock(&regs_lock);
    if (rt_hb_syncs(h)) {
        uintptr_t key = atomic_load(&e->file);
        rt_hb_release(h, key ? key : own_key(e));
    }
}

void rt_fd_epoll_waited(struct rt_hb_thread *h, int epfd)
{
    struct fd_entry *e = entry_of(epfd, false);
    uintptr_t key;
    if (e && rt_hb_syncs(h))
        rt_hb_acquire(h, (key = atomic_load(&e->file)) ? key : own_key(e));
}

void rt_fd_epoll_ready(struct rt_hb_thread *h, int epfd, uint64_t data)
{
    int fds[8];
    unsigned n = 0;
    if (!rt_hb_syncs(h))
        return;
    for (;;) {
        /* the registered descriptors with this data, a few at a time:
         * acquiring takes a clock's lock, not to be held under ours */
        struct reg_by_data_key gk = {data, epfd};
        struct reg_group *g;
        unsigned found = 0, skip = n;
        rt_spin_lock(&regs_lock);
        HASH_FIND(hh, regs_by_data, &gk, sizeof gk, g);
        for (struct reg *r = g ? g->first : NULL; r && found < 8; r = r->next_in_group) {
            if (skip) {
                skip--;
                continue;
            }
            fds[found++] = r->key.fd;
        }
        rt_spin_unlock(&regs_lock);
        for (unsigned i = 0; i < found; i++)
            rt_fd_recv(h, fds[i]);
        n += found;
        if (found < 8)
            return;
    }
}

void rt_fd_lock_all(void)
{
    rt_spin_lock(&regs_lock);
}

void rt_fd_unlock_all(void)
{
    rt_spin_unlock(&regs_lock);
}
