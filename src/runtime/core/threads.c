/* threads: see threads.h. */
#include "threads.h"
#include "sync_objects.h"
#include "rt_alloc.h"
#include "rt_hash.h"

#include <string.h>
#include <unistd.h>

__thread struct rt_thread *rt_self;

/* All threads ever seen, by id; and the live ones by pthread_t handle. */
static rt_spin_t threads_lock = RT_SPIN_INIT;
static struct rt_thread **by_id;
static int nthreads, cap_threads;
struct handle_entry {
    UT_hash_handle hh;
    pthread_t handle;
    struct rt_thread *t;
};
static struct handle_entry *by_handle;

struct rt_thread *rt_thread_new(struct rt_thread *parent, rt_stack_id create_stack,
                                uintptr_t start_routine)
{
    struct rt_thread *t = rt_alloc(sizeof *t);
    t->pid = getpid();
    t->parent = parent ? parent->id : -1;
    t->create_stack = create_stack;
    t->start_routine = start_routine;
    atomic_store(&t->running, true);
    t->waiting_stack = RT_NO_STACK;
    rt_spin_lock(&threads_lock);
    if (nthreads == cap_threads) {
        int ncap = cap_threads ? cap_threads * 2 : 256;
        by_id = rt_realloc(by_id, sizeof *by_id * (size_t)cap_threads, sizeof *by_id * (size_t)ncap);
        cap_threads = ncap;
    }
    t->id = nthreads;
    by_id[nthreads++] = t;
    rt_spin_unlock(&threads_lock);
    return t;
}

struct rt_thread *rt_thread_current(void)
{
    struct rt_thread *t = rt_self;
    if (t)
        return t;
    t = rt_thread_new(NULL, RT_NO_STACK, 0);
    t->anonymous = t->id != 0;
    t->handle = pthread_self();
    rt_self = t;
    return t;
}

struct rt_thread *rt_thread_by_id(int id)
{
    struct rt_thread *t = NULL;
    rt_spin_lock(&threads_lock);
    if (id >= 0 && id < nthreads)
        t = by_id[id];
    rt_spin_unlock(&threads_lock);
    return t;
}

int rt_thread_count(void)
{
    int n;
    rt_spin_lock(&threads_lock);
    n = nthreads;
    rt_spin_unlock(&threads_lock);
    return n;
}

void rt_thread_set_handle(struct rt_thread *t, pthread_t h)
{
    struct handle_entry *e;
    rt_spin_lock(&threads_lock);
    t->handle = h;
    /* pthread_t values are reused once a thread is joined: the newest wins */
    HASH_FIND(hh, by_handle, &h, sizeof h, e);
    if (!e) {
        e = rt_alloc(sizeof *e);
        e->handle = h;
        HASH_ADD(hh, by_handle, handle, sizeof e->handle, e);
    }
    e->t = t;
    rt_spin_unlock(&threads_lock);
}

struct rt_thread *rt_thread_by_handle(pthread_t h)
{
    struct handle_entry *e;
    struct rt_thread *t = NULL;
    rt_spin_lock(&threads_lock);
    HASH_FIND(hh, by_handle, &h, sizeof h, e);
    if (e)
        t = e->t;
    rt_spin_unlock(&threads_lock);
    return t;
}

struct rt_thread_caches *rt_thread_caches_make(struct rt_thread *t)
{
    t->caches = rt_alloc(sizeof *t->caches);
    return t->caches;
}

void rt_thread_retire(struct rt_thread *t)
{
    atomic_store(&t->running, false);
    if (t->caches) {
        rt_stack_callsite_release(&t->caches->callsites);
        rt_free(t->caches, sizeof *t->caches);
        t->caches = NULL;
    }
    rt_spin_lock(&t->peek_lock);
    if (t->held)
        rt_free(t->held, sizeof *t->held * t->cap_held);
    t->held = NULL;
    t->nheld = t->cap_held = 0;
    rt_spin_unlock(&t->peek_lock);
}

struct rt_held *rt_held_grow(struct rt_thread *t)
{
    unsigned ncap = t->cap_held ? t->cap_held * 2 : 16;
    struct rt_held *n = rt_alloc(sizeof *n * ncap), *old;
    unsigned oldcap;
    if (t->held)
        memcpy(n, t->held, sizeof *n * t->nheld);
    /* the watchdog may be reading the old array: swap under peek_lock */
    rt_spin_lock(&t->peek_lock);
    old = t->held;
    oldcap = t->cap_held;
    t->held = n;
    t->cap_held = ncap;
    rt_spin_unlock(&t->peek_lock);
    if (old)
        rt_free(old, sizeof *old * oldcap);
    return n;
}

void rt_threads_after_fork_child(struct rt_thread *survivor)
{
    pid_t pid = getpid();
    struct handle_entry *e, *tmp;
    survivor->pid = pid;
    HASH_ITER(hh, by_handle, e, tmp) {
        if (e->t != survivor) {
            HASH_DEL(by_handle, e);
            rt_free(e, sizeof *e);
        }
    }
    for (int i = 0; i < nthreads; i++)
        if (by_id[i] != survivor)
            atomic_store(&by_id[i]->running, false);
}

void rt_threads_lock_all(void)
{
    rt_spin_lock(&threads_lock);
}

void rt_threads_unlock_all(void)
{
    rt_spin_unlock(&threads_lock);
}
