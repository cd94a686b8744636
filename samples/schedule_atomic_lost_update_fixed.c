/* schedule_atomic_lost_update_fixed: the correct twin of
 * schedule_atomic_lost_update.c. A worker adds its hits with one atomic
 * fetch-and-add: no update falls between a load and a store, in any
 * schedule.
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
    atomic_fetch_add(&hits, mine);          /* one atomic read-modify-write */
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
