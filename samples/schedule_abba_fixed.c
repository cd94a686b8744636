/* schedule_abba_fixed: the correct twin of schedule_abba.c. The auditor
 * takes the accounts lock first, then the audit lock, as the teller does:
 * one global order, no cycle, and no schedule deadlocks.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t accounts_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t audit_lock = PTHREAD_MUTEX_INITIALIZER;
static long balance = 1000;
static long audited;
static int moves;

/* Loading the audit rules: work without locks. */
static long load_rules(void)
{
    long h = 17;
    for (long i = 0; i < 3000000; i++)
        h = (h * 1103515245 + i) % 1000003;
    return h;
}

static void *teller(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&accounts_lock);
    pthread_mutex_lock(&audit_lock);
    balance -= 10;
    moves++;
    pthread_mutex_unlock(&audit_lock);
    pthread_mutex_unlock(&accounts_lock);
    return NULL;
}

static void *auditor(void *arg)
{
    long rules = load_rules();
    (void)arg;
    pthread_mutex_lock(&accounts_lock);     /* the one order: accounts, then audit */
    pthread_mutex_lock(&audit_lock);
    audited = balance + rules % 2;        /* the balance, checked against the rules */
    pthread_mutex_unlock(&audit_lock);
    pthread_mutex_unlock(&accounts_lock);
    return NULL;
}

int main(void)
{
    pthread_t t, a;

    pthread_create(&t, NULL, teller, NULL);
    usleep(20000); /* the auditor starts later */
    pthread_create(&a, NULL, auditor, NULL);
    pthread_join(t, NULL);
    pthread_join(a, NULL);
    printf("balance %ld, %d move(s), audited %ld\n", balance, moves, audited);
    return 0;
}
