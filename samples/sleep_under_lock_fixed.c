/* sleep_under_lock_fixed: the twin of sleep_under_lock.c, sleep, then lock.
 *
 * refresh_table() does its 300 ms back-off before taking table_lock, and holds
 * the lock only for the update itself. read_table() gets the lock at once
 * (before or after the update, either is fine). Hold locks for as little as
 * possible, and never across a sleep. racedet reports nothing: the sleep is
 * as long as before, but no lock is held during it.
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
    sem_post(&refresh_started);
    nanosleep(&(struct timespec){.tv_nsec = 300 * 1000000L}, NULL); /* FIX: unlocked */
    pthread_mutex_lock(&table_lock);
    table_version++;
    pthread_mutex_unlock(&table_lock);
    return NULL;
}

static void *read_table(void *arg)
{
    int *seen = arg;

    sem_wait(&refresh_started);
    pthread_mutex_lock(&table_lock);        /* no stall */
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
