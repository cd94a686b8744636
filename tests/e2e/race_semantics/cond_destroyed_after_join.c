/* The twin of cond_freed_after_signal: the same signal after the unlock,
 * but the condition variable is destroyed and freed only after the join,
 * so everything the signaller did comes before: silent. */
#include <pthread.h>
#include <stdlib.h>

struct ctx {
    pthread_mutex_t m;
    pthread_cond_t c;
    int ready;
};

static void *signaller(void *p)
{
    struct ctx *x = p;
    pthread_mutex_lock(&x->m);
    x->ready = 1;
    pthread_mutex_unlock(&x->m);
    pthread_cond_signal(&x->c);
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
    pthread_join(t, NULL);
    pthread_cond_destroy(&x->c);
    pthread_mutex_destroy(&x->m);
    free(x);
    return 0;
}
