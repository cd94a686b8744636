/*
 * park_walk: preloaded after the shim by fork_mid_walk.sh, it holds one
 * thread in the middle of a stack walk. libunwind looks a pc it has not
 * seen up through dl_iterate_phdr while it holds its own lock (its cache
 * of unwind rules); this dl_iterate_phdr, on the thread that armed it and
 * once, says so and waits there: until the program has entered fork (its
 * own prepare handler calls park_walk_fork_entered), then until the fork
 * is done (park_walk_fork_done) or 1 s has passed, whichever is first.
 * Every wait is bounded, so that the test cannot hang here.
 */
#define _GNU_SOURCE /* link.h: struct dl_phdr_info; RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <time.h>

static sem_t parked, fork_entered, fork_done;
static pthread_t armed_thread;
static atomic_int state; /* 0 idle, 1 armed, 2 used */

__attribute__((constructor)) static void init(void)
{
    sem_init(&parked, 0, 0);
    sem_init(&fork_entered, 0, 0);
    sem_init(&fork_done, 0, 0);
}

static int wait_for(sem_t *s, int seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += seconds;
    while (sem_timedwait(s, &ts) != 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* The calling thread's next walk parks. */
void park_walk_arm(void)
{
    armed_thread = pthread_self();
    atomic_store(&state, 1);
}

/* Wait (10 s at most) until the armed thread is parked; 0 when it is. */
int park_walk_wait_parked(void)
{
    return wait_for(&parked, 10);
}

void park_walk_fork_entered(void)
{
    sem_post(&fork_entered);
}

void park_walk_fork_done(void)
{
    sem_post(&fork_done);
}

int dl_iterate_phdr(int (*cb)(struct dl_phdr_info *, size_t, void *), void *data)
{
    static int (*real)(int (*)(struct dl_phdr_info *, size_t, void *), void *);
    int expected = 1;
    if (!real)
        real = (int (*)(int (*)(struct dl_phdr_info *, size_t, void *), void *))dlsym(
            RTLD_NEXT, "dl_iterate_phdr");
    if (atomic_load(&state) == 1 && pthread_equal(pthread_self(), armed_thread) &&
        atomic_compare_exchange_strong(&state, &expected, 2)) {
        sem_post(&parked);
        if (wait_for(&fork_entered, 10) == 0)
            wait_for(&fork_done, 1);
    }
    return real(cb, data);
}
