/* deadlock_abba_fixed: the twin of deadlock_abba.c, locks in a global order.
 *
 * transfer() now locks the account with the lower id first, whichever
 * direction the money goes. Both transfers want alice.lock first, so whoever
 * gets it can also get bob.lock; the other simply waits its turn. The barrier
 * still starts both transfers at the same moment, but it now sits before the
 * first lock: waiting at a barrier while holding a lock the other party needs
 * would itself hang. racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>

struct account {
    int id;
    int balance;
    pthread_mutex_t lock;
};

static struct account alice = {1, 100, PTHREAD_MUTEX_INITIALIZER};
static struct account bob = {2, 100, PTHREAD_MUTEX_INITIALIZER};
static pthread_barrier_t start_together;

static void transfer(struct account *from, struct account *to, int amount)
{
    struct account *first = from->id < to->id ? from : to;  /* FIX: global order */
    struct account *second = from->id < to->id ? to : from;

    pthread_barrier_wait(&start_together);
    pthread_mutex_lock(&first->lock);
    pthread_mutex_lock(&second->lock);
    from->balance -= amount;
    to->balance += amount;
    pthread_mutex_unlock(&second->lock);
    pthread_mutex_unlock(&first->lock);
}

static void *alice_pays_bob(void *arg)
{
    (void)arg;
    transfer(&alice, &bob, 10);
    return NULL;
}

static void *bob_pays_alice(void *arg)
{
    (void)arg;
    transfer(&bob, &alice, 20);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;

    pthread_barrier_init(&start_together, NULL, 2);
    pthread_create(&t1, NULL, alice_pays_bob, NULL);
    pthread_create(&t2, NULL, bob_pays_alice, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("alice %d, bob %d\n", alice.balance, bob.balance);
    pthread_barrier_destroy(&start_together);
    return 0;
}
