/* reinit_live: objects initialised a second time with no destroy between,
 * while nobody uses them (POSIX: undefined; DRD reports "Mutex
 * reinitialization", "Barrier reinitialization", "Semaphore
 * reinitialization", Helgrind "barrier is already initialised"), next to
 * the look-alikes that are fine.
 *
 * Reported (sync_misuse, one each): a global mutex, a heap barrier and a
 * global semaphore, each initialised twice.
 * Silent: a mutex made by PTHREAD_MUTEX_INITIALIZER, used, then given a
 * type by pthread_mutex_init; a mutex initialised, destroyed, initialised;
 * a heap block holding a mutex freed and allocated again; a function whose
 * local mutex and barrier are initialised and never destroyed, called
 * twice (its second frame's objects are new ones at the same addresses).
 * Prints what each call returned, for the comparison with a run without
 * racedet.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t inited_twice;
static sem_t sem_inited_twice;
static pthread_mutex_t static_then_inited = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t destroyed_then_inited;

struct record {
    char pad[64];
    pthread_mutex_t lock;
};

/* objects of its own frame, abandoned without a destroy */
static __attribute__((noinline)) int local_objects(void)
{
    pthread_mutex_t m;
    pthread_barrier_t b;
    int rc = pthread_mutex_init(&m, NULL) + pthread_barrier_init(&b, NULL, 1);
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return rc;
}

int main(void)
{
    pthread_barrier_t *bar = malloc(sizeof *bar);
    struct record *r;

    printf("mutex init: %d\n", pthread_mutex_init(&inited_twice, NULL));
    pthread_mutex_lock(&inited_twice);
    pthread_mutex_unlock(&inited_twice);
    printf("mutex init again: %d\n", pthread_mutex_init(&inited_twice, NULL));

    printf("barrier init: %d\n", pthread_barrier_init(bar, NULL, 1));
    printf("barrier init again: %d\n", pthread_barrier_init(bar, NULL, 1));

    printf("sem init: %d\n", sem_init(&sem_inited_twice, 0, 0));
    printf("sem init again: %d\n", sem_init(&sem_inited_twice, 0, 1));

    /* ---- fine ---- */
    pthread_mutex_lock(&static_then_inited);
    pthread_mutex_unlock(&static_then_inited);
    printf("init after a static initialiser: %d\n", pthread_mutex_init(&static_then_inited, NULL));

    pthread_mutex_init(&destroyed_then_inited, NULL);
    pthread_mutex_destroy(&destroyed_then_inited);
    printf("init after destroy: %d\n", pthread_mutex_init(&destroyed_then_inited, NULL));

    r = malloc(2000);
    pthread_mutex_init(&r->lock, NULL);
    free(r);
    r = malloc(2000);
    printf("init in memory allocated again: %d\n", pthread_mutex_init(&r->lock, NULL));

    printf("local objects: %d\n", local_objects());
    printf("local objects again: %d\n", local_objects());
    return 0;
}
