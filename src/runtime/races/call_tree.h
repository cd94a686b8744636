/*
 * call_tree: every call path the instrumented code has taken, as a tree
 * (a trie of return addresses) whose nodes never move and are never freed.
 *
 * The compiler calls __tsan_func_entry(return address) and __tsan_func_exit
 * around every instrumented function. A thread keeps only the id of the node
 * for its current path: entry moves to the child for that return address,
 * exit to the parent. A node id is therefore a complete call stack in 32
 * bits, cheap enough to store next to every shadow cell, so that the earlier
 * access of a race is always reported with its full stack (never "stack
 * unavailable"), and allocation stacks cost nothing to record.
 *
 * A node's children form a list (newest first, linked through their
 * `sibling`); a parent with many children (a function with many lines that
 * access memory) has them in a global index instead. Lookups go through a
 * per-thread direct-mapped cache, then the parent's list or the index, all
 * without a lock: a child is added to a list with a compare-and-swap, and
 * only the index takes a lock to add one. Node 0 is the root (the empty
 * stack). Any thread.
 */
#ifndef RT_CALL_TREE_H
#define RT_CALL_TREE_H

#include "linked_abi.h"
#include "core/core.h"

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t rt_ct_node;
#define RT_CT_ROOT 0u

/* A node: 14 bytes, as recursive code makes millions of them. The pc (a
 * return address, or an access's pc for a leaf) is kept in 48 bits: user
 * addresses are below 2^47, and bit 47 marks a composite (below). The
 * node's newest child is in a table of its own (call_tree.c), as it is the
 * only field that changes. */
struct __attribute__((packed)) rt_ct_node_rec {
    uint8_t pc[6];
    uint32_t parent;
    uint32_t sibling;        /* the parent's next older child; 0: none */
};

/* The node table, reserved once (NORESERVE) and filled from index 0.
 * Exported (linked_abi.h) for the fast path linked into programs. */
extern struct rt_ct_node_rec *rt_ct_nodes __asm__(RT_LINKED_NAME("ct_nodes"))
    __attribute__((visibility("default")));

/* 2048 ways and the id range fit rt_alloc's largest pooled size (64 KiB):
 * anything larger is mmapped and unmapped with every thread. */
#define RT_CT_CACHE_WAYS 2048
struct rt_ct_cache {
    uint32_t next, end;   /* node ids taken for this thread, not used yet */
    struct { uintptr_t pc; uint32_t parent, child; } e[RT_CT_CACHE_WAYS];
};
_Static_assert(sizeof(struct rt_ct_cache) <= 65536, "pooled by rt_alloc");

/* The child of `parent` for `pc`, made if new. */
rt_ct_node rt_ct_child_slow(struct rt_ct_cache *cache, rt_ct_node parent, uintptr_t pc);

static inline unsigned rt_ct_cache_slot(rt_ct_node parent, uintptr_t pc)
{
    return (unsigned)(((pc * 0x9e3779b97f4a7c15ull) >> 40) ^ (parent * 0x85ebca6bu)) &
           (RT_CT_CACHE_WAYS - 1);
}

/* The child of `parent` for `pc` when the thread's cache has it, else 0. */
static inline __attribute__((always_inline)) rt_ct_node rt_ct_cached(const struct rt_ct_cache *cache,
                                                                   rt_ct_node parent, uintptr_t pc)
{
    unsigned slot = rt_ct_cache_slot(parent, pc);
    if (__builtin_expect(cache->e[slot].pc == pc && cache->e[slot].parent == parent, 1))
        return cache->e[slot].child;
    return 0;
}

static inline __attribute__((always_inline)) rt_ct_node rt_ct_child(struct rt_ct_cache *cache,
                                                                  rt_ct_node parent, uintptr_t pc)
{
    rt_ct_node child = rt_ct_cached(cache, parent, pc);
    return __builtin_expect(child != 0, 1) ? child : rt_ct_child_slow(cache, parent, pc);
}

/*
 * Composite nodes: one thread's accesses to one word in one epoch share a
 * shadow cell (shadow.h) even when they come from different lines. The
 * cell's node is then a composite: `base` for some bytes, `leaf` for the
 * bytes in `mask`. A composite is a child of base whose key (never a real
 * return address: those are below 2^47) holds the leaf and the mask.
 */
#define RT_CT_COMPOSITE (1ull << 47)
#define RT_CT_PC_MASK ((1ull << 48) - 1)

/* The pc stored at node n (0 for the root): one load of 8 bytes, the last
 * two of which are the parent's. */
static inline uintptr_t rt_ct_pc(rt_ct_node n)
{
    uint64_t v;
    __builtin_memcpy(&v, &rt_ct_nodes[n], sizeof v);
    return v & RT_CT_PC_MASK;
}

static inline bool rt_ct_is_composite(rt_ct_node n)
{
    return (rt_ct_pc(n) & RT_CT_COMPOSITE) != 0;
}

static inline uintptr_t rt_ct_compose_key(rt_ct_node leaf, uint32_t mask)
{
    return RT_CT_COMPOSITE | (uint64_t)(mask & 0xff) << 32 | leaf;
}

static inline __attribute__((always_inline)) rt_ct_node rt_ct_compose(struct rt_ct_cache *cache,
                                                                    rt_ct_node base, rt_ct_node leaf,
                                                                    uint32_t mask)
{
    return rt_ct_child(cache, base, rt_ct_compose_key(leaf, mask));
}

/* rt_ct_compose when the thread's cache has it, else 0. */
static inline __attribute__((always_inline)) rt_ct_node
rt_ct_compose_cached(const struct rt_ct_cache *cache, rt_ct_node base, rt_ct_node leaf, uint32_t mask)
{
    return rt_ct_cached(cache, base, rt_ct_compose_key(leaf, mask));
}

/* The plain node that accessed byte `byte` (0..7) of a composite's word
 * (n itself when it is not a composite). */
rt_ct_node rt_ct_resolve(rt_ct_node n, unsigned byte);

static inline rt_ct_node rt_ct_parent(rt_ct_node n)
{
    return rt_ct_nodes[n].parent;
}

/* Make sure the tables exist (idempotent, any thread); false when not
 * even a small tree fits in the address space. */
bool rt_ct_init(void);

/* The stack of node n (innermost first), runtime frames dropped, interned
 * in the depot. `top_pc`, when not 0, is put on top (the current access). */
rt_stack_id rt_ct_stack(rt_ct_node n, uintptr_t top_pc);

/* fork: the table locks (happens_before.c's rt_hb_fork_*). */
void rt_ct_lock_all(void);
void rt_ct_unlock_all(void);

/* How many node ids were handed out (statistics): the nodes, and the ids
 * threads took and did not use. */
uint32_t rt_ct_count(void);

#endif
