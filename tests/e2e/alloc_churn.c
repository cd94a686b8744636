/*
 * alloc_churn: four threads, each 2,000 times: lock a mutex, allocate a
 * block, fill it, add it to a sum, unlock, free it (half of the blocks of
 * several pages). A correct program: prints "sum 8000 blocks", exits 0.
 * Run over another allocator (tests/e2e/alloc/page_alloc.c) by
 * foreign_alloc.sh: a thread's first lock call comes from inside its
 * malloc.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 2000

static pthread_mutex_t sum_lock = PTHREAD_MUTEX_INITIALIZER;
static long blocks;

static void *churn(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < ROUNDS; i++) {
        size_t n = (i + id) % 2 ? 64 : 3 * 4096 + 100;
        char *p = malloc(n);
        if (!p)
            abort();
        memset(p, 1, n);
        pthread_mutex_lock(&sum_lock);
        blocks += p[n - 1];
        pthread_mutex_unlock(&sum_lock);
        free(p);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, churn, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("sum %ld blocks\n", blocks);
    return 0;
}
