/*
 * page_alloc: a small allocator that behaves, where it matters to racedet,
 * like jemalloc in redis-server (tests/e2e/foreign_alloc.sh, commit
 * 45e85b9): malloc takes its own lock with pthread_mutex_trylock first
 * (then pthread_mutex_lock), so an allocation made inside racedet's lock
 * interceptor while the allocator holds its lock waits for itself; and its
 * blocks are page-aligned with nothing readable in front of them (a
 * PROT_NONE page), so reading glibc's chunk header before a block faults.
 *
 * Each block: [a page holding the size][a PROT_NONE page][the block, whole
 * pages]. Freed blocks of one page are kept on a list under the lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096u
#define EXPORT __attribute__((visibility("default")))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *free_pages;        /* one-page blocks for reuse, linked through their first word */

static void take_lock(void)
{
    if (pthread_mutex_trylock(&lock) != 0)
        pthread_mutex_lock(&lock);
}

static size_t *size_of(void *p)
{
    return (size_t *)((char *)p - 2 * PAGE);
}

static size_t pages(size_t n)
{
    return (n + PAGE - 1) / PAGE * PAGE;
}

static void *new_block(size_t n)
{
    size_t len = pages(n ? n : 1);
    char *base = mmap(NULL, 2 * PAGE + len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    mprotect(base + PAGE, PAGE, PROT_NONE);
    *(size_t *)base = len;
    return base + 2 * PAGE;
}

EXPORT void *malloc(size_t n)
{
    void *p = NULL;
    take_lock();
    if (n <= PAGE && free_pages) {
        p = free_pages;
        free_pages = *(void **)p;
    }
    pthread_mutex_unlock(&lock);
    if (!p) {
        p = new_block(n);
        if (!p)
            errno = ENOMEM;
    }
    return p;
}

EXPORT void free(void *p)
{
    if (!p)
        return;
    if (*size_of(p) == PAGE) {
        take_lock();
        *(void **)p = free_pages;
        free_pages = p;
        pthread_mutex_unlock(&lock);
        return;
    }
    munmap(size_of(p), 2 * PAGE + *size_of(p));
}

EXPORT void *calloc(size_t n, size_t size)
{
    void *p;
    if (size && n > (size_t)-1 / size) {
        errno = ENOMEM;
        return NULL;
    }
    p = malloc(n * size);
    if (p)
        memset(p, 0, n * size); /* a reused page is not zero */
    return p;
}

EXPORT size_t malloc_usable_size(void *p)
{
    return p ? *size_of(p) : 0;
}

EXPORT void *realloc(void *p, size_t n)
{
    void *q;
    if (!p)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (n <= *size_of(p))
        return p;
    q = malloc(n);
    if (q) {
        memcpy(q, p, *size_of(p));
        free(p);
    }
    return q;
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, n * size);
}

/* Blocks are page-aligned: any alignment up to a page is had for free. */
EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (align > PAGE)
        return ENOMEM;
    *out = malloc(n);
    return *out ? 0 : ENOMEM;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
    return align > PAGE ? NULL : malloc(n);
}

EXPORT void *memalign(size_t align, size_t n)
{
    return aligned_alloc(align, n);
}

EXPORT void *valloc(size_t n)
{
    return malloc(n);
}

EXPORT void *pvalloc(size_t n)
{
    return malloc(pages(n));
}
