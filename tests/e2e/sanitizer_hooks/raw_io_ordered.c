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

static char out[32] = "raw system calls", in[32], vin[2][8], min[16];
static int sv[2];

static void *io(void *arg)
{
    struct iovec wv[2] = {{out, 4}, {out + 4, 4}}, rv[2] = {{vin[0], 4}, {vin[1], 4}};
    struct iovec mv = {min, sizeof min};
    struct msghdr mh = {.msg_iov = &mv, .msg_iovlen = 1};
    long r;

    (void)arg;
    __sanitizer_syscall_pre_write(sv[0], out, 16);
    r = syscall(SYS_write, sv[0], out, 16);
    __sanitizer_syscall_post_write(r, sv[0], out, 16);
    __sanitizer_syscall_pre_read(sv[1], in, 16);
    r = syscall(SYS_read, sv[1], in, 16);
    __sanitizer_syscall_post_read(r, sv[1], in, 16);

    __sanitizer_syscall_pre_writev(sv[0], wv, 2);
    r = syscall(SYS_writev, sv[0], wv, 2);
    __sanitizer_syscall_post_writev(r, sv[0], wv, 2);
    __sanitizer_syscall_pre_readv(sv[1], rv, 2);
    r = syscall(SYS_readv, sv[1], rv, 2);
    __sanitizer_syscall_post_readv(r, sv[1], rv, 2);

    __sanitizer_syscall_pre_sendto(sv[0], out, 8, 0, NULL, 0);
    r = syscall(SYS_sendto, sv[0], out, 8, 0, NULL, 0);
    __sanitizer_syscall_post_sendto(r, sv[0], out, 8, 0, NULL, 0);
    __sanitizer_syscall_pre_recvmsg(sv[1], &mh, 0);
    r = syscall(SYS_recvmsg, sv[1], &mh, 0);
    __sanitizer_syscall_post_recvmsg(r, sv[1], &mh, 0);
    return NULL;
}

int main(void)
{
    pthread_t t;
    long r, fd;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    __sanitizer_syscall_pre_getpid();
    r = syscall(SYS_getpid);
    __sanitizer_syscall_post_getpid(r);
    pthread_create(&t, NULL, io, NULL);
    pthread_join(t, NULL);
    memcpy(out, "changed", 8);       /* after the join: ordered */
    printf("%.16s %.4s%.4s %.8s\n", in, vin[0], vin[1], min);

    __sanitizer_syscall_pre_dup(sv[0]);
    fd = syscall(SYS_dup, sv[0]);
    __sanitizer_syscall_post_dup(fd, sv[0]);
    __sanitizer_syscall_pre_dup2(sv[1], fd);
    r = syscall(SYS_dup2, sv[1], fd);
    __sanitizer_syscall_post_dup2(r, sv[1], fd);
    for (int i = 0; i < 3; i++) {
        long c = i < 2 ? sv[i] : fd;
        __sanitizer_syscall_pre_close(c);
        r = syscall(SYS_close, c);
        __sanitizer_syscall_post_close(r, c);
    }
    return strcmp(in, "raw system calls") == 0 ? 0 : 1;
}
