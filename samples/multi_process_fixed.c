/* multi_process_fixed: the twin of multi_process.c, both children are correct.
 *
 * The parent still forks two children and waits for them. The first child's
 * two phases now both take lock_a before lock_b (one global order), and the
 * second child joins its worker before exiting. racedet follows all three
 * processes and reports nothing for any of them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *take_a_then_b_again(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);            /* FIX: the same order */
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *flush_cache(void *arg)
{
    (void)arg;
    return NULL;
}

static void child_lock_order(void)
{
    pthread_t t;

    pthread_create(&t, NULL, take_a_then_b, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, take_a_then_b_again, NULL);
    pthread_join(t, NULL);
}

static void child_thread_join(void)
{
    pthread_t t;

    pthread_create(&t, NULL, flush_cache, NULL);
    pthread_join(t, NULL);                  /* FIX: joined */
}

int main(void)
{
    pid_t child[2];

    child[0] = fork();
    if (child[0] == 0) {
        child_lock_order();
        exit(0);
    }
    child[1] = fork();
    if (child[1] == 0) {
        child_thread_join();
        exit(0);
    }
    for (int i = 0; i < 2; i++)
        if (child[i] > 0)
            waitpid(child[i], NULL, 0);
    return 0;
}
