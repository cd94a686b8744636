/* race_fd_pipe: a worker waits on the wrong pipe before reading its job.
 *
 * main fills in a job (a plain heap block, no lock) and writes a byte to
 * the `jobs` pipe to say it is ready. But the worker waits on the `ticks`
 * pipe, which a timer thread writes to without ever touching the job: the
 * byte the worker gets orders nothing between main and the worker, and it
 * may read the job while main is still writing it. racedet reports a data
 * race on the job's id between main and the worker. The fix
 * (race_fd_pipe_fixed) reads from the pipe main writes to.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct job {
    int id;
    char name[32];
};

static int jobs[2], ticks[2];

static void *timer(void *arg)
{
    (void)arg;
    if (write(ticks[1], "t", 1) != 1)
        return NULL;
    return NULL;
}

static void *worker(void *arg)
{
    struct job *job = arg;
    char go;

    if (read(ticks[0], &go, 1) != 1) /* BUG: main writes to `jobs` */
        return NULL;
    printf("job %d\n", job->id);
    return NULL;
}

int main(void)
{
    struct job *job = calloc(1, sizeof *job);
    pthread_t t, w;
    char go;

    if (!job || pipe(jobs) != 0 || pipe(ticks) != 0)
        return 1;
    pthread_create(&w, NULL, worker, job);
    pthread_create(&t, NULL, timer, NULL);
    job->id = 42;
    strcpy(job->name, "resize images");
    if (write(jobs[1], "j", 1) != 1)
        return 1;
    pthread_join(t, NULL);
    pthread_join(w, NULL);
    if (read(jobs[0], &go, 1) != 1)
        return 1;
    free(job);
    return 0;
}
