/* timed_backoff: the reverse lock order, taken with a lock that waits forever.
 *
 * flush_cache() holds cache_lock while it takes store_lock, to write the
 * cache back; load_entry() holds store_lock while it takes cache_lock, to
 * put what it read into the cache. The two orders form a cycle: the day
 * both run at once, each can hold its first lock and wait forever for the
 * other's. Here they run one after the other, so this run does not hang,
 * but racedet reports the cycle cache -> store -> cache from it.
 * The fixed twin keeps the reverse order but takes cache_lock with
 * pthread_mutex_timedlock, and on ETIMEDOUT lets go of store_lock and tries
 * again: a wait that gives up cannot be part of a deadlock.
 */
#include <pthread.h>
#include <stdio.h>

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
    (void)arg;
    pthread_mutex_lock(&store_lock);
    pthread_mutex_lock(&cache_lock);        /* BUG: store before cache, and no way out */
    cached = stored + 1;
    pthread_mutex_unlock(&cache_lock);
    pthread_mutex_unlock(&store_lock);
    return NULL;
}

int main(void)
{
    pthread_t t;

    /* One after the other: no hang today. */
    pthread_create(&t, NULL, flush_cache, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, load_entry, NULL);
    pthread_join(t, NULL);
    printf("stored %d, cached %d\n", stored, cached);
    return 0;
}
