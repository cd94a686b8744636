/* lock_misuse: lock misuse that Helgrind and DRD report, through the shim.
 *
 * One misuse after the other, each on its own object, printing what the
 * real call returned: racedet must report each one (misuse.sh checks the
 * findings) and change none of the results (misuse.sh compares this
 * program's output with and without racedet).
 *   - a mutex locked, unlocked and destroyed after pthread_mutex_destroy
 *     (glibc: EINVAL, EINVAL, 0);
 *   - a mutex try-locked after the memory it is in was freed (the mutex
 *     sits 64 bytes into a 2000-byte block, past what malloc writes into
 *     a free block, and nothing is allocated before the try: undefined
 *     behaviour made harmless, so that the run is the same every time);
 *   - the memory of a locked mutex freed;
 *   - pthread_mutex_init on a mutex the caller holds;
 *   - a timed condition wait and a sem_timedwait with tv_nsec = 1e9
 *     (EINVAL);
 *   - sem_init with a value above SEM_VALUE_MAX (EINVAL), then sem_post and
 *     sem_wait on that semaphore (on zeroed memory: they work);
 *   - main returns holding a mutex another thread used before, and a
 *     mutex no other thread ever wanted (only the first is reported: the
 *     second can't make another thread wait, like redis's module lock that
 *     its main thread holds for its whole life).
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t destroyed_then_locked, destroyed_then_unlocked, destroyed_twice;
static pthread_mutex_t reinitialised = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cond_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t held_at_exit = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t private_at_exit = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static sem_t sem_ok, sem_too_big;

struct record {
    char pad[64];
    pthread_mutex_t lock;
};

static void say(const char *what, int rc)
{
    printf("%s: %s\n", what, rc == 0 ? "0" : strerror(rc));
}

static void *use_held_at_exit(void *arg)
{
    pthread_mutex_lock(&held_at_exit);
    pthread_mutex_unlock(&held_at_exit);
    return arg;
}

static struct record *new_record(void)
{
    struct record *r = malloc(2000);
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

int main(void)
{
    struct timespec bad = {.tv_sec = time(NULL) + 1, .tv_nsec = 1000000000L};
    struct record *r;
    pthread_mutex_t *volatile stale; /* (the compiler sees the use after free) */

    setvbuf(stdout, NULL, _IOLBF, 0);
    say("setup", 0); /* stdout's buffer is allocated before the frees below */

    pthread_mutex_init(&destroyed_then_locked, NULL);
    pthread_mutex_destroy(&destroyed_then_locked);
    say("lock after destroy", pthread_mutex_lock(&destroyed_then_locked));

    pthread_mutex_init(&destroyed_then_unlocked, NULL);
    pthread_mutex_destroy(&destroyed_then_unlocked);
    say("unlock after destroy", pthread_mutex_unlock(&destroyed_then_unlocked));

    pthread_mutex_init(&destroyed_twice, NULL);
    pthread_mutex_destroy(&destroyed_twice);
    say("destroy after destroy", pthread_mutex_destroy(&destroyed_twice));

    r = new_record();
    stale = &r->lock;
    pthread_mutex_lock(stale);
    pthread_mutex_unlock(stale);
    free(r);
    say("trylock after free", pthread_mutex_trylock(stale));
    say("unlock after free", pthread_mutex_unlock(stale));

    r = new_record();
    pthread_mutex_lock(&r->lock);
    free(r); /* still locked */
    say("free of a locked mutex", 0);

    pthread_mutex_lock(&reinitialised);
    say("init of a held mutex", pthread_mutex_init(&reinitialised, NULL));

    pthread_mutex_lock(&cond_mutex);
    say("cond timedwait with tv_nsec 1e9", pthread_cond_timedwait(&cond, &cond_mutex, &bad));
    pthread_mutex_unlock(&cond_mutex);

    sem_init(&sem_ok, 0, 1);
    say("sem_timedwait with tv_nsec 1e9", sem_timedwait(&sem_ok, &bad) == 0 ? 0 : errno);
    sem_destroy(&sem_ok);

    say("sem_init above SEM_VALUE_MAX", sem_init(&sem_too_big, 0, 0xffffffffu) == 0 ? 0 : errno);
    say("sem_post on it", sem_post(&sem_too_big) == 0 ? 0 : errno);
    say("sem_wait on it", sem_wait(&sem_too_big) == 0 ? 0 : errno);

    pthread_t user;
    pthread_create(&user, NULL, use_held_at_exit, NULL);
    pthread_join(user, NULL);
    pthread_mutex_lock(&held_at_exit);
    pthread_mutex_lock(&private_at_exit);
    say("return from main holding two mutexes", 0);
    return 0;
}
