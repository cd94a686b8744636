/* thread_running_at_exit_fixed: a background thread still running when the program exits.
 *
 * main() starts a logger thread that waits on a condition variable for
 * lines to write, writes one, and returns from main() while the logger
 * waits for the next: exit() ends the process, logger and all. The logger
 * was never joined, but it had not finished either: ThreadSanitizer does
 * not call that a leak (a leak is a joinable thread that finished and
 * stays a zombie until it is joined), and neither does racedet, unless
 * report_running_threads is set. Compare thread_leak.c, whose worker has
 * ended. (Whether a program may end with threads running is its own
 * design; here the logger holds nothing that exit() would lose.)
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t log_ready = PTHREAD_COND_INITIALIZER;
static const char *pending;
static sem_t written;

static void *logger(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&log_lock);
    for (;;) {
        while (!pending)
            pthread_cond_wait(&log_ready, &log_lock); /* where exit finds it */
        printf("log: %s\n", pending);
        fflush(stdout);
        pending = NULL;
        sem_post(&written);
    }
    return NULL;
}

int main(void)
{
    pthread_t t;

    sem_init(&written, 0, 0);
    pthread_create(&t, NULL, logger, NULL);  /* runs until the process ends */
    pthread_mutex_lock(&log_lock);
    pending = "started";
    pthread_cond_signal(&log_ready);
    pthread_mutex_unlock(&log_lock);
    sem_wait(&written);
    return 0;
}
