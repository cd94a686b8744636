/* race_release_sequence_fixed: the twin of race_release_sequence.c, a read-modify-write.
 *
 * The correct twin of race_release_sequence.c. publish() fills `report` and
 * announces it with a release store of READY into `status`; audit() marks
 * it audited with atomic_fetch_or, a read-modify-write, which continues the
 * release sequence that publish()'s store heads; so archive()'s acquire
 * load, which reads the audited value, synchronises with publish() and its
 * read of `report` is ordered after the write. racedet reports nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

enum { READY = 1, AUDITED = 2 };

static int report[4];
static atomic_int status;

static void *publish(void *arg)
{
    (void)arg;
    report[0] = 42;                                         /* plain write */
    atomic_store_explicit(&status, READY, memory_order_release);
    return NULL;
}

static void *audit(void *arg)
{
    (void)arg;
    while (atomic_load_explicit(&status, memory_order_relaxed) != READY)
        sched_yield();
    atomic_fetch_or_explicit(&status, AUDITED, memory_order_relaxed); /* continues it */
    return NULL;
}

static void *archive(void *arg)
{
    int *seen = arg;

    while (!(atomic_load_explicit(&status, memory_order_relaxed) & AUDITED))
        sched_yield();
    (void)atomic_load_explicit(&status, memory_order_acquire); /* reads READY | AUDITED */
    *seen = report[0];                                      /* ordered after the write */
    return NULL;
}

int main(void)
{
    pthread_t publisher, auditor, archiver;
    int seen = 0;

    pthread_create(&archiver, NULL, archive, &seen);
    pthread_create(&auditor, NULL, audit, NULL);
    pthread_create(&publisher, NULL, publish, NULL);
    pthread_join(publisher, NULL);
    pthread_join(auditor, NULL);
    pthread_join(archiver, NULL);
    printf("archived %d\n", seen);
    return 0;
}
