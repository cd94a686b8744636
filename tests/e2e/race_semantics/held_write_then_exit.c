/* The main thread writes half of each word of an array it wrote before
 * (a new epoch: racedet holds such accesses back until they say all the
 * older ones said), another thread reads one of those words with nothing
 * ordering it after the new write, and main ends the process with exit()
 * without synchronising again. The race must be reported: what is held
 * back goes to the shadow when the process ends. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

int data[8]; /* not static: the stores must stay */
static atomic_int written, read_done;
static volatile int seen;

static void *reader(void *arg)
{
    while (!atomic_load_explicit(&written, memory_order_relaxed))
        ;
    __asm__ volatile("" ::: "memory"); /* the read stays after the loop */
    seen = data[6];
    atomic_store_explicit(&read_done, 1, memory_order_relaxed);
    for (;;)
        pause();
    return arg;
}

int main(void)
{
    pthread_t t;
    for (int i = 0; i < 8; i++)
        data[i] = 1;
    pthread_create(&t, NULL, reader, NULL);
    for (int i = 0; i < 8; i += 2)
        data[i] = 2;
    __asm__ volatile("" ::: "memory"); /* the writes stay before the flag */
    atomic_store_explicit(&written, 1, memory_order_relaxed);
    while (!atomic_load_explicit(&read_done, memory_order_relaxed))
        ;
    exit(0);
}
