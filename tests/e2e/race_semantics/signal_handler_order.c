/* A signal handler runs as the thread it interrupts, ordered after the
 * sigaction (or signal) that installed it, and it orders and checks its
 * own accesses even when the interrupted code ignores its synchronisation
 * (compiler-rt's signal_sync, signal_sync2). Here the handlers run on a
 * thread created before main wrote `installed_after` and `published`:
 * only the installation orders them. The handler's write to `raced` is
 * still checked: main writes it after, with nothing between (the flags
 * racedet cannot see only order the steps in time). */
#include "../annotations/asm_flag.h"

#include <pthread.h>
#include <signal.h>

void AnnotateIgnoreSyncBegin(const char *file, int line);
void AnnotateIgnoreSyncEnd(const char *file, int line);

static int installed_after, published, ready, raced, seen;
static int go, done;

static void on_usr1(int sig, siginfo_t *info, void *uc)
{
    raced = installed_after; /* main wrote it before the sigaction */
}

static void on_usr2(int sig)
{
    seen += installed_after;
    published = 1;
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
}

static void *interrupted(void *arg)
{
    flag_wait(&go);
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    raise(SIGUSR2);
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
    raise(SIGUSR1); /* after the release store: main's write is unordered */
    flag_raise(&done);
    return arg;
}

int main(void)
{
    struct sigaction act = {0};
    pthread_t t;
    pthread_create(&t, NULL, interrupted, NULL);
    installed_after = 42;
    act.sa_sigaction = on_usr1;
    act.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &act, NULL);
    signal(SIGUSR2, on_usr2);
    flag_raise(&go);
    while (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
        sched_yield();
    seen += published; /* ordered by the handler's release store */
    flag_wait(&done);
    raced = 2;
    pthread_join(t, NULL);
    return seen + raced == 0;
}
