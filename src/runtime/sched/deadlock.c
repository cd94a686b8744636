/* deadlock: every controlled thread is blocked on a modelled object (see
 * sched.h): the `deadlock` finding, with each thread's waiting stack and
 * where it took the locks it holds. It runs while all of them are blocked,
 * so their state does not change under it. */
#include "sched_internal.h"
#include "core/core.h"

#include <stdio.h>

static const struct {
    int kind;                    /* the engine's kind of the object waited on */
    const char *role;            /* the waiting stack's role */
    const char *what;            /* "{thread:N} waits for {lock:M}" + what */
} waits[] = {
    [RT_SCHED_ON_LOCK] = {RT_MUTEX, "blocked here, waiting for a lock", ""},
    [RT_SCHED_ON_COND] = {RT_COND, "blocked here, waiting on a condition variable",
                          " (a condition nobody signals)"},
    [RT_SCHED_ON_SEM] = {RT_SEM, "blocked here, waiting on a semaphore",
                         " (a semaphore nobody posts)"},
    [RT_SCHED_ON_BARRIER] = {RT_BARRIER, "blocked here, waiting at a barrier",
                             " (a barrier the other threads never reach)"},
    [RT_SCHED_ON_JOIN] = {-1, "blocked here, joining a thread", ""},
    [RT_SCHED_ON_ONCE] = {RT_ONCE, "blocked here, waiting for pthread_once", ""},
};

void rt_sched_report_deadlock(void)
{
    int n = rt_sched_nthreads(), nblocked = 0, nlocks = 0, nstacks = 0, maxstacks = 0;
    struct rt_buf summary = {0}, details = {0};

    for (int i = 0; i < n; i++) {
        struct rt_sched_thread *s = rt_sched_thread_at(i);
        if (atomic_load(&s->state) == S_BLOCKED)
            maxstacks += 1 + (int)s->t->nheld;
    }
    struct rt_thread *threads[n > 0 ? n : 1];
    struct rt_lock *locks[maxstacks + 1];
    struct rt_role_stack stacks[maxstacks + 1];

    rt_buf_puts(&details, "{\"scheduled\":true,\"blocked\":[");
    /* the threads waiting on objects first, the joiners (who only wait for
     * them) after */
    for (int step = 0; step < 2 * n; step++) {
        int i = step % n, pass = step / n;
        struct rt_sched_thread *s = rt_sched_thread_at(i);
        struct rt_thread *t = s->t;
        struct rt_lock *l = NULL;
        int k = s->wait_kind;
        if (atomic_load(&s->state) != S_BLOCKED || (k == RT_SCHED_ON_JOIN) != (pass == 1))
            continue;
        rt_buf_printf(&summary, "%s{thread:%d} ", nblocked ? "; " : "", t->id);
        rt_buf_printf(&details, "%s%d", nblocked ? "," : "", t->id);
        threads[nblocked++] = t;
        if (k == RT_SCHED_ON_JOIN) {
            const struct rt_sched_thread *target = (const struct rt_sched_thread *)s->wait_obj;
            rt_buf_printf(&summary, "joins {thread:%d}", target->t->id);
        } else {
            l = rt_lock_find(s->wait_obj);
            if (!l)
                l = rt_lock_get(s->wait_obj, waits[k].kind, RT_TYPE_NONE);
            locks[nlocks++] = l;
            rt_buf_printf(&summary, "waits for {lock:%llu}", (unsigned long long)l->id);
            if (k == RT_SCHED_ON_LOCK && atomic_load(&l->owner) > 0)
                rt_buf_printf(&summary, ", held by {thread:%d}", atomic_load(&l->owner) - 1);
            rt_buf_puts(&summary, waits[k].what);
        }
        if (s->wait_stack != RT_NO_STACK)
            stacks[nstacks++] = (struct rt_role_stack){waits[k].role, t->id, s->wait_stack};
        for (unsigned h = 0; h < t->nheld; h++) {
            const struct rt_held *held = &t->held[h];
            bool seen = false;
            if (!rt_held_is_live(held))
                continue;
            if (held->stack != RT_NO_STACK)
                stacks[nstacks++] = (struct rt_role_stack){"holds a lock, acquired here", t->id,
                                                           held->stack};
            for (int j = 0; j < nlocks; j++)
                seen |= locks[j] == held->lock;
            if (!seen)
                locks[nlocks++] = held->lock;
        }
    }
    rt_buf_puts(&details, "]}");
    {
        struct rt_buf full = {0};
        rt_buf_printf(&full, "%d thread%s blocked for ever under the schedule: %s", nblocked,
                      nblocked == 1 ? " is" : "s are", summary.p ? summary.p : "");
        rt_finding_emit("deadlock", full.p, threads, nblocked, locks, nlocks, stacks, nstacks,
                        details.p);
        rt_buf_free(&full);
    }
    rt_buf_free(&summary);
    rt_buf_free(&details);
}
