/* race_free_reuse_fixed: memory freed after join and reused by new threads.
 *
 * Each round allocates a buffer, lets one thread fill it and, once that thread
 * is joined, another thread sum it; then the buffer is freed. malloc() usually
 * hands the same address back in the next round, to brand-new threads that
 * never synchronised with the old ones directly. That is correct: join
 * happens-before free, and a freed block's past accesses belong to a dead
 * object. A detector that remembered them at the reused address would report
 * races that do not exist. There is no buggy twin; racedet must be silent.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define ROUNDS 3
#define CELLS 64

static void *fill_buffer(void *arg)
{
    int *cells = arg;

    for (int i = 0; i < CELLS; i++)
        cells[i] = i;
    return NULL;
}

static void *sum_buffer(void *arg)
{
    int *cells = arg;
    long sum = 0;

    for (int i = 0; i < CELLS; i++)
        sum += cells[i];
    cells[0] = (int)sum;                    /* the result, in the buffer */
    return NULL;
}

int main(void)
{
    for (int round = 0; round < ROUNDS; round++) {
        int *cells = malloc(CELLS * sizeof *cells);
        pthread_t t;

        if (!cells)
            return 1;
        pthread_create(&t, NULL, fill_buffer, cells);
        pthread_join(t, NULL);
        pthread_create(&t, NULL, sum_buffer, cells);
        pthread_join(t, NULL);
        printf("round %d: buffer %p, sum %d\n", round, (void *)cells, cells[0]);
        free(cells);
    }
    return 0;
}
