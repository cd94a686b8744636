/* call_tree: see call_tree.h. */
#include "call_tree.h"
#include "modules.h"
#include "rt_alloc.h"
#include "rt_spin.h"

#include <stdatomic.h>
#include <sys/mman.h>

#define MAX_NODES (1u << 28)   /* 4 GiB of address space, committed as used */
#define TAG_SHIFT 28           /* an entry: child id | 4 bits of its hash */

/* The global index of the nodes: open addressing over 32-bit entries, each
 * a node id with 4 bits of its hash (so that most mismatches are rejected
 * without reading the node); 0 is a free entry (the root is never a child).
 * At most 3/4 full. A grown table replaces the old one, whose memory is
 * given back: a reader still probing it sees free entries and retries under
 * the lock. */
struct table {
    uint32_t mask;
    uint32_t used;
    _Atomic uint32_t e[];
};

struct rt_ct_node_rec *rt_ct_nodes;
static struct table *_Atomic current;
static rt_spin_t table_lock = RT_SPIN_INIT;
static _Atomic uint32_t nnodes;
static _Atomic uint32_t nready; /* nodes below this are fully written */
static rt_spin_t init_lock = RT_SPIN_INIT;

static uint32_t hash(uint32_t parent, uintptr_t pc)
{
    uint64_t x = (uint64_t)pc ^ ((uint64_t)parent << 47) ^ parent;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (uint32_t)x;
}

static size_t table_bytes(uint32_t size)
{
    return sizeof(struct table) + sizeof(uint32_t) * size;
}

static struct table *table_new(uint32_t size)
{
    struct table *t = mmap(NULL, table_bytes(size), PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (t == MAP_FAILED)
        rt_fatal("out of memory (call tree)");
    t->mask = size - 1;
    return t;
}

void rt_ct_init(void)
{
    if (atomic_load_explicit(&current, memory_order_acquire))
        return;
    rt_spin_lock(&init_lock);
    if (!atomic_load_explicit(&current, memory_order_relaxed)) {
        void *p = mmap(NULL, sizeof(struct rt_ct_node_rec) * (size_t)MAX_NODES,
                       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            rt_fatal("out of memory (call tree nodes)");
        rt_ct_nodes = p;
        atomic_store(&nnodes, 1); /* node 0: the root, pc 0, parent 0 */
        atomic_store(&nready, 1);
        atomic_store_explicit(&current, table_new(1u << 16), memory_order_release);
    }
    rt_spin_unlock(&init_lock);
}

/* The child of parent for pc in t (0: not there), and where it would go. */
static uint32_t probe(struct table *t, uint32_t parent, uintptr_t pc, uint32_t *free_slot)
{
    uint32_t h = hash(parent, pc), tag = h >> TAG_SHIFT;
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        uint32_t e = atomic_load_explicit(&t->e[i], memory_order_acquire), child;
        if (e == 0) {
            if (free_slot)
                *free_slot = i;
            return 0;
        }
        child = e & (MAX_NODES - 1);
        if (e >> TAG_SHIFT == tag && rt_ct_nodes[child].pc == pc &&
            rt_ct_nodes[child].parent == parent)
            return child;
    }
}

static void insert(struct table *t, uint32_t child)
{
    uint32_t parent = rt_ct_nodes[child].parent, slot;
    uintptr_t pc = rt_ct_nodes[child].pc;
    if (probe(t, parent, pc, &slot) != 0)
        return;
    atomic_store_explicit(&t->e[slot], child | (hash(parent, pc) >> TAG_SHIFT) << TAG_SHIFT,
                          memory_order_release);
    t->used++;
}

/* Under table_lock: a table twice the size, the old one's memory released. */
static struct table *grow(struct table *t)
{
    struct table *n = table_new((t->mask + 1) * 2);
    for (uint32_t i = 0; i <= t->mask; i++) {
        uint32_t e = atomic_load_explicit(&t->e[i], memory_order_relaxed);
        if (e)
            insert(n, e & (MAX_NODES - 1));
    }
    atomic_store_explicit(&current, n, memory_order_release);
    madvise(t, table_bytes(t->mask + 1), MADV_DONTNEED);
    return n;
}

/*
 * A thread usually walks a path again in the order in which it was first
 * walked (a loop calling the same functions, a recursion repeating its
 * shape), and nodes are numbered in the order they were made. So the node
 * wanted now is often next to the one the thread's last slow lookup found:
 * a little after it (the next call or line), or a little before (back in a
 * caller's frame). Look at those (adjacent, in cache) before the index,
 * whose every probe is a cache miss once the tree is large.
 */
#define AHEAD 8
#define BEHIND 16

static uint32_t nearby(uint32_t last, uint32_t parent, uintptr_t pc)
{
    uint32_t end = atomic_load_explicit(&nready, memory_order_acquire);
    uint32_t lo = last > BEHIND ? last - BEHIND : 1;   /* never the root */
    if (end > last + 1 + AHEAD)
        end = last + 1 + AHEAD;
    for (uint32_t c = last + 1; c < end; c++)
        if (rt_ct_nodes[c].pc == pc && rt_ct_nodes[c].parent == parent)
            return c;
    for (uint32_t c = last; c >= lo; c--)
        if (rt_ct_nodes[c].pc == pc && rt_ct_nodes[c].parent == parent)
            return c;
    return 0;
}

rt_ct_node rt_ct_child_slow(struct rt_ct_cache *cache, rt_ct_node parent, uintptr_t pc)
{
    unsigned slot = rt_ct_cache_slot(parent, pc);
    struct table *t;
    uint32_t child = cache ? nearby(cache->last, parent, pc) : 0;
    if (child == 0) {
        t = atomic_load_explicit(&current, memory_order_acquire);
        child = probe(t, parent, pc, NULL);
    }
    if (child == 0) {
        rt_spin_lock(&table_lock);
        t = atomic_load_explicit(&current, memory_order_relaxed);
        child = probe(t, parent, pc, NULL);
        if (child == 0) {
            child = atomic_fetch_add(&nnodes, 1);
            if (child >= MAX_NODES)
                rt_fatal("too many distinct call paths (call tree full)");
            rt_ct_nodes[child].pc = pc;
            rt_ct_nodes[child].parent = parent;
            if ((t->used + 1) * 4 > (t->mask + 1) * 3)
                t = grow(t);
            insert(t, child);
            atomic_store_explicit(&nready, child + 1, memory_order_release);
        }
        rt_spin_unlock(&table_lock);
    }
    if (cache) {
        cache->last = child;
        cache->e[slot].pc = pc;
        cache->e[slot].parent = parent;
        cache->e[slot].child = child;
    }
    return child;
}

rt_ct_node rt_ct_resolve(rt_ct_node n, unsigned byte)
{
    while (rt_ct_is_composite(n)) {
        uintptr_t key = rt_ct_nodes[n].pc;
        n = (key >> 32) & (1u << byte) ? (rt_ct_node)key : rt_ct_nodes[n].parent;
    }
    return n;
}

rt_stack_id rt_ct_stack(rt_ct_node n, uintptr_t top_pc)
{
    unsigned max = rt_stack_max_frames ? rt_stack_max_frames : 1;
    uintptr_t pcs[max];
    uint32_t k = 0;
    bool truncated = false;
    while (rt_ct_is_composite(n))
        n = rt_ct_nodes[n].parent;
    if (top_pc && !rt_module_is_runtime(top_pc))
        pcs[k++] = top_pc;
    for (; n != RT_CT_ROOT; n = rt_ct_nodes[n].parent) {
        uintptr_t pc = rt_ct_nodes[n].pc;
        if (pc == 0 || rt_module_is_runtime(pc))
            continue;
        if (k == max) {
            truncated = true;
            break;
        }
        pcs[k++] = pc;
    }
    return rt_stack_put(pcs, k, truncated);
}

uint32_t rt_ct_count(void)
{
    return atomic_load(&nnodes);
}

void rt_ct_lock_all(void)
{
    rt_spin_lock(&init_lock);
    rt_spin_lock(&table_lock);
}

void rt_ct_unlock_all(void)
{
    rt_spin_unlock(&table_lock);
    rt_spin_unlock(&init_lock);
}
