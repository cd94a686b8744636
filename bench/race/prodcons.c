/* prodcons: a bounded queue (mutex + two condition variables) between one
 * producer and one consumer, 300k items of plain data. */
#include <pthread.h>
#include <stdio.h>

#define ITEMS 300000
#define CAP 64

static struct { long v[4]; } queue[CAP];
static int head, tail, count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;

static void *produce(void *arg)
{
    (void)arg;
    for (long i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (count == CAP)
            pthread_cond_wait(&not_full, &lock);
        for (int k = 0; k < 4; k++)
            queue[tail].v[k] = i + k;
        tail = (tail + 1) % CAP;
        count++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *consume(void *arg)
{
    long *sum = arg;
    for (long i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&lock);
        while (count == 0)
            pthread_cond_wait(&not_empty, &lock);
        for (int k = 0; k < 4; k++)
            *sum += queue[head].v[k];
        head = (head + 1) % CAP;
        count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t p, c;
    long sum = 0;
    pthread_create(&c, NULL, consume, &sum);
    pthread_create(&p, NULL, produce, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    printf("sum %ld\n", sum);
    return 0;
}
