/* timed_backoff_fixed: the twin of timed_backoff.c, with a timed lock that backs off.
 *
 * load_entry() still holds store_lock when it asks for cache_lock, but with
 * pthread_mutex_timedlock and a 50 ms deadline. When the deadline passes
 * (ETIMEDOUT: flush_cache() holds cache_lock and waits for store_lock), it
 * lets go of store_lock, so flush_cache() can finish, and tries again. A
 * thread that gives up its wait cannot be part of a deadlock, so racedet
 * treats an edge taken by a timed lock like one taken by a trylock: the
 * cycle it closes is not reported. (Taking cache_lock first everywhere
 * also works.) Here the two threads run one after the other; run at the
 * same time they could not hang either.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t store_lock = PTHREAD_MUTEX_INITIALIZER;
static int cached = 1, stored;

/* Write the cache back to the store. */
static void *flush_cache(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cache_lock);
    pthread_mutex_lock(&store_lock);
    stored = cached;
    pthread_mutex_unlock(&store_lock);
    pthread_mutex_unlock(&cache_lock);
    return NULL;
}

/* Read an entry from the store and keep it in the cache. */
static void *load_entry(void *arg)
{
    struct timespec deadline;

    (void)arg;
    for (;;) {
        pthread_mutex_lock(&store_lock);
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += 50 * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        if (pthread_mutex_timedlock(&cache_lock, &deadline) == 0)   /* FIX: gives up */
            break;
        pthread_mutex_unlock(&store_lock);  /* ETIMEDOUT: back off, try again */
    }
    cached = stored + 1;
    pthread_mutex_unlock(&cache_lock);
    pthread_mutex_unlock(&store_lock);
    return NULL;
}

int main(void)
{
    pthread_t t;

    pthread_create(&t, NULL, flush_cache, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, load_entry, NULL);
    pthread_join(t, NULL);
    printf("stored %d, cached %d\n", stored, cached);
    return 0;
}
