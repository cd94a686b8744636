/* robust_owner_died: a robust mutex whose owner died is recovered, as
 * robust mutexes are meant to be.
 *
 * The worker locks `state_lock` (robust) and returns without unlocking it:
 * it dies holding it. Main's next lock returns EOWNERDEAD, with the mutex
 * taken: main repairs the state, marks it consistent and unlocks. That is
 * the program's recovery path, not a lock held at exit; racedet must stay
 * silent (and must see main holding the mutex from EOWNERDEAD on, so the
 * unlock is no unlock_not_held).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t state_lock;
static int state;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state_lock);
    state = -1; /* half-updated, then the thread dies */
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_t t;
    int rc;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&state_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    rc = pthread_mutex_lock(&state_lock);
    if (rc == EOWNERDEAD) {
        state = 0; /* repair */
        pthread_mutex_consistent(&state_lock);
    }
    pthread_mutex_unlock(&state_lock);
    pthread_mutex_destroy(&state_lock);
    printf("robust_owner_died: lock returned %s, state %d\n",
           rc == EOWNERDEAD ? "EOWNERDEAD" : "?", state);
    return rc == EOWNERDEAD ? 0 : 1;
}
