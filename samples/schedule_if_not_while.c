/* schedule_if_not_while: a consumer trusts a wake-up it should re-check.
 *
 * Two consumers take jobs from a queue; each waits on a condition variable
 * while the queue is empty, but with `if` instead of `while` around the
 * wait. A wait can end with no job in the queue: the other consumer, coming
 * in between the producer's signal and the woken consumer's return, may
 * have taken the job; and a wait may end with no signal at all (a spurious
 * wake-up, which POSIX allows and glibc makes). The consumer then goes on as
 * if a job were there and takes one from an empty queue. Natively both
 * consumers are waiting long before the producer posts, each wake-up finds
 * its job, and the program passes every time. `racedet explore` runs the
 * threads under many schedules, some with a wait that ends without a
 * signal: the assertion fails. The fixed twin waits in a `while` loop.
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
    if (queued == 0)                        /* BUG: `if`, not `while` */
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
