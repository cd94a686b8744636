/* churn: thread create/join churn. 3000 short threads, two alive at a time,
 * each summing a small private array. */
#include <pthread.h>
#include <stdio.h>

#define THREADS 3000

static void *work(void *arg)
{
    long *out = arg, a[256], s = 0;
    for (int i = 0; i < 256; i++)
        a[i] = i * (long)out;
    for (int i = 0; i < 256; i++)
        s += a[i];
    *out = s;
    return NULL;
}

int main(void)
{
    long total = 0;
    for (int i = 0; i < THREADS; i += 2) {
        pthread_t t[2];
        long r[2] = {i, i + 1};
        for (int k = 0; k < 2; k++)
            pthread_create(&t[k], NULL, work, &r[k]);
        for (int k = 0; k < 2; k++) {
            pthread_join(t[k], NULL);
            total += r[k];
        }
    }
    printf("total %ld\n", total);
    return 0;
}
