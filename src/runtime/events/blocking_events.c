/*
 * blocking_events: blocking calls made while holding a lock
 * (blocking_under_lock), and pthread_join as a wait on a thread for the
 * deadlock watchdog.
 *
 * A blocking call is timed only when the calling thread holds a live lock,
 * so the common case (no lock held) costs the interceptor one check and
 * nothing here. Each call site (return address) is reported once.
 *
 * Only a lock some other thread wants makes a blocking call under it
 * matter: one that a single thread ever uses stalls nobody. A lock is
 * *shared* once a second thread has acquired or waited for it
 * (rt_lock.user, kept by lock_events). A long call made holding only locks
 * that are not shared yet is kept as a *candidate*, and reported the
 * moment one of them becomes shared (on_lock_shared, on the thread that
 * shares it): then it is true, and the finding is written at once, as
 * every finding is, so it survives whatever the program does next. A lock
 * that is never shared keeps its candidates silent.
 */
#include "events.h"
#include "core/core.h"
#include "deadlock/deadlock.h"
#include "races/races.h"

#include <stdio.h>
#include <string.h>

/* Call sites already reported (by pc). Any thread, under sites_lock. */
struct site {
    UT_hash_handle hh;
    uintptr_t pc;
};

/* One lock held during a blocking call. */
struct held_lock {
    struct rt_lock *lock;
    uint64_t id;                  /* the lock's id then: a later one is another lock */
    rt_stack_id stack;            /* where it was acquired */
};

/* A long blocking call under locks that were not shared yet. Under
 * sites_lock; freed when reported or when its site was. */
struct candidate {
    struct candidate *next;
    uintptr_t pc;
    int thread;
    const char *call;             /* a string literal of the interceptor */
    uint64_t ms;
    rt_stack_id stack;            /* of the call */
    unsigned n;
    struct held_lock held[];
};

static rt_spin_t sites_lock = RT_SPIN_INIT;
static struct site *sites;
static struct candidate *candidates;
static atomic_uint ncandidates;

static unsigned live_held(const struct rt_thread *t)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->nheld; i++)
        n += rt_held_is_live(&t->held[i]);
    return n;
}

uint64_t on_blocking_begin(struct rt_thread *t)
{
    on_hb_thread_pauses(t);
    if (rt_options.blocking_threshold_ms < 0 || live_held(t) == 0)
        return 0;
    return rt_now_ns();
}

/* Has this call site been reported? Under sites_lock. */
static bool reported_locked(uintptr_t pc)
{
    struct site *s;
    HASH_FIND(hh, sites, &pc, sizeof pc, s);
    return s != NULL;
}

static void mark_reported_locked(uintptr_t pc)
{
    struct site *s = rt_alloc(sizeof *s);
    s->pc = pc;
    HASH_ADD(hh, sites, pc, sizeof s->pc, s);
}

static bool is_shared(const struct held_lock *h)
{
    return rt_lock_is_shared(h->lock, h->id);
}

/* Write the finding: the call, and the held locks that are shared. */
static void report(struct rt_thread *t, const char *call, uint64_t ms, rt_stack_id stack,
                   const struct held_lock *held, unsigned n)
{
    unsigned k = 0;
    char summary[256], details[160];
    struct rt_role_stack stacks[n + 1];
    struct rt_lock *locks[n];

    stacks[0] = (struct rt_role_stack){"the blocking call", t->id, stack};
    for (unsigned i = 0; i < n; i++) {
        if (!is_shared(&held[i]))
            continue;
        locks[k] = held[i].lock;
        stacks[++k] = (struct rt_role_stack){"lock acquired here, held during the call", t->id,
                                             held[i].stack};
    }
    if (k == 0)
        return;
    if (k == 1)
        snprintf(summary, sizeof summary, "{thread:%d} blocks %llu ms in %s while holding {lock:%llu}",
                 t->id, (unsigned long long)ms, call, (unsigned long long)locks[0]->id);
    else
        snprintf(summary, sizeof summary, "{thread:%d} blocks %llu ms in %s while holding %u locks",
                 t->id, (unsigned long long)ms, call, k);
    snprintf(details, sizeof details, "{\"call\":\"%s\",\"duration_ms\":%llu,\"threshold_ms\":%ld}",
             call, (unsigned long long)ms, rt_options.blocking_threshold_ms);
    rt_finding_emit("blocking_under_lock", summary, &t, 1, locks, (int)k, stacks, (int)k + 1,
                    details);
}

void on_blocking_end(struct rt_thread *t, uint64_t start_ns, const char *call, uintptr_t pc)
{
    uint64_t now, ms;
    unsigned n, k = 0, nshared = 0;
    bool first;

    if (!start_ns)
        return;
    now = rt_now_ns();
    ms = (now - start_ns) / 1000000ull;
    if (now - start_ns <= (uint64_t)rt_options.blocking_threshold_ms * 1000000ull)
        return;
    n = live_held(t);
    if (n == 0)
        return;
    struct held_lock held[n];
    for (unsigned i = 0; i < t->nheld && k < n; i++) {
        struct rt_held *h = &t->held[i];
        if (!rt_held_is_live(h))
            continue;
        held[k] = (struct held_lock){h->lock, h->lock_id, h->stack};
        nshared += is_shared(&held[k]);
        k++;
    }
    rt_spin_lock(&sites_lock);
    first = !reported_locked(pc);
    if (first && nshared > 0) {
        mark_reported_locked(pc);
    } else if (first) {
        /* nobody else wanted these locks yet: wait until someone does,
         * once per site and first lock */
        bool known = false;
        for (struct candidate *c = candidates; c && !known; c = c->next)
            known = c->pc == pc && c->held[0].lock == held[0].lock && c->held[0].id == held[0].id;
        if (!known) {
            struct candidate *c = rt_alloc(sizeof *c + sizeof held[0] * k);
            *c = (struct candidate){.next = candidates, .pc = pc, .thread = t->id, .call = call,
                                    .ms = ms, .stack = rt_stack_capture(), .n = k};
            memcpy(c->held, held, sizeof held[0] * k);
            candidates = c;
            atomic_fetch_add(&ncandidates, 1);
        }
    }
    rt_spin_unlock(&sites_lock);
    if (first && nshared > 0) {
        report(t, call, ms, rt_stack_capture(), held, k);
    } else if (first) {
        /* shared meanwhile, by a thread that saw no candidate yet: the
         * candidate (counted, seq_cst) or the sharing (seq_cst) is seen by
         * the other side */
        for (unsigned i = 0; i < k; i++)
            if (held[i].lock->id == held[i].id &&
                atomic_load(&held[i].lock->user) == RT_LOCK_SHARED) {
                on_lock_shared(held[i].lock);
                break;
            }
    }
}

void on_lock_shared(struct rt_lock *l)
{
    struct candidate *due = NULL, **p;
    if (atomic_load(&ncandidates) == 0) /* (seq_cst: see on_blocking_end) */
        return;
    rt_spin_lock(&sites_lock);
    for (p = &candidates; *p;) {
        struct candidate *c = *p;
        bool now = false, stale = reported_locked(c->pc);
        for (unsigned i = 0; i < c->n && !stale && !now; i++)
            now = c->held[i].lock == l && c->held[i].id == l->id;
        if (stale || now) {
            *p = c->next;
            atomic_fetch_sub(&ncandidates, 1);
            if (now && !stale) {
                mark_reported_locked(c->pc);
                c->next = due;
                due = c;
            } else {
                rt_free(c, sizeof *c + sizeof c->held[0] * c->n);
            }
            continue;
        }
        p = &c->next;
    }
    rt_spin_unlock(&sites_lock);
    while (due) {
        struct candidate *c = due;
        struct rt_thread *t = rt_thread_by_id(c->thread);
        due = c->next;
        if (t)
            report(t, c->call, c->ms, c->stack, c->held, c->n);
        rt_free(c, sizeof *c + sizeof c->held[0] * c->n);
    }
}

/* ---- pthread_join as a wait for the watchdog ------------------------------------ */

void on_join_wait(struct rt_thread *t, pthread_t target, uintptr_t pc, uintptr_t sp)
{
    struct rt_thread *c;
    if (!rt_options.detect_deadlocks)
        return;
    c = rt_thread_by_handle(target);
    if (!c || c == t)
        return;
    t->waiting_write = false;
    t->waiting_stack = rt_thread_callsite_stack(t, pc, sp);
    t->waiting_since_ns = rt_now_ns();
    atomic_store_explicit(&t->wait_seq, atomic_load_explicit(&t->wait_seq, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    atomic_store_explicit(&t->joining, c, memory_order_release);
    rt_watchdog_wait_begins(t);
}

void on_join_done(struct rt_thread *t)
{
    if (atomic_load_explicit(&t->joining, memory_order_relaxed))
        atomic_store_explicit(&t->joining, NULL, memory_order_release);
}

void rt_blocking_lock_all(void)
{
    rt_spin_lock(&sites_lock);
}

void rt_blocking_unlock_all(void)
{
    rt_spin_unlock(&sites_lock);
}
