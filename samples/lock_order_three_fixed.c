/* lock_order_three_fixed: the twin of lock_order_three.c, with a gate lock.
 *
 * The three paths still take their two locks in the same cyclic orders, but
 * each now holds store_lock around its nested pair. Two paths can only
 * interleave their nested pairs if both get past store_lock, which is
 * impossible, so the cycle stock -> orders -> billing -> stock can never
 * close. racedet records, with every lock-order edge, the other locks held
 * ("gate" locks); a cycle whose edges all share a gate lock is not a
 * deadlock, and it stays silent. (A single global order is simpler; a gate
 * lock is what you use when the orders are imposed by code you cannot change.)
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t store_lock = PTHREAD_MUTEX_INITIALIZER; /* the gate */
static pthread_mutex_t stock_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t orders_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t billing_lock = PTHREAD_MUTEX_INITIALIZER;
static int in_stock = 5, open_orders, invoices;

static void *reserve_stock(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&store_lock);
    pthread_mutex_lock(&stock_lock);
    pthread_mutex_lock(&orders_lock);
    in_stock--;
    open_orders++;
    pthread_mutex_unlock(&orders_lock);
    pthread_mutex_unlock(&stock_lock);
    pthread_mutex_unlock(&store_lock);
    return NULL;
}

static void *bill_order(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&store_lock);
    pthread_mutex_lock(&orders_lock);
    pthread_mutex_lock(&billing_lock);
    open_orders--;
    invoices++;
    pthread_mutex_unlock(&billing_lock);
    pthread_mutex_unlock(&orders_lock);
    pthread_mutex_unlock(&store_lock);
    return NULL;
}

static void *issue_refund(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&store_lock);
    pthread_mutex_lock(&billing_lock);
    pthread_mutex_lock(&stock_lock);
    invoices--;
    in_stock++;
    pthread_mutex_unlock(&stock_lock);
    pthread_mutex_unlock(&billing_lock);
    pthread_mutex_unlock(&store_lock);
    return NULL;
}

int main(void)
{
    void *(*const step[])(void *) = {reserve_stock, bill_order, issue_refund};
    pthread_t t;

    for (int i = 0; i < 3; i++) {
        pthread_create(&t, NULL, step[i], NULL);
        pthread_join(t, NULL);
    }
    printf("stock %d, open orders %d, invoices %d\n", in_stock, open_orders, invoices);
    return 0;
}
