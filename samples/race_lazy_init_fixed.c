/* race_lazy_init_fixed: the twin of race_lazy_init.c, using pthread_once().
 *
 * compute_page_size() runs exactly once, through pthread_once(). Every caller
 * of get_page_size() returns from pthread_once() only after that one run is
 * complete, and the run happens-before the return in every thread, so the
 * plain read of cached_page_size afterwards is ordered after its write. The
 * fast path stays cheap (glibc checks an atomic flag with acquire ordering).
 * racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_once_t page_size_once = PTHREAD_ONCE_INIT;
static long cached_page_size;
static pthread_barrier_t start;

static void compute_page_size(void)
{
    cached_page_size = sysconf(_SC_PAGESIZE);
}

static long get_page_size(void)
{
    pthread_once(&page_size_once, compute_page_size); /* FIX */
    return cached_page_size;
}

static void *allocate_buffers(void *arg)
{
    long *pages = arg;

    pthread_barrier_wait(&start);
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
