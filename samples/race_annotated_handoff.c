/* race_annotated_handoff: a hand-off racedet cannot see, annotated on one side only.
 *
 * produce() fills `frame` and raises `ready`, a flag of the program's own
 * that it sets and tests with hand-written assembly (on x86-64 a plain mov
 * is a release store and an acquire load, and the "memory" clobber keeps
 * the compiler from moving accesses across it): correct, but invisible to
 * a race detector, which sees no synchronisation at all. Libraries with
 * such primitives say what they do with the dynamic annotations that
 * ThreadSanitizer defined: AnnotateHappensBefore(flag) where the hand-off
 * is made, AnnotateHappensAfter(flag) where it is taken. Here
 * consume() forgets the After: the Before alone orders nothing, and racedet
 * reports the write and the read of `frame`.
 * The fixed twin annotates both sides.
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
    /* BUG: no ANNOTATE_HAPPENS_AFTER(&ready) */
    *seen = frame[0];                               /* plain read */
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
