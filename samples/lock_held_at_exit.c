/* lock_held_at_exit: a thread returns on an error path with a lock still held.
 *
 * load_record() locks records_lock, and on a parse error returns early, in
 * the middle of the critical section, without unlocking it. Error paths are
 * the least tested code there is: the happy path works, the bad record leaks
 * the lock, and every thread that needs records_lock afterwards blocks
 * forever (on a default mutex nobody can ever release it again). racedet
 * reports the thread that ended holding the lock, and where it took it. This
 * sample never touches records_lock again, so it does not hang.
 * The fixed twin routes every exit of the critical section through a single
 * unlock (goto out).
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
        return NULL;                        /* BUG: records_lock still held */
    records++;
    pthread_mutex_unlock(&records_lock);
    return NULL;
}

int main(void)
{
    const char *input[] = {"apples 3", "#corrupt"};
    pthread_t loader;

    for (int i = 0; i < 2; i++) {           /* one after the other */
        pthread_create(&loader, NULL, load_record, (void *)input[i]);
        pthread_join(loader, NULL);
    }
    /* Locking records_lock here would hang: the dead loader still holds it. */
    printf("loaded %d record(s)\n", records);
    return 0;
}
