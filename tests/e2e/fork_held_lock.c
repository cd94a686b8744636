/* fork_held_lock: a forked child locks a mutex that a thread of its parent
 * held at the fork.
 *
 * T1 takes `m` and holds it until main says so; main forks meanwhile. The
 * child has only main's thread: its copy of `m` is locked by a thread that
 * does not exist there, so its pthread_mutex_lock waits forever (natively
 * the child hangs until the alarm ends it). racedet's watchdog in the
 * child reports a deadlock and ends the child with the report exit code;
 * the parent waits for the child, prints its exit status, lets T1 go and
 * ends normally. The run must end, with the child's finding in the report.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static sem_t holds, may_release;

static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    sem_post(&holds);
    sem_wait(&may_release);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pid_t pid;
    int status;

    sem_init(&holds, 0, 0);
    sem_init(&may_release, 0, 0);
    pthread_create(&t, NULL, holder, NULL);
    sem_wait(&holds);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        alarm(30); /* natively this child hangs: end it anyway */
        pthread_mutex_lock(&m); /* held by T1, which is not in this process */
        pthread_mutex_unlock(&m);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    printf("fork_held_lock: child exit status %d\n",
           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    sem_post(&may_release);
    pthread_join(t, NULL);
    return 0;
}
