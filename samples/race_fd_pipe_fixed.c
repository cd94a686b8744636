/* race_fd_pipe_fixed: a job handed to a worker thread through a pipe.
 *
 * The worker is started first and blocks reading one byte from a pipe.
 * main then fills in the job (a plain heap block, no lock) and writes the
 * byte. The write to a pipe happens-before the read that gets what it
 * wrote, so the worker's reads of the job come after main's writes.
 * racedet reports nothing (its buggy twin, race_fd_pipe, waits on the
 * wrong pipe).
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

static int jobs[2];

static void *worker(void *arg)
{
    struct job *job = arg;
    char go;

    if (read(jobs[0], &go, 1) != 1)
        return NULL;
    printf("job %d: %s\n", job->id, job->name);
    return NULL;
}

int main(void)
{
    struct job *job = malloc(sizeof *job);
    pthread_t t;

    if (!job || pipe(jobs) != 0)
        return 1;
    pthread_create(&t, NULL, worker, job);
    job->id = 42;
    strcpy(job->name, "resize images");
    if (write(jobs[1], "j", 1) != 1)
        return 1;
    pthread_join(t, NULL);
    free(job);
    close(jobs[0]);
    close(jobs[1]);
    return 0;
}
