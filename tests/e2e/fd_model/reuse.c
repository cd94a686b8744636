/* reuse: a descriptor number closed by one thread and opened again by
 * another is a new object, whether the new open is one racedet does not
 * see (fopen, inside libc) or one it sees (open): the threads' uses and
 * closes of the number do not race (relaxed flags order nothing, they
 * only make the number reused on every run): silent. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_int step, first;

static void wait_for(int s)
{
    while (atomic_load_explicit(&step, memory_order_relaxed) != s)
        ;
}

static void *second(void *arg)
{
    struct stat st;
    FILE *f;
    (void)arg;
    wait_for(1);
    f = fopen("/dev/null", "r"); /* the number main just closed */
    if (!f || fileno(f) != atomic_load_explicit(&first, memory_order_relaxed) ||
        fstat(fileno(f), &st) != 0)
        puts("not reused");
    if (f)
        fclose(f);
    atomic_store_explicit(&step, 2, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    struct stat st;
    pthread_t t;
    int fd;

    pthread_create(&t, NULL, second, NULL);
    fd = open("/dev/null", O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0)
        return 1;
    atomic_store_explicit(&first, fd, memory_order_relaxed);
    close(fd);
    atomic_store_explicit(&step, 1, memory_order_relaxed);
    wait_for(2);
    fd = open("/dev/null", O_RDONLY); /* the same number, a third time */
    if (fd < 0 || fstat(fd, &st) != 0)
        return 1;
    close(fd);
    pthread_join(t, NULL);
    puts("reused");
    return 0;
}
