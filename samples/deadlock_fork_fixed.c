/* deadlock_fork_fixed: the twin of deadlock_fork.c, with pthread_atfork handlers.
 *
 * Before fork() copies the process, the prepare handler takes log_lock
 * (waiting for the logger to finish its line); after it, the parent and
 * child handlers release it, each in its own process. The child therefore
 * always starts with log_lock free, whatever the other threads were doing,
 * and its log_line() works. (A child that only calls exec or _exit needs
 * none of this.) racedet reports nothing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t mid_line, may_finish;

static void log_line(const char *text)
{
    pthread_mutex_lock(&log_lock);
    printf("log: %s\n", text);
    fflush(stdout);
    pthread_mutex_unlock(&log_lock);
}

static void *logger(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&log_lock);
    sem_post(&mid_line);                    /* in the middle of a line... */
    sem_wait(&may_finish);
    printf("log: logger running\n");
    fflush(stdout);
    pthread_mutex_unlock(&log_lock);
    return NULL;
}

static void before_fork(void)
{
    pthread_mutex_lock(&log_lock);
}

static void after_fork(void)
{
    pthread_mutex_unlock(&log_lock);
}

int main(void)
{
    pthread_t t;
    pid_t child;
    int status;

    pthread_atfork(before_fork, after_fork, after_fork); /* FIX */
    sem_init(&mid_line, 0, 0);
    sem_init(&may_finish, 0, 0);
    pthread_create(&t, NULL, logger, NULL);
    sem_wait(&mid_line);
    sem_post(&may_finish);                  /* the prepare handler waits for the line */
    child = fork();
    if (child == 0) {
        log_line("child started");
        _exit(0);
    }
    pthread_join(t, NULL);
    waitpid(child, &status, 0);
    printf("child exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
