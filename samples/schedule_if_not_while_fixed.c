/* schedule_if_not_while_fixed: the correct twin of schedule_if_not_while.c.
 * A consumer waits in a `while` loop: a wake-up whose job another consumer
 * took first finds the queue empty and waits again.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define JOBS 2

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static int queue[JOBS], queued, done;

static void *consumer(void *arg)
{
    int job;
    (void)arg;
    pthread_mutex_lock(&queue_lock);
    while (queued == 0)                     /* re-checked after every wake-up */
        pthread_cond_wait(&not_empty, &queue_lock);
    assert(queued > 0 && "woken up to an empty queue");
    job = queue[--queued];
    done += job;
    pthread_mutex_unlock(&queue_lock);
    return NULL;
}

static void *producer(void *arg)
{
    (void)arg;
    usleep(20000); /* the jobs take a while to come */
    for (int i = 1; i <= JOBS; i++) {
        pthread_mutex_lock(&queue_lock);
        queue[queued++] = i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&queue_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t c1, c2, p;

    pthread_create(&c1, NULL, consumer, NULL);
    pthread_create(&c2, NULL, consumer, NULL);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c1, NULL);
    pthread_join(c2, NULL);
    printf("jobs done: %d\n", done);
    return 0;
}
