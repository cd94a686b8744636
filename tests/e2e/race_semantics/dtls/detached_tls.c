/* A detached thread writes its copy of a dlopen'ed library's thread-local
 * variable and ends; the next pthread_create reuses its cached stack and
 * glibc frees the dead thread's block in there. That free is glibc's own
 * work, ordered after the thread's end by glibc's stack cache lock: it must
 * not be reported against the thread's write (compiler-rt's dtls).
 *
 * Usage: detached_tls LIBRARY (tls_lib.c built as a shared library). */
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static long *(*tls_slot)(void);

static void *writer(void *arg)
{
    tls_slot()[0] = 42;
    return arg;
}

static void *nothing(void *arg)
{
    return arg;
}

/* The threads of the process, from /proc: the detached writer is gone
 * (its stack in glibc's cache) when only main is left. */
static int threads(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    void *lib = argc > 1 ? dlopen(argv[1], RTLD_NOW) : NULL;
    pthread_attr_t detached;
    pthread_t t;
    if (!lib || !(tls_slot = (long *(*)(void))dlsym(lib, "tls_slot"))) {
        fprintf(stderr, "detached_tls: %s\n", lib ? dlerror() : "usage: detached_tls LIBRARY");
        return 2;
    }
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &detached, writer, NULL);
    while (threads() != 1)
        sched_yield();
    pthread_create(&t, NULL, nothing, NULL);
    pthread_join(t, NULL);
    return 0;
}
