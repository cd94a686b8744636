/* double_unlock_fixed: the twin of double_unlock.c, with one unlock owner.
 *
 * insert_row() no longer touches db_lock: it reports the bad row and returns.
 * The caller, which took the lock, is the only code that releases it, on
 * every path. "Whoever locks, unlocks, in the same function" makes lock
 * lifetimes easy to check by eye; racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t db_lock = PTHREAD_MUTEX_INITIALIZER;
static int rows;

/* Called with db_lock held. Returns -1 for a bad row. */
static int insert_row(int value)
{
    if (value < 0)
        return -1;                          /* FIX: the caller unlocks */
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
        pthread_mutex_unlock(&db_lock);     /* the only unlock */
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
