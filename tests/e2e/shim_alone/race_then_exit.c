/*
 * race_then_exit: a data race on counter (bump and main, unordered), then
 * _exit(7). Built with racedet-cc and run directly by shim_alone.sh: the
 * race is reported although no exit handler runs.
 */
#include <pthread.h>
#include <unistd.h>

static int counter;

static void *bump(void *arg)
{
    counter++;
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, bump, NULL);
    counter++;
    pthread_join(t, NULL);
    _exit(7);
}
