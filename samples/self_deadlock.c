/* self_deadlock: a function locks a mutex it already holds (re-entrant locking).
 *
 * update_count() locks cart_lock because it is also called on its own. Later
 * someone calls it from add_item(), which already holds cart_lock. A default
 * mutex is not recursive: the second lock waits for the lock to be released,
 * by the very thread that is waiting. Natively this program hangs forever (an
 * error-checking mutex would return EDEADLK instead). Under racedet the second
 * attempt is reported as a self-deadlock and the process ends with exit 66
 * instead of hanging. The usual fix is an unlocked helper (update_count_locked)
 * called with the lock held; the fixed twin shows the other fix, a recursive
 * mutex, for code where the lock really must be re-entered.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t cart_lock = PTHREAD_MUTEX_INITIALIZER;
static int items, count_shown;

/* Refresh the item count shown to the user; safe to call on its own. */
static void update_count(void)
{
    pthread_mutex_lock(&cart_lock);         /* second lock by the same thread */
    count_shown = items;
    pthread_mutex_unlock(&cart_lock);
}

static void add_item(void)
{
    pthread_mutex_lock(&cart_lock);
    items++;
    update_count();                         /* BUG: called with cart_lock held */
    pthread_mutex_unlock(&cart_lock);
}

int main(void)
{
    update_count();                         /* fine: cart_lock is not held */
    printf("cart shows %d items; adding one...\n", count_shown);
    fflush(stdout);
    add_item();                             /* never returns natively */
    printf("cart shows %d items\n", count_shown);
    return 0;
}
