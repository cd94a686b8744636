/* deadlock_three_fixed: the twin of deadlock_three.c, bins locked in order.
 *
 * Each station still needs its own bin and its neighbour's, but it locks the
 * lower-numbered of the two first. Station 2 (bins 2 and 0) now starts with
 * bin 0, like station 0, so the ring of waits is broken: at least one station
 * can always get both bins, finish, and release them. The barrier now only
 * starts the three stations together and sits before any lock is taken.
 * racedet reports nothing.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define STATIONS 3

static pthread_mutex_t bins[STATIONS] = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER};
static int parts[STATIONS] = {5, 5, 5};
static pthread_barrier_t start_together;

static void *pass_part_on(void *arg)
{
    int mine = (int)(intptr_t)arg;
    int next = (mine + 1) % STATIONS;
    int first = mine < next ? mine : next;  /* FIX: lower-numbered bin first */
    int second = mine < next ? next : mine;

    pthread_barrier_wait(&start_together);
    pthread_mutex_lock(&bins[first]);
    pthread_mutex_lock(&bins[second]);
    parts[mine]--;
    parts[next]++;
    pthread_mutex_unlock(&bins[second]);
    pthread_mutex_unlock(&bins[first]);
    return NULL;
}

int main(void)
{
    pthread_t station[STATIONS];

    pthread_barrier_init(&start_together, NULL, STATIONS);
    for (int i = 0; i < STATIONS; i++)
        pthread_create(&station[i], NULL, pass_part_on, (void *)(intptr_t)i);
    for (int i = 0; i < STATIONS; i++)
        pthread_join(station[i], NULL);
    printf("parts: %d %d %d\n", parts[0], parts[1], parts[2]);
    pthread_barrier_destroy(&start_together);
    return 0;
}
