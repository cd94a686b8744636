/* race_release_sequence: a plain store by another thread ends a release sequence.
 *
 * publish() fills `report` and announces it with a release store of READY
 * into `status`. audit() waits for READY and marks the report audited with a
 * plain (relaxed) store of AUDITED. archive() waits until it sees AUDITED and
 * then loads `status` with memory_order_acquire, which it takes as its
 * licence to read `report`. But an acquire load synchronises only with the
 * release sequence of the value it reads: the release store, later stores of
 * the same thread, and read-modify-writes by anyone. audit()'s plain store is
 * none of these: the history of `status` starts again there and carries
 * nothing of publish()'s writes, so archive() reads `report` unordered with
 * publish()'s write (on ARM or POWER it may see the old contents). racedet
 * reports the write and the read.
 * The fixed twin marks the report with atomic_fetch_or, a read-modify-write,
 * which continues the release sequence.
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
    atomic_store_explicit(&status, AUDITED, memory_order_relaxed); /* BUG: ends the sequence */
    return NULL;
}

static void *archive(void *arg)
{
    int *seen = arg;

    while (atomic_load_explicit(&status, memory_order_relaxed) != AUDITED)
        sched_yield();
    (void)atomic_load_explicit(&status, memory_order_acquire); /* reads AUDITED */
    *seen = report[0];                                      /* plain read: not ordered */
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
