/* race_heap_handoff: an object is changed after it was handed to a thread.
 *
 * main() fills in an order, starts the shipping thread with a pointer to it,
 * and then corrects the quantity. Everything written before pthread_create()
 * is visible to the new thread (creation orders it), but writes made after it
 * are not ordered with the thread's reads at all: the shipper may ship 1 item
 * or 3, and the compiler is free to make it worse. Ownership of the object
 * passed to the thread at pthread_create(). racedet reports both accesses and
 * the heap block they touch, with where it was allocated.
 * The fixed twin finishes every write before pthread_create().
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

    pthread_barrier_wait(&started);         /* shipper and main run at once */
    int quantity = o->quantity;             /* reads the shared object */
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
    pthread_barrier_init(&started, NULL, 2);
    pthread_create(&shipper, NULL, ship_order, o);
    pthread_barrier_wait(&started);
    o->quantity = 3;                        /* BUG: after the hand-off */
    pthread_join(shipper, NULL);
    free(o);
    pthread_barrier_destroy(&started);
    return 0;
}
