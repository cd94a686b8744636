/* race_fork: data races in forked children (tests/e2e/race_fork.sh builds
 * this with racedet-cc; the Makefile's plain build of it is unused).
 *
 * A helper thread keeps the race engine busy (locks, heap blocks, shared
 * words) while the main thread forks, so that a fork may land while the
 * helper holds one of the engine's internal locks: the child must not hang
 * on it. Each child first reads what the helper wrote before the fork (a
 * copy taken at the fork: not a race), then runs two threads that bump a
 * counter: unlocked with "race" (one data race per child), under a mutex
 * with "fixed" (no finding).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORKS 8

static int counter;
static int locked;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t helper_lock = PTHREAD_MUTEX_INITIALIZER;
static long helper_data[64];
static int stop;

static void *bump(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        if (locked)
            pthread_mutex_lock(&counter_lock);
        counter++;
        if (locked)
            pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static void *helper(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        char *p = malloc(64);
        pthread_mutex_lock(&helper_lock);
        for (int i = 0; i < 64; i++)
            helper_data[i]++;
        pthread_mutex_unlock(&helper_lock);
        if (p) {
            memset(p, 1, 64);
            free(p);
        }
    }
    return NULL;
}

static int child(void)
{
    pthread_t a, b;
    long sum = 0;
    for (int i = 0; i < 64; i++)
        sum += helper_data[i];
    if (pthread_create(&a, NULL, bump, NULL) || pthread_create(&b, NULL, bump, NULL))
        return 3;
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return sum < 0 ? 4 : 0;
}

int main(int argc, char **argv)
{
    pthread_t h;
    int bad = 0;
    locked = argc > 1 && strcmp(argv[1], "fixed") == 0;
    if (pthread_create(&h, NULL, helper, NULL))
        return 2;
    for (int k = 0; k < FORKS; k++) {
        int status;
        pid_t pid;
        usleep(2000);
        pid = fork();
        if (pid < 0)
            return 2;
        if (pid == 0)
            exit(child());
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 66)) {
            fprintf(stderr, "race_fork: child %d ended badly (status 0x%x)\n", k, status);
            bad = 1;
        }
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(h, NULL);
    return bad;
}
