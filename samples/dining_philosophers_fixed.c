/* dining_philosophers_fixed: the twin of dining_philosophers.c, with back-off.
 *
 * A philosopher still picks up the left fork first, but only *tries* to take
 * the right one (pthread_mutex_trylock). If it is busy, the philosopher puts
 * the left fork down and starts again. Nobody ever waits while holding a fork,
 * so the circular wait cannot happen, and all five eat at the same time here.
 * racedet records that the second fork was taken with a trylock: such an edge
 * cannot be part of a deadlock, so the cycle of forks is not reported.
 * (Taking the lower-numbered fork first, a global order, also works.)
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>

#define PHILOSOPHERS 5
#define MEALS 3

static pthread_mutex_t forks[PHILOSOPHERS];
static int meals[PHILOSOPHERS];

static void *dine(void *arg)
{
    int id = (int)(intptr_t)arg;
    int left = id, right = (id + 1) % PHILOSOPHERS;

    for (int meal = 0; meal < MEALS; meal++) {
        for (;;) {
            pthread_mutex_lock(&forks[left]);
            if (pthread_mutex_trylock(&forks[right]) == 0)
                break;                      /* got both forks */
            pthread_mutex_unlock(&forks[left]); /* back off: never wait holding one */
            sched_yield();
        }
        meals[id]++;
        pthread_mutex_unlock(&forks[right]);
        pthread_mutex_unlock(&forks[left]);
    }
    return NULL;
}

int main(void)
{
    pthread_t philosopher[PHILOSOPHERS];
    int total = 0;

    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_mutex_init(&forks[i], NULL);
    for (int i = 0; i < PHILOSOPHERS; i++)  /* all at the table at once */
        pthread_create(&philosopher[i], NULL, dine, (void *)(intptr_t)i);
    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_join(philosopher[i], NULL);
    for (int i = 0; i < PHILOSOPHERS; i++) {
        total += meals[i];
        pthread_mutex_destroy(&forks[i]);
    }
    printf("%d meals eaten\n", total);
    return 0;
}
