/* race_rwlock_writer: a writer that holds only the read lock.
 *
 * prices_lock is a reader-writer lock: any number of readers may hold it at
 * once, a writer holds it alone. update_price() changes the price but takes
 * the lock with pthread_rwlock_rdlock(), so it runs side by side with
 * show_price(), which also holds the read lock: two threads in the "shared"
 * section, one of them writing. Read locks do not order readers against each
 * other, so the write and the read race. racedet reports both accesses.
 * The fixed twin's writer takes the write lock (pthread_rwlock_wrlock).
 */
#include <pthread.h>
#include <stdio.h>

static pthread_rwlock_t prices_lock = PTHREAD_RWLOCK_INITIALIZER;
static int price = 100;
static pthread_barrier_t start;

static void *update_price(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);           /* writer and reader run at once */
    pthread_rwlock_rdlock(&prices_lock);    /* BUG: a write needs wrlock */
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
