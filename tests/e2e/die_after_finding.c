/*
 * die_after_finding MODE: makes a lock-order cycle (two sequential phases),
 * then dies without running any exit handler: MODE is abort, kill (SIGKILL
 * to itself), _exit or segv. The report must survive: racedet writes what it
 * learns as it learns it. More ways to end, for the shim alone
 * (shim_alone.sh):
 *   pause         prints "ready PID" and waits to be killed from outside
 *   close_stderr  closes fd 2, then returns 0
 *   return        returns 5 from main
 *   thread_exit   a second thread calls exit(4)
 *   fork          a child prints "ready PID" and waits to be killed; the
 *                 parent waits for it, then calls _exit(3)
 *   exec          becomes `die_after_finding quiet_pause` (no new finding:
 *                 quiet_ modes skip the cycle)
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t first = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t second = PTHREAD_MUTEX_INITIALIZER;

static void *first_then_second(void *arg)
{
    pthread_mutex_lock(&first);
    pthread_mutex_lock(&second);
    pthread_mutex_unlock(&second);
    pthread_mutex_unlock(&first);
    return arg;
}

static void *second_then_first(void *arg)
{
    pthread_mutex_lock(&second);
    pthread_mutex_lock(&first);
    pthread_mutex_unlock(&first);
    pthread_mutex_unlock(&second);
    return arg;
}

static void ready_and_pause(void)
{
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    for (;;)
        pause();
}

static void *exit_from_thread(void *arg)
{
    (void)arg;
    exit(4);
}

int main(int argc, char **argv)
{
    pthread_t t;
    const char *mode = argc > 1 ? argv[1] : "abort";
    if (strncmp(mode, "quiet_", 6) != 0) {
        pthread_create(&t, NULL, first_then_second, NULL);
        pthread_join(t, NULL);
        pthread_create(&t, NULL, second_then_first, NULL);
        pthread_join(t, NULL);
    }
    if (strcmp(mode, "kill") == 0)
        kill(getpid(), SIGKILL);
    else if (strcmp(mode, "_exit") == 0)
        _exit(3);
    else if (strcmp(mode, "segv") == 0)
        raise(SIGSEGV);
    else if (strcmp(mode, "pause") == 0 || strcmp(mode, "quiet_pause") == 0)
        ready_and_pause();
    else if (strcmp(mode, "close_stderr") == 0) {
        close(2);
        return 0;
    } else if (strcmp(mode, "return") == 0) {
        return 5;
    } else if (strcmp(mode, "thread_exit") == 0) {
        pthread_create(&t, NULL, exit_from_thread, NULL);
        for (;;)
            pause();
    } else if (strcmp(mode, "fork") == 0) {
        pid_t child = fork();
        if (child == 0)
            ready_and_pause();
        waitpid(child, NULL, 0);
        _exit(3);
    } else if (strcmp(mode, "exec") == 0) {
        execl("/proc/self/exe", argv[0], "quiet_pause", (char *)NULL);
        return 1;
    }
    abort();
}
