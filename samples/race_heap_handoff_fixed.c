/* race_heap_handoff_fixed: the twin of race_heap_handoff.c, write, then hand off.
 *
 * main() makes its correction to the quantity before pthread_create(). Every
 * write made before creating a thread happens-before everything the new
 * thread does, so the shipper always sees 3 items. After the hand-off main
 * does not touch the order until pthread_join(), which orders the thread's
 * reads before the free(). racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct order {
    int id;
    int quantity;
};

static pthread_barrier_t started;

static void *ship_order(void *arg)
{
    struct order *o = arg;

    pthread_barrier_wait(&started);
    int quantity = o->quantity;
    printf("shipping order %d: %d item(s)\n", o->id, quantity);
    return NULL;
}

int main(void)
{
    struct order *o = malloc(sizeof *o);
    pthread_t shipper;

    if (!o)
        return 1;
    o->id = 7;
    o->quantity = 1;
    o->quantity = 3;                        /* FIX: before the hand-off */
    pthread_barrier_init(&started, NULL, 2);
    pthread_create(&shipper, NULL, ship_order, o);
    pthread_barrier_wait(&started);
    pthread_join(shipper, NULL);
    free(o);
    pthread_barrier_destroy(&started);
    return 0;
}
