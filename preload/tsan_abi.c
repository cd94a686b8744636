/*
 * tsan_abi: the ThreadSanitizer compiler ABI (what gcc 12 and clang 14 emit
 * under -fsanitize=thread), turned into engine events: memory accesses into
 * the race check (race_check.h), function entry/exit into the call path
 * (call_tree.h), atomics and fences into happens-before events
 * (happens_before.h), and the annotation entry points into lock-analysis
 * and happens-before events. Glue only; the atomics perform the real
 * operation atomically, with at least the ordering asked for.
 *
 * The signatures are those of compiler-rt's public tsan_interface.h and
 * tsan_interface_atomic.h; the list was checked against the undefined
 * symbols of objects built by both compilers and against `nm -D` of
 * libtsan.so.2 (docs/design.md "Compiler ABI").
 */
#include "races/races.h"
#include "annotate.h"
#include "preload.h"
#include "sched_hooks.h"

#include <stdint.h>

#define PC() ((uintptr_t)__builtin_return_address(0))

/* ---- the thread's state ------------------------------------------------------- */

static __attribute__((noinline)) struct rt_hb_thread *hb_slow(void)
{
    if (!__atomic_load_n(&rt_hb_enabled, __ATOMIC_ACQUIRE))
        return NULL;
    return rt_hb_current();
}

static inline __attribute__((always_inline)) struct rt_hb_thread *hb(void)
{
    struct rt_hb_thread *h = rt_hb_self;
    return __builtin_expect(h != NULL, 1) ? h : hb_slow();
}

/* Any access, in full: the thread's state made if missing, ignored
 * accesses dropped, accesses across words split, shadow made. Exported
 * (linked_abi.h) for the fast path linked into programs (src/runtime/races/linked/). */
static __attribute__((noinline)) void mem_access_slow(uintptr_t addr, unsigned size,
                                                      unsigned flags, uintptr_t pc)
{
    struct rt_hb_thread *h = hb();
    if (!h || rt_hb_ignores(h, flags & RT_ACCESS_WRITE))
        return;
    SCHED_MEMORY_POINT(h, addr, size, flags);
    if (size <= 8)
        rt_race_access(h, addr, size, flags, pc);
    else
        rt_race_range(h, addr, size, flags, pc);
}
RD_EXPORT void mem_access_exported(uintptr_t addr, unsigned size, unsigned flags, uintptr_t pc)
    __asm__(RT_LINKED_NAME("access")) __attribute__((alias("mem_access_slow")));

/* aligned: the compiler promises natural alignment (everything but the
 * __tsan_unaligned_* entry points) */
static inline __attribute__((always_inline)) void mem_access_of(uintptr_t addr, unsigned size,
                                                                unsigned flags, bool aligned,
                                                                uintptr_t pc)
{
    if (__builtin_expect(preload_sched_memory, 0)) { /* explore --points=memory */
        mem_access_slow(addr, size, flags, pc);
        return;
    }
    rt_race_fast(rt_hb_self, addr, size, flags, aligned, pc, mem_access_slow, rt_race_word,
                 rt_race_word2);
}
#define mem_access(addr, size, flags, pc) mem_access_of(addr, size, flags, true, pc)
#define mem_access_unaligned(addr, size, flags, pc) mem_access_of(addr, size, flags, false, pc)

static inline __attribute__((always_inline)) void range(uintptr_t addr, uintptr_t size,
                                                        unsigned flags, uintptr_t pc)
{
    struct rt_hb_thread *h = hb();
    if (!h || rt_hb_ignores(h, flags & RT_ACCESS_WRITE))
        return;
    SCHED_MEMORY_POINT(h, addr, size, flags);
    rt_race_range(h, addr, size, flags, pc);
}

/* ---- start-up ---------------------------------------------------------------------- */

RD_EXPORT void __tsan_init(void)
{
    struct rt_thread *t = preload_enter();
    rt_hb_enable();
    if (t) {
        rt_hb_of(t);
        rt_leave(t);
    }
}

RD_EXPORT void __tsan_flush_memory(void)
{
}

/* ---- function entry / exit: the call path ---------------------------------------------- */

RD_EXPORT void __tsan_func_entry(void *call_pc)
{
    struct rt_hb_thread *h = hb();
    if (__builtin_expect(h != NULL, 1))
        h->node = rt_ct_child(h->ct, h->node, (uintptr_t)call_pc);
}
/* for the fast path linked into programs, when its thread cache misses */
RD_EXPORT void func_entry_exported(void *call_pc) __asm__(RT_LINKED_NAME("func_entry"))
    __attribute__((alias("__tsan_func_entry")));

RD_EXPORT void __tsan_func_exit(void)
{
    struct rt_hb_thread *h = rt_hb_self;
    if (__builtin_expect(h != NULL, 1))
        h->node = rt_ct_parent(h->node);
}

/* ---- plain accesses ------------------------------------------------------------------- */

#define R 0u
#define W RT_ACCESS_WRITE

#define ACCESS_FNS(n)                                                                         \
    RD_EXPORT void __tsan_read##n(void *a) { mem_access((uintptr_t)a, n, R, PC()); }              \
    RD_EXPORT void __tsan_write##n(void *a) { mem_access((uintptr_t)a, n, W, PC()); }             \
    RD_EXPORT void __tsan_read##n##_pc(void *a, void *pc) { mem_access((uintptr_t)a, n, R, (uintptr_t)pc); } \
    RD_EXPORT void __tsan_write##n##_pc(void *a, void *pc) { mem_access((uintptr_t)a, n, W, (uintptr_t)pc); } \
    RD_EXPORT void __tsan_read_write##n(void *a) { mem_access((uintptr_t)a, n, W, PC()); }        \
    RD_EXPORT void __tsan_unaligned_read##n(void *a) { mem_access_unaligned((uintptr_t)a, n, R, PC()); } \
    RD_EXPORT void __tsan_unaligned_write##n(void *a) { mem_access_unaligned((uintptr_t)a, n, W, PC()); } \
    RD_EXPORT void __tsan_unaligned_read_write##n(void *a) { mem_access_unaligned((uintptr_t)a, n, W, PC()); } \
    RD_EXPORT void __tsan_volatile_read##n(void *a) { mem_access((uintptr_t)a, n, R, PC()); }     \
    RD_EXPORT void __tsan_volatile_write##n(void *a) { mem_access((uintptr_t)a, n, W, PC()); }    \
    RD_EXPORT void __tsan_unaligned_volatile_read##n(void *a) { mem_access_unaligned((uintptr_t)a, n, R, PC()); } \
    RD_EXPORT void __tsan_unaligned_volatile_write##n(void *a) { mem_access_unaligned((uintptr_t)a, n, W, PC()); }

/* a read-modify-write (x += 1, compound) is checked as the write it ends with:
 * anything that races with its read races with its write too */
ACCESS_FNS(1)
ACCESS_FNS(2)
ACCESS_FNS(4)
ACCESS_FNS(8)
ACCESS_FNS(16)

/* <sanitizer/common_interface_defs.h>: loads and stores at any alignment,
 * made and checked here (the program calls them instead of the access) */
#define UNALIGNED_FNS(bits)                                                                   \
    RD_EXPORT uint##bits##_t __sanitizer_unaligned_load##bits(const void *p)                  \
    {                                                                                         \
        uint##bits##_t v;                                                                     \
        mem_access_unaligned((uintptr_t)p, bits / 8, R, PC());                                \
        __builtin_memcpy(&v, p, sizeof v);                                                    \
        return v;                                                                             \
    }                                                                                         \
    RD_EXPORT void __sanitizer_unaligned_store##bits(void *p, uint##bits##_t v)               \
    {                                                                                         \
        mem_access_unaligned((uintptr_t)p, bits / 8, W, PC());                                \
        __builtin_memcpy(p, &v, sizeof v);                                                    \
    }
UNALIGNED_FNS(16)
UNALIGNED_FNS(32)
UNALIGNED_FNS(64)

RD_EXPORT void __tsan_read_range(void *a, unsigned long size) { range((uintptr_t)a, size, R, PC()); }
RD_EXPORT void __tsan_write_range(void *a, unsigned long size) { range((uintptr_t)a, size, W, PC()); }
RD_EXPORT void __tsan_read_range_pc(void *a, unsigned long size, void *pc)
{
    range((uintptr_t)a, size, R, (uintptr_t)pc);
}
RD_EXPORT void __tsan_write_range_pc(void *a, unsigned long size, void *pc)
{
    range((uintptr_t)a, size, W, (uintptr_t)pc);
}

/* C++ virtual table pointers: an update that stores the same value (a
 * constructor chain) is only a read. */
RD_EXPORT void __tsan_vptr_read(void **vptr_p) { mem_access((uintptr_t)vptr_p, 8, R, PC()); }
RD_EXPORT void __tsan_vptr_update(void **vptr_p, void *new_val)
{
    mem_access((uintptr_t)vptr_p, 8, *vptr_p == new_val ? R : W, PC());
}

/* ---- atomics ----------------------------------------------------------------------------- */

typedef char a8;
typedef short a16;
typedef int a32;
typedef long a64;
__extension__ typedef __int128 a128;

#define A RT_ACCESS_ATOMIC

/* An atomic operation's check and happens-before (on_atomic_begin/_end):
 * atomic_begin before the real operation, atomic_end after it. */
struct atomic_op {
    struct rt_hb_thread *h;
    struct rt_sync_clock *s;
};

static inline __attribute__((always_inline)) struct atomic_op atomic_begin(const volatile void *a,
                                                                           unsigned size, int op,
                                                                           int mo, uintptr_t pc)
{
    struct atomic_op o = {hb(), NULL};
    unsigned flags = op == RT_ATOMIC_LOAD ? R : W;
    if (!o.h || o.h->busy) {
        o.h = NULL;
        return o;
    }
    if (!rt_hb_ignores(o.h, flags & W))
        mem_access((uintptr_t)a, size, flags | A, pc);
    if (o.h->ignore_sync) {
        o.h = NULL; /* inside an annotated lock's own code: no ordering */
        return o;
    }
    o.s = on_atomic_begin(o.h, (uintptr_t)a, op, mo);
    return o;
}

static inline __attribute__((always_inline)) void atomic_end(struct atomic_op o,
                                                             const volatile void *a, int op, int mo)
{
    if (o.h)
        on_atomic_end(o.h, o.s, (uintptr_t)a, op, mo);
}

#define LOAD_ORDER(mo) (rt_mo_norm(mo) == RT_MO_RELAXED ? __ATOMIC_RELAXED : __ATOMIC_SEQ_CST)
#define STORE_ORDER(mo) (rt_mo_norm(mo) == RT_MO_SEQ_CST ? __ATOMIC_SEQ_CST : __ATOMIC_RELEASE)

#define ATOMIC_RMW(T, n, name, op)                                                               \
    RD_EXPORT T __tsan_atomic##n##_##name(volatile T *a, T v, int mo)                           \
    {                                                                                           \
        SCHED_ATOMIC_POINT(PC());                                                               \
        struct atomic_op o = atomic_begin(a, sizeof(T), RT_ATOMIC_RMW, mo, PC());               \
        T r = op;                                                                               \
        atomic_end(o, a, RT_ATOMIC_RMW, mo);                                                    \
        return r;                                                                               \
    }

#define ATOMIC_FNS(T, n)                                                                         \
    RD_EXPORT T __tsan_atomic##n##_load(const volatile T *a, int mo)                            \
    {                                                                                           \
        SCHED_ATOMIC_POINT(PC());                                                               \
        struct atomic_op o = atomic_begin(a, sizeof(T), RT_ATOMIC_LOAD, mo, PC());              \
        T r = LOAD_ORDER(mo) == __ATOMIC_RELAXED ? __atomic_load_n(a, __ATOMIC_RELAXED)         \
                                                 : __atomic_load_n(a, __ATOMIC_SEQ_CST);        \
        atomic_end(o, a, RT_ATOMIC_LOAD, mo);                                                   \
        return r;                                                                               \
    }                                                                                           \
    RD_EXPORT void __tsan_atomic##n##_store(volatile T *a, T v, int mo)                         \
    {                                                                                           \
        SCHED_ATOMIC_POINT(PC());                                                               \
        struct atomic_op o = atomic_begin(a, sizeof(T), RT_ATOMIC_STORE, mo, PC());             \
        if (STORE_ORDER(mo) == __ATOMIC_SEQ_CST)                                                \
            __atomic_store_n(a, v, __ATOMIC_SEQ_CST);                                           \
        else                                                                                    \
            __atomic_store_n(a, v, __ATOMIC_RELEASE);                                           \
        atomic_end(o, a, RT_ATOMIC_STORE, mo);                                                  \
    }                                                                                           \
    ATOMIC_RMW(T, n, exchange, __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST))                     \
    ATOMIC_RMW(T, n, fetch_add, __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST))                     \
    ATOMIC_RMW(T, n, fetch_sub, __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST))                     \
    ATOMIC_RMW(T, n, fetch_and, __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST))                     \
    ATOMIC_RMW(T, n, fetch_or, __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST))                       \
    ATOMIC_RMW(T, n, fetch_xor, __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST))                     \
    ATOMIC_RMW(T, n, fetch_nand, __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST))                   \
    static inline __attribute__((always_inline)) int cas##n(volatile T *a, T *c, T v, int mo,   \
                                                            int fmo, uintptr_t pc)              \
    {                                                                                           \
        SCHED_ATOMIC_POINT(pc);                                                                  \
        struct atomic_op o = atomic_begin(a, sizeof(T), RT_ATOMIC_RMW, mo, pc);                  \
        int ok = __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
        atomic_end(o, a, RT_ATOMIC_RMW, ok ? mo : fmo);                                         \
        return ok;                                                                              \
    }                                                                                           \
    RD_EXPORT int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *c, T v, int mo,  \
                                                             int fmo)                           \
    {                                                                                           \
        return cas##n(a, c, v, mo, fmo, PC());                                                  \
    }                                                                                           \
    RD_EXPORT int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *c, T v, int mo,    \
                                                           int fmo)                             \
    {                                                                                           \
        return cas##n(a, c, v, mo, fmo, PC());                                                  \
    }                                                                                           \
    RD_EXPORT T __tsan_atomic##n##_compare_exchange_val(volatile T *a, T c, T v, int mo,        \
                                                        int fmo)                                \
    {                                                                                           \
        cas##n(a, &c, v, mo, fmo, PC());                                                        \
        return c;                                                                               \
    }

ATOMIC_FNS(a8, 8)
ATOMIC_FNS(a16, 16)
ATOMIC_FNS(a32, 32)
ATOMIC_FNS(a64, 64)

/* 128 bits: cmpxchg16b (every x86-64 CPU this runs on has it); gcc calls
 * libatomic for 16-byte __atomic builtins, so the __sync ones are used. */
#define CX16 __attribute__((target("cx16")))

static CX16 a128 cas128_raw(volatile a128 *a, a128 expected, a128 desired)
{
    return __sync_val_compare_and_swap(a, expected, desired);
}

static CX16 a128 load128_raw(const volatile a128 *a)
{
    return __sync_val_compare_and_swap((volatile a128 *)a, 0, 0);
}

#define RMW128(name, expr)                                                                        \
    RD_EXPORT CX16 a128 __tsan_atomic128_##name(volatile a128 *a, a128 v, int mo)                 \
    {                                                                                           \
        SCHED_ATOMIC_POINT(PC());                                                                \
        struct atomic_op o = atomic_begin(a, 16, RT_ATOMIC_RMW, mo, PC());                       \
        a128 old = load128_raw(a), seen;                                                        \
        while ((seen = cas128_raw(a, old, (expr))) != old)                                      \
            old = seen;                                                                         \
        atomic_end(o, a, RT_ATOMIC_RMW, mo);                                                    \
        return old;                                                                             \
    }

RD_EXPORT CX16 a128 __tsan_atomic128_load(const volatile a128 *a, int mo)
{
    SCHED_ATOMIC_POINT(PC());
    struct atomic_op o = atomic_begin(a, 16, RT_ATOMIC_LOAD, mo, PC());
    a128 r = load128_raw(a);
    atomic_end(o, a, RT_ATOMIC_LOAD, mo);
    return r;
}

RD_EXPORT CX16 void __tsan_atomic128_store(volatile a128 *a, a128 v, int mo)
{
    SCHED_ATOMIC_POINT(PC());
    struct atomic_op o = atomic_begin(a, 16, RT_ATOMIC_STORE, mo, PC());
    a128 old = load128_raw(a), seen;
    while ((seen = cas128_raw(a, old, v)) != old)
        old = seen;
    atomic_end(o, a, RT_ATOMIC_STORE, mo);
}

RMW128(exchange, v)
RMW128(fetch_add, old + v)
RMW128(fetch_sub, old - v)
RMW128(fetch_and, old & v)
RMW128(fetch_or, old | v)
RMW128(fetch_xor, old ^ v)
RMW128(fetch_nand, ~(old & v))

static inline CX16 int cas128(volatile a128 *a, a128 *c, a128 v, int mo, int fmo, uintptr_t pc)
{
    SCHED_ATOMIC_POINT(pc);
    struct atomic_op o = atomic_begin(a, 16, RT_ATOMIC_RMW, mo, pc);
    a128 seen = cas128_raw(a, *c, v);
    int ok = seen == *c;
    if (!ok)
        *c = seen;
    atomic_end(o, a, RT_ATOMIC_RMW, ok ? mo : fmo);
    return ok;
}

RD_EXPORT CX16 int __tsan_atomic128_compare_exchange_strong(volatile a128 *a, a128 *c, a128 v,
                                                            int mo, int fmo)
{
    return cas128(a, c, v, mo, fmo, PC());
}

RD_EXPORT CX16 int __tsan_atomic128_compare_exchange_weak(volatile a128 *a, a128 *c, a128 v,
                                                          int mo, int fmo)
{
    return cas128(a, c, v, mo, fmo, PC());
}

RD_EXPORT CX16 a128 __tsan_atomic128_compare_exchange_val(volatile a128 *a, a128 c, a128 v, int mo,
                                                          int fmo)
{
    cas128(a, &c, v, mo, fmo, PC());
    return c;
}

RD_EXPORT void __tsan_atomic_thread_fence(int mo)
{
    struct rt_hb_thread *h;
    SCHED_ATOMIC_POINT(PC());
    if (rt_mo_norm(mo) != RT_MO_RELAXED)
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    h = hb();
    if (h && rt_hb_syncs(h))
        on_atomic_fence(h, mo);
}

RD_EXPORT void __tsan_atomic_signal_fence(int mo)
{
    (void)mo;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* ---- explicit happens-before and ignores ------------------------------------------------- */

RD_EXPORT void __tsan_acquire(void *addr) { annotate_happens_after(addr); }
RD_EXPORT void __tsan_release(void *addr) { annotate_happens_before(addr); }
RD_EXPORT void __tsan_ignore_thread_begin(void) { annotate_ignore(ANNOTATE_READS | ANNOTATE_WRITES, +1); }
RD_EXPORT void __tsan_ignore_thread_end(void) { annotate_ignore(ANNOTATE_READS | ANNOTATE_WRITES, -1); }

/* ---- custom mutexes (tsan_interface.h __tsan_mutex_*) -----------------------------------
 * The lock events of annotate.h. Between a pre_ and its post_ call the
 * lock's own code runs: its accesses are not checked and its atomics do
 * not order (they would only hide races), as in ThreadSanitizer. A lock
 * is shared when a call says read_lock; write_reentrant, given at create
 * (or any call), makes it recursive. */

#define MUTEX_LINKER_INIT (1u << 0)
#define MUTEX_WRITE_REENTRANT (1u << 1)
#define MUTEX_READ_LOCK (1u << 3)
#define MUTEX_TRY_LOCK (1u << 4)
#define MUTEX_TRY_LOCK_FAILED (1u << 5)
#define MUTEX_RECURSIVE_LOCK (1u << 6)
#define MUTEX_RECURSIVE_UNLOCK (1u << 7)
#define MUTEX_NOT_STATIC (1u << 8)

#define MUTEX_IGNORES (ANNOTATE_READS | ANNOTATE_WRITES | ANNOTATE_SYNC)

static struct rt_sync_call mutex_call(void *addr, unsigned flags, uintptr_t pc, uintptr_t sp)
{
    bool read = flags & MUTEX_READ_LOCK;
    return (struct rt_sync_call){
        .addr = (uintptr_t)addr,
        .kind = read ? RT_RWLOCK : RT_MUTEX,
        /* the type is the creation's: other calls need not repeat it */
        .type = flags & MUTEX_WRITE_REENTRANT ? RT_TYPE_RECURSIVE : RT_TYPE_NONE,
        .write = !read,
        .trylock = (flags & MUTEX_TRY_LOCK) != 0,
        .pc = pc,
        .sp = sp,
    };
}

static unsigned static_flags(unsigned flags)
{
    return (flags & MUTEX_LINKER_INIT ? RT_LOCK_STATIC : 0) |
           (flags & MUTEX_NOT_STATIC ? RT_LOCK_NOT_STATIC : 0);
}

RD_EXPORT void __tsan_mutex_create(void *addr, unsigned flags)
{
    struct rt_sync_call c = mutex_call(addr, flags, PC(), CALLER_SP());
    if (c.type == RT_TYPE_NONE)
        c.type = RT_TYPE_NORMAL;
    annotate_lock_created_flags(&c, static_flags(flags));
}

RD_EXPORT void __tsan_mutex_destroy(void *addr, unsigned flags)
{
    struct rt_sync_call c = mutex_call(addr, flags, PC(), CALLER_SP());
    annotate_lock_destroyed_flags(&c, static_flags(flags));
}

RD_EXPORT void __tsan_mutex_pre_lock(void *addr, unsigned flags)
{
    struct rt_sync_call c = mutex_call(addr, flags, PC(), CALLER_SP());
    if (!(flags & MUTEX_TRY_LOCK))
        annotate_lock_wait(&c); /* a trylock never waits, so never deadlocks */
    annotate_ignore(MUTEX_IGNORES, +1);
}

RD_EXPORT void __tsan_mutex_post_lock(void *addr, unsigned flags, int recursion)
{
    struct rt_sync_call c = mutex_call(addr, flags, PC(), CALLER_SP());
    bool ok = !(flags & MUTEX_TRY_LOCK_FAILED);
    int levels = (flags & MUTEX_RECURSIVE_LOCK) && recursion > 1 ? recursion : 1;
    annotate_ignore(MUTEX_IGNORES, -1);
    for (int i = 0; i < levels; i++)
        annotate_lock_acquired(&c, ok);
}

/* The depth to which the calling thread holds the lock at addr (for a
 * RECURSIVE_UNLOCK, which releases every level at once). */
static int held_depth(uintptr_t addr)
{
    struct rt_thread *t = preload_enter();
    struct rt_lock *l;
    int depth = 1;
    if (!t)
        return 1;
    l = rt_lock_find(addr);
    if (l && atomic_load_explicit(&l->owner, memory_order_relaxed) == t->id + 1 && l->depth > 1)
        depth = (int)l->depth;
    rt_leave(t);
    return depth;
}

RD_EXPORT int __tsan_mutex_pre_unlock(void *addr, unsigned flags)
{
    struct rt_sync_call c = mutex_call(addr, flags, PC(), CALLER_SP());
    int levels = (flags & MUTEX_RECURSIVE_UNLOCK) && c.write ? held_depth(c.addr) : 1;
    for (int i = 0; i < levels; i++)
        annotate_lock_released(&c);
    annotate_ignore(MUTEX_IGNORES, +1);
    return levels;
}

RD_EXPORT void __tsan_mutex_post_unlock(void *addr, unsigned flags)
{
    (void)addr;
    (void)flags;
    annotate_ignore(MUTEX_IGNORES, -1);
}

/* A signal or broadcast inside the lock's code; divert: the lock's code
 * calls out to the program's (a wait's callback) and back. */
RD_EXPORT void __tsan_mutex_pre_signal(void *addr, unsigned flags)
{
    (void)addr;
    (void)flags;
    annotate_ignore(MUTEX_IGNORES, +1);
}

RD_EXPORT void __tsan_mutex_post_signal(void *addr, unsigned flags)
{
    (void)addr;
    (void)flags;
    annotate_ignore(MUTEX_IGNORES, -1);
}

RD_EXPORT void __tsan_mutex_pre_divert(void *addr, unsigned flags)
{
    (void)addr;
    (void)flags;
    annotate_ignore(MUTEX_IGNORES, -1);
}

RD_EXPORT void __tsan_mutex_post_divert(void *addr, unsigned flags)
{
    (void)addr;
    (void)flags;
    annotate_ignore(MUTEX_IGNORES, +1);
}

/* ---- external objects (tsan_interface.h __tsan_external_*) ------------------------------- */

static _Atomic unsigned long next_tag = 1;

RD_EXPORT void *__tsan_external_register_tag(const char *object_type)
{
    (void)object_type;
    return (void *)atomic_fetch_add(&next_tag, 1);
}

RD_EXPORT void __tsan_external_register_header(void *tag, const char *header)
{
    (void)tag;
    (void)header;
}

RD_EXPORT void __tsan_external_assign_tag(void *addr, void *tag)
{
    (void)addr;
    (void)tag;
}

static void external(void *addr, void *caller_pc, unsigned flags, uintptr_t pc)
{
    struct rt_hb_thread *h = hb();
    rt_ct_node saved;
    if (!h)
        return;
    saved = h->node;
    if (caller_pc)
        h->node = rt_ct_child(h->ct, h->node, (uintptr_t)caller_pc);
    mem_access((uintptr_t)addr, 1, flags, pc);
    h->node = saved;
}

RD_EXPORT void __tsan_external_read(void *addr, void *caller_pc, void *tag)
{
    (void)tag;
    external(addr, caller_pc, R, PC());
}

RD_EXPORT void __tsan_external_write(void *addr, void *caller_pc, void *tag)
{
    (void)tag;
    external(addr, caller_pc, W, PC());
}

/* ---- fibers (tsan_interface.h): each fiber has a clock of its own ---------------------- */

RD_EXPORT void *__tsan_get_current_fiber(void)
{
    return hb();
}

RD_EXPORT void *__tsan_create_fiber(unsigned flags)
{
    struct rt_hb_thread *h = hb();
    (void)flags;
    return h ? rt_hb_fiber_create(h) : NULL;
}

RD_EXPORT void __tsan_destroy_fiber(void *fiber)
{
    if (fiber)
        rt_hb_fiber_destroy(fiber);
}

RD_EXPORT void __tsan_switch_to_fiber(void *fiber, unsigned flags)
{
    struct rt_hb_thread *h = hb();
    if (h && fiber && fiber != h)
        rt_hb_fiber_switch(h, fiber, !(flags & 1u)); /* __tsan_switch_to_fiber_no_sync */
}

RD_EXPORT void __tsan_set_fiber_name(void *fiber, const char *name)
{
    (void)fiber;
    (void)name;
}
