/*
 * fork_mid_walk: one thread forks while another is in the middle of a stack
 * walk (fork_mid_walk.sh preloads tests/e2e/walk/park_walk.c, which holds
 * the walker inside libunwind, its lock taken, until the fork is done or
 * 1 s has passed). The forked child then locks a new mutex at a new call
 * site, which needs a stack walk of its own, and exits 0; the parent waits
 * for it (at most 20 s, then kills it) and exits with its status: 0, or 9
 * when the child hung (as it did when the fork did not wait for the walk).
 * Natively, or without park_walk, it runs straight through.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t walker_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t child_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*arm)(void), (*entered)(void), (*done)(void);
static int (*wait_parked)(void);

static void *walker(void *arg)
{
    if (arm)
        arm();
    pthread_mutex_lock(&walker_lock); /* a new call site: a walk, parked */
    pthread_mutex_unlock(&walker_lock);
    return arg;
}

static void prepare(void)
{
    if (entered)
        entered();
}

static void parent_done(void)
{
    if (done)
        done();
}

int main(void)
{
    pthread_t t;
    pid_t pid;
    int status, waited;
    arm = (void (*)(void))dlsym(RTLD_DEFAULT, "park_walk_arm");
    entered = (void (*)(void))dlsym(RTLD_DEFAULT, "park_walk_fork_entered");
    done = (void (*)(void))dlsym(RTLD_DEFAULT, "park_walk_fork_done");
    wait_parked = (int (*)(void))dlsym(RTLD_DEFAULT, "park_walk_wait_parked");
    pthread_atfork(prepare, parent_done, NULL);
    pthread_create(&t, NULL, walker, NULL);
    if (wait_parked && wait_parked() != 0) {
        fprintf(stderr, "fork_mid_walk: the walker never parked\n");
        return 3;
    }
    pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(&child_lock); /* a new call site: a walk in the child */
        pthread_mutex_unlock(&child_lock);
        _exit(0);
    }
    pthread_join(t, NULL);
    for (waited = 0; waited < 200; waited++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        usleep(100000);
    }
    if (waited == 200) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fprintf(stderr, "fork_mid_walk: the forked child hung\n");
        return 9;
    }
    printf("child %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
