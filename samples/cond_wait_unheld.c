/* cond_wait_unheld: waiting on a condition variable without holding its mutex.
 *
 * The producer sets an atomic flag and signals without data_lock ("the flag
 * is atomic, who needs the lock?"), and the consumer calls
 * pthread_cond_timedwait() without holding data_lock either. The mutex is what
 * makes "check the flag, then sleep" atomic with respect to the signaller:
 * without it a signal sent between the check and the wait is lost, and only
 * the 50 ms timeout saves this consumer from sleeping forever. Worse, glibc
 * relocks the mutex before the wait returns: the consumer now owns a lock it
 * never took, and must unlock it. racedet reports the wait.
 * The fixed twin: lock, while (!ready) wait, unlock; the producer sets the
 * flag and signals under the same lock.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t data_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t data_ready = PTHREAD_COND_INITIALIZER;
static atomic_int ready;
static int data;

static struct timespec in_50_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += 50 * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static void *wait_for_data(void *arg)
{
    (void)arg;
    do {
        struct timespec deadline = in_50_ms();
        pthread_cond_timedwait(&data_ready, &data_lock, &deadline); /* BUG: unheld */
        pthread_mutex_unlock(&data_lock);   /* glibc relocked it for us */
    } while (!atomic_load(&ready));
    printf("consumer got %d\n", data);
    return NULL;
}

int main(void)
{
    pthread_t consumer;

    pthread_create(&consumer, NULL, wait_for_data, NULL);
    data = 42;
    atomic_store(&ready, 1);
    pthread_cond_signal(&data_ready);       /* may come before the wait: lost */
    pthread_join(consumer, NULL);
    return 0;
}
