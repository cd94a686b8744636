/* call_tree: see call_tree.h. */
#include "call_tree.h"
#include "modules.h"
#include "rt_alloc.h"
#include "rt_spin.h"

#include <stdatomic.h>
#include <sys/mman.h>

#define MAX_NODES (1u << 28)   /* 4 GiB of address space, committed as used */

struct table_entry {
    uintptr_t pc;
    uint32_t parent;
    _Atomic uint32_t child;    /* written last: 0 means the entry is free */
};

struct table {
    uint32_t mask;
    uint32_t used;
    struct table_entry e[];
};

struct rt_ct_node_rec *rt_ct_nodes;
static struct table *_Atomic current;
static rt_spin_t table_lock = RT_SPIN_INIT;
static _Atomic uint32_t nnodes;
static rt_spin_t init_lock = RT_SPIN_INIT;

static uint32_t hash(uint32_t parent, uintptr_t pc)
{
    uint64_t x = (uint64_t)pc ^ ((uint64_t)parent << 47) ^ parent;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (uint32_t)x;
}

static struct table *table_new(uint32_t size)
{
    size_t bytes = sizeof(struct table) + sizeof(struct table_entry) * size;
    struct table *t = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
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
        atomic_store_explicit(&current, table_new(1u << 16), memory_order_release);
    }
    rt_spin_unlock(&init_lock);
}

static uint32_t probe(struct table *t, uint32_t parent, uintptr_t pc, uint32_t *free_slot)
{
    for (uint32_t i = hash(parent, pc) & t->mask;; i = (i + 1) & t->mask) {
        uint32_t child = atomic_load_explicit(&t->e[i].child, memory_order_acquire);
        if (child == 0) {
            if (free_slot)
                *free_slot = i;
            return 0;
        }
        if (t->e[i].pc == pc && t->e[i].parent == parent)
            return child;
    }
}

static void insert(struct table *t, uint32_t parent, uintptr_t pc, uint32_t child)
{
    uint32_t slot;
    if (probe(t, parent, pc, &slot) != 0)
        return;
    t->e[slot].pc = pc;
    t->e[slot].parent = parent;
    atomic_store_explicit(&t->e[slot].child, child, memory_order_release);
    t->used++;
}

rt_ct_node rt_ct_child_slow(struct rt_ct_cache *cache, rt_ct_node parent, uintptr_t pc)
{
    unsigned slot = (unsigned)(((pc * 0x9e3779b97f4a7c15ull) >> 40) ^ (parent * 0x85ebca6bu)) &
                    (RT_CT_CACHE_WAYS - 1);
    struct table *t = atomic_load_explicit(&current, memory_order_acquire);
    uint32_t child = probe(t, parent, pc, NULL);
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
            rt_ct_nodes[child].depth = rt_ct_nodes[parent].depth + 1;
            if ((t->used + 1) * 2 > t->mask + 1) {
                /* grow: the old table stays valid for readers still in it */
                struct table *n = table_new((t->mask + 1) * 2);
                for (uint32_t i = 0; i <= t->mask; i++) {
                    uint32_t c = atomic_load_explicit(&t->e[i].child, memory_order_relaxed);
                    if (c)
                        insert(n, t->e[i].parent, t->e[i].pc, c);
                }
                atomic_store_explicit(&current, n, memory_order_release);
                t = n;
            }
            insert(t, parent, pc, child);
        }
        rt_spin_unlock(&table_lock);
    }
    if (cache) {
        cache->e[slot].pc = pc;
        cache->e[slot].parent = parent;
        cache->e[slot].child = child;
    }
    return child;
}

rt_stack_id rt_ct_stack(rt_ct_node n, uintptr_t top_pc)
{
    unsigned max = rt_stack_max_frames ? rt_stack_max_frames : 1;
    uintptr_t pcs[max];
    uint32_t k = 0;
    bool truncated = false;
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
