/* explore_private: threads that work mostly on memory of their own
 * (tests/e2e/explore.sh, built with racedet-cc there).
 *
 * Two workers each fill and sum an array on their stack and one they
 * malloc'd, 20,000 accesses each, then add their sum to a shared total
 * under a lock, and main() reads the total after joining them. Under
 * racedet explore --points=memory only the accesses to `total` (which
 * main() and both workers touch) are scheduling points: a run has a few
 * more points than with --points=sync, not thousands. Prints the total;
 * exits 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define N 5000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;

/* out of line, so that the arrays' accesses are instrumented (the
 * compiler leaves a local array that does not escape alone) */
static __attribute__((noinline)) void fill(int *a, int base)
{
    for (int i = 0; i < N; i++)
        a[i] = base + i;
}

static __attribute__((noinline)) long sum_of(const int *a)
{
    long s = 0;
    for (int i = 0; i < N; i++)
        s += a[i];
    return s;
}

static void *worker(void *arg)
{
    int on_stack[N];
    int *on_heap = malloc(N * sizeof *on_heap);
    long sum;
    if (!on_heap)
        return NULL;
    fill(on_stack, (int)(long)arg);
    fill(on_heap, 7);
    sum = sum_of(on_stack) + sum_of(on_heap);
    free(on_heap);
    pthread_mutex_lock(&lock);
    total += sum;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    total = 0;
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("total %ld\n", total);
    return 0;
}
