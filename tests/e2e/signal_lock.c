/* signal_lock: a signal handler that locks a mutex, run unchanged.
 *
 * A 1 ms periodic SIGALRM lands on a thread that spends its time locking
 * and unlocking another mutex (so signals often arrive while racedet is
 * inside its own bookkeeping) and calling write() to /dev/null under it.
 * The handler locks handler_lock, counts, unlocks. Not async-signal-safe by
 * the letter of POSIX, but common and harmless here: the program must run
 * to the end with the same results, and racedet must report nothing.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t work_lock = PTHREAD_MUTEX_INITIALIZER;
static long handled, work;

static void on_alarm(int sig)
{
    (void)sig;
    pthread_mutex_lock(&handler_lock);
    handled++;
    pthread_mutex_unlock(&handler_lock);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(void)
{
    struct sigaction sa;
    struct itimerval every_ms = {{0, 1000}, {0, 1000}};
    int null = open("/dev/null", O_WRONLY);
    long end, got;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &every_ms, NULL);
    end = now_ms() + 300;
    while (now_ms() < end) {
        for (int i = 0; i < 1000; i++) {
            pthread_mutex_lock(&work_lock);
            work++;
            if (i % 100 == 0 && write(null, "x", 1) != 1)
                return 2;
            pthread_mutex_unlock(&work_lock);
        }
    }
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);
    pthread_mutex_lock(&handler_lock);
    got = handled;
    pthread_mutex_unlock(&handler_lock);
    printf("signal_lock: %ld iterations, %ld signal(s) handled\n", work, got);
    close(null);
    return got > 0 && work > 0 ? 0 : 1;
}
