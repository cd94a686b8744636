/* deadlock_fork: a child process forked while another thread holds a lock.
 *
 * A logger thread writes lines under log_lock. main() forks a child that
 * logs its start, at a moment the logger is in the middle of a line (forced
 * here with a semaphore). fork() copies only the calling thread: in the
 * child, log_lock is locked by a logger that does not exist there, and
 * the child's first log_line() waits for it forever. No cycle of threads,
 * but a real deadlock, and a classic of programs that mix threads and
 * fork(). racedet's watchdog in the child reports it (where the child
 * waits, and where the lock was taken in the parent) and ends the child,
 * so the parent, which waits for it, ends too.
 * The fixed twin registers pthread_atfork() handlers that take log_lock
 * before the fork and release it after, in parent and child: the child
 * always starts with log_lock free.
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

int main(void)
{
    pthread_t t;
    pid_t child;
    int status;

    sem_init(&mid_line, 0, 0);
    sem_init(&may_finish, 0, 0);
    pthread_create(&t, NULL, logger, NULL);
    sem_wait(&mid_line);
    child = fork();                         /* BUG: log_lock is held by the logger */
    if (child == 0) {
        alarm(30);                          /* natively the child hangs: end it anyway */
        log_line("child started");          /* waits forever */
        _exit(0);
    }
    sem_post(&may_finish);
    pthread_join(t, NULL);
    waitpid(child, &status, 0);
    printf("child exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
