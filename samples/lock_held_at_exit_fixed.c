/* lock_held_at_exit_fixed: the twin of lock_held_at_exit.c, one way out.
 *
 * load_record() now leaves the critical section through a single exit: the
 * error path jumps to `out`, where records_lock is unlocked, exactly as the
 * success path is. With one unlock for one lock, adding another error path
 * later cannot leak the lock. main() can safely take records_lock to read the
 * count, and racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t records_lock = PTHREAD_MUTEX_INITIALIZER;
static int records;

static int parse_record(const char *line)
{
    return line[0] == '#' ? -1 : 0;         /* "#..." is a bad record */
}

static void *load_record(void *arg)
{
    const char *line = arg;

    pthread_mutex_lock(&records_lock);
    if (parse_record(line) != 0)
        goto out;                           /* FIX: leave through the unlock */
    records++;
out:
    pthread_mutex_unlock(&records_lock);
    return NULL;
}

int main(void)
{
    const char *input[] = {"apples 3", "#corrupt"};
    pthread_t loader;
    int loaded;

    for (int i = 0; i < 2; i++) {
        pthread_create(&loader, NULL, load_record, (void *)input[i]);
        pthread_join(loader, NULL);
    }
    pthread_mutex_lock(&records_lock);
    loaded = records;
    pthread_mutex_unlock(&records_lock);
    printf("loaded %d record(s)\n", loaded);
    return 0;
}
