/* race_fd_close_fixed: the twin of race_fd_close.c, join the logger, then close its descriptor.
 *
 * main waits for the logger thread to end before it closes the pipe's
 * write end: pthread_join orders every write() of the logger before the
 * close(). racedet reports nothing.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int log_fd;
static atomic_int first_line_written;

static void *logger(void *arg)
{
    static const char *const lines[] = {"starting\n", "working\n", "stopping\n"};
    (void)arg;
    for (int i = 0; i < 3; i++) {
        if (write(log_fd, lines[i], strlen(lines[i])) < 0)
            break;
        atomic_store_explicit(&first_line_written, 1, memory_order_relaxed);
    }
    return NULL;
}

int main(void)
{
    int fds[2];
    char buf[64];
    pthread_t t;

    if (pipe(fds) != 0)
        return 1;
    log_fd = fds[1];
    pthread_create(&t, NULL, logger, NULL);
    while (!atomic_load_explicit(&first_line_written, memory_order_relaxed))
        ;
    pthread_join(t, NULL); /* FIX: the logger is done with the descriptor */
    close(log_fd);
    while (read(fds[0], buf, sizeof buf) > 0)
        ;
    close(fds[0]);
    puts("log closed");
    return 0;
}
