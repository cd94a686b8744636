/*
 * Thread records, fed events directly (no LD_PRELOAD) from real threads:
 * what a thread had is freed when it is joined or, detached, once its
 * kernel thread has exited, also what its last code (a pthread key
 * destructor taking a lock, as libunwind's does) made after it ended; the
 * runtime's memory then grows by a thread's identity only, however many
 * threads are made.
 */
#include "events/events.h"
#include "core/core.h"
#include "deadlock/deadlock.h"
#include "unit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct rt_thread *main_thread;
static pthread_mutex_t program_lock; /* only its address is used */

static struct rt_sync_call mutex_call(int line)
{
    return (struct rt_sync_call){.addr = (uintptr_t)&program_lock, .kind = RT_MUTEX,
                                 .type = RT_TYPE_NORMAL, .write = true,
                                 .pc = 0x4000 + (uintptr_t)line, .sp = 0x9000};
}

static void lock_unlock(struct rt_thread *t, int line)
{
    struct rt_sync_call c = mutex_call(line);
    t->in_runtime = 1;
    CHECK(on_lock_wait(t, &c) == RT_PROCEED);
    on_lock_acquired(t, &c);
    on_lock_release(t, &c);
    t->in_runtime = 0;
}

/* The body of one program thread, as the interceptors would report it. */
static void *body(void *p)
{
    struct rt_thread *t = p;
    on_thread_start(t);
    lock_unlock(t, __LINE__);      /* the start routine */
    t->in_runtime = 1;
    on_thread_exit(t, 0, 0);
    t->in_runtime = 0;
    lock_unlock(t, __LINE__);      /* a key destructor, after the end */
    return NULL;
}

static void *start_routine(void *p)
{
    return p;
}

/* Make n threads, one at a time, as the program would; joined or detached. */
static void churn(int n, bool detached)
{
    for (int i = 0; i < n; i++) {
        struct rt_thread *child;
        pthread_t th;
        main_thread->in_runtime = 1;
        child = on_thread_create(main_thread, 0x5000, 0x9100, (uintptr_t)start_routine, detached);
        main_thread->in_runtime = 0;
        if (pthread_create(&th, NULL, body, child) != 0) {
            CHECK(!"pthread_create");
            return;
        }
        main_thread->in_runtime = 1;
        on_thread_created(main_thread, child, th, true);
        main_thread->in_runtime = 0;
        pthread_join(th, NULL); /* the kernel thread is gone after this */
        main_thread->in_runtime = 1;
        if (!detached)
            on_thread_join(main_thread, th);
        main_thread->in_runtime = 0;
    }
}

/* What one thread may keep for ever: its identity (its record is
 * released and used again for the next thread). */
static size_t identity_bytes(void)
{
    return sizeof(struct rt_thread_ident);
}

/* The deadlock watchdog looks at every thread while someone is blocked:
 * what it keeps for that must follow the threads running, not those ever
 * made. */
static void watchdog_looks(void)
{
    struct rt_deadlock d;
    uint64_t next;
    CHECK(!rt_watchdog_scan(rt_now_ns(), &d, &next));
}

static void memory_flat(bool detached)
{
    size_t after_small, after_large, allowed;
    churn(500, detached);
    watchdog_looks();
    after_small = rt_alloc_bytes_in_use();
    churn(4500, detached);
    watchdog_looks();
    after_large = rt_alloc_bytes_in_use();
    /* slack: a chunk of identities and one of thread records */
    allowed = 4500 * identity_bytes() + 4096 * identity_bytes() + 64 * 1024;
    if (after_large > after_small + allowed)
        fprintf(stderr, "  %s: %zu bytes after 500 threads, %zu after 5000: %zu per thread "
                        "(identity: %zu)\n", detached ? "detached" : "joined", after_small,
                after_large, (after_large - after_small) / 4500, identity_bytes());
    CHECK(after_large <= after_small + allowed);
}

TEST(memory_flat_in_joined_threads)
{
    memory_flat(false);
}

TEST(memory_flat_in_detached_threads)
{
    memory_flat(true);
}

/* A join returns, and before the joiner is back in the runtime another
 * thread is created with the same pthread_t (glibc reuses the joined
 * thread's descriptor): the join is the old thread's, as looked up before
 * the call (tls_threads of Valgrind's tests: a false thread_leak). */
TEST(join_meets_its_handle_reused)
{
    pthread_t h = (pthread_t)0x7e57;
    struct rt_thread *old, *new, *seen;
    main_thread->in_runtime = 1;
    old = on_thread_create(main_thread, 0x5000, 0x9100, (uintptr_t)start_routine, false);
    on_thread_created(main_thread, old, h, true);
    seen = on_thread_join_begin(main_thread, h, "pthread_join");
    new = on_thread_create(main_thread, 0x5000, 0x9100, (uintptr_t)start_routine, false);
    on_thread_created(main_thread, new, h, true); /* (while the join returns) */
    on_thread_joined(main_thread, seen);
    CHECK(seen == old);
    CHECK(atomic_load(&old->joined));
    CHECK(!atomic_load(&new->joined));
    CHECK(rt_thread_by_handle(h) == new);
    on_thread_join(main_thread, h);
    CHECK(atomic_load(&new->joined));
    main_thread->in_runtime = 0;
}

TEST(ended_thread_keeps_its_identity)
{
    struct rt_thread *t;
    int id;
    churn(1, false);
    id = rt_thread_count() - 1;
    t = rt_thread_by_id(id);
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK_EQ_INT(t->id, id);
    CHECK_EQ_INT(t->parent, main_thread->id);
    CHECK(t->create_stack != RT_NO_STACK);
    CHECK(t->caches == NULL);
    CHECK(t->held == NULL);
    CHECK(!atomic_load(&t->running));
}

/* A finding made after a thread was joined still names it: its id (never
 * given again), creator, creation stack and name, from the identity it
 * keeps; looked up twice, the same ghost. */
TEST(released_thread_is_named_by_its_identity)
{
    struct rt_thread *child, *ghost, *next;
    char name[64];
    pthread_t th;
    int id;
    main_thread->in_runtime = 1;
    child = on_thread_create(main_thread, 0x5000, 0x9100, (uintptr_t)start_routine, false);
    main_thread->in_runtime = 0;
    id = child->id;
    CHECK(pthread_create(&th, NULL, body, child) == 0);
    main_thread->in_runtime = 1;
    on_thread_created(main_thread, child, th, true);
    rt_thread_set_name(child, "worker-7");
    main_thread->in_runtime = 0;
    pthread_join(th, NULL);
    main_thread->in_runtime = 1;
    on_thread_join(main_thread, th);
    main_thread->in_runtime = 0;
    ghost = rt_thread_by_id(id);
    CHECK(ghost != NULL);
    if (!ghost)
        return;
    CHECK_EQ_INT(ghost->id, id);
    CHECK_EQ_INT(ghost->parent, main_thread->id);
    CHECK(ghost->create_stack != RT_NO_STACK);
    CHECK(rt_thread_name(ghost, name, sizeof name));
    CHECK(strcmp(name, "worker-7") == 0);
    CHECK(!atomic_load(&ghost->running));
    CHECK(rt_thread_by_id(id) == ghost);
    churn(2 * 64 + 2, false); /* past the quarantine: its record is used again */
    next = rt_thread_by_id(rt_thread_count() - 1);
    CHECK(next != NULL && next->id > id);
    CHECK(rt_thread_by_id(id) == ghost);
    CHECK(rt_thread_by_id(rt_thread_count()) == NULL);
}

int main(void)
{
    char err[256];
    /* no record directory: a temporary record, made only if a line is
     * written (nothing these tests do writes one) */
    if (rt_start(NULL, NULL, err, sizeof err) < 0) {
        printf("not ok - start: %s\n", err);
        return 1;
    }
    main_thread = rt_self;
    RUN(memory_flat_in_joined_threads);
    RUN(memory_flat_in_detached_threads);
    RUN(ended_thread_keeps_its_identity);
    RUN(join_meets_its_handle_reused);
    RUN(released_thread_is_named_by_its_identity);
    if (rt_record_path()[0])
        unlink(rt_record_path());
    UNIT_DONE();
}
