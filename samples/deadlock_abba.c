/* deadlock_abba: two transfers in opposite directions really deadlock.
 *
 * transfer() locks the account it takes money from, then the one it pays
 * into. Alice pays Bob while Bob pays Alice: one thread holds alice.lock and
 * waits for bob.lock, the other holds bob.lock and waits for alice.lock, and
 * neither will ever let go. In real life this happens only when the timing is
 * unlucky; here a barrier forces the unlucky timing (both hold their first
 * lock before either takes its second), so the program always hangs natively.
 * racedet notices that the threads wait for each other, reports the deadlock
 * with each thread's waiting stack and held lock, and ends the process.
 * The fixed twin locks the two accounts in a global order (lower id first).
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
static pthread_barrier_t both_hold_one;

static void transfer(struct account *from, struct account *to, int amount)
{
    pthread_mutex_lock(&from->lock);
    pthread_barrier_wait(&both_hold_one);   /* force the unlucky interleaving */
    pthread_mutex_lock(&to->lock);          /* BUG: waits for the other thread */
    from->balance -= amount;
    to->balance += amount;
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
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

    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&t1, NULL, alice_pays_bob, NULL);
    pthread_create(&t2, NULL, bob_pays_alice, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("alice %d, bob %d\n", alice.balance, bob.balance);
    pthread_barrier_destroy(&both_hold_one);
    return 0;
}
