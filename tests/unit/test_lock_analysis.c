/*
 * Lock analysis, fed events directly (no LD_PRELOAD): lock-order cycles and
 * the rules that keep correct programs silent, self-deadlocks, misuse, and
 * lock identity across destroy/re-init.
 */
#include "core/findings.h"
#include "lock_order/lock_order.h"
#include "core/record.h"
#include "lock_fixture.h"

#include <stdlib.h>
#include <unistd.h>

static char lockmem[4096]; /* fake lock addresses */
#define L(i) ((uintptr_t)&lockmem[(i) * 64])

static struct rt_thread *main_thread;
static int next_lock = 1;

static struct rt_thread *thread(void)
{
    return rt_thread_new(main_thread, RT_NO_STACK, 0);
}

/* Fresh lock addresses for each test, so tests do not see each other's graph. */
static uintptr_t fresh(void)
{
    uintptr_t a = L(next_lock++);
    struct rt_sync_call c = mk(a, RT_MUTEX, RT_TYPE_NORMAL, true, false, 0);
    on_lock_init(main_thread, &c);
    return a;
}

TEST(abba_in_two_threads_is_one_cycle)
{
    uintptr_t a = fresh(), b = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = rt_findings_count("lock_order_cycle");
    LOCK(t1, a); LOCK(t1, b); UNLOCK(t1, b); UNLOCK(t1, a);
    LOCK(t2, b); LOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, b);
    /* seen again: still one */
    LOCK(t2, b); LOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, b);
    CHECK_EQ_INT(rt_findings_count("lock_order_cycle") - before, 1);
}

TEST(abba_in_one_thread_is_one_cycle)
{
    /* the thread's edge cache must tell a->b from b->a */
    uintptr_t a = fresh(), b = fresh();
    struct rt_thread *t = thread();
    unsigned before = rt_findings_count("lock_order_cycle");
    LOCK(t, a); LOCK(t, b); UNLOCK(t, b); UNLOCK(t, a);
    LOCK(t, b); LOCK(t, a); UNLOCK(t, a); UNLOCK(t, b);
    CHECK_EQ_INT(rt_findings_count("lock_order_cycle") - before, 1);
}

TEST(consistent_order_is_silent)
{
    uintptr_t a = fresh(), b = fresh(), c = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = rt_findings_count(NULL);
    LOCK(t1, a); LOCK(t1, b); LOCK(t1, c); UNLOCK(t1, c); UNLOCK(t1, b); UNLOCK(t1, a);
    LOCK(t2, a); LOCK(t2, c); UNLOCK(t2, c); UNLOCK(t2, a);
    LOCK(t2, b); LOCK(t2, c); UNLOCK(t2, c); UNLOCK(t2, b);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(common_gate_lock_is_silent)
{
    uintptr_t g = fresh(), a = fresh(), b = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = rt_findings_count(NULL);
    LOCK(t1, g); LOCK(t1, a); LOCK(t1, b); UNLOCK(t1, b); UNLOCK(t1, a); UNLOCK(t1, g);
    LOCK(t2, g); LOCK(t2, b); LOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, b); UNLOCK(t2, g);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
    /* ... but the same inversion without the gate is a cycle */
    LOCK(t2, b); LOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, b);
    CHECK_EQ_INT(rt_findings_count("lock_order_cycle") - before, 1);
}

TEST(gate_lock_over_three_threads_is_silent)
{
    uintptr_t g = fresh(), l1 = fresh(), l2 = fresh(), l3 = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread(), *t3 = thread();
    unsigned before = rt_findings_count(NULL);
    LOCK(t1, g); LOCK(t1, l1); LOCK(t1, l2); UNLOCK(t1, l2); UNLOCK(t1, l1); UNLOCK(t1, g);
    LOCK(t2, g); LOCK(t2, l2); LOCK(t2, l3); UNLOCK(t2, l3); UNLOCK(t2, l2); UNLOCK(t2, g);
    LOCK(t3, g); LOCK(t3, l3); LOCK(t3, l1); UNLOCK(t3, l1); UNLOCK(t3, l3); UNLOCK(t3, g);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(trylock_closing_the_cycle_is_silent)
{
    uintptr_t a = fresh(), b = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = rt_findings_count(NULL);
    LOCK(t1, a); LOCK(t1, b); UNLOCK(t1, b); UNLOCK(t1, a);
    LOCK(t2, b); TRYLOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, b);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(read_read_on_rwlock_is_silent)
{
    uintptr_t r = fresh(), m = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = rt_findings_count(NULL);
    RDLOCK(t1, r); LOCK(t1, m); UNLOCK(t1, m); RWUNLOCK(t1, r);
    LOCK(t2, m); RDLOCK(t2, r); RWUNLOCK(t2, r); UNLOCK(t2, m);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(three_locks_over_three_threads_is_one_cycle)
{
    uintptr_t l1 = fresh(), l2 = fresh(), l3 = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread(), *t3 = thread();
    unsigned before = rt_findings_count("lock_order_cycle");
    LOCK(t1, l1); LOCK(t1, l2); UNLOCK(t1, l2); UNLOCK(t1, l1);
    LOCK(t2, l2); LOCK(t2, l3); UNLOCK(t2, l3); UNLOCK(t2, l2);
    CHECK_EQ_INT(rt_findings_count("lock_order_cycle") - before, 0);
    LOCK(t3, l3); LOCK(t3, l1); UNLOCK(t3, l1); UNLOCK(t3, l3);
    CHECK_EQ_INT(rt_findings_count("lock_order_cycle") - before, 1);
}

TEST(five_dining_philosophers_is_one_cycle)
{
    uintptr_t fork_[5];
    unsigned before = rt_findings_count("lock_order_cycle");
    for (int i = 0; i < 5; i++)
        fork_[i] = fresh();
    for (int i = 0; i < 5; i++) {
        struct rt_thread *p = thread();
        LOCK(p, fork_[i]); LOCK(p, fork_[(i + 1) % 5]);
        UNLOCK(p, fork_[(i + 1) % 5]); UNLOCK(p, fork_[i]);
    }
    CHECK_EQ_INT(rt_findings_count("lock_order_cycle") - before, 1);
}

TEST(destroyed_and_recreated_lock_is_a_new_lock)
{
    uintptr_t a = fresh(), b = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = rt_findings_count(NULL);
    struct rt_sync_call c = mk(a, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
    LOCK(t1, a); LOCK(t1, b); UNLOCK(t1, b); UNLOCK(t1, a);
    on_lock_destroy(t1, &c);
    on_lock_destroyed(t1, &c, true);
    on_lock_init(t1, &c); /* another mutex at the same address */
    LOCK(t2, b); LOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, b);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(freed_memory_forgets_its_locks)
{
    uintptr_t a = fresh(), b = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = rt_findings_count(NULL);
    LOCK(t1, a); LOCK(t1, b); UNLOCK(t1, b); UNLOCK(t1, a);
    on_memory_freed(a, 40);
    LOCK(t2, b); LOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, b);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(no_limit_on_locks_held_at_once)
{
    struct rt_thread *t = thread();
    uintptr_t addrs[200];
    unsigned before = rt_findings_count(NULL);
    for (int i = 0; i < 200; i++) {
        addrs[i] = (uintptr_t)malloc(64);
        LOCK(t, addrs[i]);
    }
    CHECK_EQ_INT(t->nheld, 200);
    for (int i = 199; i >= 0; i--)
        UNLOCK(t, addrs[i]);
    CHECK_EQ_INT(t->nheld, 0);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
    for (int i = 0; i < 200; i++) {
        on_memory_freed(addrs[i], 64);
        free((void *)addrs[i]);
    }
}

TEST(self_deadlock_by_type)
{
    uintptr_t n = fresh(), r = L(next_lock++), e = L(next_lock++);
    struct rt_thread *t = thread();
    unsigned before = rt_findings_count("self_deadlock");
    struct rt_sync_call cn = mk(n, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
    struct rt_sync_call cr = mk(r, RT_MUTEX, RT_TYPE_RECURSIVE, true, false, __LINE__);
    struct rt_sync_call ce = mk(e, RT_MUTEX, RT_TYPE_ERRORCHECK, true, false, __LINE__);
    struct rt_sync_call ctry = mk(n, RT_MUTEX, RT_TYPE_NORMAL, true, true, __LINE__);

    on_lock_wait(t, &cn);
    on_lock_acquired(t, &cn);
    CHECK(on_lock_wait(t, &ctry) == RT_PROCEED); /* trylock of a held lock: EBUSY, fine */
    CHECK_EQ_INT(rt_findings_count("self_deadlock") - before, 0);
    CHECK(on_lock_wait(t, &cn) == RT_HANGS);
    CHECK_EQ_INT(rt_findings_count("self_deadlock") - before, 1);

    on_lock_wait(t, &cr);
    on_lock_acquired(t, &cr);
    CHECK(on_lock_wait(t, &cr) == RT_PROCEED);
    on_lock_acquired(t, &cr);
    on_lock_release(t, &cr);
    on_lock_release(t, &cr);
    CHECK_EQ_INT(rt_findings_count("self_deadlock") - before, 1);
    CHECK_EQ_INT(rt_findings_count("unlock_not_held"), 0);

    on_lock_wait(t, &ce);
    on_lock_acquired(t, &ce);
    CHECK(on_lock_wait(t, &ce) == RT_PROCEED); /* EDEADLK, no hang */
    CHECK_EQ_INT(rt_findings_count("self_deadlock") - before, 2);
    on_lock_release(t, &ce);
    on_lock_release(t, &cn);
}

TEST(unlock_by_non_owner_and_double_unlock)
{
    uintptr_t m = fresh(), never = fresh();
    struct rt_thread *owner = thread(), *other = thread();
    unsigned before = rt_findings_count("unlock_not_held");
    LOCK(owner, m);
    UNLOCK(other, m);
    CHECK_EQ_INT(rt_findings_count("unlock_not_held") - before, 1);
    /* the owner's hold was taken away: ending now holds nothing */
    on_thread_exit(owner, 0, 0);
    CHECK_EQ_INT(rt_findings_count("lock_held_at_exit"), 0);
    UNLOCK(other, m); /* already unlocked */
    CHECK_EQ_INT(rt_findings_count("unlock_not_held") - before, 2);
    UNLOCK(other, never);
    CHECK_EQ_INT(rt_findings_count("unlock_not_held") - before, 3);
}

TEST(destroy_of_held_lock)
{
    uintptr_t m = fresh();
    struct rt_thread *t = thread();
    struct rt_sync_call c = mk(m, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
    unsigned before = rt_findings_count("destroy_locked");
    LOCK(t, m);
    on_lock_destroy(t, &c);
    on_lock_destroyed(t, &c, false); /* EBUSY */
    CHECK_EQ_INT(rt_findings_count("destroy_locked") - before, 1);
    UNLOCK(t, m);
    on_lock_destroy(t, &c);
    on_lock_destroyed(t, &c, true);
    CHECK_EQ_INT(rt_findings_count("destroy_locked") - before, 1);
}

TEST(cond_wait_with_and_without_the_mutex)
{
    uintptr_t m = fresh(), cv = L(next_lock++);
    struct rt_thread *t = thread();
    struct rt_sync_call cc = mk(cv, RT_COND, RT_TYPE_NONE, false, false, __LINE__);
    struct rt_sync_call mc = mk(m, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
    unsigned before = rt_findings_count("cond_wait_unheld");
    LOCK(t, m);
    on_cond_wait(t, &cc, &mc);
    CHECK_EQ_INT(t->nheld, 0); /* released for the wait */
    on_cond_woken(t, &cc, &mc);
    CHECK_EQ_INT(t->nheld, 1);
    UNLOCK(t, m);
    CHECK_EQ_INT(rt_findings_count("cond_wait_unheld") - before, 0);
    on_cond_wait(t, &cc, &mc);
    on_cond_woken(t, &cc, &mc); /* glibc re-locks it even so */
    UNLOCK(t, m);
    CHECK_EQ_INT(rt_findings_count("cond_wait_unheld") - before, 1);
    CHECK_EQ_INT(rt_findings_count("unlock_not_held"), 3); /* only the earlier test's */
}

TEST(thread_ending_with_a_lock)
{
    uintptr_t m = fresh(), k = fresh();
    struct rt_thread *t = thread();
    unsigned before = rt_findings_count("lock_held_at_exit");
    LOCK(t, m);
    LOCK(t, k);
    UNLOCK(t, k);
    on_thread_exit(t, 0, 0);
    CHECK_EQ_INT(rt_findings_count("lock_held_at_exit") - before, 1);
}

static void *idle(void *arg)
{
    return arg;
}

TEST(thread_leaks_at_exit)
{
    pthread_t joined, leaked;
    struct rt_thread *cj = on_thread_create(main_thread, 0x2000, 0x8000, (uintptr_t)idle, false);
    struct rt_thread *cl = on_thread_create(main_thread, 0x2001, 0x8000, (uintptr_t)idle, false);
    struct rt_thread *cd = on_thread_create(main_thread, 0x2002, 0x8000, (uintptr_t)idle, true);
    pthread_create(&joined, NULL, idle, NULL);
    pthread_create(&leaked, NULL, idle, NULL);
    on_thread_created(main_thread, cj, joined, true);
    on_thread_created(main_thread, cl, leaked, true);
    pthread_join(joined, NULL);
    on_thread_join(main_thread, joined);
    (void)cd;
    on_process_exit(main_thread);
    CHECK_EQ_INT(rt_findings_count("thread_leak"), 1);
    pthread_join(leaked, NULL);
}

TEST(record_names_every_id_before_use)
{
    /* every finding line's stacks were defined earlier in the file */
    FILE *f = fopen(rt_record_path(), "r");
    char line[65536];
    int findings = 0, stacks = 0;
    CHECK(f != NULL);
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "\"t\":\"stack\""))
            stacks++;
        if (strstr(line, "\"t\":\"finding\"")) {
            findings++;
            CHECK(stacks > 0);
        }
    }
    fclose(f);
    CHECK_EQ_INT((unsigned)findings, rt_findings_count(NULL));
}

int main(void)
{
    char dir[32];
    if (lock_fixture_start("report_thread_leaks=true", dir) < 0)
        return 1;
    main_thread = rt_self;
    RUN(abba_in_two_threads_is_one_cycle);
    RUN(abba_in_one_thread_is_one_cycle);
    RUN(consistent_order_is_silent);
    RUN(common_gate_lock_is_silent);
    RUN(gate_lock_over_three_threads_is_silent);
    RUN(trylock_closing_the_cycle_is_silent);
    RUN(read_read_on_rwlock_is_silent);
    RUN(three_locks_over_three_threads_is_one_cycle);
    RUN(five_dining_philosophers_is_one_cycle);
    RUN(destroyed_and_recreated_lock_is_a_new_lock);
    RUN(freed_memory_forgets_its_locks);
    RUN(no_limit_on_locks_held_at_once);
    RUN(self_deadlock_by_type);
    RUN(unlock_by_non_owner_and_double_unlock);
    RUN(destroy_of_held_lock);
    RUN(cond_wait_with_and_without_the_mutex);
    RUN(thread_ending_with_a_lock);
    RUN(thread_leaks_at_exit);
    RUN(record_names_every_id_before_use);
    lock_fixture_end(dir);
    UNIT_DONE();
}
