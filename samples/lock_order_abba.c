/* lock_order_abba: two code paths take the same two locks in opposite orders.
 *
 * post_transfer() holds accounts_lock while it takes log_lock; rotate_log()
 * holds log_lock while it takes accounts_lock. Here they run one after the
 * other, so this run cannot hang. But the day they run at the same time, each
 * can get its first lock and wait forever for the other's: an ABBA deadlock
 * that shows up once in a thousand runs, under load, in production. racedet
 * remembers which lock was held while which was taken, and reports the cycle
 * accounts -> log -> accounts from this single harmless run.
 * The fixed twin takes the two locks in one global order: accounts, then log.
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

    pthread_mutex_lock(&log_lock);
    pthread_mutex_lock(&accounts_lock);     /* BUG: log before accounts */
    *first_line = balance;
    log_lines = 1;
    pthread_mutex_unlock(&accounts_lock);
    pthread_mutex_unlock(&log_lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    int first_line = 0;

    /* Phase 1, then phase 2: never at the same time, so no hang today. */
    pthread_create(&t, NULL, post_transfer, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, rotate_log, &first_line);
    pthread_join(t, NULL);
    printf("log rotated, first line: balance %d\n", first_line);
    return 0;
}
