/* self_deadlock_fixed: the twin of self_deadlock.c, with a recursive mutex.
 *
 * cart_lock is now created with the PTHREAD_MUTEX_RECURSIVE type, so the
 * thread that holds it may lock it again: update_count() called from
 * add_item() just raises a hold count, and each unlock lowers it. The lock is
 * released for other threads only when the count is back to zero. racedet
 * knows the mutex type and reports nothing. (Recursive locks hide which code
 * really owns the invariant; an unlocked helper called with the lock held is
 * often the cleaner fix.)
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t cart_lock;
static int items, count_shown;

/* Refresh the item count shown to the user; safe to call on its own. */
static void update_count(void)
{
    pthread_mutex_lock(&cart_lock);         /* re-entry is fine: recursive */
    count_shown = items;
    pthread_mutex_unlock(&cart_lock);
}

static void add_item(void)
{
    pthread_mutex_lock(&cart_lock);
    items++;
    update_count();
    pthread_mutex_unlock(&cart_lock);
}

int main(void)
{
    pthread_mutexattr_t attr;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE); /* FIX */
    pthread_mutex_init(&cart_lock, &attr);
    pthread_mutexattr_destroy(&attr);

    update_count();
    printf("cart shows %d items; adding one...\n", count_shown);
    add_item();
    printf("cart shows %d items\n", count_shown);
    pthread_mutex_destroy(&cart_lock);
    return 0;
}
