/* A block handed to another thread through a relaxed atomic: nothing
 * orders the other thread's write after the allocation, which is a write
 * of the block (compiler-rt's malloc_stack). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

static int *_Atomic shared;

static void *user(void *arg)
{
    int *p;
    while (!(p = atomic_load_explicit(&shared, memory_order_relaxed)))
        sched_yield();
    *p = 42;
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, user, NULL);
    atomic_store_explicit(&shared, malloc(sizeof(int)), memory_order_relaxed);
    pthread_join(t, NULL);
    free(atomic_load_explicit(&shared, memory_order_relaxed));
    return 0;
}
