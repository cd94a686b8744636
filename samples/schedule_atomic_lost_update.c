/* schedule_atomic_lost_update: a hit counter made of two atomic operations.
 *
 * Each worker loads the counter atomically, adds the hits it counted (a
 * short computation), and stores the sum atomically. Every access is
 * atomic, so there is no data race, and racedet run reports nothing; but
 * the load and the store are two operations: when the other worker stores
 * in between, its hits are overwritten. Natively the first worker is done
 * before the second starts and the count is always right. Built with
 * racedet-cc, the atomic operations are visible to racedet, and
 * `racedet explore --points=atomics` may switch threads at each of them:
 * one schedule lets both workers load the same count, and the assertion
 * fails. (With the default points, at synchronisation calls only, no
 * schedule separates the load from the store.) The fixed twin adds with one
 * atomic fetch-and-add.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static atomic_long hits;

/* The hits a worker counted: a short computation. */
static long count_hits(long seed)
{
    long h = seed;
    for (int i = 0; i < 100; i++)
        h = (h * 13 + i) % 97;
    return 1 + h % 5;
}

static void *worker(void *arg)
{
    long mine = count_hits((long)arg);
    long seen = atomic_load(&hits);         /* load ... */
    atomic_store(&hits, seen + mine);       /* BUG: ... store: an update in between is lost */
    return (void *)mine;
}

int main(void)
{
    pthread_t a, b;
    void *ma, *mb;

    pthread_create(&a, NULL, worker, (void *)1L);
    usleep(20000); /* the second one starts later */
    pthread_create(&b, NULL, worker, (void *)2L);
    pthread_join(a, &ma);
    pthread_join(b, &mb);
    printf("%ld hits (%ld + %ld)\n", atomic_load(&hits), (long)ma, (long)mb);
    assert(atomic_load(&hits) == (long)ma + (long)mb && "an update was lost");
    return 0;
}
