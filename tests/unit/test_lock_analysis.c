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

/* The interceptors' fast paths (events/lock_fast.h): a known a -> b is
 * taken and released without the full events; b then a is not known, so
 * the fast path declines and the full event reports the cycle. */
TEST(fast_path_tells_a_then_b_from_b_then_a)
{
    uintptr_t a = fresh(), b = fresh();
    struct rt_thread *t = thread();
    unsigned before = rt_findings_count("lock_order_cycle");
    LOCK(t, a); LOCK(t, b); UNLOCK(t, b); UNLOCK(t, a);
    for (int i = 0; i < 3; i++) {
        CHECK(on_mutex_acquired_fast(t, a, 0x1000, 0x8000));
        CHECK(on_mutex_acquired_fast(t, b, 0x1001, 0x8000));
        CHECK_EQ_INT(t->nheld, 2);
        CHECK(on_lock_release_fast(t, b));
        CHECK(on_lock_release_fast(t, a));
    }
    CHECK_EQ_INT(rt_findings_count("lock_order_cycle") - before, 0);
    CHECK(on_mutex_acquired_fast(t, b, 0x1002, 0x8000));  /* alone: nothing to learn */
    CHECK(!on_mutex_acquired_fast(t, a, 0x1003, 0x8000)); /* a on b: new */
    CHECK(!on_lock_release_fast(t, a));                   /* not held: the full event says */
    LOCK(t, a);
    CHECK_EQ_INT(rt_findings_count("lock_order_cycle") - before, 1);
    UNLOCK(t, a); UNLOCK(t, b);
    CHECK_EQ_INT(t->nheld, 0);
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

/* The registry's tables (open addressing, entries shifted back on removal):
 * after thousands of locks, some forgotten, every live one is found at its
 * address and no forgotten one is. */
TEST(lock_registry_finds_every_live_lock)
{
    enum { N = 20000 };
    static char mem[N * 8];
    static struct rt_lock *made[N];
    int wrong = 0;
    for (int i = 0; i < N; i++)
        made[i] = rt_lock_create((uintptr_t)&mem[i * 8], RT_MUTEX, RT_TYPE_NORMAL, RT_NO_STACK);
    for (int i = 0; i < N; i += 3)
        rt_lock_forget(made[i]);
    for (int i = 0; i < N; i++)
        wrong += rt_lock_find((uintptr_t)&mem[i * 8]) != (i % 3 ? made[i] : NULL);
    CHECK_EQ_INT(wrong, 0);
    /* the freed memory's: every lock in the range goes */
    rt_lock_forget_range((uintptr_t)mem, (uintptr_t)mem + sizeof mem);
    for (int i = 0; i < N; i++)
        wrong += rt_lock_find((uintptr_t)&mem[i * 8]) != NULL;
    CHECK_EQ_INT(wrong, 0);
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
    rt_thread_retire(cl); /* it finished (the trampoline says so): a leak */
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

/* ---- appended: timed acquisitions back off (issue 12) ------------------------ */

static void timedlock_(struct rt_thread *t, uintptr_t a, int kind, bool write, int line)
{
    struct rt_sync_call c = mk(a, kind, kind == RT_MUTEX ? RT_TYPE_NORMAL : RT_TYPE_NONE, write,
                               false, line);
    c.timed = true;
    CHECK(on_lock_wait(t, &c) == RT_PROCEED);
    on_lock_acquired(t, &c);
}
#define TIMEDLOCK(t, a) timedlock_(t, a, RT_MUTEX, true, __LINE__)
#define TIMEDWRLOCK(t, a) timedlock_(t, a, RT_RWLOCK, true, __LINE__)

TEST(timed_lock_closing_the_cycle_is_silent)
{
    uintptr_t a = fresh(), b = fresh(), r = fresh(), m = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = rt_findings_count(NULL), cycles = rt_findings_count("lock_order_cycle");
    /* a -> b plainly, b -> a by a timedlock whose caller backs off on ETIMEDOUT */
    LOCK(t1, a); LOCK(t1, b); UNLOCK(t1, b); UNLOCK(t1, a);
    LOCK(t2, b); TIMEDLOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, b);
    /* the same with a timed write lock of an rwlock */
    LOCK(t1, r); LOCK(t1, m); UNLOCK(t1, m); RWUNLOCK(t1, r);
    LOCK(t2, m); TIMEDWRLOCK(t2, r); RWUNLOCK(t2, r); UNLOCK(t2, m);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
    /* the timed edge does not hide a plain one in the same direction */
    LOCK(t2, b); LOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, b);
    CHECK_EQ_INT(rt_findings_count("lock_order_cycle") - cycles, 1);
}

/* ---- appended: lock misuse Helgrind and DRD report (issue 12) ---------------- */

#include <time.h>

#include "findings_fixture.h"

/* A call on a mutex the object says is destroyed (glibc's __kind -1). */
static struct rt_sync_call destroyed_call(uintptr_t a, bool try, int line)
{
    struct rt_sync_call c = mk(a, RT_MUTEX, RT_TYPE_ADAPTIVE, true, try, line);
    c.destroyed = true;
    return c;
}

TEST(mutex_used_after_destroy)
{
    uintptr_t m = fresh(), m2 = fresh();
    struct rt_thread *t = thread();
    struct rt_sync_call d = mk(m, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
    struct rt_sync_call lk = destroyed_call(m, false, __LINE__);
    struct rt_sync_call un = destroyed_call(m, false, __LINE__);
    struct rt_sync_call d2 = destroyed_call(m, false, __LINE__);
    unsigned misuse = rt_findings_count("sync_misuse"), unheld = rt_findings_count("unlock_not_held");

    LOCK(t, m); UNLOCK(t, m);
    on_lock_destroy(t, &d);
    on_lock_destroyed(t, &d, true);
    /* lock: EINVAL from glibc */
    CHECK(on_lock_wait(t, &lk) == RT_PROCEED);
    on_lock_not_acquired(t, &lk);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 1);
    CHECK(last_says("sync_misuse", "locks {lock:"));
    CHECK(last_says("sync_misuse", "which it destroyed"));
    /* unlock: EINVAL too; sync_misuse, not unlock_not_held */
    on_lock_release(t, &un);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 2);
    CHECK(last_says("sync_misuse", "unlocks {lock:"));
    CHECK_EQ_INT(rt_findings_count("unlock_not_held") - unheld, 0);
    /* destroyed again (glibc says 0) */
    on_lock_destroy(t, &d2);
    on_lock_destroyed(t, &d2, true);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 3);
    CHECK(last_says("sync_misuse", "which was already destroyed"));
    /* unlock first thing after the destroy (another mutex) */
    {
        struct rt_sync_call d3 = mk(m2, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
        struct rt_sync_call un2 = destroyed_call(m2, false, __LINE__);
        on_lock_destroy(main_thread, &d3);
        on_lock_destroyed(main_thread, &d3, true);
        on_lock_release(t, &un2);
        CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 4);
        CHECK(last_says("sync_misuse", "unlocks {lock:"));
        CHECK(last_says("sync_misuse", "which another thread destroyed"));
        CHECK_EQ_INT(rt_findings_count("unlock_not_held") - unheld, 0);
    }
    /* initialised again: a new mutex, fine */
    on_lock_init_begin(t, &d2);
    on_lock_init(t, &d);
    LOCK(t, m); UNLOCK(t, m);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 4);
}

TEST(destroyed_then_statically_initialised_is_a_new_mutex)
{
    uintptr_t m = fresh();
    struct rt_thread *t = thread();
    struct rt_sync_call d = mk(m, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
    unsigned before = rt_findings_count(NULL);
    on_lock_destroy(t, &d);
    on_lock_destroyed(t, &d, true);
    /* = PTHREAD_MUTEX_INITIALIZER: the object no longer says destroyed */
    LOCK(t, m); UNLOCK(t, m);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(lock_in_freed_memory)
{
    char *block = malloc(256);
    uintptr_t m = (uintptr_t)block + 64, b = fresh();
    struct rt_thread *t = thread();
    unsigned misuse = rt_findings_count("sync_misuse"), locked = rt_findings_count("destroy_locked");

    LOCK(t, m); UNLOCK(t, m);
    on_heap_freed(t, (uintptr_t)block, 256, false);
    CHECK_EQ_INT(rt_findings_count("destroy_locked") - locked, 0); /* it was not held */
    LOCK(t, m);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 1);
    CHECK(last_says("sync_misuse", "whose memory was freed"));
    UNLOCK(t, m);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 1); /* once */
    /* allocated again: whatever is there now is new */
    on_memory_allocated((uintptr_t)block, 256);
    LOCK(t, m); LOCK(t, b); UNLOCK(t, b); UNLOCK(t, m);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 1);
    /* freed again, with nothing remembered in between, then a block that
     * does not cover it: still gone */
    on_heap_freed(t, (uintptr_t)block, 256, false);
    on_memory_allocated((uintptr_t)block + 128, 64);
    on_memory_allocated((uintptr_t)block - 4096, 64);
    LOCK(t, m);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 2);
    UNLOCK(t, m);
    on_memory_allocated((uintptr_t)block, 256);
    /* a block that was a mapping of its own: unmapped by the free, and
     * what is mapped there next is not seen: nothing is remembered */
    LOCK(t, m); UNLOCK(t, m);
    on_heap_freed(t, (uintptr_t)block, 256, true);
    LOCK(t, m); UNLOCK(t, m);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 2);
    on_heap_freed(t, (uintptr_t)block, 256, false);
    on_memory_allocated((uintptr_t)block, 256);
    free(block);
}

TEST(freeing_a_held_lock)
{
    char *block = malloc(256);
    uintptr_t m = (uintptr_t)block + 64;
    struct rt_thread *t = thread(), *other = thread();
    unsigned locked = rt_findings_count("destroy_locked"), held = rt_findings_count("lock_held_at_exit");

    LOCK(t, m);
    on_heap_freed(other, (uintptr_t)block, 256, false);
    CHECK_EQ_INT(rt_findings_count("destroy_locked") - locked, 1);
    CHECK(last_says("destroy_locked", "frees the memory of {lock:"));
    CHECK(last_says("destroy_locked", "while {thread:"));
    /* the hold went with the memory */
    on_thread_exit(t, 0, 0);
    CHECK_EQ_INT(rt_findings_count("lock_held_at_exit") - held, 0);
    on_memory_allocated((uintptr_t)block, 256);
    free(block);
}

TEST(reinitialised_while_held)
{
    uintptr_t m = fresh();
    struct rt_thread *t = thread(), *other = thread();
    struct rt_sync_call init = mk(m, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
    unsigned misuse = rt_findings_count("sync_misuse");

    LOCK(t, m);
    on_lock_init_begin(other, &init);
    on_lock_init(other, &init);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 1);
    CHECK(last_says("sync_misuse", "re-initialises {lock:"));
    CHECK(last_says("sync_misuse", "while {thread:"));
    /* nobody holds it now, but an init call made it and nothing destroyed
     * or freed it: initialised again is misuse too (DRD's "mutex
     * reinitialization") */
    on_lock_init_begin(other, &init);
    on_lock_init(other, &init);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 2);
    CHECK(last_says("sync_misuse", "which was initialised and never destroyed"));
    /* one first seen at its lock (a static initialiser) may be given its
     * type by an init */
    {
        uintptr_t s = L(next_lock++); /* (not fresh(): no init call) */
        struct rt_sync_call init_s = mk(s, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
        LOCK(t, s);
        UNLOCK(t, s);
        on_lock_init_begin(other, &init_s);
        on_lock_init(other, &init_s);
        CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 2);
    }
}

TEST(main_thread_exits_holding_a_lock)
{
    uintptr_t m = fresh();
    unsigned held = rt_findings_count("lock_held_at_exit");
    struct rt_thread *running = thread();
    uintptr_t other = fresh();
    uintptr_t private = fresh();
    LOCK(running, m); /* m is shared: another thread wanted it */
    UNLOCK(running, m);
    LOCK(running, other); /* another thread's hold: not the exiting thread's */
    LOCK(main_thread, m);
    LOCK(main_thread, private); /* nobody else ever wanted it: harmless */
    on_process_exit(main_thread);
    CHECK_EQ_INT(rt_findings_count("lock_held_at_exit") - held, 1);
    CHECK(last_says("lock_held_at_exit", "{thread:0} ends while holding {lock:"));
    UNLOCK(main_thread, private);
    UNLOCK(main_thread, m);
    UNLOCK(running, other);
}

TEST(deadline_the_call_rejects)
{
    uintptr_t m = fresh(), cv = L(next_lock++);
    struct rt_thread *t = thread();
    struct rt_sync_call cc = mk(cv, RT_COND, RT_TYPE_NONE, false, false, __LINE__);
    struct rt_sync_call mc = mk(m, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
    struct timespec bad = {.tv_sec = 1, .tv_nsec = 1000000000L}, neg = {.tv_nsec = -1},
                    good = {.tv_sec = 1, .tv_nsec = 999999999L};
    unsigned misuse = rt_findings_count("sync_misuse");
    on_timed_wait(t, &cc, "pthread_cond_timedwait", &good);
    on_timed_wait(t, &cc, "pthread_cond_timedwait", NULL);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 0);
    on_timed_wait(t, &cc, "pthread_cond_timedwait", &bad);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 1);
    CHECK(last_says("sync_misuse", "calls pthread_cond_timedwait on {lock:"));
    CHECK(last_says("sync_misuse", "tv_nsec is 1000000000"));
    mc.timed = true;
    on_timed_wait(t, &mc, "pthread_mutex_timedlock", &neg);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - misuse, 2);
    CHECK(last_says("sync_misuse", "whenever it has to wait"));
}

/* ---- appended: false reports removed (issue 12) ------------------------------- */

TEST(cond_destroyed_after_its_waiters_were_woken)
{
    uintptr_t m = fresh(), cv = L(next_lock++);
    struct rt_thread *w1 = thread(), *w2 = thread(), *t = thread();
    struct rt_sync_call cc = mk(cv, RT_COND, RT_TYPE_NONE, false, false, __LINE__);
    struct rt_sync_call mc = mk(m, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
    unsigned locked = rt_findings_count("destroy_locked");

    /* two waiters, one signal: one is still blocked */
    LOCK(w1, m); on_cond_wait(w1, &cc, &mc);
    LOCK(w2, m); on_cond_wait(w2, &cc, &mc);
    on_cond_signal(t, &cc, false);
    on_lock_destroy(t, &cc);
    CHECK_EQ_INT(rt_findings_count("destroy_locked") - locked, 1);
    CHECK(last_says("destroy_locked", "while 1 thread(s) wait on it"));
    /* the woken one returns; a broadcast wakes the other: nobody is blocked
     * on the condition, though w2 has not returned yet (it re-acquires m) */
    on_cond_returned(w1, &cc, &mc, true); UNLOCK(w1, m);
    on_cond_signal(t, &cc, true);
    on_lock_destroy(t, &cc);
    CHECK_EQ_INT(rt_findings_count("destroy_locked") - locked, 1);
    on_lock_destroyed(t, &cc, true);
    on_cond_returned(w2, &cc, &mc, true); UNLOCK(w2, m);
    /* a timed wait that timed out while another waiter was woken: the
     * blocked count goes down, not the woken one */
    on_lock_init(t, &cc);
    LOCK(w1, m); on_cond_wait(w1, &cc, &mc);
    LOCK(w2, m); on_cond_wait(w2, &cc, &mc);
    on_cond_signal(t, &cc, false);
    on_cond_returned(w2, &cc, &mc, false); UNLOCK(w2, m); /* ETIMEDOUT */
    on_lock_destroy(t, &cc);
    CHECK_EQ_INT(rt_findings_count("destroy_locked") - locked, 1);
    on_cond_returned(w1, &cc, &mc, true); UNLOCK(w1, m);
}

TEST(robust_mutex_whose_owner_died)
{
    uintptr_t r = fresh(), plain = fresh();
    struct rt_thread *dies = thread(), *next = thread();
    struct rt_sync_call c = mk(r, RT_MUTEX, RT_TYPE_NORMAL, true, false, __LINE__);
    unsigned held = rt_findings_count("lock_held_at_exit"), unheld = rt_findings_count("unlock_not_held");
    c.robust = true;
    on_lock_init(main_thread, &c);
    CHECK(on_lock_wait(dies, &c) == RT_PROCEED);
    on_lock_acquired(dies, &c);
    on_thread_exit(dies, 0, 0); /* dies holding it: its recovery path, not a leak */
    CHECK_EQ_INT(rt_findings_count("lock_held_at_exit") - held, 0);
    /* EOWNERDEAD: the next locker has it */
    CHECK(on_lock_wait(next, &c) == RT_PROCEED);
    on_lock_acquired(next, &c);
    on_lock_release(next, &c);
    CHECK_EQ_INT(rt_findings_count("unlock_not_held") - unheld, 0);
    /* a plain mutex held at the end still is one */
    LOCK(next, plain);
    on_thread_exit(next, 0, 0);
    CHECK_EQ_INT(rt_findings_count("lock_held_at_exit") - held, 1);
}

TEST(threads_running_at_exit_are_no_leak)
{
    pthread_t h1, h2;
    struct rt_thread *finished = on_thread_create(main_thread, 0x2100, 0x8000, (uintptr_t)idle, false);
    struct rt_thread *running = on_thread_create(main_thread, 0x2101, 0x8000, (uintptr_t)idle, false);
    unsigned leaks = rt_findings_count("thread_leak");
    pthread_create(&h1, NULL, idle, NULL);
    pthread_create(&h2, NULL, idle, NULL);
    on_thread_created(main_thread, finished, h1, true);
    on_thread_created(main_thread, running, h2, true);
    on_thread_exit(finished, 0, 0);
    on_process_exit(main_thread);
    CHECK_EQ_INT(rt_findings_count("thread_leak") - leaks, 1);
    CHECK(last_says("thread_leak", "(it had finished)"));
    /* asked for: the running one too */
    rt_options.report_running_threads = true;
    on_process_exit(main_thread);
    rt_options.report_running_threads = false;
    CHECK_EQ_INT(rt_findings_count("thread_leak") - leaks, 2);
    CHECK(last_says("thread_leak", "(it was still running)"));
    pthread_join(h1, NULL);
    pthread_join(h2, NULL);
}

int main(void)
{
    char dir[32];
    if (lock_fixture_start("report_thread_leaks=true", dir) < 0)
        return 1;
    main_thread = rt_self;
    RUN(abba_in_two_threads_is_one_cycle);
    RUN(abba_in_one_thread_is_one_cycle);
    RUN(fast_path_tells_a_then_b_from_b_then_a);
    RUN(consistent_order_is_silent);
    RUN(common_gate_lock_is_silent);
    RUN(gate_lock_over_three_threads_is_silent);
    RUN(trylock_closing_the_cycle_is_silent);
    RUN(read_read_on_rwlock_is_silent);
    RUN(three_locks_over_three_threads_is_one_cycle);
    RUN(five_dining_philosophers_is_one_cycle);
    RUN(destroyed_and_recreated_lock_is_a_new_lock);
    RUN(freed_memory_forgets_its_locks);
    RUN(lock_registry_finds_every_live_lock);
    RUN(no_limit_on_locks_held_at_once);
    RUN(self_deadlock_by_type);
    RUN(unlock_by_non_owner_and_double_unlock);
    RUN(destroy_of_held_lock);
    RUN(cond_wait_with_and_without_the_mutex);
    RUN(thread_ending_with_a_lock);
    RUN(thread_leaks_at_exit);
    RUN(timed_lock_closing_the_cycle_is_silent);
    RUN(mutex_used_after_destroy);
    RUN(destroyed_then_statically_initialised_is_a_new_mutex);
    RUN(lock_in_freed_memory);
    RUN(freeing_a_held_lock);
    RUN(reinitialised_while_held);
    RUN(main_thread_exits_holding_a_lock);
    RUN(deadline_the_call_rejects);
    RUN(cond_destroyed_after_its_waiters_were_woken);
    RUN(robust_mutex_whose_owner_died);
    RUN(threads_running_at_exit_are_no_leak);
    RUN(record_names_every_id_before_use);
    lock_fixture_end(dir);
    UNIT_DONE();
}
