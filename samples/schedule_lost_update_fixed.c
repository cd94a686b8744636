/* schedule_lost_update_fixed: the correct twin of schedule_lost_update.c.
 * A worker computes its share first, then reads, adds and writes the total
 * in one critical section: no update is based on a stale total, in any
 * schedule.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;
static long total;

/* The worker's share: a short computation. */
static long share(long seed)
{
    long s = seed;
    for (int i = 0; i < 200; i++)
        s = (s * 7 + i) % 101;
    return 10 + s % 10;
}

static void *worker(void *arg)
{
    long mine = share((long)arg);
    pthread_mutex_lock(&total_lock);
    total += mine;                      /* read, add and write in one step */
    pthread_mutex_unlock(&total_lock);
    return (void *)mine;
}

int main(void)
{
    pthread_t a, b;
    void *sa, *sb;

    pthread_create(&a, NULL, worker, (void *)1L);
    usleep(20000); /* the second one starts later */
    pthread_create(&b, NULL, worker, (void *)2L);
    pthread_join(a, &sa);
    pthread_join(b, &sb);
    printf("total %ld, shares %ld + %ld\n", total, (long)sa, (long)sb);
    assert(total == (long)sa + (long)sb && "a share was lost");
    return 0;
}
