/* cycle_lib: a shared library that makes a lock-order cycle (two threads,
 * one after the other). Built by tests/e2e/modules.sh, loaded with dlopen
 * by tests/e2e/dlopen_relative.c. */
#include <pthread.h>

static pthread_mutex_t lib_first = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lib_second = PTHREAD_MUTEX_INITIALIZER;

static void *lib_first_then_second(void *arg)
{
    pthread_mutex_lock(&lib_first);
    pthread_mutex_lock(&lib_second);
    pthread_mutex_unlock(&lib_second);
    pthread_mutex_unlock(&lib_first);
    return arg;
}

static void *lib_second_then_first(void *arg)
{
    pthread_mutex_lock(&lib_second);
    pthread_mutex_lock(&lib_first);
    pthread_mutex_unlock(&lib_first);
    pthread_mutex_unlock(&lib_second);
    return arg;
}

void lib_make_cycle(void)
{
    pthread_t t;
    pthread_create(&t, NULL, lib_first_then_second, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, lib_second_then_first, NULL);
    pthread_join(t, NULL);
}
