/* schedule_abba: an ABBA deadlock that natively never happens.
 *
 * The teller moves money (accounts lock, then audit lock) as soon as it
 * starts; the auditor first loads its rules, a little computation, then
 * takes the audit lock and, while holding it, the accounts lock. The two
 * orders are opposite, so if the auditor takes the audit lock while the
 * teller holds the accounts lock, each waits for the other for ever. Natively
 * the teller is done before the auditor has loaded its rules: thousands of
 * runs pass. `racedet run` reports the lock-order cycle from one such run (a
 * potential deadlock); `racedet explore --confirm REPORT.json` steers the
 * threads into it (the teller is held back after its first lock until the
 * auditor has taken its own) and the deadlock happens: it is confirmed. The
 * fixed twin takes the two locks in one order everywhere.
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
    pthread_mutex_lock(&audit_lock);
    pthread_mutex_lock(&accounts_lock);     /* BUG: audit before accounts */
    audited = balance + rules % 2;        /* the balance, checked against the rules */
    pthread_mutex_unlock(&accounts_lock);
    pthread_mutex_unlock(&audit_lock);
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
