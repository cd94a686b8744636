/* raw_fd_close_race: descriptors through raw system calls announced by the
 * hooks of <sanitizer/linux_syscall_hooks.h>: a byte written to a pipe
 * hands a buffer over to the reading thread (ordered: no race on it), but
 * main then closes the pipe's write end (line 50) unordered with the
 * reader's later write to it (line 33; a relaxed flag only makes the order
 * the same on every run): one data race, on the descriptor. */
#include <pthread.h>
#include <sanitizer/linux_syscall_hooks.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RAW(name, ...)                                                                        \
    do {                                                                                      \
        __sanitizer_syscall_pre_##name(__VA_ARGS__);                                          \
        r = syscall(SYS_##name, __VA_ARGS__);                                                 \
        __sanitizer_syscall_post_##name(r, __VA_ARGS__);                                      \
    } while (0)

static int fds[2];
static char buf[16];
static atomic_int wrote;

static void *reader(void *arg)
{
    long r;
    char b;
    (void)arg;
    RAW(read, fds[0], &b, 1);
    printf("%c%s\n", buf[0], buf + 1);            /* after the byte: ordered */
    RAW(write, fds[1], "x", 1);
    atomic_store_explicit(&wrote, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;
    long r;

    if (pipe(fds) != 0)
        return 1;
    pthread_create(&t, NULL, reader, NULL);
    memcpy(buf, "handed over", 12);
    RAW(write, fds[1], "g", 1);
    while (!atomic_load_explicit(&wrote, memory_order_relaxed))
        ;
    RAW(close, fds[1]);
    pthread_join(t, NULL);
    return 0;
}
