/* double_unlock: an error path unlocks, and then the caller unlocks again.
 *
 * import_rows() locks db_lock around each call to insert_row() and unlocks it
 * afterwards. But insert_row() "cleans up" on its error path by unlocking
 * db_lock itself, so after a bad row the caller's unlock releases a lock that
 * is no longer held. With glibc's default mutex this passes silently; if
 * another thread had taken the lock in between, the second unlock would have
 * released *that* thread's lock, and two threads would be inside the critical
 * section at once. racedet reports the second unlock.
 * The fixed twin gives the lock a single owner: only the caller, which locked
 * it, unlocks it; insert_row() just returns its error.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t db_lock = PTHREAD_MUTEX_INITIALIZER;
static int rows;

/* Called with db_lock held. Returns -1 for a bad row. */
static int insert_row(int value)
{
    if (value < 0) {
        pthread_mutex_unlock(&db_lock);     /* BUG: not this function's lock */
        return -1;
    }
    rows++;
    return 0;
}

static void *import_rows(void *arg)
{
    static const int input[] = {3, 1, -1, 4};
    int *bad = arg;

    for (int i = 0; i < 4; i++) {
        pthread_mutex_lock(&db_lock);
        int err = insert_row(input[i]);
        pthread_mutex_unlock(&db_lock);     /* the second unlock after a bad row */
        if (err) {
            *bad = i;
            break;
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t importer;
    int bad = -1;

    pthread_create(&importer, NULL, import_rows, &bad);
    pthread_join(importer, NULL);
    printf("imported %d rows, row %d was bad\n", rows, bad);
    return 0;
}
