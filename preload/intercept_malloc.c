/*
 * intercept_malloc: the malloc family, mmap and munmap. Freed or unmapped
 * memory is forgotten by the engine (its locks and sync objects). With race
 * detection on, every block is recorded with its size, allocating thread
 * and allocation stack, so a race can say which block it hit; a free is a
 * write of the block (an unordered access before it, or by another thread
 * after it, is a race that names the free); a new block starts with no
 * history (accesses to a dead object never race with the next object at
 * the same address); unmapped memory forgets its accesses. A new mapping is
 * taken as an allocation (a write by the mapping thread: a thread that
 * uses it with nothing ordering it after the mmap races, compiler-rt's
 * ignored-interceptors-mmap), and munmap as a free (a write: an unordered
 * access by another thread before it races), as ThreadSanitizer takes
 * them; neither is a heap block.
 *
 * dlsym may call calloc/malloc while we resolve the real functions: those
 * calls are served from a static buffer that is never given back.
 * Calls made by the runtime itself pass straight through.
 */
#include "events/events.h"
#include "races/races.h"
#include "core/core.h"
#include "preload.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static size_t (*real_malloc_usable_size)(void *);
static int (*real_munmap)(void *, size_t);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);

/* ---- before the real functions are known --------------------------------------- */

static _Alignas(64) char early[256 * 1024];
static _Atomic size_t early_used;
static __thread int resolving __attribute__((tls_model("initial-exec")));

static bool is_early(const void *p)
{
    return (const char *)p >= early && (const char *)p < early + sizeof early;
}

static void *early_alloc(size_t n)
{
    size_t need = (n + 15) & ~(size_t)15, at;
    if (need == 0)
        need = 16;
    at = atomic_fetch_add(&early_used, need);
    if (at + need > sizeof early)
        return NULL;
    return early + at; /* static storage: already zero */
}

static bool glibc_free;

static void resolve(void)
{
    if (resolving)
        return;
    resolving = 1;
#define RESOLVE(name) *(void **)&real_##name = dlsym(RTLD_NEXT, #name)
    RESOLVE(calloc);
    RESOLVE(realloc);
    RESOLVE(reallocarray);
    RESOLVE(free);
    RESOLVE(posix_memalign);
    RESOLVE(aligned_alloc);
    RESOLVE(memalign);
    RESOLVE(valloc);
    RESOLVE(pvalloc);
    RESOLVE(malloc_usable_size);
    RESOLVE(munmap);
    RESOLVE(mmap);
    /* glibc's own allocator (not jemalloc, tcmalloc, ...): only then does a
     * block have glibc's chunk header in front of it */
    glibc_free = real_free && real_free == (void (*)(void *))dlsym(RTLD_NEXT, "__libc_free");
    RESOLVE(malloc); /* last: its being set means all are */
#undef RESOLVE
    resolving = 0;
}

#define READY() (__builtin_expect(real_malloc != NULL, 1) || (resolve(), real_malloc != NULL))

/* ---- engine events ------------------------------------------------------------------ */

/* The calling thread's race state when this call should be recorded. */
static inline struct rt_hb_thread *recording(uintptr_t pc)
{
    struct rt_thread *t = rt_self;
    struct rt_hb_thread *h;
    if (!__atomic_load_n(&rt_hb_enabled, __ATOMIC_RELAXED))
        return NULL;
    if (!t || t->in_runtime || rt_module_is_runtime(pc))
        return NULL;
    h = rt_hb_self ? rt_hb_self : rt_hb_current();
    return h && !h->busy ? h : NULL;
}

/* A new block's history starts again: whatever the memory held before (a
 * freed block's accesses and its free) belongs to another object; the
 * allocation is a write of it (race_check.h). */
static void new_memory(void *p, size_t n, uintptr_t pc, bool heap)
{
    struct rt_hb_thread *h;
    if (!p)
        return;
    if (!(rt_self && rt_self->in_runtime)) /* (it may hold the engine's locks) */
        on_memory_allocated((uintptr_t)p, n); /* what lies there is new */
    if (!(h = recording(pc)))
        return;
    h->busy++;
    rt_shadow_reset((uintptr_t)p, n);
    if (heap)
        rt_heap_add((uintptr_t)p, n, rt_ct_child(h->ct, h->node, pc),
                    h->thread ? h->thread->id : -1);
    h->busy--;
    rt_race_alloc(h, (uintptr_t)p, n, pc);
}

static void allocated(void *p, size_t n, uintptr_t pc)
{
    new_memory(p, n, pc, true);
}

/* Memory [p, p+n) is gone: the engine forgets the locks and sync objects
 * in it. By free (heap: the engine checks the locks in it; unmapped: glibc
 * unmaps the block) or realloc and munmap. Unmapped memory also forgets
 * every access to it: another mapping may take its place (a freed heap
 * block keeps its free, which is a write: races.h). */
static void gone(void *p, size_t n, uintptr_t pc, bool heap, bool unmapped)
{
    struct rt_thread *t;
    if (atomic_load_explicit(&rt_state, memory_order_relaxed) != RT_READY ||
        rt_module_is_runtime(pc))
        return;
    t = rt_enter();
    if (!t)
        return;
    if (heap)
        on_heap_freed(t, (uintptr_t)p, n, unmapped);
    else
        on_memory_freed((uintptr_t)p, n);
    rt_sync_forget_range((uintptr_t)p, (uintptr_t)p + n);
    if (unmapped && __atomic_load_n(&rt_hb_enabled, __ATOMIC_RELAXED))
        rt_shadow_reset((uintptr_t)p, n);
    rt_leave(t);
}

/* glibc's chunk header, the word before the block: a block of its own
 * mapping (large ones) has this bit; its free unmaps it, and a mapping
 * racedet does not see may take its place, as for munmap. Another
 * allocator's block has no such header (reading it can fault): its free
 * is taken as one that may unmap. */
#define GLIBC_CHUNK_IS_MMAPPED 2

/* A heap block is freed: a write of the block by this thread (races.h),
 * checked while the block is still in the heap table so that a race names
 * it; then it leaves the table. */
static void freed(void *p, uintptr_t pc, bool heap)
{
    struct rt_heap_block b;
    struct rt_hb_thread *h;
    size_t n;
    if (atomic_load_explicit(&rt_state, memory_order_relaxed) != RT_READY)
        return;
    n = real_malloc_usable_size ? real_malloc_usable_size(p) : 0;
    if (__atomic_load_n(&rt_hb_enabled, __ATOMIC_RELAXED)) {
        if ((h = recording(pc)) != NULL) {
            size_t size = rt_heap_find((uintptr_t)p, &b) && b.addr == (uintptr_t)p ? b.size : n;
            rt_race_free(h, (uintptr_t)p, size, pc);
        }
        rt_heap_remove((uintptr_t)p, &b);
    }
    gone(p, n, pc, heap,
         heap && (!glibc_free || (((const size_t *)p)[-1] & GLIBC_CHUNK_IS_MMAPPED)));
}

/* ---- the interceptors ------------------------------------------------------------------ */

RD_EXPORT void *malloc(size_t n)
{
    void *p;
    if (!READY())
        return early_alloc(n);
    p = real_malloc(n);
    allocated(p, n, CALLER_PC());
    return p;
}

RD_EXPORT void *calloc(size_t n, size_t size)
{
    void *p;
    if (!READY() || resolving) {
        if (size && n > (size_t)-1 / size)
            return NULL;
        return early_alloc(n * size);
    }
    p = real_calloc(n, size);
    allocated(p, n * size, CALLER_PC());
    return p;
}

RD_EXPORT void free(void *p)
{
    if (!p || is_early(p))
        return;
    if (!READY())
        return; /* cannot happen: p came from somewhere */
    freed(p, CALLER_PC(), true);
    real_free(p);
}

RD_EXPORT void *realloc(void *p, size_t n)
{
    void *q;
    uintptr_t pc = CALLER_PC();
    if (is_early(p)) {
        size_t avail = (size_t)(early + sizeof early - (char *)p);
        q = malloc(n);
        if (q)
            memcpy(q, p, n < avail ? n : avail);
        return q;
    }
    if (!READY())
        return early_alloc(n);
    if (p && n == 0) {
        free(p);
        return NULL;
    }
    if (p)
        freed(p, pc, false); /* the old block is gone either way (moved, or resized) */
    q = real_realloc(p, n);
    if (!q && p) {
        allocated(p, real_malloc_usable_size(p), pc); /* failed: p lives on */
        return NULL;
    }
    allocated(q, n, pc);
    return q;
}

RD_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, n * size);
}

RD_EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    int rc;
    if (!READY())
        return ENOMEM;
    rc = real_posix_memalign(out, align, n);
    if (rc == 0)
        allocated(*out, n, CALLER_PC());
    return rc;
}

RD_EXPORT void *aligned_alloc(size_t align, size_t n)
{
    void *p;
    if (!READY())
        return NULL;
    p = real_aligned_alloc(align, n);
    allocated(p, n, CALLER_PC());
    return p;
}

RD_EXPORT void *memalign(size_t align, size_t n)
{
    void *p;
    if (!READY())
        return NULL;
    p = real_memalign(align, n);
    allocated(p, n, CALLER_PC());
    return p;
}

RD_EXPORT void *valloc(size_t n)
{
    void *p;
    if (!READY())
        return NULL;
    p = real_valloc(n);
    allocated(p, n, CALLER_PC());
    return p;
}

RD_EXPORT void *pvalloc(size_t n)
{
    void *p;
    if (!READY())
        return NULL;
    p = real_pvalloc(n);
    allocated(p, n, CALLER_PC());
    return p;
}

RD_EXPORT int munmap(void *addr, size_t len)
{
    struct rt_hb_thread *h;
    if (!READY())
        return -1;
    /* a free of the mapping (checked before gone() forgets its accesses) */
    if ((h = recording(CALLER_PC())) != NULL)
        rt_race_free(h, (uintptr_t)addr, len, CALLER_PC());
    gone(addr, len, CALLER_PC(), false, true);
    return real_munmap(addr, len);
}

/* The runtime's own mappings (shadow, tables) pass straight through; so do
 * mappings made before the real function is known. */
RD_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    uintptr_t pc = CALLER_PC();
    void *p;
    if (!real_mmap || rt_module_is_runtime(pc))
        return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
    p = real_mmap(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED && atomic_load_explicit(&rt_state, memory_order_relaxed) == RT_READY)
        new_memory(p, len, pc, false);
    return p;
}

/* the same function under its large-file name */
RD_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return mmap(addr, len, prot, flags, fd, off);
}
