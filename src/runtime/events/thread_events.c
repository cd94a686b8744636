/*
 * thread_events: threads being created, starting, ending, joined and
 * detached; and the end of the process, where joinable threads that
 * finished and that nobody joined are reported as leaks (those still
 * running too with report_running_threads), and the locks the thread
 * ending the process holds.
 */
#include "events.h"
#include "core/core.h"
#include "races/races.h"
#include "deadlock/deadlock.h"

#include <stdio.h>
#include <unistd.h>

struct rt_thread *on_thread_create(struct rt_thread *parent, uintptr_t pc, uintptr_t sp,
                                   uintptr_t start_routine, bool detached)
{
    rt_stack_id stack;
    struct rt_thread *child, *gone;
    /* detached threads that have ended for good since: free them now */
    while ((gone = rt_thread_next_gone()) != NULL) {
        on_hb_thread_gone(gone);
        rt_watchdog_sync();
        rt_thread_release(gone);
    }
    stack = rt_thread_callsite_stack(parent, pc, sp);
    child = rt_thread_new(parent, stack, start_routine);
    atomic_store(&child->detached, detached);
    on_hb_thread_create(parent, child); /* create -> start */
    return child;
}

void on_thread_created(struct rt_thread *parent, struct rt_thread *child, pthread_t handle, bool ok)
{
    (void)parent;
    if (!ok) {
        /* never ran: nothing to join, nothing to leak */
        rt_thread_ended(child);
        atomic_store(&child->detached, true);
        return;
    }
    rt_thread_set_handle(child, handle);
}

void on_thread_start(struct rt_thread *child)
{
    rt_thread_begin(child);
    on_hb_thread_start(child);
}

/* t ends (its start routine returns, pthread_exit, cancel; or it ends the
 * process) still holding locks: lock_held_at_exit, with `end` as the
 * stack of `role`. Robust mutexes are left out: the next thread to lock one
 * gets EOWNERDEAD, with the mutex, and repairs what it protects; that is
 * what they are for. When the process ends, so do its other threads: a lock
 * no other thread ever wanted can't make one of them wait (redis exits
 * holding the module lock its main thread keeps for its whole life), so
 * only shared locks are reported there. A thread that ends alone leaves
 * every lock it holds to the threads that come after it. */
static bool held_at_end(const struct rt_held *h, bool process_ends)
{
    return rt_held_is_live(h) && !rt_lock_is_robust(h->lock) &&
           (!process_ends || rt_lock_is_shared(h->lock, h->lock_id));
}

static void report_held_at_end(struct rt_thread *t, const char *role, rt_stack_id end,
                               bool process_ends)
{
    unsigned nlive = 0;
    for (unsigned i = 0; i < t->nheld; i++)
        nlive += held_at_end(&t->held[i], process_ends);
    if (nlive == 0 || !rt_options.report_lock_misuse)
        return;
    struct rt_role_stack stacks[nlive + 1];
    struct rt_lock *locks[nlive];
    char summary[160];
    int n = 0, k = 0;
    stacks[n++] = (struct rt_role_stack){role, t->id, end};
    for (unsigned i = 0; i < t->nheld; i++) {
        if (!held_at_end(&t->held[i], process_ends))
            continue;
        locks[k++] = t->held[i].lock;
        stacks[n++] = (struct rt_role_stack){"acquired here, never released", t->id,
                                             t->held[i].stack};
    }
    if (nlive == 1)
        snprintf(summary, sizeof summary, "{thread:%d} ends while holding {lock:%llu}", t->id,
                 (unsigned long long)locks[0]->id);
    else
        snprintf(summary, sizeof summary, "{thread:%d} ends while holding %u locks", t->id, nlive);
    rt_finding_emit("lock_held_at_exit", summary, &t, 1, locks, k, stacks, n, NULL);
}

void on_thread_exit(struct rt_thread *t, uintptr_t pc, uintptr_t sp)
{
    (void)sp;
    if (t->nheld > 0) {
        bool exited = pc || t->exit_stack != RT_NO_STACK;
        report_held_at_end(t,
                           exited ? "the thread exits here"
                                  : "the thread returns from its start routine",
                           pc ? rt_stack_capture()
                              : exited ? t->exit_stack : rt_stack_of_function(t->start_routine),
                           false);
    }
    on_hb_thread_exit(t); /* its clock waits for the joiner */
    rt_thread_retire(t);
}

bool on_thread_exit_call(struct rt_thread *t, uintptr_t pc, uintptr_t sp)
{
    if (t->start_routine) {
        /* pthread_exit unwinds through the program's cleanup handlers (which
         * may unlock what the thread holds), then the trampoline's, the
         * outermost, which ends the thread: the locks are counted there */
        if (t->nheld > 0)
            t->exit_stack = rt_stack_capture();
        return false;
    }
    on_thread_exit(t, pc, sp);
    return true;
}

struct rt_thread *on_thread_join_begin(struct rt_thread *t, pthread_t target, const char *call)
{
    char summary[256];
    struct rt_thread *threads[2] = {t, NULL};
    struct rt_role_stack stacks[1];
    /* looked up before the call: once it returns, glibc may give the same
     * pthread_t to a thread created meanwhile */
    struct rt_thread *c = rt_thread_by_handle(target);

    if (!rt_options.report_lock_misuse)
        return c;
    if (pthread_equal(target, pthread_self()))
        snprintf(summary, sizeof summary,
                 "{thread:%d} calls %s on itself: the call fails with EDEADLK", t->id, call);
    else if (c && atomic_load(&c->detached))
        /* (a detached thread that ended is forgotten: its handle may be
         * another thread's now) */
        snprintf(summary, sizeof summary,
                 "{thread:%d} calls %s on {thread:%d}, which is detached: the call fails with "
                 "EINVAL", t->id, call, c->id);
    else
        return c;
    threads[1] = c != t ? c : NULL;
    stacks[0] = (struct rt_role_stack){"the join", t->id, rt_stack_capture()};
    rt_finding_emit("sync_misuse", summary, threads, threads[1] ? 2 : 1, NULL, 0, stacks, 1, NULL);
    return c;
}

void on_thread_join(struct rt_thread *t, pthread_t target)
{
    on_thread_joined(t, rt_thread_by_handle(target));
}

void on_thread_joined(struct rt_thread *t, struct rt_thread *c)
{
    if (c) {
        atomic_store(&c->joined, true);
        on_hb_thread_join(t, c); /* exit -> join */
        rt_watchdog_sync();
        rt_thread_release(c);    /* it is gone: keep only its identity */
    }
}

void on_thread_detach(struct rt_thread *t, pthread_t target)
{
    struct rt_thread *c = rt_thread_by_handle(target);
    (void)t;
    if (c)
        rt_thread_mark_detached(c);
}

/* In creation order, as the findings were before (insertion sort: the
 * threads not released are few). */
static void sort_by_id(struct rt_thread **a, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        struct rt_thread *x = a[i];
        unsigned j = i;
        for (; j > 0 && a[j - 1]->id > x->id; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

void on_process_exit(struct rt_thread *t)
{
    pid_t pid = getpid();
    struct rt_thread **all = NULL;
    size_t cap = 0;
    unsigned n;
    on_hb_thread_pauses(t);
    /* the thread that ends the process (main returning, or exit()) ends
     * with it; the threads still running are not ending on their own */
    if (t->nheld > 0)
        report_held_at_end(t, "the process exits here", rt_stack_capture(), true);
    if (!rt_options.report_thread_leaks)
        return;
    /* a leak was neither joined nor detached: never released */
    n = rt_threads_unreleased(&all, &cap);
    sort_by_id(all, n);
    for (unsigned i = 0; i < n; i++) {
        struct rt_thread *c = all[i];
        struct rt_thread *parent;
        char summary[160];
        if (c == t || c->id == 0 || c->anonymous || c->pid != pid ||
            c->create_stack == RT_NO_STACK || atomic_load(&c->joined) ||
            atomic_load(&c->detached))
            continue;
        /* ThreadSanitizer's rule: a leak is a thread that finished and
         * stays a zombie until joined; one still running is ended by the
         * exit, and reported only when asked */
        if (atomic_load(&c->running) && !rt_options.report_running_threads)
            continue;
        parent = rt_thread_by_id(c->parent);
        snprintf(summary, sizeof summary,
                 "{thread:%d} was neither joined nor detached when the process exited (%s)", c->id,
                 atomic_load(&c->running) ? "it was still running" : "it had finished");
        struct rt_thread *threads[2] = {c, parent};
        struct rt_role_stack stacks[1] = {{"created here", parent ? parent->id : c->id, c->create_stack}};
        rt_finding_emit("thread_leak", summary, threads, parent ? 2 : 1, NULL, 0, stacks, 1, NULL);
    }
    if (all)
        rt_free(all, sizeof *all * cap);
}
