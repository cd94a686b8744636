/* dup2_race: main redirects a descriptor with dup2 while a reader thread
 * still uses it, unordered (a relaxed flag only makes the order the same
 * on every run): a data race on the file descriptor, the dup2 (line 33)
 * and the reader's fstat (line 18). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int fds[2], spare[2];
static atomic_int used;

static void *reader(void *arg)
{
    struct stat st;
    (void)arg;
    if (fstat(fds[0], &st) != 0)
        return NULL;
    atomic_store_explicit(&used, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;

    if (pipe(fds) != 0 || pipe(spare) != 0)
        return 1;
    pthread_create(&t, NULL, reader, NULL);
    while (!atomic_load_explicit(&used, memory_order_relaxed))
        ;
    if (dup2(spare[0], fds[0]) < 0)
        return 1;
    pthread_join(t, NULL);
    puts("redirected");
    return 0;
}
