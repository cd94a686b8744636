/* multi_process: bugs in child processes are found too.
 *
 * The parent forks two children and waits for them. The first child runs the
 * lock-order inversion of lock_order_abba.c (two phases, one after the other,
 * so it does not hang); the second starts a worker thread, waits until it
 * has ended (its thread-specific data's destructor, which runs as the thread
 * ends, posts a semaphore) and exits without joining it. A test suite or a pre-forking server looks just like this:
 * the bugs live in processes you never started by hand. `racedet run` follows
 * every process the command starts (fork, and exec too) and merges their
 * findings into one report, each finding naming its process.
 * The fixed twin's children take the locks in one order and join the worker.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static sem_t flushed;
static pthread_key_t flush_key;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a);            /* BUG: the opposite order */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

static void flush_done(void *arg)
{
    sem_post(arg);                          /* as the worker ends */
}

static void *flush_cache(void *arg)
{
    pthread_setspecific(flush_key, arg);
    return NULL;
}

static void child_lock_inversion(void)
{
    pthread_t t;

    pthread_create(&t, NULL, take_a_then_b, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, take_b_then_a, NULL);
    pthread_join(t, NULL);
}

static void child_thread_leak(void)
{
    pthread_t t;

    sem_init(&flushed, 0, 0);
    pthread_key_create(&flush_key, flush_done);
    pthread_create(&t, NULL, flush_cache, &flushed); /* BUG: never joined */
    sem_wait(&flushed);
}

int main(void)
{
    pid_t child[2];

    child[0] = fork();
    if (child[0] == 0) {
        child_lock_inversion();
        exit(0);
    }
    child[1] = fork();
    if (child[1] == 0) {
        child_thread_leak();
        exit(0);
    }
    for (int i = 0; i < 2; i++)
        if (child[i] > 0)
            waitpid(child[i], NULL, 0);
    return 0;
}
