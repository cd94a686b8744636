/* stack: see stack.h. */
#define UNW_LOCAL_ONLY
#include "stack.h"
#include "modules.h"
#include "rt_alloc.h"
#include "rt_hash.h"
#include "rt_spin.h"

#include <libunwind.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct depot_entry {
    UT_hash_handle hh;
    struct rt_stack *stack;
};

unsigned rt_stack_max_frames = 64;

static rt_spin_t depot_lock = RT_SPIN_INIT;
static struct depot_entry *depot;          /* keyed by the pcs */
static struct rt_stack **by_id;
static uint32_t nstacks, cap_stacks;

rt_stack_id rt_stack_put(const uintptr_t *pcs, uint32_t n, bool truncated)
{
    struct depot_entry *e;
    struct rt_stack *s;
    size_t keylen = n * sizeof *pcs;
    rt_stack_id id;

    rt_spin_lock(&depot_lock);
    HASH_FIND(hh, depot, pcs, keylen, e);
    if (e) {
        id = e->stack->id;
        rt_spin_unlock(&depot_lock);
        return id;
    }
    s = rt_alloc(sizeof *s + keylen);
    s->n = n;
    s->truncated = truncated;
    memcpy(s->pcs, pcs, keylen);
    if (nstacks == cap_stacks) {
        uint32_t ncap = cap_stacks ? cap_stacks * 2 : 1024;
        by_id = rt_realloc(by_id, sizeof *by_id * cap_stacks, sizeof *by_id * ncap);
        cap_stacks = ncap;
    }
    s->id = nstacks;
    by_id[nstacks++] = s;
    e = rt_alloc(sizeof *e);
    e->stack = s;
    HASH_ADD_KEYPTR(hh, depot, s->pcs, keylen, e);
    id = s->id;
    rt_spin_unlock(&depot_lock);
    return id;
}

struct rt_stack *rt_stack_get(rt_stack_id id)
{
    struct rt_stack *s = NULL;
    rt_spin_lock(&depot_lock);
    if (id < nstacks)
        s = by_id[id];
    rt_spin_unlock(&depot_lock);
    return s;
}

/* ---- stack walks and fork ------------------------------------------------------ *
 * A walk takes locks of libunwind's own (its cache of unwind rules, held
 * while it looks a new pc up through dl_iterate_phdr). A fork while another
 * thread is in the middle of a walk gives the child that lock taken, by a
 * thread the child does not have: its first stack capture hangs. So the
 * fork's prepare handler closes a gate to new walks and waits for those
 * under way to end (rt_stack_walks_stop), and a walk that meets the gate
 * closed waits until the fork is done. The cost on the path of a walk (a
 * call-site cache miss) is one atomic add and one subtract.
 *
 * The gate is closed last in the prepare handler, once every other lock
 * of the runtime is held: a thread waiting at the gate then holds none the
 * fork needs. The forking thread's own walks pass (a signal handler on it
 * during the fork), and walks it was in when it forked (fork from a signal
 * handler that interrupted a walk) are not waited for: it cannot wait for
 * itself. */
static atomic_int walks;          /* walks under way, all threads */
static atomic_bool gate_closed;
static __thread int own_walks;    /* walks under way on this thread */
static __thread bool forking;     /* this thread closed the gate */

static void walk_begin(void)
{
    own_walks++; /* first: a fork from a signal handler here counts it */
    for (;;) {
        atomic_fetch_add(&walks, 1);
        if (!atomic_load(&gate_closed) || forking)
            return;
        atomic_fetch_sub(&walks, 1);
        while (atomic_load(&gate_closed))
            syscall(SYS_sched_yield); /* raw: never an interceptor */
    }
}

static void walk_end(void)
{
    atomic_fetch_sub(&walks, 1);
    own_walks--;
}

void rt_stack_walks_stop(void)
{
    forking = true;
    atomic_store(&gate_closed, true);
    while (atomic_load(&walks) > own_walks)
        syscall(SYS_sched_yield);
}

void rt_stack_walks_resume(void)
{
    atomic_store(&gate_closed, false);
    forking = false;
}

void rt_stack_walks_after_fork_child(void)
{
    /* the parent's other threads are not here; the walks left are ours */
    atomic_store(&walks, own_walks);
    rt_stack_walks_resume();
}

rt_stack_id rt_stack_capture(void)
{
    enum { SLACK = 16 }; /* room for the runtime's own frames */
    unsigned max = rt_stack_max_frames ? rt_stack_max_frames : 1;
    void *raw[max + SLACK + 1];
    uintptr_t pcs[max + SLACK + 1];
    uint32_t n = 0;
    int got;
    bool truncated = false;

    walk_begin();
    got = unw_backtrace(raw, (int)(max + SLACK + 1));
    walk_end();

    for (int i = 0; i < got; i++) {
        uintptr_t pc = (uintptr_t)raw[i];
        if (pc == 0 || rt_module_is_runtime(pc))
            continue;
        if (n == max) {
            truncated = true;
            break;
        }
        pcs[n++] = pc;
    }
    return rt_stack_put(pcs, n, truncated);
}

rt_stack_id rt_stack_of_function(uintptr_t entry)
{
    /* Recorded pcs are return addresses (the analyzer looks up pc - 1), so
     * store entry + 1 to land on the entry itself. */
    uintptr_t pc = entry + 1;
    return rt_stack_put(&pc, 1, false);
}

/* The calling thread's stack, [lo, hi): looked up when the thread starts
 * (rt_stack_note_bounds), never on the path of a lock call, since
 * pthread_getattr_np allocates (and, for the main thread, reads
 * /proc/self/maps through stdio): inside an interceptor that would re-enter
 * a malloc whose lock the thread may hold (jemalloc takes its arena lock
 * with pthread_mutex_trylock). Unknown bounds: call sites are not cached. */
static __thread uintptr_t stack_lo, stack_hi;

void rt_stack_note_bounds(void)
{
    pthread_attr_t attr;
    void *addr;
    size_t size;
    if (stack_hi || pthread_getattr_np(pthread_self(), &attr) != 0)
        return;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        stack_lo = (uintptr_t)addr;
        stack_hi = (uintptr_t)addr + size;
    }
    pthread_attr_destroy(&attr);
}

bool rt_stack_is_own(uintptr_t addr)
{
    return addr >= stack_lo && addr < stack_hi;
}

static bool own_stack(uintptr_t *lo, uintptr_t *hi)
{
    *lo = stack_lo;
    *hi = stack_hi;
    return stack_hi != 0;
}

/* Capture the stack (rt_stack_capture) and find, for each of its frames,
 * the stack slot its return address lies in: frame k's return address was
 * pushed by the call in frame k+1, so the slots are the first words above
 * sp, in order, that hold pcs[0], pcs[1], ... The search stays inside the
 * thread's own stack. Keeps the slots in e when every frame's was found
 * (at an offset from sp that fits 32 bits); otherwise e->nslots is
 * UINT32_MAX and the entry must not be used (a signal frame, an
 * alternate signal stack). Only the walk over the stack words is added to
 * a plain capture; unw_step, which would give each frame's stack pointer,
 * costs tens of microseconds a frame on a large binary. */
static rt_stack_id capture_path(uintptr_t sp, struct rt_callsite *e)
{
    rt_stack_id id = rt_stack_capture();
    const struct rt_stack *st = rt_stack_get(id);
    uintptr_t lo, hi, at;
    uint32_t n;

    e->nslots = UINT32_MAX;
    if (!st || !own_stack(&lo, &hi) || sp < lo || sp >= hi || (sp & 7))
        return id;
    n = st->n;
    at = sp;
    for (uint32_t k = 0; k < n; k++) {
        while (at < hi && *(const uintptr_t *)at != st->pcs[k])
            at += sizeof(uintptr_t);
        if (at >= hi || at - sp > UINT32_MAX)
            return id;
        if (k > 0) {
            e->proof = rt_grow(e->proof, &e->cap, 2 * (size_t)k, sizeof *e->proof);
            e->proof[2 * (k - 1)] = at; /* absolute: a hit has the same sp */
            e->proof[2 * (k - 1) + 1] = st->pcs[k];
        }
        at += sizeof(uintptr_t);
    }
    e->nslots = n ? n - 1 : 0;
    return id;
}

rt_stack_id rt_stack_callsite_miss(struct rt_callsite_cache *c, unsigned set, uintptr_t pc,
                                   uintptr_t sp)
{
    struct rt_callsite *ways = c->e[set], found;
    unsigned w;
    rt_stack_id id;
    for (w = 1; w < RT_CALLSITE_WAYS; w++)
        if (rt_callsite_hit(&ways[w], pc, sp))
            break;
    if (w == RT_CALLSITE_WAYS) {
        /* a new path: it takes the last way (its proof array is reused) */
        struct rt_callsite *e = &ways[--w];
        e->pc = 0; /* empty while it is rewritten */
        id = capture_path(sp, e);
        if (e->nslots == UINT32_MAX)
            return id; /* cannot be proven: not kept */
        e->sp = sp;
        e->stack = id;
        e->pc = pc;
    }
    /* the path just used goes first, the others move down one way */
    found = ways[w];
    memmove(&ways[1], &ways[0], w * sizeof *ways);
    ways[0] = found;
    return found.stack;
}

void rt_stack_callsite_release(struct rt_callsite_cache *c)
{
    for (unsigned i = 0; i < RT_CALLSITE_SETS; i++)
        for (unsigned w = 0; w < RT_CALLSITE_WAYS; w++)
            if (c->e[i][w].proof)
                rt_free(c->e[i][w].proof, c->e[i][w].cap * sizeof *c->e[i][w].proof);
}

void rt_stack_lock_all(void)
{
    rt_spin_lock(&depot_lock);
}

void rt_stack_unlock_all(void)
{
    rt_spin_unlock(&depot_lock);
}
