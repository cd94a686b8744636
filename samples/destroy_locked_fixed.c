/* destroy_locked_fixed: the twin of destroy_locked.c, unlock before destroy.
 *
 * shutdown_cache() flushes the cache under cache.lock, unlocks it, and only
 * then calls cache_close(). A mutex may be destroyed only when no thread holds
 * it and none will lock it again: here the filler thread has been joined, and
 * main itself has released the lock. The destroy succeeds and racedet
 * reports nothing.
 */
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
    pthread_mutex_unlock(&cache.lock);      /* FIX: unlock first... */
    int err = cache_close(&cache);          /* ...then destroy */
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
