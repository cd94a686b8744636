/* race_fd_epoll_fixed: a worker learns from epoll_wait that its job is ready.
 *
 * A worker thread registers the read end of a pipe with an epoll
 * descriptor (its event data a tag of its own, not the descriptor) and
 * waits. main fills in a plain heap block, then writes a byte to the pipe.
 * The write happens-before the epoll_wait that returns the pipe's event,
 * so the worker may read the block as soon as epoll_wait returns, before
 * it reads the byte. racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#define JOB_TAG 7

static int wake[2];

static void *worker(void *arg)
{
    const int *job = arg;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = JOB_TAG}, got;
    int ep = epoll_create1(0);
    char b;

    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, wake[0], &ev) != 0)
        return NULL;
    if (epoll_wait(ep, &got, 1, -1) == 1 && got.data.u64 == JOB_TAG)
        printf("job %d\n", *job);
    if (read(wake[0], &b, 1) != 1)
        return NULL;
    close(ep);
    return NULL;
}

int main(void)
{
    int *job = malloc(sizeof *job);
    pthread_t t;

    if (!job || pipe(wake) != 0)
        return 1;
    pthread_create(&t, NULL, worker, job);
    *job = 42;
    if (write(wake[1], "w", 1) != 1)
        return 1;
    pthread_join(t, NULL);
    free(job);
    close(wake[0]);
    close(wake[1]);
    return 0;
}
