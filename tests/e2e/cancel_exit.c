/* cancel_exit: pthread_cancel and exit() from a thread lose no report.
 *
 * T1 takes cache_lock and blocks in read() (a cancellation point) on a pipe
 * nobody writes; main cancels it: T1 ends holding cache_lock
 * (lock_held_at_exit, written as it happens). Then T2 calls exit(3) while
 * main is blocked joining it: the process ends from a non-main thread, its
 * report must be complete and the exit status the program's (3 natively;
 * racedet's finding status under racedet).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static int fds[2];
static sem_t locked;

static void *reader(void *arg)
{
    char c;
    (void)arg;
    pthread_mutex_lock(&cache_lock);
    sem_post(&locked);
    if (read(fds[0], &c, 1) < 0) /* cancelled in here */
        perror("read");
    pthread_mutex_unlock(&cache_lock);
    return NULL;
}

static void *quitter(void *arg)
{
    (void)arg;
    fflush(stdout);
    exit(3);
}

int main(void)
{
    pthread_t t1, t2;
    if (pipe(fds) != 0)
        return 2;
    sem_init(&locked, 0, 0);
    pthread_create(&t1, NULL, reader, NULL);
    sem_wait(&locked); /* cancelled with the lock held: in read() or on its way there */
    pthread_cancel(t1);
    pthread_join(t1, NULL);
    puts("cancel_exit: reader cancelled");
    pthread_create(&t2, NULL, quitter, NULL);
    pthread_join(t2, NULL);
    return 0;
}
