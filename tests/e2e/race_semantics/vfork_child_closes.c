/* A vfork child shares its parent's memory until it execs or exits; the
 * descriptors it closes are its own, not its parent's (openjdk closes all
 * of them there; compiler-rt's vfork). A thread of the parent using a pipe
 * before and after must not race with those closes, and a hand-off
 * through the pipe still orders what it orders. */
#include "../annotations/asm_flag.h"

#include <pthread.h>
#include <unistd.h>

static int fds[2], data, wrote;

static void *writer(void *arg)
{
    data = 42;
    if (write(fds[1], "a", 1) != 1)
        return arg;
    flag_raise(&wrote);
    return arg;
}

int main(void)
{
    pthread_t t;
    char c = 0;
    pid_t pid;
    if (pipe(fds))
        return 1;
    pthread_create(&t, NULL, writer, NULL);
    flag_wait(&wrote);
    pid = vfork();
    if (pid == 0) {
        close(fds[0]);
        close(fds[1]);
        _exit(0);
    }
    if (read(fds[0], &c, 1) != 1)
        return 1;
    data++;
    pthread_join(t, NULL);
    return c != 'a' || data != 43;
}
