/* A mutex destroyed while another thread may still be inside its unlock:
 * nothing racedet sees orders the worker's lock and unlock before main's
 * destroy (the flag is one racedet cannot see), so the destroy, a write of
 * the mutex's memory, races with the unlock's read of it. ThreadSanitizer
 * reports it the same way (compiler-rt's race_on_mutex2). */
#include "../annotations/asm_flag.h"

#include <pthread.h>

static pthread_mutex_t m;
static int done;

static void *worker(void *arg)
{
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    flag_raise(&done);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_mutex_init(&m, NULL);
    pthread_create(&t, NULL, worker, NULL);
    flag_wait(&done);
    pthread_mutex_destroy(&m);
    pthread_join(t, NULL);
    return 0;
}
