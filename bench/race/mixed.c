/* mixed: a realistic mixed workload. A pool of worker threads takes tasks
 * from a locked queue: first a parallel merge sort of 24M ints (96 MiB plus
 * a 96 MiB buffer), then inserts of 1M keys into a shared hash map with
 * striped locks (malloc'd nodes), then lookups. ~250 MiB of data. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N (24u << 20)
#define WORKERS 2
#define KEYS 1000000
#define STRIPES 64
#define BUCKETS (1u << 20)

/* ---- a tiny thread pool ---- */
struct task { void (*fn)(void *); void *arg; };
static struct task tasks[1024];
static int nhead, ntail, pending;
static int stopping;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER, qdone = PTHREAD_COND_INITIALIZER;

static void submit(void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&qlock);
    tasks[ntail++ % 1024] = (struct task){fn, arg};
    pending++;
    pthread_cond_signal(&qcond);
    pthread_mutex_unlock(&qlock);
}

static void wait_all(void)
{
    pthread_mutex_lock(&qlock);
    while (pending > 0)
        pthread_cond_wait(&qdone, &qlock);
    pthread_mutex_unlock(&qlock);
}

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        struct task t;
        pthread_mutex_lock(&qlock);
        while (nhead == ntail && !stopping)
            pthread_cond_wait(&qcond, &qlock);
        if (nhead == ntail) {
            pthread_mutex_unlock(&qlock);
            return NULL;
        }
        t = tasks[nhead++ % 1024];
        pthread_mutex_unlock(&qlock);
        t.fn(t.arg);
        pthread_mutex_lock(&qlock);
        if (--pending == 0)
            pthread_cond_broadcast(&qdone);
        pthread_mutex_unlock(&qlock);
    }
}

/* ---- merge sort ---- */
static unsigned *data, *tmp;

static void msort(unsigned lo, unsigned hi)
{
    if (hi - lo <= 32) {
        for (unsigned i = lo + 1; i < hi; i++) {
            unsigned v = data[i], j = i;
            while (j > lo && data[j - 1] > v) {
                data[j] = data[j - 1];
                j--;
            }
            data[j] = v;
        }
        return;
    }
    unsigned mid = lo + (hi - lo) / 2, i = lo, j = mid, k = lo;
    msort(lo, mid);
    msort(mid, hi);
    while (i < mid && j < hi)
        tmp[k++] = data[i] <= data[j] ? data[i++] : data[j++];
    while (i < mid)
        tmp[k++] = data[i++];
    while (j < hi)
        tmp[k++] = data[j++];
    memcpy(&data[lo], &tmp[lo], (hi - lo) * sizeof *data);
}

struct range { unsigned lo, hi; };
static void sort_task(void *arg)
{
    struct range *r = arg;
    msort(r->lo, r->hi);
}

static void merge(unsigned lo, unsigned mid, unsigned hi)
{
    unsigned i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        tmp[k++] = data[i] <= data[j] ? data[i++] : data[j++];
    while (i < mid)
        tmp[k++] = data[i++];
    while (j < hi)
        tmp[k++] = data[j++];
    memcpy(&data[lo], &tmp[lo], (hi - lo) * sizeof *data);
}

/* ---- striped hash map ---- */
struct node { struct node *next; unsigned key; unsigned value; };
static struct node **buckets;
static pthread_mutex_t stripes[STRIPES];

static void put(unsigned key, unsigned value)
{
    unsigned b = (key * 2654435761u) & (BUCKETS - 1);
    struct node *n = malloc(sizeof *n);
    n->key = key;
    n->value = value;
    pthread_mutex_lock(&stripes[b % STRIPES]);
    n->next = buckets[b];
    buckets[b] = n;
    pthread_mutex_unlock(&stripes[b % STRIPES]);
}

static unsigned get(unsigned key)
{
    unsigned b = (key * 2654435761u) & (BUCKETS - 1), v = 0;
    pthread_mutex_lock(&stripes[b % STRIPES]);
    for (struct node *n = buckets[b]; n; n = n->next)
        if (n->key == key)
            v = n->value;
    pthread_mutex_unlock(&stripes[b % STRIPES]);
    return v;
}

static void insert_task(void *arg)
{
    struct range *r = arg;
    for (unsigned k = r->lo; k < r->hi; k++)
        put(k, data[k % N]);
}

static unsigned long found;
static pthread_mutex_t found_lock = PTHREAD_MUTEX_INITIALIZER;
static void lookup_task(void *arg)
{
    struct range *r = arg;
    unsigned long s = 0;
    for (unsigned k = r->lo; k < r->hi; k++)
        s += get(k);
    pthread_mutex_lock(&found_lock);
    found += s;
    pthread_mutex_unlock(&found_lock);
}

int main(void)
{
    pthread_t w[WORKERS];
    struct range parts[8];
    unsigned seed = 12345;

    data = malloc(N * sizeof *data);
    tmp = malloc(N * sizeof *tmp);
    buckets = calloc(BUCKETS, sizeof *buckets);
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&stripes[i], NULL);
    for (unsigned i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        data[i] = seed >> 4;
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&w[i], NULL, worker, NULL);

    for (int i = 0; i < 8; i++) {
        parts[i] = (struct range){N / 8 * i, N / 8 * (i + 1)};
        submit(sort_task, &parts[i]);
    }
    wait_all();
    for (unsigned width = N / 8; width < N; width *= 2)
        for (unsigned lo = 0; lo < N; lo += 2 * width)
            merge(lo, lo + width, lo + 2 * width);

    for (int i = 0; i < 8; i++) {
        parts[i] = (struct range){KEYS / 8 * i, KEYS / 8 * (i + 1)};
        submit(insert_task, &parts[i]);
    }
    wait_all();
    for (int i = 0; i < 8; i++)
        submit(lookup_task, &parts[i]);
    wait_all();

    pthread_mutex_lock(&qlock);
    stopping = 1;
    pthread_cond_broadcast(&qcond);
    pthread_mutex_unlock(&qlock);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(w[i], NULL);
    for (unsigned i = 1; i < N; i++)
        if (data[i - 1] > data[i]) {
            printf("not sorted\n");
            return 1;
        }
    printf("sorted %u, found %lu\n", N, found);
    return 0;
}
