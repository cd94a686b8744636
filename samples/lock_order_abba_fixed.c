/* lock_order_abba_fixed: the twin of lock_order_abba.c, with one lock order.
 *
 * Both post_transfer() and rotate_log() now take accounts_lock first and
 * log_lock second. With a single global order no thread can ever hold the
 * second lock while waiting for the first, so no cycle can form, whatever
 * the timing. (Only the order in which locks are taken matters; they may be
 * released in any order.) racedet sees only the edge accounts -> log and
 * stays silent.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t accounts_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int balance = 100;
static int log_lines;

/* Debit the account, then record the transfer in the log. */
static void *post_transfer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&accounts_lock);
    pthread_mutex_lock(&log_lock);
    balance -= 10;
    log_lines++;
    pthread_mutex_unlock(&log_lock);
    pthread_mutex_unlock(&accounts_lock);
    return NULL;
}

/* Start a new log whose first line is the current balance. */
static void *rotate_log(void *arg)
{
    int *first_line = arg;

    pthread_mutex_lock(&accounts_lock);     /* FIX: accounts before log */
    pthread_mutex_lock(&log_lock);
    *first_line = balance;
    log_lines = 1;
    pthread_mutex_unlock(&log_lock);
    pthread_mutex_unlock(&accounts_lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    int first_line = 0;

    pthread_create(&t, NULL, post_transfer, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, rotate_log, &first_line);
    pthread_join(t, NULL);
    printf("log rotated, first line: balance %d\n", first_line);
    return 0;
}
