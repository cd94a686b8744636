/* explore_outside: threads that block or spin where racedet explore's
 * scheduler cannot see them (tests/e2e/explore.sh).
 *
 *   explore_outside sleep   a thread sleeps 300 ms in the kernel while the
 *                           main thread waits for it on a condition: the
 *                           sleeper leaves the controlled set, no deadlock
 *   explore_outside spin    a thread spins on a plain atomic flag only the
 *                           main thread sets: the spinner is taken out of the
 *                           controlled set after a while, the main thread
 *                           goes on
 *   explore_outside hang    a thread reads a pipe nobody writes and the main
 *                           thread joins it: a real hang, for --run-timeout
 *   explore_outside cancel  a thread waits on a condition nobody signals and
 *                           the main thread cancels it (a cancellation point
 *                           the scheduler makes itself), then joins it
 * Exits 0 when it got to the end.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done;
static atomic_int flag;
static int fds[2];

static void *sleeper(void *arg)
{
    (void)arg;
    usleep(300000);
    pthread_mutex_lock(&m);
    done = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&m);
    return NULL;
}

static void *spinner(void *arg)
{
    (void)arg;
    while (!atomic_load(&flag))
        ;
    pthread_mutex_lock(&m);
    done = 1;
    pthread_mutex_unlock(&m);
    return NULL;
}

static void unlock(void *mutex)
{
    pthread_mutex_unlock(mutex);
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    pthread_cleanup_push(unlock, &m);
    for (;;)
        pthread_cond_wait(&cv, &m);
    pthread_cleanup_pop(1);
    return NULL;
}

static void *reader(void *arg)
{
    char c;
    (void)arg;
    if (read(fds[0], &c, 1) < 0)
        perror("read");
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t;
    const char *mode = argc > 1 ? argv[1] : "sleep";
    if (strcmp(mode, "sleep") == 0) {
        pthread_create(&t, NULL, sleeper, NULL);
        pthread_mutex_lock(&m);
        while (!done)
            pthread_cond_wait(&cv, &m);
        pthread_mutex_unlock(&m);
    } else if (strcmp(mode, "spin") == 0) {
        pthread_create(&t, NULL, spinner, NULL);
        pthread_mutex_lock(&m);     /* a scheduling point: the spinner may go first */
        pthread_mutex_unlock(&m);
        atomic_store(&flag, 1);
    } else if (strcmp(mode, "cancel") == 0) {
        pthread_create(&t, NULL, waiter, NULL);
        pthread_mutex_lock(&m);     /* the waiter may be waiting by now, or not yet */
        pthread_mutex_unlock(&m);
        pthread_cancel(t);
    } else {
        if (pipe(fds) != 0)
            return 1;
        pthread_create(&t, NULL, reader, NULL);
    }
    pthread_join(t, NULL);
    printf("%s: done\n", mode);
    return 0;
}
