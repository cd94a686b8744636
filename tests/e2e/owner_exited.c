/* owner_exited: a thread waits for a mutex whose owner thread ended
 * holding it.
 *
 * T1 locks `m` and returns without unlocking it (lock_held_at_exit). Main
 * joins T1, then locks `m`: nobody can ever unlock it, so main waits
 * forever (natively until the alarm ends the process). That is no cycle of
 * threads, but it is a deadlock: racedet's watchdog reports it, naming the
 * owner that exited and where it took the lock, and ends the process with
 * the report exit code.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *take_and_leave(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    return NULL; /* BUG: still held */
}

int main(void)
{
    pthread_t t;
    alarm(30); /* natively this hangs: end it anyway */
    pthread_create(&t, NULL, take_and_leave, NULL);
    pthread_join(t, NULL);
    pthread_mutex_lock(&m); /* waits forever */
    puts("owner_exited: not reached");
    return 0;
}
