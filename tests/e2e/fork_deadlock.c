/* fork_deadlock: the watchdog works in a forked child.
 *
 * The parent makes its own watchdog start (one contended lock wait), then
 * forks. The child has only the forking thread — no watchdog thread — and
 * runs a real ABBA deadlock (forced with a barrier): its own watchdog must
 * start, report the deadlock and end the child with the report exit code.
 * The parent waits for the child and prints its exit status.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t contended = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;
static sem_t held;

static void *hold_briefly(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&contended);
    sem_post(&held);
    usleep(20000); /* main blocks on contended meanwhile */
    pthread_mutex_unlock(&contended);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&a);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

static void child(void)
{
    pthread_t t;
    alarm(30); /* natively (no racedet) this child hangs: end it anyway */
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&t, NULL, take_b_then_a, NULL);
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&b); /* deadlock */
    exit(0);
}

int main(void)
{
    pthread_t t;
    pid_t pid;
    int status;

    sem_init(&held, 0, 0);
    pthread_create(&t, NULL, hold_briefly, NULL);
    sem_wait(&held);
    pthread_mutex_lock(&contended); /* a blocking wait: the watchdog starts */
    pthread_mutex_unlock(&contended);
    pthread_join(t, NULL);
    pid = fork();
    if (pid == 0)
        child();
    waitpid(pid, &status, 0);
    printf("fork_deadlock: child exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
