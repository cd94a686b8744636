/* schedule_check_then_act_fixed: the correct twin of
 * schedule_check_then_act.c. A clerk checks and books the seat in one
 * critical section (the price is worked out before), so the other clerk
 * either sees the seat free and booked by nobody, or already taken: no
 * schedule sells it twice, and racedet explore finds nothing.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t seats_lock = PTHREAD_MUTEX_INITIALIZER;
static int available = 1;
static int sold;

/* A little work before the booking. */
static int price(int base)
{
    int p = base;
    for (int i = 0; i < 100; i++)
        p = (p * 31 + i) % 1000;
    return 50 + p % 50;
}

static void *clerk(void *arg)
{
    int ok, amount = price(1);
    (void)arg;
    pthread_mutex_lock(&seats_lock);
    ok = available > 0;                 /* check and act together */
    if (ok) {
        available--;
        sold++;
    }
    pthread_mutex_unlock(&seats_lock);
    if (ok)
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
