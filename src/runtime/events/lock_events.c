/*
 * lock_events: what happens when the program locks, unlocks, initialises
 * and destroys mutexes, rwlocks, spinlocks and condition variables, and
 * frees the memory they are in. Keeps each thread's held set and each
 * lock's owner, learns lock-order edges, and reports the misuses of
 * DESIGN.md §2 (self_deadlock, unlock_not_held, destroy_locked,
 * cond_wait_unheld; sync_misuse for a lock used after it was destroyed or
 * its memory freed, re-initialised while in use or without a destroy since
 * its last initialisation, or given a deadline the call rejects).
 */
#include "events.h"
#include "lock_fast.h"
#include "core/core.h"
#include "races/races.h"
#include "lock_order/lock_order.h"
#include "deadlock/deadlock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- helpers ---------------------------------------------------------------- */

static struct rt_lock *lookup_slow(struct rt_thread *t, const struct rt_sync_call *c,
                                   const char *verb);

/* The lock a call is about: from the call itself when an earlier event of
 * the same call found it, else the thread's cache, else the registry.
 * `verb` says what the call does to it ("locks"), for a report of a use
 * of a lock that is gone. */
static inline struct rt_lock *lookup(struct rt_thread *t, const struct rt_sync_call *c,
                                     const char *verb)
{
    struct rt_sync_call *mc = (struct rt_sync_call *)c;
    unsigned slot;
    struct rt_lock *l = c->lock;
    if (l && l->addr == c->addr && atomic_load_explicit(&l->live, memory_order_relaxed))
        return l;
    slot = rt_lock_cache_slot(c->addr);
    struct rt_thread_caches *cache = rt_thread_caches(t);
    l = cache->locks[slot].lock;
    if (!(l && cache->locks[slot].addr == c->addr && l->addr == c->addr &&
          atomic_load_explicit(&l->live, memory_order_relaxed))) {
        l = lookup_slow(t, c, verb);
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

/* ---- locks that are gone ------------------------------------------------------- */

/* A call on a lock that is gone: the object says it was destroyed (a
 * glibc mutex; every such call is checked), or the registry had no live
 * lock at the address, which held a lock whose memory was freed and not
 * allocated since (the first call after the free is checked: the lock
 * registered then is found by the next ones). sync_misuse. */
static void use_of_gone(struct rt_thread *t, struct rt_lock *l, const struct rt_sync_call *c,
                        const char *verb)
{
    bool again = strcmp(verb, "destroys") == 0;
    struct rt_gone_lock g;
    bool known = rt_gone_find(c->addr, &g);
    char summary[256];
    struct rt_role_stack stacks[2];
    struct rt_thread *threads[2] = {t, NULL};
    int nstacks = 0, nthreads = 1;
    const char *what;

    if (known && g.how == RT_GONE_FREED)
        what = "whose memory was freed";
    else if (c->destroyed)
        what = !known ? "which is destroyed or was never initialised"
               : again ? "which was already destroyed"
               : g.thread == t->id ? "which it destroyed" : "which another thread destroyed";
    else {
        /* destroyed, then made again by a static initialiser: a new lock */
        if (known)
            rt_gone_forget(c->addr, c->addr + 1);
        return;
    }
    if (known)
        rt_gone_mark_used(c->addr);
    ((struct rt_sync_call *)c)->gone = true; /* nothing more to say of this call */
    if (!rt_options.report_lock_misuse)
        return;
    snprintf(summary, sizeof summary, "{thread:%d} %s {lock:%llu}, %s", t->id, verb,
             (unsigned long long)l->id, what);
    stacks[nstacks++] = (struct rt_role_stack){"the misuse", t->id, rt_stack_capture()};
    if (known && g.stack != RT_NO_STACK) {
        struct rt_thread *gt = rt_thread_by_id(g.thread);
        stacks[nstacks++] = (struct rt_role_stack){
            g.how == RT_GONE_FREED ? "its memory was freed here" : "it was destroyed here",
            g.thread, g.stack};
        if (gt && gt != t)
            threads[nthreads++] = gt;
    }
    rt_finding_emit("sync_misuse", summary, threads, nthreads, &l, 1, stacks, nstacks, NULL);
}

static __attribute__((noinline)) struct rt_lock *lookup_slow(struct rt_thread *t,
                                                             const struct rt_sync_call *c,
                                                             const char *verb)
{
    struct rt_lock *l = rt_lock_find(c->addr);
    if (!l) {
        l = rt_lock_get(c->addr, c->kind, c->destroyed ? RT_TYPE_NONE : c->type);
        if (__builtin_expect(!c->destroyed && rt_gone_maybe(c->addr, c->addr + 1), 0))
            use_of_gone(t, l, c, verb); /* (destroyed: the event checks it) */
    }
    if (c->robust)
        rt_lock_more(l)->robust = true;
    return l;
}

/* Is l in use (held, read-held, or a condition with blocked waiters)? Then
 * report `kind`: "{thread} VERB {lock} while ...", with the holder's
 * acquisition. */
static bool in_use(struct rt_thread *t, struct rt_lock *l, const char *kind, const char *verb,
                   const char *role)
{
    char summary[256];
    struct rt_role_stack stacks[2];
    struct rt_thread *threads[2] = {t, NULL};
    int nstacks = 0, nthreads = 1;
    int owner = atomic_load_explicit(&l->owner, memory_order_relaxed) - 1;
    int readers = atomic_load_explicit(&l->readers, memory_order_relaxed);
    struct rt_lock_more *more = rt_lock_more_if(l);
    int waiters = l->kind == RT_COND && more
                      ? (int)RT_COND_BLOCKED(atomic_load_explicit(&more->waiters, memory_order_relaxed))
                      : 0;

    if (owner < 0 && readers == 0 && waiters == 0)
        return false;
    if (!rt_options.report_lock_misuse)
        return true;
    stacks[nstacks++] = (struct rt_role_stack){role, t->id, rt_stack_capture()};
    if (owner >= 0) {
        struct rt_thread *o = rt_thread_by_id(owner);
        if (owner == t->id)
            snprintf(summary, sizeof summary, "{thread:%d} %s {lock:%llu} while it holds it itself",
                     t->id, verb, (unsigned long long)l->id);
        else
            snprintf(summary, sizeof summary, "{thread:%d} %s {lock:%llu} while {thread:%d} holds it",
                     t->id, verb, (unsigned long long)l->id, owner);
        if (o && l->acq_stack != RT_NO_STACK) {
            stacks[nstacks++] = (struct rt_role_stack){"the holder's acquisition", owner, l->acq_stack};
            if (o != t)
                threads[nthreads++] = o;
        }
    } else if (readers > 0) {
        snprintf(summary, sizeof summary, "{thread:%d} %s {lock:%llu} while %d reader(s) hold it",
                 t->id, verb, (unsigned long long)l->id, readers);
    } else {
        snprintf(summary, sizeof summary, "{thread:%d} %s {lock:%llu} while %d thread(s) wait on it",
                 t->id, verb, (unsigned long long)l->id, waiters);
    }
    rt_finding_emit(kind, summary, threads, nthreads, &l, 1, stacks, nstacks, NULL);
    return true;
}

/* ---- who wants a lock ------------------------------------------------------------ */

static __attribute__((noinline)) void note_user_slow(struct rt_thread *t, struct rt_lock *l, int u)
{
    if (u == 0 && atomic_compare_exchange_strong_explicit(&l->user, &u, t->id + 1,
                                                          memory_order_relaxed,
                                                          memory_order_relaxed))
        return; /* the first */
    while (u != RT_LOCK_SHARED && u != t->id + 1) {
        if (atomic_compare_exchange_weak_explicit(&l->user, &u, RT_LOCK_SHARED,
                                                  memory_order_seq_cst, memory_order_relaxed)) {
            on_lock_shared(l); /* a second thread: blocking calls under it count */
            return;
        }
    }
}

/* t acquires or waits for l: l becomes shared when t is not its first
 * user. One load when nothing changes. */
static inline void note_user(struct rt_thread *t, struct rt_lock *l)
{
    int u = atomic_load_explicit(&l->user, memory_order_relaxed);
    if (__builtin_expect(u != t->id + 1 && u != RT_LOCK_SHARED, 0))
        note_user_slow(t, l, u);
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
    const char *verb = c->trylock ? "try-locks" : c->write ? "locks" : "read-locks";
    struct rt_lock *l = lookup(t, c, verb);
    int i;

    if (__builtin_expect(c->destroyed, 0)) {
        use_of_gone(t, l, c, verb);
        return RT_PROCEED; /* glibc: EINVAL */
    }
    note_user(t, l);
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

const struct rt_chain *rt_chain_known_slow(struct rt_thread_caches *cache,
                                           const struct rt_chain *parent,
                                           const struct rt_lock *l, unsigned flags)
{
    const struct rt_chain *got = rt_chain_find(parent, l, flags);
    if (!got || !atomic_load_explicit(&got->acquired, memory_order_acquire))
        return NULL;
    *rt_chain_cache_missed(cache, rt_chain_cache_hash(parent, l, flags)) = got;
    return got;
}

/* A miss of the thread's chain cache for parent + l: the entry to fill
 * (the cache may grow). */
static const struct rt_chain **chain_missed(struct rt_thread *t, const struct rt_chain *parent,
                                            const struct rt_lock *l, unsigned flags)
{
    return rt_chain_cache_missed(rt_thread_caches(t), rt_chain_cache_hash(parent, l, flags));
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
    struct rt_held *top = &t->held[t->nheld - 1];

    /* the top entry's chain is the held stack's, as the fast path takes it,
     * when l is in it nowhere (no one holds l): then no walk over a deep
     * stack for each new chain (a program locking thousands of locks
     * nested would pay for the depth at every lock) */
    if (top->chain && top->lock != l && rt_held_is_live(top) &&
        atomic_load_explicit(&l->owner, memory_order_relaxed) != t->id + 1 &&
        atomic_load_explicit(&l->readers, memory_order_relaxed) == 0) {
        parent = top->chain;
        goto known;
    }
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
        entry = rt_chain_cached(rt_thread_caches(t), parent, h->lock, hflags);
        if (!(*entry && rt_chain_is(*entry, parent, h->lock, hflags))) {
            entry = chain_missed(t, parent, h->lock, hflags);
            *entry = rt_chain_path(parent, t, h->lock, hflags, h->stack);
        }
        parent = *entry;
        if (exact)
            h->chain = parent;
    }
    if (!parent)
        return NULL; /* nothing live held */
known:
    got = rt_graph_acquired(parent, t, l, flags, stack);
    if (!exact)
        return NULL;
    *chain_missed(t, parent, l, flags) = got;
    return got;
}

/* Learn the edges held -> l, once per chain (held stack + l) in the whole
 * process; a chain this thread met before costs one probe of its cache
 * (two when the thread holds one lock: its own chain is looked up then). */
static inline const struct rt_chain *learn_edges(struct rt_thread *t, struct rt_lock *l,
                                                 const struct rt_sync_call *c, rt_stack_id stack)
{
    struct rt_thread_caches *cache = rt_thread_caches(t);
    unsigned flags = rt_chain_flags(c->write, c->trylock);
    const struct rt_chain *got = rt_chain_known(cache, rt_held_chain(t, cache, l), l, flags);
    if (__builtin_expect(got != NULL, 1))
        return got;
    return learn_edges_slow(t, l, c, stack);
}

void on_lock_acquired(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_lock *l = lookup(t, c, c->write ? "locks" : "read-locks");
    struct rt_held *h;
    const struct rt_chain *chain = NULL;
    rt_stack_id stack;

    if (rt_hb_enabled) { /* no instrumented code: nothing to order */
        on_sync_memory(t, c, false);
        on_sync_call_acquired(t, c); /* happens-before: the last release -> now */
    }
    clear_waiting(t);
    if (c->kind == RT_MUTEX && l->type == RT_TYPE_RECURSIVE &&
        atomic_load_explicit(&l->owner, memory_order_relaxed) == t->id + 1) {
        l->depth++;
        return;
    }
    note_user(t, l);
    stack = rt_sync_call_stack(t, c);
    if (t->nheld > 0 && rt_options.report_lock_order) {
        if (__builtin_expect(c->timed, 0)) {
            /* a timed acquisition is a back-off, like a trylock: had it met
             * the cycle it would have timed out, so its edges cannot close
             * a deadlock (README "Timed locks back off", docs/design.md §7) */
            struct rt_sync_call backoff = *c;
            backoff.trylock = true;
            chain = learn_edges(t, l, &backoff, stack);
        } else {
            chain = learn_edges(t, l, c, stack);
        }
    }
    h = rt_held_push(t);
    h->chain = chain;
    h->lock = l;
    h->lock_id = l->id;
    h->serial = l->serial;
    h->stack = stack;
    h->write = c->write;
    h->trylock = c->trylock;
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
    struct rt_lock *l = lookup(t, c, "unlocks");
    int owner = atomic_load_explicit(&l->owner, memory_order_relaxed);
    int want = c->kind == RT_RWLOCK ? (owner == t->id + 1 ? 1 : 0) : 1;
    int i = find_held(t, l, want);
    struct rt_held *h;

    if (i < 0) {
        if (c->destroyed)
            use_of_gone(t, l, c, "unlocks");
        if (c->gone)
            return; /* a use of a lock that is gone: sync_misuse */
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
    if (rt_hb_enabled) /* (the acquisition's read of the lock covers the unlock) */
        on_sync_call_release(t, c); /* happens-before: now -> the next acquisition */
    /* the lock released is almost always the newest one held, exclusively
     * and not recursively */
    if (__builtin_expect(rt_release_top(t, c->addr), 1))
        return;
    release_slow(t, c);
}

/* ---- life of the object ---------------------------------------------------------- */

/* l, idle, is initialised again: sync_misuse when an init call made it
 * (not a static initialiser, whose later init is the usual way to set a
 * type) and it is not on the caller's stack (where the frame that made it
 * may have returned without destroying it, and this is a new object). */
static void init_of_live(struct rt_thread *t, struct rt_lock *l, const struct rt_sync_call *c)
{
    char summary[256];
    struct rt_role_stack stacks[2] = {
        {"the re-initialisation", t->id, RT_NO_STACK},
        {"the first initialisation", l->init_thread, l->init_stack},
    };
    struct rt_thread *threads[2] = {t, rt_thread_by_id(l->init_thread)};
    int nthreads = threads[1] && threads[1] != t ? 2 : 1;

    if (l->init_stack == RT_NO_STACK || rt_stack_is_own(c->addr) || !rt_options.report_lock_misuse)
        return;
    stacks[0].stack = rt_stack_capture();
    snprintf(summary, sizeof summary,
             "{thread:%d} re-initialises {lock:%llu}, which was initialised and never destroyed",
             t->id, (unsigned long long)l->id);
    rt_finding_emit("sync_misuse", summary, threads, nthreads, &l, 1, stacks, 2, NULL);
}

void on_lock_init_begin(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_lock *l;
    if (c->destroyed)
        return; /* destroyed: initialising it again is how it is reused */
    l = rt_lock_find(c->addr);
    if (l && !in_use(t, l, "sync_misuse", "re-initialises", "the re-initialisation"))
        init_of_live(t, l, c);
}

void on_lock_init(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_lock *l;
    if (rt_hb_enabled)
        on_sync_memory(t, c, true);
    rt_gone_forget(c->addr, c->addr + 1); /* a new object there */
    l = rt_lock_create(c->addr, c->kind, c->type, rt_sync_call_stack(t, c));
    l->init_thread = t->id;
    if (c->robust)
        rt_lock_more(l)->robust = true;
    /* stale per-thread cache entries are caught by the live/addr check */
}

void on_lock_destroy(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_lock *l = rt_lock_find(c->addr);

    if (rt_hb_enabled)
        on_sync_memory(t, c, true);
    if (c->destroyed) {
        use_of_gone(t, lookup(t, c, "destroys"), c, "destroys"); /* destroyed twice */
        return;
    }
    if (!l) {
        if (rt_gone_maybe(c->addr, c->addr + 1))
            lookup(t, c, "destroys"); /* its memory was freed */
        return;
    }
    in_use(t, l, "destroy_locked", "destroys", "destroy");
}

void on_lock_destroyed(struct rt_thread *t, const struct rt_sync_call *c, bool ok)
{
    struct rt_lock *l;
    if (!ok)
        return; /* EBUSY: it lives on */
    l = rt_lock_find(c->addr);
    if (l)
        rt_lock_forget(l);
    if (c->kind == RT_MUTEX) /* its use after this is told by the object itself */
        rt_gone_set(&(struct rt_gone_lock){.addr = c->addr, .kind = RT_MUTEX,
                                           .how = RT_GONE_DESTROYED, .thread = t->id,
                                           .stack = rt_sync_call_stack(t, c)});
}

/* ---- condition variables ----------------------------------------------------------- */

/* A wait on cv with m begins while `inside` waits (blocked or woken, not
 * returned) are in it: the first binds cv to m, a later one with another
 * mutex is sync_misuse (POSIX: undefined). Waits with the same mutex are
 * ordered by it, so its binding is always seen; only waits with two
 * mutexes at once can meet a stale one. */
static void bind_cond(struct rt_thread *t, struct rt_lock *cv, struct rt_lock *m, uint64_t inside)
{
    struct rt_lock_more *more = rt_lock_more(cv);
    uintptr_t bound = atomic_load_explicit(&more->bound_mutex, memory_order_relaxed);
    char summary[256], other[64];
    struct rt_lock *locks[3] = {cv, m, NULL};
    struct rt_role_stack stacks[1];

    if (RT_COND_BLOCKED(inside) + RT_COND_WOKEN(inside) == 0 || bound == 0) {
        atomic_store_explicit(&more->bound_mutex, m->addr, memory_order_relaxed);
        return;
    }
    if (bound == m->addr || !rt_options.report_lock_misuse)
        return;
    locks[2] = rt_lock_find(bound);
    if (locks[2])
        snprintf(other, sizeof other, "{lock:%llu}", (unsigned long long)locks[2]->id);
    else
        snprintf(other, sizeof other, "mutex 0x%lx", (unsigned long)bound);
    snprintf(summary, sizeof summary,
             "{thread:%d} waits on {lock:%llu} with {lock:%llu} while other waits on it use %s "
             "(one mutex per condition at a time)",
             t->id, (unsigned long long)cv->id, (unsigned long long)m->id, other);
    stacks[0] = (struct rt_role_stack){"the wait", t->id, rt_stack_capture()};
    rt_finding_emit("sync_misuse", summary, &t, 1, locks, locks[2] ? 3 : 2, stacks, 1, NULL);
}

void on_cond_wait(struct rt_thread *t, const struct rt_sync_call *cond, const struct rt_sync_call *mutex)
{
    struct rt_lock *cv = lookup(t, cond, "waits on");
    struct rt_lock *m = lookup(t, mutex, "waits with");
    int i = find_held(t, m, 1);

    if (rt_hb_enabled)
        on_sync_memory(t, cond, false);
    bind_cond(t, cv, m, atomic_fetch_add_explicit(&rt_lock_more(cv)->waiters, 1, memory_order_relaxed));
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
    m->depth = 0;
    atomic_store_explicit(&m->owner, 0, memory_order_relaxed);
    rt_held_remove(t, (unsigned)i);
    /* still holding another lock: a blocking call under it (nested monitor) */
    t->cond_wait_since_ns = t->nheld ? on_blocking_begin(t) : 0;
}

/* A signal wakes one of the threads blocked on the condition, a broadcast
 * all of them: they are no longer blocked on it (only re-acquiring the
 * mutex; POSIX lets the condition be destroyed then). Which one a signal
 * wakes is glibc's choice: only the counts are kept. A thread that had
 * begun its wait (on_cond_wait) but not yet entered glibc's may be counted
 * woken though glibc does not wake it: then a destroy is not reported,
 * never the other way round. */
void on_cond_signal(struct rt_thread *t, const struct rt_sync_call *cond, bool broadcast)
{
    struct rt_lock *cv = lookup(t, cond, broadcast ? "broadcasts" : "signals");
    struct rt_lock_more *more = rt_lock_more_if(cv);
    uint64_t w = more ? atomic_load_explicit(&more->waiters, memory_order_relaxed) : 0, n;
    if (rt_hb_enabled)
        on_sync_memory(t, cond, false);
    do {
        uint64_t blocked = RT_COND_BLOCKED(w), wake = broadcast ? blocked : blocked > 0;
        if (wake == 0)
            return;
        n = w - wake + wake * RT_COND_ONE_WOKEN;
    } while (!atomic_compare_exchange_weak_explicit(&more->waiters, &w, n, memory_order_relaxed,
                                                    memory_order_relaxed));
}

/* The wait returned: woken (0) it was one of the woken threads if any is
 * left, else blocked; else (a timeout, an error) one of the blocked if any
 * is left. Either way the count that stays is the one that can only be
 * too small. */
void on_cond_returned(struct rt_thread *t, const struct rt_sync_call *cond,
                      const struct rt_sync_call *mutex, bool woken)
{
    struct rt_lock *cv = lookup(t, cond, "waits on");
    struct rt_lock_more *more = rt_lock_more(cv);
    uint64_t w = atomic_load_explicit(&more->waiters, memory_order_relaxed), n;
    do {
        bool from_woken = woken ? RT_COND_WOKEN(w) > 0 : RT_COND_BLOCKED(w) == 0;
        if (w == 0)
            break;
        n = from_woken ? w - RT_COND_ONE_WOKEN : w - 1;
    } while (!atomic_compare_exchange_weak_explicit(&more->waiters, &w, n, memory_order_relaxed,
                                                    memory_order_relaxed));
    if (t->cond_wait_since_ns) {
        on_blocking_end(t, t->cond_wait_since_ns, "pthread_cond_wait", cond->pc);
        t->cond_wait_since_ns = 0;
    }
    on_lock_acquired(t, mutex);
}

void on_cond_woken(struct rt_thread *t, const struct rt_sync_call *cond, const struct rt_sync_call *mutex)
{
    on_cond_returned(t, cond, mutex, true);
}

void on_memory_freed(uintptr_t addr, uintptr_t size)
{
    rt_lock_forget_range(addr, addr + size);
    rt_sync_forget_range(addr, addr + size);
}

/* ---- arguments the call rejects ------------------------------------------------------ */

void on_timed_wait(struct rt_thread *t, const struct rt_sync_call *c, const char *call,
                   const struct timespec *deadline)
{
    char summary[256], name[64];
    struct rt_lock *l;
    struct rt_role_stack stacks[1];

    if (!deadline || (deadline->tv_nsec >= 0 && deadline->tv_nsec < 1000000000L) ||
        !rt_options.report_lock_misuse)
        return;
    /* semaphores are sync_events' objects: named when they are known */
    l = c->kind == RT_SEM || c->kind == RT_BARRIER ? rt_lock_find(c->addr)
                                                   : lookup(t, c, "waits on");
    if (l)
        snprintf(name, sizeof name, "{lock:%llu}", (unsigned long long)l->id);
    else
        snprintf(name, sizeof name, "semaphore 0x%lx", (unsigned long)c->addr);
    snprintf(summary, sizeof summary,
             "{thread:%d} calls %s on %s with a deadline whose tv_nsec is %ld, not in "
             "0..999999999: the call fails with EINVAL%s",
             t->id, call, name, (long)deadline->tv_nsec,
             c->kind == RT_MUTEX ? " whenever it has to wait" : "");
    stacks[0] = (struct rt_role_stack){"the call", t->id, rt_stack_capture()};
    rt_finding_emit("sync_misuse", summary, &t, 1, &l, l ? 1 : 0, stacks, 1, NULL);
}

/* ---- the program's heap ---------------------------------------------------------------- */

struct heap_free {
    struct rt_thread *t;
    rt_stack_id stack;            /* of the free, captured at the first lock met */
    bool unmapped;                /* the block's own mapping goes: remember nothing */
};

/* A lock in a block being freed: checked, remembered as freed, forgotten. */
static void lock_freed(struct rt_lock *l, void *arg)
{
    struct heap_free *f = arg;
    if (l->kind == RT_MUTEX || l->kind == RT_RWLOCK || l->kind == RT_SPIN || l->kind == RT_COND) {
        /* (semaphores and barriers: sync_events) */
        in_use(f->t, l, "destroy_locked", "frees the memory of", "the free");
        if (f->unmapped)
            goto forget;
        if (f->stack == RT_NO_STACK)
            f->stack = rt_stack_capture();
        rt_gone_set(&(struct rt_gone_lock){.addr = l->addr, .kind = l->kind,
                                           .how = RT_GONE_FREED, .thread = f->t->id,
                                           .stack = f->stack});
    }
forget:
    rt_lock_forget(l);
}

void on_heap_freed(struct rt_thread *t, uintptr_t addr, uintptr_t size, bool unmapped)
{
    struct heap_free f = {t, RT_NO_STACK, unmapped};
    rt_lock_each_in_range(addr, addr + size, lock_freed, &f); /* and forgets them */
    if (unmapped)
        rt_gone_forget(addr, addr + size);
    else if (rt_gone_maybe(addr, addr + size)) {
        /* destroyed before: their memory is gone now too */
        if (f.stack == RT_NO_STACK)
            f.stack = rt_stack_capture();
        rt_gone_freed(addr, addr + size, t->id, f.stack);
    }
    rt_sync_forget_range(addr, addr + size);
}

void on_memory_allocated_slow(uintptr_t addr, uintptr_t size)
{
    rt_gone_forget(addr, addr + size);
}
