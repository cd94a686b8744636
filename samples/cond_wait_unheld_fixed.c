/* cond_wait_unheld_fixed: the twin of cond_wait_unheld.c, the classic pattern.
 *
 * The consumer locks data_lock, checks the flag, and waits in a loop while it
 * is not set; pthread_cond_wait() releases the mutex and goes to sleep as one
 * atomic step, and retakes it before returning. The producer sets the flag and
 * signals while holding the same mutex, so the signal can never fall between
 * the consumer's check and its wait. The loop also copes with spurious
 * wake-ups. No timeout is needed, and racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t data_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t data_ready = PTHREAD_COND_INITIALIZER;
static int ready;
static int data;

static void *wait_for_data(void *arg)
{
    int got;

    (void)arg;
    pthread_mutex_lock(&data_lock);
    while (!ready)
        pthread_cond_wait(&data_ready, &data_lock);
    got = data;
    pthread_mutex_unlock(&data_lock);
    printf("consumer got %d\n", got);
    return NULL;
}

int main(void)
{
    pthread_t consumer;

    pthread_create(&consumer, NULL, wait_for_data, NULL);
    pthread_mutex_lock(&data_lock);
    data = 42;
    ready = 1;
    pthread_cond_signal(&data_ready);
    pthread_mutex_unlock(&data_lock);
    pthread_join(consumer, NULL);
    return 0;
}
