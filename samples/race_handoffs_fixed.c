/* race_handoffs_fixed: three correct hand-offs of plain data between threads.
 *
 * A producer thread writes three plain ints and hands each over to a
 * consumer thread through a different primitive: a condition variable (with
 * its mutex and flag), a semaphore (sem_post happens-before the sem_wait it
 * wakes), and a barrier (everything before pthread_barrier_wait in any thread
 * happens-before everything after it in all of them). No lock protects the
 * ints themselves when they are read: the hand-off orders the write before
 * the read. There is no buggy twin; racedet must report nothing here.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static int by_cond, by_sem, by_barrier;     /* plain, unprotected data */
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int cond_ready;
static sem_t sem;
static pthread_barrier_t barrier;

static void *produce(void *arg)
{
    (void)arg;
    by_cond = 1;
    pthread_mutex_lock(&cond_lock);
    cond_ready = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&cond_lock);

    by_sem = 2;
    sem_post(&sem);

    by_barrier = 3;
    pthread_barrier_wait(&barrier);
    return NULL;
}

static void *consume(void *arg)
{
    int *sum = arg;

    pthread_mutex_lock(&cond_lock);
    while (!cond_ready)
        pthread_cond_wait(&cond, &cond_lock);
    pthread_mutex_unlock(&cond_lock);
    *sum = by_cond;

    sem_wait(&sem);
    *sum += by_sem;

    pthread_barrier_wait(&barrier);
    *sum += by_barrier;
    return NULL;
}

int main(void)
{
    pthread_t producer, consumer;
    int sum = 0;

    sem_init(&sem, 0, 0);
    pthread_barrier_init(&barrier, NULL, 2);
    pthread_create(&consumer, NULL, consume, &sum);
    pthread_create(&producer, NULL, produce, NULL);
    pthread_join(producer, NULL);
    pthread_join(consumer, NULL);
    printf("received %d (expected 6)\n", sum);
    pthread_barrier_destroy(&barrier);
    sem_destroy(&sem);
    return 0;
}
