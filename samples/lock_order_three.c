/* lock_order_three: three locks, three code paths, one cycle spread over all.
 *
 * reserve_stock() takes stock -> orders, bill_order() takes orders -> billing,
 * issue_refund() takes billing -> stock. Each path alone looks reasonable and
 * no two of them disagree about any pair of locks, so a review of any two
 * functions finds nothing. Together they form the cycle
 * stock -> orders -> billing -> stock: three threads running at once can each
 * hold one lock and wait for the next. This run executes the three one after
 * another and cannot hang; racedet reports the cycle of length 3 anyway.
 * The fixed twin holds one "gate" lock around every nested pair.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t stock_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t orders_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t billing_lock = PTHREAD_MUTEX_INITIALIZER;
static int in_stock = 5, open_orders, invoices;

static void *reserve_stock(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&stock_lock);
    pthread_mutex_lock(&orders_lock);
    in_stock--;
    open_orders++;
    pthread_mutex_unlock(&orders_lock);
    pthread_mutex_unlock(&stock_lock);
    return NULL;
}

static void *bill_order(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&orders_lock);
    pthread_mutex_lock(&billing_lock);
    open_orders--;
    invoices++;
    pthread_mutex_unlock(&billing_lock);
    pthread_mutex_unlock(&orders_lock);
    return NULL;
}

static void *issue_refund(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&billing_lock);
    pthread_mutex_lock(&stock_lock);        /* closes the cycle */
    invoices--;
    in_stock++;
    pthread_mutex_unlock(&stock_lock);
    pthread_mutex_unlock(&billing_lock);
    return NULL;
}

int main(void)
{
    void *(*const step[])(void *) = {reserve_stock, bill_order, issue_refund};
    pthread_t t;

    for (int i = 0; i < 3; i++) {           /* one at a time: no hang today */
        pthread_create(&t, NULL, step[i], NULL);
        pthread_join(t, NULL);
    }
    printf("stock %d, open orders %d, invoices %d\n", in_stock, open_orders, invoices);
    return 0;
}
