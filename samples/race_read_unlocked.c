/* race_read_unlocked: writes take the lock, one reader does not.
 *
 * update_temperature() always writes `temperature` under temp_lock, but
 * display_temperature() reads it without the lock ("it's just one int, what
 * could go wrong?"). A lock only orders accesses made by threads that take
 * it: the reader may see a stale or (for wider data) torn value, and the
 * compiler may cache or re-read it at will. It is a data race even if only
 * one side forgets the lock. racedet reports the locked write and the
 * unlocked read.
 * The fixed twin's reader takes temp_lock too.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t temp_lock = PTHREAD_MUTEX_INITIALIZER;
static int temperature = 20;
static pthread_barrier_t start;

static void *update_temperature(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);           /* writer and reader run at once */
    pthread_mutex_lock(&temp_lock);
    temperature = 25;                       /* written under temp_lock */
    pthread_mutex_unlock(&temp_lock);
    return NULL;
}

static void *display_temperature(void *arg)
{
    int *shown = arg;

    pthread_barrier_wait(&start);
    *shown = temperature;                   /* BUG: read without temp_lock */
    return NULL;
}

int main(void)
{
    pthread_t writer, reader;
    int shown;

    pthread_barrier_init(&start, NULL, 2);
    pthread_create(&writer, NULL, update_temperature, NULL);
    pthread_create(&reader, NULL, display_temperature, &shown);
    pthread_join(writer, NULL);
    pthread_join(reader, NULL);
    printf("displayed %d degrees\n", shown);
    pthread_barrier_destroy(&start);
    return 0;
}
