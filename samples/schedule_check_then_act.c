/* schedule_check_then_act: two clerks sell the last seat twice.
 *
 * A clerk checks, under the lock, that a seat is available, lets go of the
 * lock while it prices the ticket, then takes the lock again to book the
 * seat. Each step is locked, so there is no data race, but the check and the
 * act are not one step: when the other clerk checks in between, both see the
 * last seat free and both book it, and the count goes below zero. Natively
 * the first clerk has booked long before the second one starts (thousands of
 * runs never fail), which is how such bugs reach production. `racedet run`
 * has nothing to report either: every access is locked and every run it
 * sees is a lucky one. `racedet explore` runs the clerks one at a time and
 * switches between them at their lock calls, under many schedules: one of
 * them lets the second clerk check before the first books, and the assertion
 * fails. The fixed twin checks and books in one critical section.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t seats_lock = PTHREAD_MUTEX_INITIALIZER;
static int available = 1;
static int sold;

/* A little work between the check and the booking. */
static int price(int base)
{
    int p = base;
    for (int i = 0; i < 100; i++)
        p = (p * 31 + i) % 1000;
    return 50 + p % 50;
}

static void *clerk(void *arg)
{
    int left, amount;
    (void)arg;
    pthread_mutex_lock(&seats_lock);
    left = available;                   /* check ... */
    pthread_mutex_unlock(&seats_lock);
    if (left <= 0)
        return NULL;
    amount = price(left);
    pthread_mutex_lock(&seats_lock);
    available--;                        /* BUG: ... then act, on a stale check */
    sold++;
    pthread_mutex_unlock(&seats_lock);
    printf("sold a seat for %d\n", amount);
    return NULL;
}

int main(void)
{
    pthread_t a, b;

    pthread_create(&a, NULL, clerk, NULL);
    usleep(20000); /* the second one starts later */
    pthread_create(&b, NULL, clerk, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("%d sold, %d available\n", sold, available);
    assert(available >= 0 && "the last seat was sold twice");
    return 0;
}
