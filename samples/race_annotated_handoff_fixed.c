/* race_annotated_handoff_fixed: the twin of race_annotated_handoff.c, both sides annotated.
 *
 * produce() fills `frame` and raises `ready`, a flag set and tested with
 * hand-written assembly that racedet cannot see; AnnotateHappensBefore
 * before raising it and AnnotateHappensAfter after seeing it tell racedet
 * that the write of `frame` happens before the read. racedet reports
 * nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#if !defined(__x86_64__)
#error "this sample's flag is x86-64 assembly"
#endif

/* as a library's dynamic_annotations.h declares them */
void AnnotateHappensBefore(const char *file, int line, const volatile void *addr);
void AnnotateHappensAfter(const char *file, int line, const volatile void *addr);
#define ANNOTATE_HAPPENS_BEFORE(addr) AnnotateHappensBefore(__FILE__, __LINE__, addr)
#define ANNOTATE_HAPPENS_AFTER(addr) AnnotateHappensAfter(__FILE__, __LINE__, addr)

static int frame[16];
static int ready;

static void flag_raise(int *flag)
{
    __asm__ volatile("movl $1, %0" : "=m"(*flag) : : "memory");
}

static int flag_raised(const int *flag)
{
    int v;
    __asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*flag) : "memory");
    return v;
}

static void *produce(void *arg)
{
    (void)arg;
    frame[0] = 42;                                  /* plain write */
    ANNOTATE_HAPPENS_BEFORE(&ready);
    flag_raise(&ready);
    return NULL;
}

static void *consume(void *arg)
{
    int *seen = arg;

    while (!flag_raised(&ready))
        sched_yield();
    ANNOTATE_HAPPENS_AFTER(&ready);
    *seen = frame[0];                               /* ordered after the write */
    return NULL;
}

int main(void)
{
    pthread_t producer, consumer;
    int seen = 0;

    pthread_create(&consumer, NULL, consume, &seen);
    pthread_create(&producer, NULL, produce, NULL);
    pthread_join(producer, NULL);
    pthread_join(consumer, NULL);
    printf("consumer saw %d\n", seen);
    return 0;
}
