/* tsan_mutex: a custom lock annotated with the __tsan_mutex_* calls of
 * <sanitizer/tsan_interface.h>, used in every way they describe. Silent:
 *   - created write_reentrant, then locked twice by one thread (calls that
 *     do not repeat the flag keep it reentrant: no self-deadlock);
 *   - a trylock that fails while the thread holds the lock;
 *   - two readers holding it at once (read_lock), then a writer, whose
 *     writes must be ordered after both readers' reads;
 *   - the lock's own plain bookkeeping (`owner`), written inside the
 *     pre/post brackets, where accesses are not checked.
 * The data it guards is accessed under it only. */
#include <pthread.h>
#include <sanitizer/tsan_interface.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

struct lock {
    atomic_int word;     /* -1 writer, n > 0 readers */
    int depth;           /* the writer's recursion, its own */
    long owner;          /* bookkeeping, written without atomics */
};

static int try_write(struct lock *l, long self)
{
    int expected = 0;
    if (l->depth > 0 && l->owner == self)
        return 1;
    return atomic_compare_exchange_strong_explicit(&l->word, &expected, -1, memory_order_acquire,
                                                   memory_order_relaxed);
}

static void lock_write(struct lock *l, long self)
{
    __tsan_mutex_pre_lock(l, 0);
    while (!try_write(l, self))
        sched_yield();
    l->owner = self;
    l->depth++;
    __tsan_mutex_post_lock(l, 0, 0);
}

static int trylock_write(struct lock *l, long self)
{
    int ok;
    __tsan_mutex_pre_lock(l, __tsan_mutex_try_lock);
    ok = l->depth == 0 && try_write(l, self);
    if (ok) {
        l->owner = self;
        l->depth++;
    }
    __tsan_mutex_post_lock(l, ok ? __tsan_mutex_try_lock
                                 : __tsan_mutex_try_lock | __tsan_mutex_try_lock_failed, 0);
    return ok;
}

static void unlock_write(struct lock *l)
{
    __tsan_mutex_pre_unlock(l, 0);
    if (--l->depth == 0) {
        l->owner = 0;
        atomic_store_explicit(&l->word, 0, memory_order_release);
    }
    __tsan_mutex_post_unlock(l, 0);
}

static void lock_read(struct lock *l)
{
    int v;
    __tsan_mutex_pre_lock(l, __tsan_mutex_read_lock);
    v = atomic_load_explicit(&l->word, memory_order_relaxed);
    while (v < 0 || !atomic_compare_exchange_weak_explicit(&l->word, &v, v + 1,
                                                           memory_order_acquire,
                                                           memory_order_relaxed)) {
        sched_yield();
        v = atomic_load_explicit(&l->word, memory_order_relaxed);
    }
    __tsan_mutex_post_lock(l, __tsan_mutex_read_lock, 0);
}

static void unlock_read(struct lock *l)
{
    __tsan_mutex_pre_unlock(l, __tsan_mutex_read_lock);
    atomic_fetch_sub_explicit(&l->word, 1, memory_order_release);
    __tsan_mutex_post_unlock(l, __tsan_mutex_read_lock);
}

static struct lock table_lock;
static int table[4];
static pthread_barrier_t both_reading;
static atomic_int done_reading;           /* orders nothing: relaxed */

static void *reader(void *arg)
{
    int *sum = arg;
    lock_read(&table_lock);
    pthread_barrier_wait(&both_reading);  /* the two readers hold it at once */
    *sum = table[0] + table[1];
    unlock_read(&table_lock);
    atomic_fetch_add_explicit(&done_reading, 1, memory_order_relaxed);
    return NULL;
}

static void *writer(void *arg)
{
    long self = (long)arg;
    while (atomic_load_explicit(&done_reading, memory_order_relaxed) < 2)
        sched_yield();                    /* after both readers, ordered by the lock only */
    lock_write(&table_lock, self);
    lock_write(&table_lock, self);        /* reentrant */
    if (trylock_write(&table_lock, self)) /* the lock says no while held */
        unlock_write(&table_lock);
    table[0] = 5;
    unlock_write(&table_lock);
    unlock_write(&table_lock);
    return NULL;
}

int main(void)
{
    pthread_t r1, r2, w;
    int s1 = 0, s2 = 0;

    __tsan_mutex_create(&table_lock, __tsan_mutex_write_reentrant);
    pthread_barrier_init(&both_reading, NULL, 2);
    table[0] = 1;
    table[1] = 2;
    pthread_create(&w, NULL, writer, (void *)1);
    pthread_create(&r1, NULL, reader, &s1);
    pthread_create(&r2, NULL, reader, &s2);
    pthread_join(r1, NULL);
    pthread_join(r2, NULL);
    pthread_join(w, NULL);
    __tsan_mutex_destroy(&table_lock, 0);
    printf("%d %d %d\n", s1, s2, table[0]);
    return 0;
}
