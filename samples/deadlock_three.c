/* deadlock_three: three threads, three locks, a real circular wait.
 *
 * Three stations pass parts around a ring: station i locks its own bin, then
 * the bin of station i+1 to put a part in it (station 2's neighbour is
 * station 0). If every station holds its own bin at the same moment, each
 * waits for its neighbour's bin, which is never released: a deadlock no pair
 * of threads shows on its own. A barrier for three forces that moment, so the
 * program always hangs natively. racedet reports the three blocked threads,
 * what each holds and waits for, and ends the process.
 * The fixed twin has every station lock the two bins lower-numbered first.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define STATIONS 3

static pthread_mutex_t bins[STATIONS] = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER};
static int parts[STATIONS] = {5, 5, 5};
static pthread_barrier_t all_hold_one;

static void *pass_part_on(void *arg)
{
    int mine = (int)(intptr_t)arg;
    int next = (mine + 1) % STATIONS;

    pthread_mutex_lock(&bins[mine]);
    pthread_barrier_wait(&all_hold_one);    /* every station holds its own bin */
    pthread_mutex_lock(&bins[next]);        /* BUG: waits for the neighbour */
    parts[mine]--;
    parts[next]++;
    pthread_mutex_unlock(&bins[next]);
    pthread_mutex_unlock(&bins[mine]);
    return NULL;
}

int main(void)
{
    pthread_t station[STATIONS];

    pthread_barrier_init(&all_hold_one, NULL, STATIONS);
    for (int i = 0; i < STATIONS; i++)
        pthread_create(&station[i], NULL, pass_part_on, (void *)(intptr_t)i);
    for (int i = 0; i < STATIONS; i++)
        pthread_join(station[i], NULL);
    printf("parts: %d %d %d\n", parts[0], parts[1], parts[2]);
    pthread_barrier_destroy(&all_hold_one);
    return 0;
}
