/* rt_alloc: see rt_alloc.h. */
#include "rt_alloc.h"
#include "rt_spin.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIN_SHIFT 4            /* 16 bytes */
#define MAX_SHIFT 16           /* 64 KiB */
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define CHUNK (1u << 20)       /* carve small blocks from 1 MiB mappings */

struct free_block { struct free_block *next; };

struct size_class {
    rt_spin_t lock;
    struct free_block *free;
    char *bump, *bump_end;
};

static struct size_class classes[NCLASSES];
/* bytes handed out and not yet given back (whole size classes, whole pages) */
static _Atomic size_t in_use;

_Noreturn void rt_fatal(const char *msg)
{
    static const char pre[] = "racedet: internal error: ";
    ssize_t r = write(2, pre, sizeof pre - 1);
    r = write(2, msg, strlen(msg));
    r = write(2, "\n", 1);
    (void)r;
    abort();
}

static void *map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        rt_fatal("out of memory (mmap failed)");
    return p;
}

static int class_of(size_t size)
{
    int shift = MIN_SHIFT;
    while (((size_t)1 << shift) < size)
        shift++;
    return shift - MIN_SHIFT;
}

void *rt_alloc(size_t size)
{
    struct size_class *c;
    void *p;
    size_t bsize;
    if (size == 0)
        size = 1;
    if (size > ((size_t)1 << MAX_SHIFT)) {
        atomic_fetch_add_explicit(&in_use, (size + 4095) & ~(size_t)4095, memory_order_relaxed);
        return map((size + 4095) & ~(size_t)4095);
    }
    c = &classes[class_of(size)];
    bsize = (size_t)1 << (class_of(size) + MIN_SHIFT);
    atomic_fetch_add_explicit(&in_use, bsize, memory_order_relaxed);
    rt_spin_lock(&c->lock);
    if (c->free) {
        p = c->free;
        c->free = c->free->next;
        rt_spin_unlock(&c->lock);
        memset(p, 0, bsize);
        return p;
    }
    if (c->bump == NULL || (size_t)(c->bump_end - c->bump) < bsize) {
        size_t chunk = bsize > CHUNK ? bsize * 4 : CHUNK;
        c->bump = map(chunk);
        c->bump_end = c->bump + chunk;
    }
    p = c->bump; /* fresh mmap memory is already zero */
    c->bump += bsize;
    rt_spin_unlock(&c->lock);
    return p;
}

void rt_free(void *p, size_t size)
{
    struct size_class *c;
    if (!p)
        return;
    if (size == 0)
        size = 1;
    if (size > ((size_t)1 << MAX_SHIFT)) {
        atomic_fetch_sub_explicit(&in_use, (size + 4095) & ~(size_t)4095, memory_order_relaxed);
        munmap(p, (size + 4095) & ~(size_t)4095);
        return;
    }
    c = &classes[class_of(size)];
    atomic_fetch_sub_explicit(&in_use, (size_t)1 << (class_of(size) + MIN_SHIFT), memory_order_relaxed);
    rt_spin_lock(&c->lock);
    ((struct free_block *)p)->next = c->free;
    c->free = p;
    rt_spin_unlock(&c->lock);
}

void *rt_realloc(void *p, size_t old_size, size_t new_size)
{
    void *q;
    if (p && class_of(old_size) == class_of(new_size) && new_size <= ((size_t)1 << MAX_SHIFT))
        return p;
    q = rt_alloc(new_size);
    if (p) {
        memcpy(q, p, old_size < new_size ? old_size : new_size);
        rt_free(p, old_size);
    }
    return q;
}

void *rt_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 8;
    if (need <= *cap)
        return p;
    while (n < need)
        n *= 2;
    p = rt_realloc(p, *cap * elem, n * elem);
    *cap = n;
    return p;
}

size_t rt_alloc_bytes_in_use(void)
{
    return atomic_load_explicit(&in_use, memory_order_relaxed);
}

char *rt_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = rt_alloc(n);
    memcpy(d, s, n);
    return d;
}

void rt_free_str(char *s)
{
    if (s)
        rt_free(s, strlen(s) + 1);
}

void rt_alloc_lock_all(void)
{
    for (int i = 0; i < NCLASSES; i++)
        rt_spin_lock(&classes[i].lock);
}

void rt_alloc_unlock_all(void)
{
    for (int i = NCLASSES - 1; i >= 0; i--)
        rt_spin_unlock(&classes[i].lock);
}
