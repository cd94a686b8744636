/* A free inside RACEDET_IGNORE_WRITES_BEGIN/_END is not checked, as a
 * plain write there is not: the worker's unordered write to the block is
 * not reported against it (compiler-rt's ignore_free). */
#include "../annotations/asm_flag.h"

#include <pthread.h>
#include <racedet.h>
#include <stdlib.h>

static int done;

static void *worker(void *p)
{
    *(int *)p = 42;
    flag_raise(&done);
    return NULL;
}

int main(void)
{
    int *p = malloc(sizeof *p);
    pthread_t t;
    pthread_create(&t, NULL, worker, p);
    flag_wait(&done);
    RACEDET_IGNORE_WRITES_BEGIN();
    free(p);
    RACEDET_IGNORE_WRITES_END();
    pthread_join(t, NULL);
    return 0;
}
