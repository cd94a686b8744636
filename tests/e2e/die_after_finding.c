/*
 * die_after_finding MODE: makes a lock-order cycle (two sequential phases),
 * then dies without running any exit handler: MODE is abort, kill (SIGKILL
 * to itself), _exit or segv. The report must survive: racedet writes what it
 * learns as it learns it.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(int argc, char **argv)
{
    pthread_t t;
    const char *mode = argc > 1 ? argv[1] : "abort";
    pthread_create(&t, NULL, first_then_second, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, second_then_first, NULL);
    pthread_join(t, NULL);
    if (strcmp(mode, "kill") == 0)
        kill(getpid(), SIGKILL);
    else if (strcmp(mode, "_exit") == 0)
        _exit(3);
    else if (strcmp(mode, "segv") == 0)
        raise(SIGSEGV);
    abort();
}
