/* threads: see threads.h. */
#include "threads.h"
#include "record.h"
#include "sync_objects.h"
#include "rt_alloc.h"
#include "rt_hash.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread struct rt_thread *rt_self;

/* Every thread ever seen has an id, never reused, and an identity (its
 * creator, creation stack and record epoch: struct rt_thread_ident) kept
 * for ever, in chunks that never move. Its record (struct rt_thread) is
 * released when it will never run again (rt_thread_release): from then on,
 * rt_thread_by_id gives a ghost, a record made from its identity for the
 * finding that names it, kept. Under threads_lock. */
static rt_spin_t threads_lock = RT_SPIN_INIT;
static int nthreads;
#define IDENT_CHUNK 4096
static struct rt_thread_ident **idents;
static size_t cap_ident_chunks;
/* The records not released, by id: linear probing, at most half full. */
static struct rt_thread **table;
static size_t table_cap, table_n;
/* Names of released threads that had one; and the ghosts made. */
struct id_entry {
    UT_hash_handle hh;
    int id;
    const char *name;           /* names: the released thread's name */
    struct rt_thread *ghost;    /* ghosts */
};
static struct id_entry *names, *ghosts;
/* The live ones by pthread_t handle. */
struct handle_entry {
    UT_hash_handle hh;
    pthread_t handle;
    struct rt_thread *t;
};
static struct handle_entry *by_handle;
/* The threads that have not ended, in no order (each knows its place:
 * live_index), so that whoever looks at every running thread pays for
 * those only. Under threads_lock. */
static struct rt_thread **live;
static size_t nlive, cap_live;
/* Detached threads that ended, oldest first, until their kernel thread
 * has exited (rt_thread_next_gone). Under threads_lock. */
static struct rt_thread **gone_wait;
static unsigned ngone_wait, cap_gone_wait;

/* Records are carved from chunks of their own, at their exact size, and a
 * released one is used again for a new thread, never given back: code
 * that looked a thread up by id just before it was released (a finding
 * being made in another thread) still reads a thread record, and, since
 * the oldest released record is taken only once QUARANTINE more are
 * waiting, still the same thread's in practice. Under threads_lock. */
#define POOL_CHUNK (64u * 1024u)
#define QUARANTINE 64
static char *pool_next, *pool_end;
static struct rt_thread **freed;      /* released records, oldest first, from freed_head */
static size_t freed_head, nfreed, cap_freed;

static struct rt_thread *pool_take(void)
{
    struct rt_thread *t;
    if (nfreed - freed_head > QUARANTINE) {
        t = freed[freed_head++];
        if (freed_head == nfreed)
            freed_head = nfreed = 0;
        memset(t, 0, sizeof *t);
        return t;
    }
    if ((size_t)(pool_end - pool_next) < sizeof *t) {
        pool_next = rt_alloc(POOL_CHUNK); /* zeroed */
        pool_end = pool_next + POOL_CHUNK;
    }
    t = (struct rt_thread *)(void *)pool_next;
    pool_next += (sizeof *t + _Alignof(struct rt_thread) - 1) & ~(_Alignof(struct rt_thread) - 1);
    return t;
}

static void pool_give(struct rt_thread *t)
{
    if (nfreed == cap_freed && freed_head > 0) {
        /* the taken ones leave room at the front */
        memmove(freed, freed + freed_head, sizeof *freed * (nfreed - freed_head));
        nfreed -= freed_head;
        freed_head = 0;
    }
    freed = rt_grow(freed, &cap_freed, nfreed + 1, sizeof *freed);
    freed[nfreed++] = t;
}

static size_t table_slot(int id)
{
    return (size_t)(((uint64_t)(unsigned)id * 0x9e3779b97f4a7c15ull) >> 32) & (table_cap - 1);
}

static void table_insert(struct rt_thread *t)
{
    size_t i = table_slot(t->id);
    while (table[i])
        i = (i + 1) & (table_cap - 1);
    table[i] = t;
}

static void table_put(struct rt_thread *t)
{
    if (2 * (table_n + 1) > table_cap) {
        struct rt_thread **old = table;
        size_t ocap = table_cap;
        table_cap = ocap ? ocap * 2 : 64;
        table = rt_alloc(sizeof *table * table_cap);
        for (size_t i = 0; i < ocap; i++)
            if (old[i])
                table_insert(old[i]);
        if (old)
            rt_free(old, sizeof *old * ocap);
    }
    table_insert(t);
    table_n++;
}

static struct rt_thread *table_get(int id)
{
    if (table_cap == 0)
        return NULL;
    for (size_t i = table_slot(id); table[i]; i = (i + 1) & (table_cap - 1))
        if (table[i]->id == id)
            return table[i];
    return NULL;
}

/* Linear probing's deletion: the entries after the hole that would no
 * longer be found move back into it. */
static void table_remove(struct rt_thread *t)
{
    size_t mask = table_cap - 1, i = table_slot(t->id), j;
    while (table[i] != t)
        i = (i + 1) & mask;
    for (j = (i + 1) & mask; table[j]; j = (j + 1) & mask) {
        size_t k = table_slot(table[j]->id);
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            table[i] = table[j];
            i = j;
        }
    }
    table[i] = NULL;
    table_n--;
}

static struct rt_thread_ident *ident_of(int id)
{
    return &idents[(size_t)id / IDENT_CHUNK][(size_t)id % IDENT_CHUNK];
}

unsigned *rt_thread_written_epoch(const struct rt_thread *t)
{
    static unsigned none; /* the watchdog's own state: no identity */
    struct rt_thread_ident *ident;
    if (t->id < 0)
        return &none;
    rt_spin_lock(&threads_lock);
    ident = ident_of(t->id); /* chunks never move: the pointer stays good */
    rt_spin_unlock(&threads_lock);
    return &ident->written_epoch;
}

static pid_t current_tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

struct rt_thread *rt_thread_new(struct rt_thread *parent, rt_stack_id create_stack,
                                uintptr_t start_routine)
{
    struct rt_thread *t;
    struct rt_thread_ident *ident;
    size_t chunk;
    rt_spin_lock(&threads_lock);
    t = pool_take();
    t->pid = getpid();
    t->parent = parent ? parent->id : -1;
    t->create_stack = create_stack;
    t->start_routine = start_routine;
    atomic_store(&t->running, true);
    t->waiting_stack = RT_NO_STACK;
    t->exit_stack = RT_NO_STACK;
    t->id = nthreads++;
    chunk = (size_t)t->id / IDENT_CHUNK;
    idents = rt_grow(idents, &cap_ident_chunks, chunk + 1, sizeof *idents);
    if (!idents[chunk])
        idents[chunk] = rt_alloc(sizeof **idents * IDENT_CHUNK);
    ident = ident_of(t->id);
    ident->parent = t->parent;
    ident->create_stack = create_stack;
    table_put(t);
    live = rt_grow(live, &cap_live, nlive + 1, sizeof *live);
    t->live_index = (int)nlive;
    live[nlive++] = t;
    rt_spin_unlock(&threads_lock);
    return t;
}

/* Under threads_lock. */
static void live_remove(struct rt_thread *t)
{
    int i = t->live_index;
    if (i < 0)
        return;
    live[i] = live[--nlive];
    live[i]->live_index = i;
    t->live_index = -1;
}

void rt_thread_ended(struct rt_thread *t)
{
    atomic_store(&t->running, false);
    rt_spin_lock(&threads_lock);
    live_remove(t);
    rt_spin_unlock(&threads_lock);
}

unsigned rt_threads_live(struct rt_thread ***buf, size_t *cap)
{
    unsigned n;
    rt_spin_lock(&threads_lock);
    n = (unsigned)nlive;
    *buf = rt_grow(*buf, cap, n, sizeof **buf);
    if (n)
        memcpy(*buf, live, sizeof *live * n);
    rt_spin_unlock(&threads_lock);
    return n;
}

struct rt_thread *rt_thread_current(void)
{
    struct rt_thread *t = rt_self;
    if (t)
        return t;
    t = rt_thread_new(NULL, RT_NO_STACK, 0);
    t->anonymous = t->id != 0;
    t->handle = pthread_self();
    t->tid = current_tid();
    rt_self = t;
    return t;
}

void rt_thread_begin(struct rt_thread *t)
{
    rt_self = t;
    t->in_runtime++; /* its frees are the runtime's, not the program's */
    rt_stack_note_bounds();
    t->in_runtime--;
    t->tid = current_tid();
    rt_thread_set_handle(t, pthread_self());
}

/* A released thread as findings see it (under threads_lock). */
static struct rt_thread *ghost_of(int id)
{
    struct id_entry *g, *n;
    struct rt_thread *t;
    HASH_FIND_INT(ghosts, &id, g);
    if (g)
        return g->ghost;
    t = rt_alloc(sizeof *t);
    t->id = id;
    t->pid = getpid();
    t->parent = ident_of(id)->parent;
    t->create_stack = ident_of(id)->create_stack;
    t->exit_stack = t->waiting_stack = RT_NO_STACK;
    t->live_index = -1;
    atomic_store(&t->joined, true); /* (or detached: either way, gone) */
    atomic_store(&t->released, true);
    HASH_FIND_INT(names, &id, n);
    t->name = n ? n->name : NULL;
    g = rt_alloc(sizeof *g);
    g->id = id;
    g->ghost = t;
    HASH_ADD_INT(ghosts, id, g);
    return t;
}

struct rt_thread *rt_thread_by_id(int id)
{
    struct rt_thread *t = NULL;
    rt_spin_lock(&threads_lock);
    if (id >= 0 && id < nthreads && !(t = table_get(id)))
        t = ghost_of(id);
    rt_spin_unlock(&threads_lock);
    return t;
}

int rt_thread_count(void)
{
    int n;
    rt_spin_lock(&threads_lock);
    n = nthreads;
    rt_spin_unlock(&threads_lock);
    return n;
}

unsigned rt_threads_unreleased(struct rt_thread ***buf, size_t *cap)
{
    unsigned n = 0;
    rt_spin_lock(&threads_lock);
    *buf = rt_grow(*buf, cap, table_n, sizeof **buf);
    for (size_t i = 0; i < table_cap; i++)
        if (table[i])
            (*buf)[n++] = table[i];
    rt_spin_unlock(&threads_lock);
    return n;
}

void rt_thread_set_handle(struct rt_thread *t, pthread_t h)
{
    struct handle_entry *e;
    rt_spin_lock(&threads_lock);
    t->handle = h;
    /* pthread_t values are reused once a thread is joined: the newest wins */
    HASH_FIND(hh, by_handle, &h, sizeof h, e);
    if (!e) {
        e = rt_alloc(sizeof *e);
        e->handle = h;
        HASH_ADD(hh, by_handle, handle, sizeof e->handle, e);
    }
    e->t = t;
    rt_spin_unlock(&threads_lock);
}

struct rt_thread *rt_thread_by_handle(pthread_t h)
{
    struct handle_entry *e;
    struct rt_thread *t = NULL;
    rt_spin_lock(&threads_lock);
    HASH_FIND(hh, by_handle, &h, sizeof h, e);
    if (e)
        t = e->t;
    rt_spin_unlock(&threads_lock);
    return t;
}

/* ---- caches handed down ------------------------------------------------------ */

/* A thread's caches outlive it for a while, parked here, so that the next
 * thread started with the same routine takes them over: a program that
 * makes short threads again and again gets each one's stack back in the
 * same place (glibc keeps stacks for reuse), so the same call reached
 * along the same path has the same (pc, sp) as in the thread before, and
 * the call-site cache answers without unwinding; a thread that never
 * unwinds also never makes libunwind's per-thread cache (256 KiB, set up
 * and torn down with each thread). A call-site entry found this way is
 * as sound as one found in the thread that made it: same start routine,
 * same path to the same call, same stack pointer. The lock cache checks
 * every entry it returns; the chain cache is per thread (the graph records
 * which thread learnt an edge), so it starts empty. Under parked_lock. */
#define PARKED 16
static rt_spin_t parked_lock = RT_SPIN_INIT;
static struct parked {
    struct rt_thread_caches *caches;
    uintptr_t start_routine;
    uintptr_t sp;               /* somewhere on the stack of the thread that used them */
} parked[PARKED];
static unsigned nparked;

static uintptr_t distance(uintptr_t a, uintptr_t b)
{
    return a > b ? a - b : b - a;
}

static struct rt_thread_caches *new_caches(void)
{
    struct rt_thread_caches *c = rt_alloc(sizeof *c);
    c->chains = c->chains0;
    c->chain_mask = RT_CHAIN_CACHE_MIN - 1;
    return c;
}

const struct rt_chain **rt_chain_cache_missed(struct rt_thread_caches *c, uint64_t hash)
{
    size_t n = (size_t)c->chain_mask + 1, big = n * 4;
    const struct rt_chain **to;
    if (++c->chain_misses < 2 * n || big > RT_CHAIN_CACHE_MAX)
        return &c->chains[hash & c->chain_mask];
    to = rt_alloc(big * sizeof *to); /* empty: the misses fill it again */
    if (c->chains != c->chains0)
        rt_free(c->chains, n * sizeof *to);
    c->chains = to;
    c->chain_mask = (unsigned)(big - 1);
    c->chain_misses = 0;
    return &c->chains[hash & c->chain_mask];
}

struct rt_thread_caches *rt_thread_caches_make(struct rt_thread *t)
{
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    struct rt_thread_caches *c = NULL;
    int best = -1;
    /* threads started by nobody we saw have no routine in common */
    if (t->start_routine == 0) {
        t->caches = new_caches();
        return t->caches;
    }
    rt_spin_lock(&parked_lock);
    for (unsigned i = 0; i < nparked; i++)
        if (parked[i].start_routine == t->start_routine &&
            (best < 0 || distance(parked[i].sp, here) < distance(parked[best].sp, here)))
            best = (int)i;
    if (best >= 0) {
        c = parked[best].caches;
        parked[best] = parked[--nparked];
    }
    rt_spin_unlock(&parked_lock);
    if (c)
        memset(c->chains, 0, sizeof *c->chains * (c->chain_mask + 1)); /* what this thread met */
    else
        c = new_caches();
    t->caches = c;
    t->caches_sp = here;
    return c;
}

/* Caches and what their call-site entries hold. */
static void free_caches(struct rt_thread_caches *c)
{
    rt_stack_callsite_release(&c->callsites);
    if (c->chains != c->chains0)
        rt_free(c->chains, sizeof *c->chains * (c->chain_mask + 1));
    rt_free(c, sizeof *c);
}

/* t is done with its caches: park them for a thread like it (evicting
 * the oldest parked), or free them. */
static void park_caches(struct rt_thread *t)
{
    struct rt_thread_caches *c = t->caches, *evicted = NULL;
    if (!c)
        return;
    t->caches = NULL;
    if (t->start_routine == 0) {
        free_caches(c);
        return;
    }
    rt_spin_lock(&parked_lock);
    if (nparked == PARKED) {
        evicted = parked[0].caches;
        memmove(&parked[0], &parked[1], sizeof parked[0] * (PARKED - 1));
        nparked--;
    }
    parked[nparked++] = (struct parked){c, t->start_routine, t->caches_sp};
    rt_spin_unlock(&parked_lock);
    if (evicted)
        free_caches(evicted);
}

static void free_own(struct rt_thread *t)
{
    park_caches(t);
    rt_spin_lock(&t->peek_lock);
    if (t->held)
        rt_free(t->held, sizeof *t->held * t->cap_held);
    t->held = NULL;
    t->nheld = t->cap_held = 0;
    rt_spin_unlock(&t->peek_lock);
}

/* An ended detached thread: wait for its kernel thread to exit. Once. */
static void await_gone(struct rt_thread *t)
{
    if (atomic_exchange(&t->gone_queued, true))
        return;
    rt_spin_lock(&threads_lock);
    if (ngone_wait == cap_gone_wait) {
        unsigned ncap = cap_gone_wait ? cap_gone_wait * 2 : 64;
        gone_wait = rt_realloc(gone_wait, sizeof *gone_wait * cap_gone_wait,
                               sizeof *gone_wait * ncap);
        cap_gone_wait = ncap;
    }
    gone_wait[ngone_wait++] = t;
    rt_spin_unlock(&threads_lock);
}

void rt_thread_retire(struct rt_thread *t)
{
    /* with rt_thread_mark_detached: whichever of the two comes second
     * sees the other's store (both are sequentially consistent) */
    rt_thread_ended(t);
    free_own(t);
    if (atomic_load(&t->detached))
        await_gone(t);
}

void rt_thread_mark_detached(struct rt_thread *t)
{
    atomic_store(&t->detached, true);
    if (!atomic_load(&t->running) && t->tid != 0)
        await_gone(t);
}

/* Has the kernel thread exited? A thread id is only reused after it has,
 * and then by a thread we would see as alive: never a false "gone". */
static bool kernel_thread_gone(const struct rt_thread *t)
{
    int saved = errno;
    bool gone = syscall(SYS_tgkill, (int)getpid(), (int)t->tid, 0) < 0 && errno == ESRCH;
    errno = saved;
    return gone;
}

struct rt_thread *rt_thread_next_gone(void)
{
    enum { LOOK = 8 };
    struct rt_thread *found = NULL;
    rt_spin_lock(&threads_lock);
    for (unsigned i = 0; i < ngone_wait && i < LOOK; i++) {
        if (kernel_thread_gone(gone_wait[i])) {
            found = gone_wait[i];
            memmove(&gone_wait[i], &gone_wait[i + 1], sizeof *gone_wait * (ngone_wait - i - 1));
            ngone_wait--;
            break;
        }
    }
    rt_spin_unlock(&threads_lock);
    return found;
}

void rt_thread_release(struct rt_thread *t)
{
    struct handle_entry *e;
    if (atomic_exchange(&t->released, true))
        return; /* (joined twice: the program's error, reported elsewhere) */
    rt_spin_lock(&threads_lock);
    HASH_FIND(hh, by_handle, &t->handle, sizeof t->handle, e);
    if (e && e->t == t) {
        HASH_DEL(by_handle, e);
        rt_free(e, sizeof *e);
    }
    rt_spin_unlock(&threads_lock);
    free_own(t);
    rt_spin_lock(&threads_lock);
    live_remove(t); /* (it ended: already off the list) */
    table_remove(t);
    if (t->name) {
        struct id_entry *n = rt_alloc(sizeof *n);
        n->id = t->id;
        n->name = t->name; /* the ghost's, if a finding names it */
        HASH_ADD_INT(names, id, n);
    }
    pool_give(t);
    rt_spin_unlock(&threads_lock);
}

#define NAME_MAX_LEN 63 /* longer names are cut */

void rt_thread_set_name(struct rt_thread *t, const char *name)
{
    size_t n = name ? strnlen(name, NAME_MAX_LEN) : 0;
    char *copy = NULL, *old;
    if (n > 0) {
        copy = rt_alloc(n + 1);
        memcpy(copy, name, n);
        copy[n] = '\0';
    }
    rt_spin_lock(&threads_lock);
    old = (char *)t->name;
    t->name = copy;
    rt_spin_unlock(&threads_lock);
    rt_free_str(old);
    rt_record_thread_renamed(t);
}

bool rt_thread_name(struct rt_thread *t, char *buf, size_t size)
{
    bool named;
    rt_spin_lock(&threads_lock);
    named = t->name != NULL;
    snprintf(buf, size, "%s", named ? t->name : "");
    rt_spin_unlock(&threads_lock);
    return named;
}

struct rt_held *rt_held_grow(struct rt_thread *t)
{
    unsigned ncap = t->cap_held ? t->cap_held * 2 : 16;
    struct rt_held *n = rt_alloc(sizeof *n * ncap), *old;
    unsigned oldcap;
    if (t->held)
        memcpy(n, t->held, sizeof *n * t->nheld);
    /* the watchdog may be reading the old array: swap under peek_lock */
    rt_spin_lock(&t->peek_lock);
    old = t->held;
    oldcap = t->cap_held;
    t->held = n;
    t->cap_held = ncap;
    rt_spin_unlock(&t->peek_lock);
    if (old)
        rt_free(old, sizeof *old * oldcap);
    return n;
}

void rt_threads_after_fork_child(struct rt_thread *survivor)
{
    pid_t pid = getpid();
    struct handle_entry *e, *tmp;
    survivor->pid = pid;
    survivor->tid = current_tid();
    /* the threads awaited are the parent's: not ours to free */
    ngone_wait = 0;
    HASH_ITER(hh, by_handle, e, tmp) {
        if (e->t != survivor) {
            HASH_DEL(by_handle, e);
            rt_free(e, sizeof *e);
        }
    }
    for (size_t i = 0; i < table_cap; i++)
        if (table[i] && table[i] != survivor)
            atomic_store(&table[i]->running, false);
    for (size_t i = 0; i < nlive; i++)
        live[i]->live_index = -1;
    nlive = 0;
    if (survivor->id >= 0) { /* (not the watchdog's own state) */
        live = rt_grow(live, &cap_live, 1, sizeof *live);
        survivor->live_index = 0;
        live[nlive++] = survivor;
    }
}

void rt_threads_lock_all(void)
{
    rt_spin_lock(&threads_lock);
    rt_spin_lock(&parked_lock);
}

void rt_threads_unlock_all(void)
{
    rt_spin_unlock(&parked_lock);
    rt_spin_unlock(&threads_lock);
}
