/* raw_io_ordered: raw system calls announced through the hooks of
 * <sanitizer/linux_syscall_hooks.h> (read, write, readv, writev, sendmsg,
 * recvmsg, close, dup, dup2, and the no-op ones around getpid), whose
 * buffers are handed between threads in order (join): links, runs, and
 * racedet reports nothing. */
#include <pthread.h>
#include <sanitizer/linux_syscall_hooks.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* A raw system call with its hooks around it; its result in r. */
#define RAW(name, ...)                                                                        \
    do {                                                                                      \
        __sanitizer_syscall_pre_##name(__VA_ARGS__);                                          \
        r = syscall(SYS_##name, __VA_ARGS__);                                                 \
        __sanitizer_syscall_post_##name(r, __VA_ARGS__);                                      \
    } while (0)
#define RAW0(name)                                                                            \
    do {                                                                                      \
        __sanitizer_syscall_pre_##name();                                                     \
        r = syscall(SYS_##name);                                                              \
        __sanitizer_syscall_post_##name(r);                                                   \
    } while (0)

static char out[32] = "raw system calls", in[32], vin[2][8], min[16];
static int sv[2];

static void *io(void *arg)
{
    struct iovec wv[2] = {{out, 4}, {out + 4, 4}}, rv[2] = {{vin[0], 4}, {vin[1], 4}};
    struct iovec mv = {min, sizeof min};
    struct msghdr mh = {.msg_iov = &mv, .msg_iovlen = 1};
    long r;

    (void)arg;
    RAW(write, sv[0], out, 16);
    RAW(read, sv[1], in, 16);

    RAW(writev, sv[0], wv, 2);
    RAW(readv, sv[1], rv, 2);

    RAW(sendto, sv[0], out, 8, 0, NULL, 0);
    RAW(recvmsg, sv[1], &mh, 0);
    return NULL;
}

int main(void)
{
    pthread_t t;
    long r, fd;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    RAW0(getpid);
    pthread_create(&t, NULL, io, NULL);
    pthread_join(t, NULL);
    memcpy(out, "changed", 8);       /* after the join: ordered */
    printf("%.16s %.4s%.4s %.8s\n", in, vin[0], vin[1], min);

    RAW(dup, sv[0]);
    fd = r;
    RAW(dup2, sv[1], fd);
    for (int i = 0; i < 3; i++) {
        long c = i < 2 ? sv[i] : fd;
        RAW(close, c);
    }
    return strcmp(in, "raw system calls") == 0 ? 0 : 1;
}
