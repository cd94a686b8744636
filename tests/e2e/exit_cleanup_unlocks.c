/* exit_cleanup_unlocks: a thread calls pthread_exit holding a mutex that
 * its cleanup handler unlocks (pthread_exit runs the handlers before the
 * thread ends: DRD's pth_cleanup_handler), so it ends holding nothing.
 * With the argument "leak" the handler is not pushed, and the thread ends
 * holding the mutex (lock_held_at_exit, at the pthread_exit line). Main
 * then takes the mutex, which is what makes a lock held at a thread's end
 * matter: the unlocked one can be taken, the leaked one only by a
 * trylock that fails (EBUSY), so that the program never hangs.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static int leak;

static void unlock_state(void *arg)
{
    (void)arg;
    pthread_mutex_unlock(&state_lock);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state_lock);
    if (leak)
        pthread_exit(NULL); /* line 28: ends holding state_lock */
    pthread_cleanup_push(unlock_state, NULL);
    pthread_exit(NULL);
    pthread_cleanup_pop(1);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t;
    int rc;
    leak = argc > 1 && strcmp(argv[1], "leak") == 0;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    rc = pthread_mutex_trylock(&state_lock);
    printf("trylock after the thread ended: %s\n", rc == 0 ? "0" : strerror(rc));
    if (rc == 0)
        pthread_mutex_unlock(&state_lock);
    return 0;
}
