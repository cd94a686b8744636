/*
 * thread_names: two lock-order cycles between named threads. Cycle 1:
 * "mc-worker" (pthread_setname_np on itself) takes a then b;
 * "prctl-worker" (prctl(PR_SET_NAME)) takes b then a. Cycle 2: a thread
 * takes c then d (its line is written then, unnamed) and only then names
 * itself "late-name"; "named-by-main" (named by main with
 * pthread_setname_np before it runs its part) takes d then c. The threads
 * run one after the other. The reports must show all four names.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/prctl.h>

#include "lock_cycle.h"

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t c = PTHREAD_MUTEX_INITIALIZER, d = PTHREAD_MUTEX_INITIALIZER;
static sem_t named;

/* The second cycle takes its locks in a function of its own: findings
 * whose stacks end at the same lines are one finding (lock_cycle.h's nest
 * makes the first). */
static void nest2(pthread_mutex_t *outer, pthread_mutex_t *inner)
{
    pthread_mutex_lock(outer);
    pthread_mutex_lock(inner);
    pthread_mutex_unlock(inner);
    pthread_mutex_unlock(outer);
}

static void *mc_worker(void *arg)
{
    pthread_setname_np(pthread_self(), "mc-worker");
    nest(&a, &b);
    return arg;
}

static void *prctl_worker(void *arg)
{
    prctl(PR_SET_NAME, "prctl-worker", 0, 0, 0);
    nest(&b, &a);
    return arg;
}

static void *late_worker(void *arg)
{
    nest2(&c, &d);
    pthread_setname_np(pthread_self(), "late-name");
    return arg;
}

static void *waits_for_its_name(void *arg)
{
    sem_wait(&named);
    nest2(&d, &c);
    return arg;
}

int main(void)
{
    pthread_t t;
    sem_init(&named, 0, 0);
    pthread_create(&t, NULL, mc_worker, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, prctl_worker, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, late_worker, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, waits_for_its_name, NULL);
    if (pthread_setname_np(t, "named-by-main") != 0)
        printf("pthread_setname_np failed\n");
    sem_post(&named);
    pthread_join(t, NULL);
    return 0;
}
