/* thread_name: AnnotateThreadName names the thread in reports. The named
 * thread writes `counter`, main reads it unordered: a data race whose
 * report must name "decoder" (the suite looks for the name). */
#include <pthread.h>
#include <stdio.h>

void AnnotateThreadName(const char *file, int line, const char *name);

static int counter;

static void *decode(void *arg)
{
    (void)arg;
    AnnotateThreadName(__FILE__, __LINE__, "decoder");
    counter = 1;
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, decode, NULL);
    printf("%d\n", counter);
    pthread_join(t, NULL);
    return 0;
}
