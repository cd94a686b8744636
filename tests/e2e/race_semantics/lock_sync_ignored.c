/* Inside AnnotateIgnoreSyncBegin/End a thread's locks make no
 * happens-before, as its atomics do not: the two increments under the
 * mutex race whichever runs first (compiler-rt's ignore_sync). */
#include <pthread.h>

void AnnotateIgnoreSyncBegin(const char *file, int line);
void AnnotateIgnoreSyncEnd(const char *file, int line);

static int counter;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    pthread_mutex_lock(&m);
    counter++;
    pthread_mutex_unlock(&m);
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_mutex_lock(&m);
    counter++;
    pthread_mutex_unlock(&m);
    pthread_join(t, NULL);
    return 0;
}
