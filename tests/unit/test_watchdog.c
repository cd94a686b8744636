/*
 * The deadlock watchdog, fed events directly (no LD_PRELOAD, no watchdog
 * thread: the tests call the scan with a clock of their own). Fake threads
 * take locks and start waits; the scan must find real wait-for cycles once
 * their last thread has waited deadlock_timeout_ms, and a wait for a lock
 * whose owner is gone (it ended holding it, or it is a thread of the parent
 * of a forked child), and nothing else: a long wait for a lock whose holder
 * is not blocked, timed waits, a join of a thread that ended, a robust
 * mutex whose owner died.
 */
#include "events/events.h"
#include "core/findings.h"
#include "core/record.h"
#include "core/runtime.h"
#include "unit.h"
#include "deadlock/deadlock.h"

#include <stdlib.h>
#include <unistd.h>

#define SECOND 1000000000ull

static char lockmem[64 * 64]; /* fake lock addresses */
static int next_lock;
static struct rt_thread *main_thread;

static uintptr_t fresh(int kind)
{
    uintptr_t a = (uintptr_t)&lockmem[(next_lock++) * 64];
    struct rt_sync_call c = {.addr = a, .kind = kind,
                             .type = kind == RT_MUTEX ? RT_TYPE_NORMAL : RT_TYPE_NONE};
    on_lock_init(main_thread, &c);
    return a;
}

static struct rt_sync_call call(uintptr_t a, int kind, bool write, bool timed, int line)
{
    return (struct rt_sync_call){.addr = a, .kind = kind,
                                 .type = kind == RT_MUTEX ? RT_TYPE_NORMAL : RT_TYPE_NONE,
                                 .write = write, .timed = timed,
                                 .pc = 0x1000 + (uintptr_t)line, .sp = 0x8000};
}

static void lock_(struct rt_thread *t, uintptr_t a, int kind, bool write, int line)
{
    struct rt_sync_call c = call(a, kind, write, false, line);
    CHECK(on_lock_wait(t, &c) == RT_PROCEED);
    on_lock_acquired(t, &c);
}

/* The thread starts waiting for a (and stays blocked until unblock). */
static void wait_(struct rt_thread *t, uintptr_t a, int kind, bool write, bool timed, int line)
{
    struct rt_sync_call c = call(a, kind, write, timed, line);
    CHECK(on_lock_wait(t, &c) == RT_PROCEED);
}

static void unlock_(struct rt_thread *t, uintptr_t a, int kind, int line)
{
    struct rt_sync_call c = call(a, kind, true, false, line);
    on_lock_release(t, &c);
}

/* The wait ends without the lock (as a timeout would). */
static void unblock(struct rt_thread *t)
{
    struct rt_sync_call c = {0};
    on_lock_not_acquired(t, &c);
    on_join_done(t);
}

#define LOCK(t, a) lock_(t, a, RT_MUTEX, true, __LINE__)
#define RDLOCK(t, a) lock_(t, a, RT_RWLOCK, false, __LINE__)
#define WAIT(t, a) wait_(t, a, RT_MUTEX, true, false, __LINE__)
#define TIMED_WAIT(t, a) wait_(t, a, RT_MUTEX, true, true, __LINE__)
#define WRWAIT(t, a) wait_(t, a, RT_RWLOCK, true, false, __LINE__)
#define UNLOCK(t, a) unlock_(t, a, RT_MUTEX, __LINE__)
#define RWUNLOCK(t, a) unlock_(t, a, RT_RWLOCK, __LINE__)

static struct rt_thread *thread(void)
{
    return rt_thread_new(main_thread, RT_NO_STACK, 0);
}

static bool in_cycle(const struct rt_deadlock *d, const struct rt_thread *t)
{
    for (unsigned i = 0; i < d->n; i++)
        if (d->m[i].thread == t)
            return true;
    return false;
}

TEST(nobody_blocked_means_sleep)
{
    struct rt_deadlock d;
    uint64_t next = 1;
    CHECK(!rt_watchdog_scan(rt_now_ns(), &d, &next));
    CHECK_EQ_INT(next, 0);
}

TEST(abba_is_a_deadlock_after_the_timeout)
{
    uintptr_t a = fresh(RT_MUTEX), b = fresh(RT_MUTEX);
    struct rt_thread *t1 = thread(), *t2 = thread();
    struct rt_deadlock d;
    uint64_t next, now;
    unsigned before = rt_findings_count("deadlock");

    LOCK(t1, a);
    LOCK(t2, b);
    WAIT(t1, b);
    WAIT(t2, a);
    now = rt_now_ns();
    /* not yet: the last wait is younger than deadlock_timeout_ms */
    CHECK(!rt_watchdog_scan(now, &d, &next));
    CHECK(next > now && next <= t2->waiting_since_ns + SECOND);
    CHECK(rt_watchdog_scan(now + 2 * SECOND, &d, &next));
    CHECK_EQ_INT(d.n, 2);
    CHECK(in_cycle(&d, t1) && in_cycle(&d, t2));
    for (unsigned i = 0; i < d.n; i++) {
        const struct rt_deadlock_member *m = &d.m[i];
        CHECK(m->holder == (m->thread == t1 ? t2 : t1));
        CHECK(m->waits_for && m->waits_for->addr == (m->thread == t1 ? b : a));
        CHECK(m->waiting_stack != RT_NO_STACK);
    }
    CHECK(d.blocked_ns >= SECOND);
    rt_watchdog_report(&d);
    CHECK_EQ_INT(rt_findings_count("deadlock") - before, 1);
    unblock(t1);
    unblock(t2);
    UNLOCK(t1, a);
    UNLOCK(t2, b);
    CHECK(!rt_watchdog_scan(now + 3 * SECOND, &d, &next));
    CHECK_EQ_INT(next, 0);
}

TEST(three_threads_in_a_ring)
{
    uintptr_t l[3] = {fresh(RT_MUTEX), fresh(RT_MUTEX), fresh(RT_MUTEX)};
    struct rt_thread *t[3] = {thread(), thread(), thread()};
    struct rt_deadlock d;
    uint64_t next;

    for (int i = 0; i < 3; i++)
        LOCK(t[i], l[i]);
    for (int i = 0; i < 3; i++)
        WAIT(t[i], l[(i + 1) % 3]);
    CHECK(rt_watchdog_scan(rt_now_ns() + 2 * SECOND, &d, &next));
    CHECK_EQ_INT(d.n, 3);
    for (int i = 0; i < 3; i++)
        CHECK(in_cycle(&d, t[i]));
    for (int i = 0; i < 3; i++) {
        unblock(t[i]);
        UNLOCK(t[i], l[i]);
    }
}

TEST(long_wait_for_a_running_holder_is_no_deadlock)
{
    uintptr_t a = fresh(RT_MUTEX), b = fresh(RT_MUTEX);
    struct rt_thread *holder = thread(), *waiter = thread(), *other = thread();
    struct rt_deadlock d;
    uint64_t next, now = rt_now_ns();

    LOCK(holder, a); /* and then sleeps: not blocked on any lock */
    WAIT(waiter, a);
    /* a chain that ends in a running thread is no cycle either */
    LOCK(waiter, b); /* (taken before: order does not matter to the scan) */
    WAIT(other, b);
    CHECK(!rt_watchdog_scan(now + 60 * SECOND, &d, &next));
    CHECK(next != 0); /* someone is blocked: keep looking */
    unblock(waiter);
    unblock(other);
    UNLOCK(waiter, b);
    UNLOCK(holder, a);
}

TEST(timed_waits_are_no_deadlock)
{
    uintptr_t a = fresh(RT_MUTEX), b = fresh(RT_MUTEX);
    struct rt_thread *t1 = thread(), *t2 = thread();
    struct rt_deadlock d;
    uint64_t next;

    LOCK(t1, a);
    LOCK(t2, b);
    TIMED_WAIT(t1, b); /* ends by itself */
    WAIT(t2, a);
    CHECK(!rt_watchdog_scan(rt_now_ns() + 60 * SECOND, &d, &next));
    unblock(t1);
    unblock(t2);
    UNLOCK(t1, a);
    UNLOCK(t2, b);
}

TEST(one_young_wait_delays_the_report)
{
    uintptr_t a = fresh(RT_MUTEX), b = fresh(RT_MUTEX);
    struct rt_thread *t1 = thread(), *t2 = thread();
    struct rt_deadlock d;
    uint64_t next, now;

    LOCK(t1, a);
    LOCK(t2, b);
    WAIT(t1, b);
    WAIT(t2, a);
    t1->waiting_since_ns -= 5 * SECOND; /* t1 has waited long; t2 just began */
    now = t2->waiting_since_ns + SECOND / 2;
    CHECK(!rt_watchdog_scan(now, &d, &next));
    CHECK(next <= t2->waiting_since_ns + SECOND);
    CHECK(rt_watchdog_scan(t2->waiting_since_ns + SECOND, &d, &next));
    unblock(t1);
    unblock(t2);
    UNLOCK(t1, a);
    UNLOCK(t2, b);
}

TEST(writer_waiting_for_a_blocked_reader)
{
    uintptr_t rw = fresh(RT_RWLOCK), m = fresh(RT_MUTEX);
    struct rt_thread *reader = thread(), *writer = thread();
    struct rt_deadlock d;
    uint64_t next;

    RDLOCK(reader, rw);
    LOCK(writer, m);
    WAIT(reader, m);
    WRWAIT(writer, rw);
    CHECK(rt_watchdog_scan(rt_now_ns() + 2 * SECOND, &d, &next));
    CHECK_EQ_INT(d.n, 2);
    CHECK(in_cycle(&d, reader) && in_cycle(&d, writer));
    unblock(reader);
    unblock(writer);
    RWUNLOCK(reader, rw);
    UNLOCK(writer, m);
}

TEST(join_of_a_thread_waiting_for_the_joiner)
{
    uintptr_t a = fresh(RT_MUTEX);
    struct rt_thread *joiner = thread(), *worker = thread();
    struct rt_deadlock d;
    uint64_t next;
    pthread_t handle = (pthread_t)0x4242;

    rt_thread_set_handle(worker, handle);
    LOCK(joiner, a);
    on_join_wait(joiner, handle, 0x2000, 0x8000);
    WAIT(worker, a);
    CHECK(rt_watchdog_scan(rt_now_ns() + 2 * SECOND, &d, &next));
    CHECK_EQ_INT(d.n, 2);
    for (unsigned i = 0; i < d.n; i++)
        if (d.m[i].thread == joiner)
            CHECK(d.m[i].joins == worker && d.m[i].waits_for == NULL);
    unblock(joiner);
    unblock(worker);
    UNLOCK(joiner, a);
}

TEST(join_of_an_ended_thread_is_no_deadlock)
{
    uintptr_t a = fresh(RT_MUTEX), b = fresh(RT_MUTEX);
    struct rt_thread *joiner = thread(), *gone = thread();
    struct rt_deadlock d;
    uint64_t next;
    pthread_t handle = (pthread_t)0x4343;

    rt_thread_set_handle(gone, handle);
    LOCK(gone, b);
    WAIT(gone, a); /* its wait is still published when it ends */
    LOCK(joiner, a);
    on_join_wait(joiner, handle, 0x2000, 0x8000);
    rt_thread_retire(gone);
    CHECK(!rt_watchdog_scan(rt_now_ns() + 2 * SECOND, &d, &next));
    unblock(joiner);
    UNLOCK(joiner, a);
}

/* owner takes a lock, then goes (gone()); waiter waits for the lock: a
 * deadlock of one thread, for the reason `why`, after the timeout. */
static void owner_gone(void (*gone)(struct rt_thread *), enum rt_deadlock_why why)
{
    uintptr_t a = fresh(RT_MUTEX);
    struct rt_thread *owner = thread(), *waiter = thread();
    struct rt_deadlock d;
    uint64_t next, now;
    unsigned before = rt_findings_count("deadlock");

    LOCK(owner, a);
    gone(owner);
    WAIT(waiter, a);
    now = rt_now_ns();
    CHECK(!rt_watchdog_scan(now, &d, &next)); /* not before the timeout */
    CHECK(rt_watchdog_scan(now + 2 * SECOND, &d, &next));
    CHECK_EQ_INT(d.why, why);
    CHECK_EQ_INT(d.n, 1);
    CHECK(d.m[0].thread == waiter && d.m[0].holder == owner);
    CHECK(d.m[0].waits_for && d.m[0].waits_for->addr == a);
    rt_watchdog_report(&d);
    CHECK_EQ_INT(rt_findings_count("deadlock") - before, 1);
    unblock(waiter);
}

static void returns_holding_it(struct rt_thread *t)
{
    on_thread_exit(t, 0, 0);
}

/* What a forked child sees of the threads that did not come with it. */
static void left_in_the_parent(struct rt_thread *t)
{
    t->pid = getpid() + 1;
    atomic_store(&t->running, false);
}

TEST(waiting_for_a_lock_whose_owner_exited)
{
    owner_gone(returns_holding_it, RT_DEADLOCK_OWNER_EXITED);
}

TEST(waiting_for_a_lock_held_by_a_thread_of_the_parent)
{
    owner_gone(left_in_the_parent, RT_DEADLOCK_OWNER_NOT_HERE);
}

TEST(robust_mutex_whose_owner_exited_is_no_deadlock)
{
    uintptr_t a = fresh(RT_MUTEX);
    struct rt_thread *owner = thread(), *waiter = thread();
    struct rt_deadlock d;
    uint64_t next;
    struct rt_sync_call c = call(a, RT_MUTEX, true, false, __LINE__);

    c.robust = true;
    on_lock_init(main_thread, &c);
    LOCK(owner, a);
    on_thread_exit(owner, 0, 0);
    WAIT(waiter, a); /* the real call returns EOWNERDEAD */
    CHECK(!rt_watchdog_scan(rt_now_ns() + 2 * SECOND, &d, &next));
    unblock(waiter);
}

TEST(owner_gone_report)
{
    char line[8192];
    FILE *f = fopen(rt_record_path(), "r");
    int exited = 0, parent = 0;
    CHECK(f != NULL);
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (!strstr(line, "\"kind\":\"deadlock\"") || !strstr(line, "waits forever for"))
            continue;
        CHECK(strstr(line, "blocked here, waiting for a lock") != NULL);
        if (strstr(line, "which exited without releasing it")) {
            exited++;
            CHECK(strstr(line, "the lock was taken here, by the thread that exited") != NULL);
            CHECK(strstr(line, "\"owner_gone\":\"exited\"") != NULL);
        }
        if (strstr(line, "does not exist in this forked child")) {
            parent++;
            CHECK(strstr(line, "the lock was taken here, in the parent process") != NULL);
            CHECK(strstr(line, "\"owner_gone\":\"not_in_this_process\"") != NULL);
        }
    }
    fclose(f);
    CHECK_EQ_INT(exited, 1);
    CHECK_EQ_INT(parent, 1);
}

TEST(report_has_every_stack)
{
    char line[8192];
    const char *path = rt_record_path();
    FILE *f = fopen(path, "r");
    bool found = false;
    CHECK(f != NULL);
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (!strstr(line, "\"kind\":\"deadlock\""))
            continue;
        found = true;
        /* 2 waits + 2 holds, the summary naming both */
        CHECK(strstr(line, "2 threads are blocked on each other") != NULL);
        CHECK(strstr(line, "blocked here, waiting for a lock") != NULL);
        CHECK(strstr(line, "holds a lock, acquired here") != NULL);
        CHECK(strstr(line, "\"timeout_ms\":1000") != NULL);
    }
    fclose(f);
    CHECK(found);
}

int main(void)
{
    char dir[] = "/tmp/racedet-unit.XXXXXX", err[256];
    if (!mkdtemp(dir) || rt_start("deadlock_timeout_ms=1000", dir, err, sizeof err) < 0) {
        printf("not ok - start: %s\n", err);
        return 1;
    }
    main_thread = rt_self;
    RUN(nobody_blocked_means_sleep);
    RUN(abba_is_a_deadlock_after_the_timeout);
    RUN(three_threads_in_a_ring);
    RUN(long_wait_for_a_running_holder_is_no_deadlock);
    RUN(timed_waits_are_no_deadlock);
    RUN(one_young_wait_delays_the_report);
    RUN(writer_waiting_for_a_blocked_reader);
    RUN(join_of_a_thread_waiting_for_the_joiner);
    RUN(join_of_an_ended_thread_is_no_deadlock);
    RUN(report_has_every_stack); /* (of the cycles above) */
    RUN(waiting_for_a_lock_whose_owner_exited);
    RUN(waiting_for_a_lock_held_by_a_thread_of_the_parent);
    RUN(robust_mutex_whose_owner_exited_is_no_deadlock);
    RUN(owner_gone_report);
    {
        char cmd[512];
        rt_record_close();
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            printf("# could not remove %s\n", dir);
    }
    UNIT_DONE();
}
