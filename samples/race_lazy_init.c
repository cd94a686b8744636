/* race_lazy_init: double-checked lazy initialisation with a plain variable.
 *
 * get_page_size() computes a value on first use. To skip the lock on the
 * fast path it first checks cached_page_size without the lock, and only
 * takes init_lock to compute it. But that unlocked check races with the
 * write made by the first caller: the compiler may tear, cache or re-read a
 * plain variable, and had it published a pointer, another CPU could see the
 * pointer before the object it points to. Check-then-act on a plain variable
 * is never safe. racedet reports the unlocked read and the locked write.
 * The fixed twin uses pthread_once(), which does the double-checking right.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static long cached_page_size;               /* 0: not computed yet */
static pthread_barrier_t start;

static long get_page_size(void)
{
    long size = cached_page_size;           /* BUG: checked without the lock */

    if (size == 0) {
        pthread_mutex_lock(&init_lock);
        if (cached_page_size == 0)
            cached_page_size = sysconf(_SC_PAGESIZE);
        size = cached_page_size;
        pthread_mutex_unlock(&init_lock);
    }
    return size;
}

static void *allocate_buffers(void *arg)
{
    long *pages = arg;

    pthread_barrier_wait(&start);           /* both first uses at once */
    *pages = 1048576 / get_page_size();
    return NULL;
}

static void *map_file(void *arg)
{
    long *pages = arg;

    pthread_barrier_wait(&start);
    *pages = 65536 / get_page_size();
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    long buffer_pages, file_pages;

    pthread_barrier_init(&start, NULL, 2);
    pthread_create(&t1, NULL, allocate_buffers, &buffer_pages);
    pthread_create(&t2, NULL, map_file, &file_pages);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("%ld buffer pages, %ld file pages\n", buffer_pages, file_pages);
    pthread_barrier_destroy(&start);
    return 0;
}
