/*
 * blocking_events: blocking calls made while holding a lock
 * (blocking_under_lock), and pthread_join as a wait on a thread for the
 * deadlock watchdog.
 *
 * A blocking call is timed only when the calling thread holds a live lock,
 * so the common case (no lock held) costs the interceptor one check and
 * nothing here. Each call site (return address) is reported once.
 */
#include "events.h"
#include "core/core.h"
#include "deadlock/deadlock.h"

#include <stdio.h>

/* Call sites already reported (by pc). Any thread, under sites_lock. */
struct site {
    UT_hash_handle hh;
    uintptr_t pc;
};
static rt_spin_t sites_lock = RT_SPIN_INIT;
static struct site *sites;

static unsigned live_held(const struct rt_thread *t)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->nheld; i++)
        n += rt_held_is_live(&t->held[i]);
    return n;
}

uint64_t on_blocking_begin(struct rt_thread *t)
{
    if (rt_options.blocking_threshold_ms < 0 || live_held(t) == 0)
        return 0;
    return rt_now_ns();
}

/* True the first time a call site is reported. */
static bool first_report_at(uintptr_t pc)
{
    struct site *s;
    bool first;
    rt_spin_lock(&sites_lock);
    HASH_FIND(hh, sites, &pc, sizeof pc, s);
    first = s == NULL;
    if (first) {
        s = rt_alloc(sizeof *s);
        s->pc = pc;
        HASH_ADD(hh, sites, pc, sizeof s->pc, s);
    }
    rt_spin_unlock(&sites_lock);
    return first;
}

void on_blocking_end(struct rt_thread *t, uint64_t start_ns, const char *call, uintptr_t pc)
{
    uint64_t now, ms;
    unsigned n, k = 0;
    char summary[256], details[160];

    if (!start_ns)
        return;
    now = rt_now_ns();
    ms = (now - start_ns) / 1000000ull;
    if (now - start_ns <= (uint64_t)rt_options.blocking_threshold_ms * 1000000ull)
        return;
    n = live_held(t);
    if (n == 0)
        return;
    if (!first_report_at(pc))
        return;
    struct rt_role_stack stacks[n + 1];
    struct rt_lock *locks[n];
    stacks[0] = (struct rt_role_stack){"the blocking call", t->id, rt_stack_capture()};
    for (unsigned i = 0; i < t->nheld && k < n; i++) {
        struct rt_held *h = &t->held[i];
        if (!rt_held_is_live(h))
            continue;
        locks[k] = h->lock;
        stacks[++k] = (struct rt_role_stack){"lock acquired here, held during the call", t->id,
                                             h->stack};
    }
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
