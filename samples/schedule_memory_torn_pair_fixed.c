/* schedule_memory_torn_pair_fixed: the correct twin of
 * schedule_memory_torn_pair.c. The resizer writes the pair, and the painter
 * reads it, under one lock: no schedule, even one that switches threads at
 * every shared access (racedet explore --points=memory), lets the painter
 * see half of a resize.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t size_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int width, height;
} size;

static void *resizer(void *arg)
{
    int h = (int)(long)arg;
    pthread_mutex_lock(&size_lock);
    size.width = 2 * h;
    size.height = h;
    pthread_mutex_unlock(&size_lock);
    return NULL;
}

static void *painter(void *arg)
{
    int w, h;
    (void)arg;
    pthread_mutex_lock(&size_lock);         /* FIX: the pair in one step */
    w = size.width;
    h = size.height;
    pthread_mutex_unlock(&size_lock);
    printf("painting %dx%d\n", w, h);
    assert(w == 2 * h && "a torn size");
    return NULL;
}

int main(void)
{
    pthread_t p, r;

    size.width = 200;
    size.height = 100;
    pthread_create(&p, NULL, painter, NULL);
    usleep(20000); /* the resizer starts later */
    pthread_create(&r, NULL, resizer, (void *)50L);
    pthread_join(p, NULL);
    pthread_join(r, NULL);
    return 0;
}
