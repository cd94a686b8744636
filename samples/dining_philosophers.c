/* dining_philosophers: five philosophers, five forks, one cycle of length 5.
 *
 * Philosopher i picks up fork i (left), then fork i+1 (right); the last one's
 * right fork is fork 0. If all five sat down at once, each could hold a left
 * fork and wait forever for the right one, held by a neighbour: the classic
 * circular wait. Here they eat strictly one after another (each thread is
 * joined before the next starts), so this run cannot hang; racedet still sees
 * fork0 -> fork1 -> fork2 -> fork3 -> fork4 -> fork0 and reports the cycle.
 * The fixed twin never waits for the second fork: it only tries to take it,
 * and on failure puts the first fork down and starts again (trylock back-off).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define PHILOSOPHERS 5

static pthread_mutex_t forks[PHILOSOPHERS];
static int meals[PHILOSOPHERS];

static void *dine(void *arg)
{
    int id = (int)(intptr_t)arg;
    int left = id, right = (id + 1) % PHILOSOPHERS;

    pthread_mutex_lock(&forks[left]);
    pthread_mutex_lock(&forks[right]);     /* waits while holding the left fork */
    meals[id]++;
    pthread_mutex_unlock(&forks[right]);
    pthread_mutex_unlock(&forks[left]);
    return NULL;
}

int main(void)
{
    pthread_t philosopher;
    int total = 0;

    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_mutex_init(&forks[i], NULL);
    for (int i = 0; i < PHILOSOPHERS; i++) { /* one at a time: no hang today */
        pthread_create(&philosopher, NULL, dine, (void *)(intptr_t)i);
        pthread_join(philosopher, NULL);
    }
    for (int i = 0; i < PHILOSOPHERS; i++) {
        total += meals[i];
        pthread_mutex_destroy(&forks[i]);
    }
    printf("%d meals eaten\n", total);
    return 0;
}
