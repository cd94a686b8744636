/*
 * Semaphores, barriers and blocking calls, fed events directly (no
 * LD_PRELOAD): sync_misuse for destroyed-while-in-use, use after destroy,
 * re-initialisation while in use, barrier count 0, a semaphore value above
 * SEM_VALUE_MAX (and uses of such objects) and deadlines the call rejects,
 * and silence for
 * correct use (including a barrier destroyed as soon as it tripped, before
 * its threads returned); blocking_under_lock only for long calls made
 * holding a lock that another thread also acquired or waited for (at the
 * call, or later: then it is reported when that happens), once per call
 * site.
 */
#include "events/events.h"
#include "core/findings.h"
#include "core/record.h"
#include "core/runtime.h"
#include "unit.h"
#include "findings_fixture.h"
#include "deadlock/deadlock.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char objmem[64 * 64]; /* fake object addresses */
static int next_obj;
static struct rt_thread *main_thread;

static uintptr_t fresh(void)
{
    return (uintptr_t)&objmem[(next_obj++) * 64];
}

static struct rt_sync_call obj(uintptr_t a, int kind, int line)
{
    return (struct rt_sync_call){.addr = a, .kind = kind, .type = RT_TYPE_NONE,
                                 .pc = 0x3000 + (uintptr_t)line, .sp = 0x9000};
}

static void init_(struct rt_thread *t, uintptr_t a, int kind, unsigned n, int line)
{
    struct rt_sync_call c = obj(a, kind, line);
    on_sync_object_init(t, &c, n);
    on_sync_object_inited(t, &c, n, !(kind == RT_BARRIER && n == 0));
}
static void destroy_(struct rt_thread *t, uintptr_t a, int kind, int line)
{
    struct rt_sync_call c = obj(a, kind, line);
    on_sync_object_destroy(t, &c);
    on_sync_object_destroyed(t, &c, true);
}
static bool wait_(struct rt_thread *t, uintptr_t a, int kind, int line)
{
    struct rt_sync_call c = obj(a, kind, line);
    return on_sync_object_wait(t, &c);
}
static void waited_(struct rt_thread *t, uintptr_t a, int kind, int line)
{
    struct rt_sync_call c = obj(a, kind, line);
    on_sync_object_waited(t, &c, true);
}
static void post_(struct rt_thread *t, uintptr_t a, int line)
{
    struct rt_sync_call c = obj(a, RT_SEM, line);
    on_sync_object_post(t, &c);
}
#define SEM_INIT(t, a, v) init_(t, a, RT_SEM, v, __LINE__)
#define BAR_INIT(t, a, n) init_(t, a, RT_BARRIER, n, __LINE__)
#define SEM_DESTROY(t, a) destroy_(t, a, RT_SEM, __LINE__)
#define BAR_DESTROY(t, a) destroy_(t, a, RT_BARRIER, __LINE__)
#define SEM_WAIT(t, a) wait_(t, a, RT_SEM, __LINE__)
#define SEM_WAITED(t, a) waited_(t, a, RT_SEM, __LINE__)
#define BAR_WAIT(t, a) wait_(t, a, RT_BARRIER, __LINE__)
#define BAR_WAITED(t, a) waited_(t, a, RT_BARRIER, __LINE__)
#define POST(t, a) post_(t, a, __LINE__)

static struct rt_thread *thread(void)
{
    return rt_thread_new(main_thread, RT_NO_STACK, 0);
}

/* Does the last finding's summary contain `what`? */
static bool says(const char *what)
{
    return last_says(NULL, what);
}

TEST(correct_semaphore_use_is_silent)
{
    uintptr_t s = fresh();
    struct rt_thread *t1 = thread();
    unsigned before = rt_findings_count(NULL);
    SEM_INIT(main_thread, s, 0);
    CHECK(SEM_WAIT(t1, s));
    POST(main_thread, s);
    SEM_WAITED(t1, s);
    SEM_DESTROY(main_thread, s);
    /* re-initialised after destroy: a new semaphore, fine to use */
    SEM_INIT(main_thread, s, 1);
    CHECK(SEM_WAIT(t1, s));
    SEM_WAITED(t1, s);
    SEM_DESTROY(main_thread, s);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(semaphore_destroyed_while_waited_on)
{
    uintptr_t s = fresh();
    struct rt_thread *t1 = thread();
    unsigned before = rt_findings_count("sync_misuse");
    SEM_INIT(main_thread, s, 0);
    CHECK(SEM_WAIT(t1, s));
    SEM_DESTROY(main_thread, s);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 1);
    CHECK(says("destroys {lock:"));
    CHECK(says("while 1 thread waits on it"));
    SEM_WAITED(t1, s);
}

TEST(semaphore_used_after_destroy)
{
    uintptr_t s = fresh();
    struct rt_thread *t1 = thread();
    unsigned before = rt_findings_count("sync_misuse");
    SEM_INIT(main_thread, s, 0);
    SEM_DESTROY(main_thread, s);
    POST(t1, s);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 1);
    CHECK(says("posts to {lock:"));
    CHECK(says("which was destroyed by another thread"));
    CHECK(SEM_WAIT(main_thread, s));
    SEM_WAITED(main_thread, s);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 2);
    CHECK(says("waits on {lock:"));
    SEM_DESTROY(main_thread, s);
    CHECK(says("which was already destroyed"));
}

TEST(freed_memory_forgets_destroyed_objects)
{
    uintptr_t s = fresh();
    unsigned before = rt_findings_count(NULL);
    SEM_INIT(main_thread, s, 0);
    SEM_DESTROY(main_thread, s);
    on_memory_freed(s, 64);
    /* the memory is another (zeroed) semaphore now */
    POST(main_thread, s);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(semaphore_reinitialised_while_waited_on)
{
    uintptr_t s = fresh();
    struct rt_thread *t1 = thread();
    unsigned before = rt_findings_count("sync_misuse");
    SEM_INIT(main_thread, s, 0);
    CHECK(SEM_WAIT(t1, s));
    SEM_INIT(main_thread, s, 0);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 1);
    CHECK(says("re-initialises {lock:"));
    SEM_WAITED(t1, s);
}

TEST(barrier_rounds_are_silent)
{
    uintptr_t b = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = rt_findings_count(NULL);
    BAR_INIT(main_thread, b, 2);
    for (int round = 0; round < 3; round++) {
        CHECK(BAR_WAIT(t1, b));
        CHECK(BAR_WAIT(t2, b));
        BAR_WAITED(t2, b);
        BAR_WAITED(t1, b);
    }
    /* tripped, and destroyed before t1 even returned from its wait: fine */
    CHECK(BAR_WAIT(t1, b));
    CHECK(BAR_WAIT(t2, b));
    BAR_WAITED(t2, b);
    BAR_DESTROY(t2, b);
    BAR_WAITED(t1, b);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(barrier_destroyed_while_threads_wait)
{
    uintptr_t b = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = rt_findings_count("sync_misuse");
    BAR_INIT(main_thread, b, 3);
    CHECK(BAR_WAIT(t1, b));
    CHECK(BAR_WAIT(t2, b));
    BAR_DESTROY(main_thread, b);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 1);
    CHECK(says("destroys {lock:"));
    CHECK(says("while 2 threads wait on it"));
}

TEST(barrier_count_zero)
{
    uintptr_t b = fresh();
    unsigned before = rt_findings_count("sync_misuse");
    BAR_INIT(main_thread, b, 0);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 1);
    CHECK(says("with a count of 0"));
    /* glibc would divide by zero: the wait is not made */
    CHECK(!BAR_WAIT(main_thread, b));
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 2);
    CHECK(says("whose initialisation failed"));
    /* a proper init makes it a barrier */
    BAR_INIT(main_thread, b, 1);
    CHECK(BAR_WAIT(main_thread, b));
    BAR_WAITED(main_thread, b);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 2);
}

TEST(semaphore_value_above_the_maximum)
{
    uintptr_t s = fresh();
    unsigned before = rt_findings_count("sync_misuse");
    struct rt_sync_call c = obj(s, RT_SEM, __LINE__);
    struct timespec bad = {.tv_nsec = 2000000000L};
    on_sync_object_init(main_thread, &c, 0xffffffffu);
    on_sync_object_inited(main_thread, &c, 0xffffffffu, false); /* EINVAL */
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 1);
    CHECK(says("with the value 4294967295, above SEM_VALUE_MAX"));
    /* not a semaphore: every use is misuse; the real calls are still made */
    POST(main_thread, s);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 2);
    CHECK(says("posts to {lock:"));
    CHECK(says("whose initialisation failed"));
    CHECK(SEM_WAIT(main_thread, s));
    SEM_WAITED(main_thread, s);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 3);
    CHECK(says("waits on {lock:"));
    /* a proper init makes it a semaphore; a deadline sem_timedwait rejects */
    SEM_INIT(main_thread, s, 0);
    on_timed_wait(main_thread, &c, "sem_timedwait", &bad);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 4);
    CHECK(says("calls sem_timedwait on {lock:"));
    POST(main_thread, s);
    SEM_DESTROY(main_thread, s);
    CHECK_EQ_INT(rt_findings_count("sync_misuse") - before, 4);
}

TEST(blocking_call_without_a_lock_is_not_timed)
{
    CHECK_EQ_INT(on_blocking_begin(main_thread), 0);
}

TEST(long_blocking_call_under_a_lock_once_per_site)
{
    char m;
    struct rt_sync_call c = {.addr = (uintptr_t)&m, .kind = RT_MUTEX, .type = RT_TYPE_NORMAL,
                             .write = true, .pc = 0x5000, .sp = 0x9000};
    unsigned before = rt_findings_count("blocking_under_lock");
    uint64_t start;
    struct rt_thread *other = thread();
    on_lock_init(main_thread, &c);
    on_lock_wait(other, &c); /* another thread uses it too: shared */
    on_lock_acquired(other, &c);
    on_lock_release(other, &c);
    on_lock_wait(main_thread, &c);
    on_lock_acquired(main_thread, &c);
    start = on_blocking_begin(main_thread);
    CHECK(start != 0);
    /* short: nothing */
    on_blocking_end(main_thread, start, "read", 0x6000);
    CHECK_EQ_INT(rt_findings_count("blocking_under_lock") - before, 0);
    /* 300 ms (the threshold is 100 ms) */
    on_blocking_end(main_thread, start - 300000000ull, "nanosleep", 0x6000);
    CHECK_EQ_INT(rt_findings_count("blocking_under_lock") - before, 1);
    CHECK(says("blocks 3"));
    CHECK(says("in nanosleep while holding {lock:"));
    /* the same call site again: already reported */
    on_blocking_end(main_thread, start - 300000000ull, "nanosleep", 0x6000);
    CHECK_EQ_INT(rt_findings_count("blocking_under_lock") - before, 1);
    on_lock_release(main_thread, &c);
    /* no lock held any more: not timed */
    CHECK_EQ_INT(on_blocking_begin(main_thread), 0);
}

TEST(condition_wait_holding_another_mutex)
{
    char outer, inner, cv;
    struct rt_sync_call o = {.addr = (uintptr_t)&outer, .kind = RT_MUTEX, .type = RT_TYPE_NORMAL,
                             .write = true, .pc = 0x7000, .sp = 0x9000};
    struct rt_sync_call i = o, c = {.addr = (uintptr_t)&cv, .kind = RT_COND,
                                    .type = RT_TYPE_NONE, .pc = 0x7100, .sp = 0x9000};
    unsigned before = rt_findings_count("blocking_under_lock");
    struct rt_thread *other = thread();
    i.addr = (uintptr_t)&inner;
    i.pc = 0x7010;
    on_lock_acquired(other, &o); /* another thread uses outer too: shared */
    on_lock_release(other, &o);
    on_lock_wait(main_thread, &o);
    on_lock_acquired(main_thread, &o);
    on_lock_wait(main_thread, &i);
    on_lock_acquired(main_thread, &i);
    on_cond_wait(main_thread, &c, &i);
    CHECK(main_thread->cond_wait_since_ns != 0);
    main_thread->cond_wait_since_ns -= 300000000ull;
    on_cond_woken(main_thread, &c, &i);
    CHECK_EQ_INT(rt_findings_count("blocking_under_lock") - before, 1);
    CHECK(says("in pthread_cond_wait while holding {lock:"));
    on_lock_release(main_thread, &i);
    /* the wait alone, with only its own mutex: not a blocking call */
    on_cond_wait(main_thread, &c, &o);
    CHECK_EQ_INT(main_thread->cond_wait_since_ns, 0);
    on_cond_woken(main_thread, &c, &o);
    on_lock_release(main_thread, &o);
    CHECK_EQ_INT(rt_findings_count("blocking_under_lock") - before, 1);
}

/* A call on the normal mutex at m, from pc. */
static struct rt_sync_call mutex_call(const char *m, uintptr_t pc)
{
    return (struct rt_sync_call){.addr = (uintptr_t)m, .kind = RT_MUTEX, .type = RT_TYPE_NORMAL,
                                 .write = true, .pc = pc, .sp = 0x9000};
}

TEST(blocking_under_a_lock_nobody_else_wants)
{
    char m;
    struct rt_sync_call c = mutex_call(&m, 0x5100);
    struct rt_thread *t = thread(), *other = thread();
    unsigned before = rt_findings_count("blocking_under_lock");
    uint64_t start;

    on_lock_init(t, &c);
    on_lock_acquired(t, &c);
    start = on_blocking_begin(t);
    CHECK(start != 0);
    on_blocking_end(t, start - 300000000ull, "nanosleep", 0x6100);
    on_lock_release(t, &c);
    /* the same thread again: still private, still silent */
    on_lock_acquired(t, &c);
    on_blocking_end(t, on_blocking_begin(t) - 300000000ull, "read", 0x6101);
    on_lock_release(t, &c);
    CHECK_EQ_INT(rt_findings_count("blocking_under_lock") - before, 0);
    /* another thread takes it: the earlier calls were made under a lock
     * others use after all: reported now, once per site */
    on_lock_acquired(other, &c);
    CHECK_EQ_INT(rt_findings_count("blocking_under_lock") - before, 2);
    CHECK(says("in read while holding {lock:"));
    on_lock_release(other, &c);
    on_lock_acquired(t, &c);
    on_blocking_end(t, on_blocking_begin(t) - 300000000ull, "nanosleep", 0x6100);
    on_lock_release(t, &c);
    CHECK_EQ_INT(rt_findings_count("blocking_under_lock") - before, 2);
}

TEST(a_lock_only_waited_for_is_shared_too)
{
    char m;
    struct rt_sync_call c = mutex_call(&m, 0x5200), try = c;
    struct rt_thread *t = thread(), *other = thread();
    unsigned before = rt_findings_count("blocking_under_lock");
    try.trylock = true;
    on_lock_init(t, &c);
    on_lock_acquired(t, &c);
    /* the other thread only tries it, and fails (EBUSY) */
    on_lock_wait(other, &try);
    on_lock_not_acquired(other, &try);
    on_blocking_end(t, on_blocking_begin(t) - 300000000ull, "poll", 0x6200);
    on_lock_release(t, &c);
    CHECK_EQ_INT(rt_findings_count("blocking_under_lock") - before, 1);
    CHECK(says("in poll while holding {lock:"));
}

int main(void)
{
    char dir[] = "/tmp/racedet-unit.XXXXXX", err[256];
    if (!mkdtemp(dir) || rt_start("blocking_threshold_ms=100", dir, err, sizeof err) < 0) {
        printf("not ok - start: %s\n", err);
        return 1;
    }
    main_thread = rt_self;
    RUN(correct_semaphore_use_is_silent);
    RUN(semaphore_destroyed_while_waited_on);
    RUN(semaphore_used_after_destroy);
    RUN(freed_memory_forgets_destroyed_objects);
    RUN(semaphore_reinitialised_while_waited_on);
    RUN(barrier_rounds_are_silent);
    RUN(barrier_destroyed_while_threads_wait);
    RUN(barrier_count_zero);
    RUN(semaphore_value_above_the_maximum);
    RUN(blocking_call_without_a_lock_is_not_timed);
    RUN(long_blocking_call_under_a_lock_once_per_site);
    RUN(condition_wait_holding_another_mutex);
    RUN(blocking_under_a_lock_nobody_else_wants);
    RUN(a_lock_only_waited_for_is_shared_too);
    {
        char cmd[512];
        rt_record_close();
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            printf("# could not remove %s\n", dir);
    }
    UNIT_DONE();
}
