/* race_rwlock_writer_fixed: the twin of race_rwlock_writer.c, with wrlock.
 *
 * update_price() takes prices_lock with pthread_rwlock_wrlock(), which waits
 * until no reader holds the lock and keeps readers out while it writes.
 * Releasing a write lock happens-before any later read lock, and releasing
 * read locks happens-before the next write lock, so the write and the read
 * are ordered either way round. Readers still share the lock with each other.
 * racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_rwlock_t prices_lock = PTHREAD_RWLOCK_INITIALIZER;
static int price = 100;
static pthread_barrier_t start;

static void *update_price(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    pthread_rwlock_wrlock(&prices_lock);    /* FIX */
    price = 120;
    pthread_rwlock_unlock(&prices_lock);
    return NULL;
}

static void *show_price(void *arg)
{
    int *shown = arg;

    pthread_barrier_wait(&start);
    pthread_rwlock_rdlock(&prices_lock);
    *shown = price;
    pthread_rwlock_unlock(&prices_lock);
    return NULL;
}

int main(void)
{
    pthread_t writer, reader;
    int shown;

    pthread_barrier_init(&start, NULL, 2);
    pthread_create(&writer, NULL, update_price, NULL);
    pthread_create(&reader, NULL, show_price, &shown);
    pthread_join(writer, NULL);
    pthread_join(reader, NULL);
    printf("shown price %d\n", shown);
    pthread_barrier_destroy(&start);
    return 0;
}
