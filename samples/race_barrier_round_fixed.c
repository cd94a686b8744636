/* race_barrier_round_fixed: the twin of race_barrier_round.c, double-buffered.
 *
 * writer() fills cells[0] in phase 0 and cells[1] in phase 1; reader()
 * reads cells[0] in phase 1 and cells[1] after round 1. Each read is
 * ordered after its write by the round that separates them, even though
 * reader() leaves round 0 late, after writer() has written cells[1] and
 * arrived at round 1: racedet must still order phase 0 before reader()'s
 * phase 1 (and not lose round 0's clock when round 1 begins). racedet
 * reports nothing.
 *
 * How the schedule is forced: main() waits until reader() sleeps in the
 * barrier (its /proc/self/task/TID/syscall shows a futex wait on the
 * barrier), holds it there with SIGUSR1 (the handler spins on a relaxed
 * flag, which orders nothing), lets writer() run until it too sleeps in the
 * barrier (round 1), and only then lets the handler return.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int cells[2];
static pthread_barrier_t barrier;

static sem_t writer_may_start;
static atomic_int reader_tid, writer_tid, reader_held, reader_may_go;

static void *writer(void *arg)
{
    (void)arg;
    atomic_store_explicit(&writer_tid, (int)gettid(), memory_order_relaxed);
    sem_wait(&writer_may_start);
    cells[0] = 1;                                   /* phase 0 */
    pthread_barrier_wait(&barrier);
    cells[1] = 2;                                   /* phase 1: the other cell */
    pthread_barrier_wait(&barrier);
    return NULL;
}

static void *reader(void *arg)
{
    int *seen = arg;

    atomic_store_explicit(&reader_tid, (int)gettid(), memory_order_relaxed);
    pthread_barrier_wait(&barrier);
    *seen = cells[0];                               /* phase 1 */
    pthread_barrier_wait(&barrier);
    *seen += cells[1];                              /* phase 2 */
    return NULL;
}

/* ---- the forced schedule ---------------------------------------------------- */

static void hold(int sig)
{
    (void)sig;
    atomic_store_explicit(&reader_held, 1, memory_order_relaxed);
    while (!atomic_load_explicit(&reader_may_go, memory_order_relaxed))
        sched_yield();
}

/* Wait until thread tid sleeps in a futex wait inside the barrier. */
static void wait_asleep_in_barrier(atomic_int *tid)
{
    char path[64];
    int id;

    while ((id = atomic_load_explicit(tid, memory_order_relaxed)) == 0)
        sched_yield();
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", id);
    for (;;) {
        FILE *f = fopen(path, "r");
        long nr = -1;
        unsigned long uaddr = 0;
        if (!f) {
            perror(path);
            exit(1);
        }
        if (fscanf(f, "%ld %lx", &nr, &uaddr) != 2)
            nr = -1;
        fclose(f);
        if (nr == SYS_futex && uaddr >= (unsigned long)&barrier &&
            uaddr < (unsigned long)&barrier + sizeof barrier)
            return;
        usleep(1000);
    }
}

int main(void)
{
    pthread_t w, r;
    struct sigaction sa = {.sa_handler = hold, .sa_flags = SA_RESTART};
    int seen = 0;

    sigaction(SIGUSR1, &sa, NULL);
    sem_init(&writer_may_start, 0, 0);
    pthread_barrier_init(&barrier, NULL, 2);
    pthread_create(&r, NULL, reader, &seen);
    pthread_create(&w, NULL, writer, NULL);

    wait_asleep_in_barrier(&reader_tid);            /* reader() arrived at round 0 */
    pthread_kill(r, SIGUSR1);
    while (!atomic_load_explicit(&reader_held, memory_order_relaxed))
        sched_yield();
    sem_post(&writer_may_start);                    /* round 0 trips; writer() goes on */
    wait_asleep_in_barrier(&writer_tid);            /* writer() arrived at round 1 */
    atomic_store_explicit(&reader_may_go, 1, memory_order_relaxed);

    pthread_join(w, NULL);
    pthread_join(r, NULL);
    pthread_barrier_destroy(&barrier);
    printf("reader saw %d\n", seen);
    return 0;
}
