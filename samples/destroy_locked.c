/* destroy_locked: a mutex is destroyed while it is still locked.
 *
 * shutdown_cache() flushes the cache under cache.lock and then calls
 * cache_close(), which destroys the lock, but the lock is still held.
 * Destroying a locked mutex is undefined: glibc refuses with EBUSY (and code
 * that ignores the return value carries on with a "destroyed" lock), other
 * implementations free it under the holder's feet, and the memory may be
 * reused for something else while a thread still means to unlock it. racedet
 * reports the destroy and where the lock was taken. This sample then unlocks
 * and destroys again, properly, so that it stays well-behaved.
 * The fixed twin unlocks first and destroys the lock when nobody holds it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static struct cache {
    pthread_mutex_t lock;
    int entries;
} cache = {PTHREAD_MUTEX_INITIALIZER, 0};

static void *fill_cache(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cache.lock);
    cache.entries += 10;
    pthread_mutex_unlock(&cache.lock);
    return NULL;
}

/* Release the cache's resources; returns pthread_mutex_destroy's error. */
static int cache_close(struct cache *c)
{
    return pthread_mutex_destroy(&c->lock);
}

static void shutdown_cache(void)
{
    pthread_mutex_lock(&cache.lock);
    cache.entries = 0;                      /* flush */
    int err = cache_close(&cache);          /* BUG: cache.lock is still held */
    if (err == EBUSY) {
        pthread_mutex_unlock(&cache.lock);  /* recover: unlock, destroy again */
        printf("cache_close: %s; unlocked, closing again\n", strerror(err));
        err = cache_close(&cache);
    }
    if (err)
        printf("cache_close: %s\n", strerror(err));
}

int main(void)
{
    pthread_t filler;

    pthread_create(&filler, NULL, fill_cache, NULL);
    pthread_join(filler, NULL);
    printf("cache has %d entries\n", cache.entries);
    shutdown_cache();
    printf("cache closed\n");
    return 0;
}
