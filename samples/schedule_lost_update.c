/* schedule_lost_update: two workers add to a total, and one sum is lost.
 *
 * Each worker reads the total under the lock, works out its share (a short
 * computation, lock released), then writes the total plus its share under
 * the lock again. Every access is locked, so there is no data race; but the
 * update is not atomic: when the other worker reads the total in between,
 * the two writes are based on the same old total and one share is lost.
 * Natively the first worker is done before the second starts, and the total
 * is always right. `racedet explore` switches threads at their lock calls
 * under many schedules and finds the one where a share is lost: the
 * assertion fails. The fixed twin reads, adds and writes in one critical
 * section.
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
    long mine = share((long)arg), t;
    pthread_mutex_lock(&total_lock);
    t = total;                          /* read ... */
    pthread_mutex_unlock(&total_lock);
    t += mine;                          /* ... compute ... */
    pthread_mutex_lock(&total_lock);
    total = t;                          /* BUG: ... write back a stale total */
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
