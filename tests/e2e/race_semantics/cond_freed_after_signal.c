/* The waiter frees the condition variable as soon as it sees the state
 * change, while the signaller, which signals after unlocking, may still be
 * inside pthread_cond_signal: the free races with the signal's read of the
 * condition variable (compiler-rt's cond_race). The signaller raises a
 * flag racedet cannot see once the signal returned, so the free always
 * comes after it in time. */
#include "../annotations/asm_flag.h"

#include <pthread.h>
#include <stdlib.h>

struct ctx {
    pthread_mutex_t m;
    pthread_cond_t c;
    int ready;
};

static int signalled;

static void *signaller(void *p)
{
    struct ctx *x = p;
    pthread_mutex_lock(&x->m);
    x->ready = 1;
    pthread_mutex_unlock(&x->m);
    pthread_cond_signal(&x->c);
    flag_raise(&signalled);
    return NULL;
}

int main(void)
{
    struct ctx *x = calloc(1, sizeof *x);
    pthread_t t;
    pthread_mutex_init(&x->m, NULL);
    pthread_cond_init(&x->c, NULL);
    pthread_create(&t, NULL, signaller, x);
    pthread_mutex_lock(&x->m);
    while (!x->ready)
        pthread_cond_wait(&x->c, &x->m);
    pthread_mutex_unlock(&x->m);
    flag_wait(&signalled);
    free(x);
    pthread_join(t, NULL);
    return 0;
}
