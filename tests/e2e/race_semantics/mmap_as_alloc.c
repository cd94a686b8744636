/* A new mapping is a write by the thread that maps it and munmap a write
 * of the whole mapping, as ThreadSanitizer takes them (compiler-rt's
 * ignored-interceptors-mmap): a mapping handed over through a relaxed
 * atomic races with its first use, an unmap races with an unordered use
 * before it. A mapping used after a pthread_create or join that orders it
 * is silent, and so is one mapped while writes are ignored. */
#include "../annotations/asm_flag.h"
#include "racedet.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define PAGE 4096
static char *_Atomic published;
static char *ordered, *ignored;
static int used;

#define MAP() mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)

static void *user(void *arg)
{
    char *p;
    ordered[0] = 1;
    ignored[0] = 1;
    while (!(p = atomic_load_explicit(&published, memory_order_relaxed)))
        sched_yield();
    p[0] = 1;
    flag_raise(&used);
    return arg;
}

int main(void)
{
    pthread_t t;
    ordered = MAP();
    RACEDET_IGNORE_WRITES_BEGIN();
    ignored = MAP();
    RACEDET_IGNORE_WRITES_END();
    pthread_create(&t, NULL, user, NULL);
    atomic_store_explicit(&published, MAP(), memory_order_relaxed);
    flag_wait(&used);
    munmap(atomic_load_explicit(&published, memory_order_relaxed), PAGE);
    pthread_join(t, NULL);
    munmap(ordered, PAGE);
    munmap(ignored, PAGE);
    return 0;
}
