/* race_read_unlocked_fixed: the twin of race_read_unlocked.c, reader locks too.
 *
 * display_temperature() now reads `temperature` with temp_lock held. Whichever
 * thread gets the lock first, its unlock happens-before the other's lock, so
 * the read and the write are ordered: the reader sees either the old or the
 * new value, never something in between. racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t temp_lock = PTHREAD_MUTEX_INITIALIZER;
static int temperature = 20;
static pthread_barrier_t start;

static void *update_temperature(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    pthread_mutex_lock(&temp_lock);
    temperature = 25;
    pthread_mutex_unlock(&temp_lock);
    return NULL;
}

static void *display_temperature(void *arg)
{
    int *shown = arg;

    pthread_barrier_wait(&start);
    pthread_mutex_lock(&temp_lock);         /* FIX */
    *shown = temperature;
    pthread_mutex_unlock(&temp_lock);
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
