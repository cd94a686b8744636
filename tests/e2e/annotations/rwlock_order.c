/* rwlock_order: two reader-writer locks of the program's own (spinlocks
 * on an atomic word), annotated with AnnotateRWLockCreate / Acquired /
 * Released, taken in opposite orders by two threads that never run at once
 * (the second starts after the first was joined): no deadlock this run,
 * but a lock-order cycle, which racedet must find as for pthread locks.
 * The data each lock guards is written under it: no data race. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

void AnnotateRWLockCreate(const char *file, int line, const volatile void *lock);
void AnnotateRWLockDestroy(const char *file, int line, const volatile void *lock);
void AnnotateRWLockAcquired(const char *file, int line, const volatile void *lock, long is_w);
void AnnotateRWLockReleased(const char *file, int line, const volatile void *lock, long is_w);

struct rwspin {
    atomic_int word; /* -1: a writer; n > 0: n readers */
};

static void write_lock(struct rwspin *l)
{
    int expected = 0;
    while (!atomic_compare_exchange_weak_explicit(&l->word, &expected, -1, memory_order_relaxed,
                                                  memory_order_relaxed)) {
        expected = 0;
        sched_yield();
    }
    AnnotateRWLockAcquired(__FILE__, __LINE__, l, 1);
}

static void write_unlock(struct rwspin *l)
{
    AnnotateRWLockReleased(__FILE__, __LINE__, l, 1);
    atomic_store_explicit(&l->word, 0, memory_order_relaxed);
}

static void read_lock(struct rwspin *l)
{
    int v = atomic_load_explicit(&l->word, memory_order_relaxed);
    while (v < 0 || !atomic_compare_exchange_weak_explicit(&l->word, &v, v + 1,
                                                           memory_order_relaxed,
                                                           memory_order_relaxed)) {
        sched_yield();
        v = atomic_load_explicit(&l->word, memory_order_relaxed);
    }
    AnnotateRWLockAcquired(__FILE__, __LINE__, l, 0);
}

static void read_unlock(struct rwspin *l)
{
    AnnotateRWLockReleased(__FILE__, __LINE__, l, 0);
    atomic_fetch_sub_explicit(&l->word, 1, memory_order_relaxed);
}

static struct rwspin accounts, journal;
static int balance, entries;

static void *transfer(void *arg)
{
    (void)arg;
    write_lock(&accounts);
    write_lock(&journal);
    balance += 10;
    entries++;
    write_unlock(&journal);
    write_unlock(&accounts);
    return NULL;
}

static void *audit(void *arg)
{
    int *seen = arg;
    write_lock(&journal);
    read_lock(&accounts);
    *seen = balance + entries;
    read_unlock(&accounts);
    write_unlock(&journal);
    return NULL;
}

int main(void)
{
    pthread_t t;
    int seen = 0;

    AnnotateRWLockCreate(__FILE__, __LINE__, &accounts);
    AnnotateRWLockCreate(__FILE__, __LINE__, &journal);
    pthread_create(&t, NULL, transfer, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, audit, &seen);
    pthread_join(t, NULL);
    AnnotateRWLockDestroy(__FILE__, __LINE__, &journal);
    AnnotateRWLockDestroy(__FILE__, __LINE__, &accounts);
    printf("%d\n", seen);
    return 0;
}
