/* A barrier used by a thread that nothing orders after its initialisation
 * (by another thread, made known through a flag racedet cannot see): the
 * wait's read of the barrier's memory races with the init's write
 * (compiler-rt's race_on_barrier). */
#include "../annotations/asm_flag.h"

#include <pthread.h>

static pthread_barrier_t b;
static int ready;

static void *initialiser(void *arg)
{
    pthread_barrier_init(&b, NULL, 2);
    flag_raise(&ready);
    pthread_barrier_wait(&b);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, initialiser, NULL);
    flag_wait(&ready);
    pthread_barrier_wait(&b);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&b);
    return 0;
}
