/* sleep_under_lock: sleeping while holding a lock that others are waiting for.
 *
 * refresh_table() locks table_lock and then sleeps 300 ms (think: a retry
 * back-off, or a rate limit) before updating the table. Every other thread
 * that needs table_lock, here read_table(), stalls for the whole sleep,
 * though nothing is being computed: latency spikes, lock convoys, and a
 * program that gets slower as threads are added. racedet reports blocking
 * calls made under a lock that last longer than blocking_threshold_ms
 * (100 ms by default), with where the lock was taken.
 * The fixed twin sleeps first and takes the lock only for the update.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t refresh_started;
static int table_version;

static void *refresh_table(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&table_lock);
    sem_post(&refresh_started);
    nanosleep(&(struct timespec){.tv_nsec = 300 * 1000000L}, NULL); /* BUG */
    table_version++;
    pthread_mutex_unlock(&table_lock);
    return NULL;
}

static void *read_table(void *arg)
{
    int *seen = arg;

    sem_wait(&refresh_started);
    pthread_mutex_lock(&table_lock);        /* stalls for the whole sleep */
    *seen = table_version;
    pthread_mutex_unlock(&table_lock);
    return NULL;
}

int main(void)
{
    pthread_t refresher, reader;
    int seen = -1;

    sem_init(&refresh_started, 0, 0);
    pthread_create(&refresher, NULL, refresh_table, NULL);
    pthread_create(&reader, NULL, read_table, &seen);
    pthread_join(refresher, NULL);
    pthread_join(reader, NULL);
    printf("reader saw table version %d\n", seen);
    sem_destroy(&refresh_started);
    return 0;
}
