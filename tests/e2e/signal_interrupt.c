/* signal_interrupt: a signal handler that takes no lock interrupts
 * intercepted blocking calls, with and without a lock held.
 *
 * A periodic SIGALRM (handled, no SA_RESTART) is delivered to one worker
 * thread while it blocks in read() on a pipe nobody writes to and in
 * nanosleep() — first holding no lock, then holding one. Each call must
 * return -1 with errno EINTR, exactly as without racedet, and nanosleep must
 * fill in the remaining time. The program prints what it saw and exits 0
 * when everything behaved.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int fds[2];

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static int check(const char *what, int rc, int err)
{
    int ok = rc == -1 && err == EINTR;
    printf("%s: rc=%d errno=%s\n", what, rc, ok ? "EINTR" : strerror(err));
    return ok;
}

static void *worker(void *arg)
{
    struct itimerval every_50ms = {{0, 50000}, {0, 50000}};
    struct timespec rem = {0, 0};
    sigset_t alrm;
    char c;
    int ok = 1, rc;
    (void)arg;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &alrm, NULL); /* main blocks it, we inherited that */
    setitimer(ITIMER_REAL, &every_50ms, NULL);
    for (int with_lock = 0; with_lock < 2; with_lock++) {
        if (with_lock)
            pthread_mutex_lock(&lock);
        rc = (int)read(fds[0], &c, 1);
        ok &= check(with_lock ? "read holding a lock" : "read", rc, errno);
        rc = nanosleep(&(struct timespec){.tv_sec = 5}, &rem);
        ok &= check(with_lock ? "nanosleep holding a lock" : "nanosleep", rc, errno);
        ok &= rem.tv_sec > 0 && rem.tv_sec <= 5;
        if (with_lock)
            pthread_mutex_unlock(&lock);
    }
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);
    return (void *)(long)ok;
}

int main(void)
{
    struct sigaction sa;
    sigset_t alrm;
    pthread_t t;
    void *ok;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: interrupted calls fail with EINTR */
    sigaction(SIGALRM, &sa, NULL);
    if (pipe(fds) != 0)
        return 2;
    /* only the worker takes the alarms */
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &alrm, NULL);
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, &ok);
    printf("signal_interrupt: %d alarm(s), %s\n", (int)alarms, ok ? "all calls behaved" : "FAILED");
    return ok ? 0 : 1;
}
