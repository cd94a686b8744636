/* race_fd_close: the log descriptor is closed while the logger thread still writes to it.
 *
 * main starts a logger thread that writes lines to a pipe, and at shutdown
 * closes the pipe's write end before it has joined the logger. Nothing
 * orders the logger's write() before the close(): the logger may write to
 * a descriptor that is gone or, worse, to whatever file the process opens
 * next under the same number. (Here a relaxed atomic flag makes main close
 * right after the logger's first line on every run; it orders nothing.)
 * racedet reports a data race on "file descriptor N": the close and the
 * write, with both stacks. The fix (race_fd_close_fixed) joins the logger
 * before closing its descriptor.
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
            break; /* the descriptor was closed under us */
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
    close(log_fd); /* BUG: the logger may still be writing */
    pthread_join(t, NULL);
    while (read(fds[0], buf, sizeof buf) > 0)
        ;
    close(fds[0]);
    puts("log closed");
    return 0;
}
