/* schedule_memory_torn_pair: a plain "stable" flag guards a pair of fields.
 *
 * The window's size is a pair, width and height, always with width = 2 *
 * height. The resizer clears `stable`, writes both fields and sets `stable`
 * again; the painter reads them only when it finds `stable` set. The author
 * judged the race harmless ("a painter that finds the flag clear skips this
 * frame, and the fields change only while it is clear") and declared it
 * intended with AnnotateBenignRaceSized, so `racedet run` reports nothing.
 * But the painter's check and its two reads are three accesses: when the
 * resizer runs between the reads, the painter pairs the old width with the
 * new height, and the assertion fails. Natively the painter is done long
 * before the resizer starts.
 *
 * Neither thread makes a synchronisation call between these accesses, so
 * `racedet explore` with its default points (synchronisation calls) runs
 * each thread's accesses in one go and never fails: no schedule can put the
 * resizer between the painter's reads. Built with racedet-cc, `racedet
 * explore --points=memory` may switch threads at every access to a location
 * another thread accessed too (main() wrote the pair first): one schedule
 * stops the painter between its reads, and the assertion fails. The fixed
 * twin locks the pair, and the race is gone with the flag.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

/* as a library's dynamic_annotations.h declares it */
void AnnotateBenignRaceSized(const char *file, int line, const volatile void *addr, long size,
                             const char *description);

static struct {
    int stable;
    int width, height;
} size;

static void *resizer(void *arg)
{
    int h = (int)(long)arg;
    size.stable = 0;
    size.width = 2 * h;
    size.height = h;
    size.stable = 1;
    return NULL;
}

static void *painter(void *arg)
{
    int w, h;
    (void)arg;
    if (!size.stable)
        return NULL;                        /* skip this frame */
    w = size.width;                         /* BUG: the resizer may run here ... */
    h = size.height;                        /* ... and this is its new height */
    printf("painting %dx%d\n", w, h);
    assert(w == 2 * h && "a torn size");
    return NULL;
}

int main(void)
{
    pthread_t p, r;

    size.width = 200;
    size.height = 100;
    size.stable = 1;
    AnnotateBenignRaceSized(__FILE__, __LINE__, &size, sizeof size,
                            "the painter skips a frame while stable is clear");
    pthread_create(&p, NULL, painter, NULL);
    usleep(20000); /* the resizer starts later */
    pthread_create(&r, NULL, resizer, (void *)50L);
    pthread_join(p, NULL);
    pthread_join(r, NULL);
    return 0;
}
