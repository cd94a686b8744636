/* raw_read_race: a buffer filled by a raw read system call, announced to
 * the sanitizer through the hooks of <sanitizer/linux_syscall_hooks.h>
 * (as libuv and others do when built for a sanitizer), then read by
 * another thread that only saw a relaxed flag: a data race between the
 * read system call's write of the buffer (in fill) and consume's read. */
#include <pthread.h>
#include <sanitizer/linux_syscall_hooks.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static char buf[64];
static atomic_int filled;

static void *fill(void *arg)
{
    int *fds = arg;
    long n;

    __sanitizer_syscall_pre_read(fds[0], buf, sizeof buf);
    n = syscall(SYS_read, fds[0], buf, sizeof buf);
    __sanitizer_syscall_post_read(n, fds[0], buf, sizeof buf);
    atomic_store_explicit(&filled, 1, memory_order_relaxed);
    return NULL;
}

static void *consume(void *arg)
{
    char *first = arg;

    while (!atomic_load_explicit(&filled, memory_order_relaxed))
        sched_yield();
    *first = buf[0];
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    int fds[2];
    char first = 0;
    long r;

    if (pipe(fds) != 0 || write(fds[1], "hello", 5) != 5)
        return 1;
    pthread_create(&b, NULL, consume, &first);
    pthread_create(&a, NULL, fill, fds);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    for (int i = 0; i < 2; i++) {
        __sanitizer_syscall_pre_close(fds[i]);
        r = syscall(SYS_close, fds[i]);
        __sanitizer_syscall_post_close(r, fds[i]);
    }
    printf("%c\n", first);
    return first == 'h' ? 0 : 1;
}
