/*
 * lock_events: what happens when the program locks, unlocks, initialises
 * and destroys mutexes, rwlocks, spinlocks and condition variables. Keeps
 * each thread's held set and each lock's owner, learns lock-order edges, and
 * reports the misuses of DESIGN.md §2 (self_deadlock, unlock_not_held,
 * destroy_locked, cond_wait_unheld).
 */
#include "events.h"
#include "core/core.h"
#include "races/races.h"
#include "lock_order/lock_order.h"
#include "deadlock/deadlock.h"

#include <stdio.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------- */

/* The lock a call is about: from the call itself when an earlier event of
 * the same call found it, else the thread's cache, else the registry. */
static inline struct rt_lock *lookup(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_sync_call *mc = (struct rt_sync_call *)c;
    unsigned slot;
    struct rt_lock *l = c->lock;
    if (l && l->addr == c->addr && atomic_load_explicit(&l->live, memory_order_relaxed))
        return l;
    slot = (unsigned)(((c->addr >> 3) ^ (c->addr >> 11)) % RT_LOCK_CACHE_WAYS);
    struct rt_thread_caches *cache = rt_thread_caches(t);
    l = cache->locks[slot].lock;
    if (!(l && cache->locks[slot].addr == c->addr && l->addr == c->addr &&
          atomic_load_explicit(&l->live, memory_order_relaxed))) {
        l = rt_lock_get(c->addr, c->kind, c->type);
        cache->locks[slot].addr = c->addr;
        cache->locks[slot].lock = l;
    }
    mc->lock = l;
    return l;
}

/* Index of the newest live held entry for l (any mode when want_write < 0),
 * or -1. Stale entries met on the way are dropped. */
static inline int find_held(struct rt_thread *t, struct rt_lock *l, int want_write)
{
    /* almost always the newest hold */
    if (t->nheld > 0) {
        struct rt_held *top = &t->held[t->nheld - 1];
        if (top->lock == l && rt_held_is_live(top) &&
            (want_write < 0 || top->write == (want_write != 0)))
            return (int)t->nheld - 1;
    }
    for (int i = (int)t->nheld - 1; i >= 0; i--) {
        struct rt_held *h = &t->held[i];
        if (!rt_held_is_live(h)) {
            t->held_sig -= rt_held_key(h->lock_id, h->write);
            rt_held_remove(t, (unsigned)i);
            continue;
        }
        if (h->lock == l && (want_write < 0 || h->write == (want_write != 0)))
            return i;
    }
    return -1;
}

static inline void clear_waiting(struct rt_thread *t)
{
    if (atomic_load_explicit(&t->waiting_for, memory_order_relaxed))
        atomic_store_explicit(&t->waiting_for, NULL, memory_order_release);
}

/* ---- acquisition ------------------------------------------------------------- */

static enum rt_verdict self_deadlock(struct rt_thread *t, struct rt_lock *l,
                                     const struct rt_held *first, const struct rt_sync_call *c,
                                     bool hangs, const char *why)
{
    char summary[256];
    struct rt_role_stack stacks[2] = {
        {"first acquisition", t->id, first->stack},
        {"second attempt", t->id, rt_stack_capture()},
    };
    struct rt_thread *threads[1] = {t};
    if (!rt_options.report_lock_misuse)
        return RT_PROCEED;
    snprintf(summary, sizeof summary, "{thread:%d} %s {lock:%llu}, which it already holds: %s",
             t->id, c->write ? "locks" : "read-locks", (unsigned long long)l->id, why);
    rt_finding_emit("self_deadlock", summary, threads, 1, &l, 1, stacks, 2, NULL);
    return hangs && !c->timed ? RT_HANGS : RT_PROCEED;
}

enum rt_verdict on_lock_wait(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_lock *l = lookup(t, c);
    int i;

    if (c->kind == RT_MUTEX && l->type != c->type && c->type != RT_TYPE_NONE)
        l->type = (uint8_t)c->type; /* set by an init we did not see */
    /* only a lock this thread owns, or read-holds, can be held by it */
    if (atomic_load_explicit(&l->owner, memory_order_relaxed) == t->id + 1 ||
        (c->kind == RT_RWLOCK && atomic_load_explicit(&l->readers, memory_order_relaxed) > 0))
        i = find_held(t, l, -1);
    else
        i = -1;
    if (i >= 0 && !c->trylock) {
        struct rt_held *h = &t->held[i];
        switch (c->kind) {
        case RT_MUTEX:
            if (l->type == RT_TYPE_RECURSIVE)
                break;
            if (l->type == RT_TYPE_ERRORCHECK)
                return self_deadlock(t, l, h, c, false,
                                     "the error-checking mutex returns EDEADLK");
            return self_deadlock(t, l, h, c, true,
                                 c->timed ? "the wait can only time out"
                                          : "the thread would wait for itself forever");
        case RT_SPIN:
            return self_deadlock(t, l, h, c, true, "the thread would spin forever");
        case RT_RWLOCK:
            if (h->write)
                return self_deadlock(t, l, h, c, false, "glibc returns EDEADLK");
            if (c->write)
                return self_deadlock(t, l, h, c, true,
                                     "a writer waits for every reader, itself included");
            break; /* read after read: allowed */
        default:
            break;
        }
    }
    if (!c->trylock && !c->timed && rt_options.detect_deadlocks) {
        /* an untimed wait the watchdog may have to explain: what it waits
         * for, from where and since when, published before waiting_for */
        t->waiting_write = c->write;
        t->waiting_stack = rt_sync_call_stack(t, c);
        t->waiting_since_ns = rt_now_ns();
        atomic_store_explicit(&t->wait_seq,
                              atomic_load_explicit(&t->wait_seq, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        atomic_store_explicit(&t->waiting_for, l, memory_order_release);
        rt_watchdog_wait_begins(t);
    }
    return RT_PROCEED;
}

/* The thread's cache entry for the chain parent + l, taken in `flags`. */
static inline const struct rt_chain **cached_chain(struct rt_thread *t,
                                                   const struct rt_chain *parent,
                                                   const struct rt_lock *l, unsigned flags)
{
    return &rt_thread_caches(t)->chains[rt_chain_hash(parent, l, flags) % RT_CHAIN_CACHE_WAYS];
}

/* Learn the edges held -> l (lock_order.h): the slow path, when the
 * thread's cache does not know the chain. The held stack's chain is the
 * top entry's when every entry is live and has one; else it is made again
 * from the live entries, skipping l itself (a read lock taken twice).
 * Returns the chain of the held stack with l on top, for l's own entry,
 * or NULL when that chain is not exactly the stack the thread holds. */
static __attribute__((noinline)) const struct rt_chain *
learn_edges_slow(struct rt_thread *t, struct rt_lock *l, const struct rt_sync_call *c,
                 rt_stack_id stack)
{
    const struct rt_chain *parent = NULL, *got, **entry;
    unsigned flags = rt_chain_flags(c->write, c->trylock);
    bool exact = true;

    for (unsigned i = 0; i < t->nheld; i++) {
        struct rt_held *h = &t->held[i];
        unsigned hflags = rt_chain_flags(h->write, h->trylock);
        if (!rt_held_is_live(h) || h->lock == l) {
            exact = false;
            continue;
        }
        if (exact && h->chain) {
            parent = h->chain;
            continue;
        }
        entry = cached_chain(t, parent, h->lock, hflags);
        if (!(*entry && rt_chain_is(*entry, parent, h->lock, hflags)))
            *entry = rt_chain_path(parent, t, h->lock, hflags, h->stack);
        parent = *entry;
        if (exact)
            h->chain = parent;
    }
    if (!parent)
        return NULL; /* nothing live held */
    got = rt_graph_acquired(parent, t, l, flags, stack);
    if (!exact)
        return NULL;
    *cached_chain(t, parent, l, flags) = got;
    return got;
}

/* Learn the edges held -> l, once per chain (held stack + l) in the whole
 * process; a chain this thread met before costs one probe of its cache
 * (two when the thread holds one lock: its own chain is looked up then). */
static inline const struct rt_chain *learn_edges(struct rt_thread *t, struct rt_lock *l,
                                                 const struct rt_sync_call *c, rt_stack_id stack)
{
    struct rt_held *top = &t->held[t->nheld - 1];
    const struct rt_chain *parent = top->chain, *got;
    unsigned flags = rt_chain_flags(c->write, c->trylock);
    if (!parent && t->nheld == 1 && top->lock != l && rt_held_is_live(top)) {
        unsigned tflags = rt_chain_flags(top->write, top->trylock);
        got = *cached_chain(t, NULL, top->lock, tflags);
        if (got && rt_chain_is(got, NULL, top->lock, tflags))
            parent = top->chain = got;
    }
    got = *cached_chain(t, parent, l, flags);
    if (__builtin_expect(parent && got && rt_chain_is(got, parent, l, flags) &&
                             atomic_load_explicit(&got->acquired, memory_order_relaxed),
                         1))
        return got;
    return learn_edges_slow(t, l, c, stack);
}

void on_lock_acquired(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_lock *l = lookup(t, c);
    struct rt_held *h;
    const struct rt_chain *chain = NULL;
    rt_stack_id stack;

    if (rt_hb_enabled) /* no instrumented code: nothing to order */
        on_sync_call_acquired(t, c); /* happens-before: the last release -> now */
    clear_waiting(t);
    if (c->kind == RT_MUTEX && l->type == RT_TYPE_RECURSIVE &&
        atomic_load_explicit(&l->owner, memory_order_relaxed) == t->id + 1) {
        l->depth++;
        return;
    }
    stack = rt_sync_call_stack(t, c);
    if (t->nheld > 0 && rt_options.report_lock_order)
        chain = learn_edges(t, l, c, stack);
    h = rt_held_push(t);
    h->chain = chain;
    h->lock = l;
    h->lock_id = l->id;
    h->serial = l->serial;
    h->stack = stack;
    h->write = c->write;
    h->trylock = c->trylock;
    t->held_sig += rt_held_key(l->id, c->write);
    if (c->write) {
        atomic_store_explicit(&l->owner, t->id + 1, memory_order_relaxed);
        l->depth = 1;
        l->acq_stack = stack;
    } else {
        atomic_fetch_add_explicit(&l->readers, 1, memory_order_relaxed);
    }
}

void on_lock_not_acquired(struct rt_thread *t, const struct rt_sync_call *c)
{
    (void)c;
    clear_waiting(t);
}

/* ---- release ------------------------------------------------------------------- */

static void unlock_not_held(struct rt_thread *t, struct rt_lock *l, const struct rt_sync_call *c)
{
    char summary[256];
    struct rt_role_stack stacks[2];
    struct rt_thread *threads[2] = {t, NULL};
    int nstacks = 0, nthreads = 1;
    int owner = atomic_load_explicit(&l->owner, memory_order_relaxed) - 1;
    struct rt_thread *o = owner >= 0 ? rt_thread_by_id(owner) : NULL;

    stacks[nstacks++] = (struct rt_role_stack){"unlock", t->id, rt_stack_capture()};
    if (o && l->acq_stack != RT_NO_STACK) {
        snprintf(summary, sizeof summary,
                 "{thread:%d} unlocks {lock:%llu}, which is held by {thread:%d}", t->id,
                 (unsigned long long)l->id, o->id);
        stacks[nstacks++] = (struct rt_role_stack){"the owner's acquisition", o->id, l->acq_stack};
        threads[nthreads++] = o;
    } else if (atomic_load_explicit(&l->readers, memory_order_relaxed) > 0) {
        snprintf(summary, sizeof summary,
                 "{thread:%d} unlocks {lock:%llu}, which other threads hold for reading, not it",
                 t->id, (unsigned long long)l->id);
    } else {
        snprintf(summary, sizeof summary,
                 "{thread:%d} unlocks {lock:%llu}, which is not locked (%s)", t->id,
                 (unsigned long long)l->id,
                 l->acq_stack == RT_NO_STACK ? "never locked" : "already unlocked");
    }
    if (rt_options.report_lock_misuse)
        rt_finding_emit("unlock_not_held", summary, threads, nthreads, &l, 1, stacks, nstacks, NULL);
}

static __attribute__((noinline)) void release_slow(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_lock *l = lookup(t, c);
    int owner = atomic_load_explicit(&l->owner, memory_order_relaxed);
    int want = c->kind == RT_RWLOCK ? (owner == t->id + 1 ? 1 : 0) : 1;
    int i = find_held(t, l, want);
    struct rt_held *h;

    if (i < 0) {
        if (c->owner_probe && c->owner_probe(c->addr) == 1) {
            /* taken before racedet was watching: nothing to say */
            atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
            return;
        }
        unlock_not_held(t, l, c);
        /* glibc lets a plain mutex be unlocked by anyone; error-checking and
         * recursive ones refuse (EPERM) and stay with their owner */
        if (owner != 0 && (c->kind != RT_MUTEX || l->type == RT_TYPE_NORMAL ||
                           l->type == RT_TYPE_ADAPTIVE)) {
            atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
            l->serial++; /* the owner's held entry is now stale */
            l->acq_stack = RT_NO_STACK;
        }
        return;
    }
    h = &t->held[i];
    if (h->write && c->kind == RT_MUTEX && l->type == RT_TYPE_RECURSIVE && l->depth > 1) {
        l->depth--;
        return;
    }
    t->held_sig -= rt_held_key(h->lock_id, h->write);
    if (h->write) {
        l->depth = 0;
        atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
    } else {
        atomic_fetch_sub_explicit(&l->readers, 1, memory_order_relaxed);
    }
    rt_held_remove(t, (unsigned)i);
}

void on_lock_release(struct rt_thread *t, const struct rt_sync_call *c)
{
    if (rt_hb_enabled)
        on_sync_call_release(t, c); /* happens-before: now -> the next acquisition */
    /* the lock released is almost always the newest one held, exclusively
     * and not recursively */
    if (__builtin_expect(t->nheld > 0, 1)) {
        struct rt_held *h = &t->held[t->nheld - 1];
        struct rt_lock *l = h->lock;
        if (l->addr == c->addr && rt_held_is_live(h) && h->write &&
            !(l->type == RT_TYPE_RECURSIVE && l->depth > 1)) {
            t->held_sig -= rt_held_key(h->lock_id, true);
            l->depth = 0;
            atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
            t->nheld--;
            return;
        }
    }
    release_slow(t, c);
}

/* ---- life of the object ---------------------------------------------------------- */

void on_lock_init(struct rt_thread *t, const struct rt_sync_call *c)
{
    (void)t;
    rt_lock_create(c->addr, c->kind, c->type, RT_NO_STACK);
    /* stale per-thread cache entries are caught by the live/addr check */
}

void on_lock_destroy(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_lock *l = rt_lock_find(c->addr);
    char summary[256];
    struct rt_role_stack stacks[2];
    struct rt_thread *threads[2] = {t, NULL};
    int nstacks = 0, nthreads = 1;
    int owner, readers, waiters;

    if (!l || !rt_options.report_lock_misuse)
        return;
    owner = atomic_load_explicit(&l->owner, memory_order_relaxed) - 1;
    readers = atomic_load_explicit(&l->readers, memory_order_relaxed);
    waiters = atomic_load_explicit(&l->waiters, memory_order_relaxed);
    if (owner < 0 && readers == 0 && waiters == 0)
        return;
    stacks[nstacks++] = (struct rt_role_stack){"destroy", t->id, rt_stack_capture()};
    if (owner >= 0) {
        struct rt_thread *o = rt_thread_by_id(owner);
        snprintf(summary, sizeof summary, "{thread:%d} destroys {lock:%llu} while {thread:%d} holds it",
                 t->id, (unsigned long long)l->id, owner);
        if (o && l->acq_stack != RT_NO_STACK) {
            stacks[nstacks++] = (struct rt_role_stack){"the holder's acquisition", owner, l->acq_stack};
            if (o != t)
                threads[nthreads++] = o;
        }
    } else if (readers > 0) {
        snprintf(summary, sizeof summary, "{thread:%d} destroys {lock:%llu} while %d reader(s) hold it",
                 t->id, (unsigned long long)l->id, readers);
    } else {
        snprintf(summary, sizeof summary,
                 "{thread:%d} destroys {lock:%llu} while %d thread(s) wait on it", t->id,
                 (unsigned long long)l->id, waiters);
    }
    rt_finding_emit("destroy_locked", summary, threads, nthreads, &l, 1, stacks, nstacks, NULL);
}

void on_lock_destroyed(struct rt_thread *t, const struct rt_sync_call *c, bool ok)
{
    struct rt_lock *l;
    (void)t;
    if (!ok)
        return; /* EBUSY: it lives on */
    l = rt_lock_find(c->addr);
    if (l)
        rt_lock_forget(l);
}

/* ---- condition variables ----------------------------------------------------------- */

void on_cond_wait(struct rt_thread *t, const struct rt_sync_call *cond, const struct rt_sync_call *mutex)
{
    struct rt_lock *cv = lookup(t, cond);
    struct rt_lock *m = lookup(t, mutex);
    int i = find_held(t, m, 1);

    atomic_fetch_add_explicit(&cv->waiters, 1, memory_order_relaxed);
    if (i < 0) {
        char summary[256];
        struct rt_lock *locks[2] = {cv, m};
        struct rt_role_stack stacks[1] = {{"the wait", t->id, rt_stack_capture()}};
        snprintf(summary, sizeof summary,
                 "{thread:%d} waits on {lock:%llu} with {lock:%llu}, which it does not hold", t->id,
                 (unsigned long long)cv->id, (unsigned long long)m->id);
        if (rt_options.report_lock_misuse)
            rt_finding_emit("cond_wait_unheld", summary, &t, 1, locks, 2, stacks, 1, NULL);
        return;
    }
    /* the wait releases the mutex, whatever its recursion depth */
    struct rt_held *h = &t->held[i];
    t->held_sig -= rt_held_key(h->lock_id, true);
    m->depth = 0;
    atomic_store_explicit(&m->owner, 0, memory_order_relaxed);
    rt_held_remove(t, (unsigned)i);
    /* still holding another lock: a blocking call under it (nested monitor) */
    t->cond_wait_since_ns = t->nheld ? on_blocking_begin(t) : 0;
}

void on_cond_woken(struct rt_thread *t, const struct rt_sync_call *cond, const struct rt_sync_call *mutex)
{
    struct rt_lock *cv = lookup(t, cond);
    atomic_fetch_sub_explicit(&cv->waiters, 1, memory_order_relaxed);
    if (t->cond_wait_since_ns) {
        on_blocking_end(t, t->cond_wait_since_ns, "pthread_cond_wait", cond->pc);
        t->cond_wait_since_ns = 0;
    }
    on_lock_acquired(t, mutex);
}

void on_memory_freed(uintptr_t addr, uintptr_t size)
{
    rt_lock_forget_range(addr, addr + size);
    rt_sync_forget_range(addr, addr + size);
}
