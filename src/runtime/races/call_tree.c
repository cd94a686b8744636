/* call_tree: see call_tree.h. */
#include "call_tree.h"
#include "core/core.h"
#include "race_check.h"

#include <stdatomic.h>
#include <sys/mman.h>

#define MAX_NODES (1u << 28)   /* 3.5 GiB of address space, committed as used */
#define TAG_SHIFT 28           /* an index entry: child id | 4 bits of its hash */
#define MANY (1u << 31)        /* in newest[]: the children are in the index */
#define LIST_MAX 4             /* children a list holds before the index takes over */
#define ID_CHUNK 32            /* node ids a thread takes at a time */

/* The global index of the children of parents with many children: open
 * addressing over 32-bit entries, each a node id with 4 bits of its hash
 * (so that most mismatches are rejected without reading the node); 0 is a
 * free entry (the root is never a child). At most 3/4 full. A grown table
 * replaces the old one, whose memory is given back: a reader still probing
 * it sees free entries and retries under the lock. */
struct table {
    uint32_t mask;
    uint32_t used;
    _Atomic uint32_t e[];
};

struct rt_ct_node_rec *rt_ct_nodes;
/* Per node: its newest child (the head of its list), | MANY once its
 * children are in the index. The only field of a node that changes. */
static _Atomic uint32_t *newest;
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

static size_t table_bytes(uint32_t size)
{
    return sizeof(struct table) + sizeof(uint32_t) * size;
}

static void *reserve(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static struct table *table_new(uint32_t size)
{
    struct table *t = reserve(table_bytes(size));
    if (t)
        t->mask = size - 1;
    return t;
}

/* The node tables are reserved as large as the address space allows (a
 * program run under `ulimit -v` gets a smaller tree, not an abort), from
 * MAX_NODES down to MIN_NODES. */
#define MIN_NODES (1u << 16)
static uint32_t node_cap;

bool rt_ct_init(void)
{
    bool ok;
    if (atomic_load_explicit(&current, memory_order_acquire))
        return true;
    rt_spin_lock(&init_lock);
    if (!atomic_load_explicit(&current, memory_order_relaxed)) {
        struct table *t = table_new(1u << 12);
        for (uint32_t cap = MAX_NODES; t && cap >= MIN_NODES; cap /= 2) {
            rt_ct_nodes = reserve(sizeof(struct rt_ct_node_rec) * (size_t)cap);
            newest = rt_ct_nodes ? reserve(sizeof(uint32_t) * (size_t)cap) : NULL;
            if (newest) {
                node_cap = cap;
                break;
            }
            if (rt_ct_nodes)
                munmap(rt_ct_nodes, sizeof(struct rt_ct_node_rec) * (size_t)cap);
            rt_ct_nodes = NULL;
        }
        if (node_cap) {
            atomic_store(&nnodes, 1); /* node 0: the root, pc 0, parent 0 */
            atomic_store_explicit(&current, t, memory_order_release);
        } else if (t) {
            munmap(t, table_bytes(1u << 12));
        }
    }
    ok = atomic_load_explicit(&current, memory_order_relaxed) != NULL;
    rt_spin_unlock(&init_lock);
    return ok;
}

static uint32_t sibling_of(uint32_t n)
{
    return rt_ct_nodes[n].sibling;
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
        if (e >> TAG_SHIFT == tag && rt_ct_pc(child) == pc && rt_ct_parent(child) == parent)
            return child;
    }
}

/* Under table_lock: child in the index (once), grown first if need be. */
static struct table *insert(struct table *t, uint32_t child);

/* Under table_lock: a table twice the size, the old one's memory released. */
static struct table *grow(struct table *t)
{
    struct table *n = table_new((t->mask + 1) * 2);
    if (!n) {
        rt_race_out_of_memory("the call tree's index cannot grow");
        return t;
    }
    for (uint32_t i = 0; i <= t->mask; i++) {
        uint32_t e = atomic_load_explicit(&t->e[i], memory_order_relaxed);
        if (e)
            insert(n, e & (MAX_NODES - 1));
    }
    atomic_store_explicit(&current, n, memory_order_release);
    madvise(t, table_bytes(t->mask + 1), MADV_DONTNEED);
    return n;
}

static struct table *insert(struct table *t, uint32_t child)
{
    uint32_t parent = rt_ct_parent(child), slot;
    uintptr_t pc = rt_ct_pc(child);
    if (probe(t, parent, pc, &slot) != 0)
        return t;
    if ((t->used + 1) * 4 > (t->mask + 1) * 3) {
        t = grow(t);
        if (t->used + 1 > t->mask)
            return t; /* could not grow: a probe must still find a free entry */
        probe(t, parent, pc, &slot);
    }
    atomic_store_explicit(&t->e[slot], child | (hash(parent, pc) >> TAG_SHIFT) << TAG_SHIFT,
                          memory_order_release);
    t->used++;
    return t;
}

/* A node id for a new node: from the thread's range when it has one; 0
 * when the tree is full (race detection then stops: rt_race_out_of_memory). */
static uint32_t take_id(struct rt_ct_cache *cache)
{
    uint32_t n = cache ? ID_CHUNK : 1, id;
    if (cache && cache->next != cache->end)
        return cache->next++;
    id = atomic_fetch_add_explicit(&nnodes, n, memory_order_relaxed);
    if (id > node_cap - n) {
        atomic_store_explicit(&nnodes, node_cap, memory_order_relaxed);
        rt_race_out_of_memory("the call tree is full");
        return 0;
    }
    if (cache) {
        cache->next = id + 1;
        cache->end = id + n;
    }
    return id;
}

/* An id taken and not published (another thread made the node first). */
static void give_back(struct rt_ct_cache *cache, uint32_t id)
{
    if (cache && id != 0 && cache->next == id + 1)
        cache->next = id;
}

static void write_node(uint32_t id, uint32_t parent, uintptr_t pc, uint32_t sibling)
{
    __builtin_memcpy(rt_ct_nodes[id].pc, &pc, sizeof rt_ct_nodes[id].pc);
    rt_ct_nodes[id].parent = parent;
    rt_ct_nodes[id].sibling = sibling;
}

/* The child for pc among the list from `from` down to `to` (exclusive);
 * *len counts the children passed. */
static uint32_t in_list(uint32_t from, uint32_t to, uintptr_t pc, unsigned *len)
{
    for (uint32_t c = from; c != to; c = sibling_of(c)) {
        if (rt_ct_pc(c) == pc)
            return c;
        ++*len;
    }
    return 0;
}

/* Move parent's children into the index (under table_lock). Children
 * added to the list meanwhile make the final compare-and-swap fail, and
 * are moved in turn; after it, nobody adds to the list. */
static void list_to_index(uint32_t parent)
{
    uint32_t head = atomic_load_explicit(&newest[parent], memory_order_acquire);
    struct table *t = atomic_load_explicit(&current, memory_order_relaxed);
    while (!(head & MANY)) {
        for (uint32_t c = head; c != 0; c = sibling_of(c))
            t = insert(t, c);
        if (atomic_compare_exchange_strong_explicit(&newest[parent], &head, head | MANY,
                                                    memory_order_release, memory_order_acquire))
            break;
    }
}

/* The child of a parent with many children, made if new; id: a node id
 * already taken for it, or 0. */
static uint32_t in_index(struct rt_ct_cache *cache, uint32_t parent, uintptr_t pc, uint32_t id)
{
    struct table *t = atomic_load_explicit(&current, memory_order_acquire);
    uint32_t child = probe(t, parent, pc, NULL);
    if (child == 0) {
        rt_spin_lock(&table_lock);
        if (!(atomic_load_explicit(&newest[parent], memory_order_acquire) & MANY))
            list_to_index(parent);
        t = atomic_load_explicit(&current, memory_order_relaxed);
        child = probe(t, parent, pc, NULL);
        if (child == 0) {
            child = id ? id : take_id(cache);
            id = 0;
            if (child) {
                write_node(child, parent, pc, 0);
                insert(t, child);
            }
        }
        rt_spin_unlock(&table_lock);
    }
    give_back(cache, id);
    return child;
}

/* The child of parent for pc, made if new. A new child goes to the head of
 * the parent's list with a compare-and-swap; when that fails, the children
 * added meanwhile are looked at before trying again. */
static uint32_t find_or_make(struct rt_ct_cache *cache, uint32_t parent, uintptr_t pc)
{
    uint32_t head = atomic_load_explicit(&newest[parent], memory_order_acquire), id = 0, child;
    unsigned len = 0;
    if (head & MANY)
        return in_index(cache, parent, pc, 0);
    child = in_list(head, 0, pc, &len);
    if (child)
        return child;
    while (len < LIST_MAX) {
        uint32_t seen = head;
        if (id == 0 && (id = take_id(cache)) == 0)
            return RT_CT_ROOT; /* full: no stack (races.h: out of memory) */
        write_node(id, parent, pc, head);
        if (atomic_compare_exchange_strong_explicit(&newest[parent], &seen, id,
                                                    memory_order_release, memory_order_acquire))
            return id;
        if (seen & MANY)
            break;
        child = in_list(seen, head, pc, &len);
        if (child) {
            give_back(cache, id);
            return child;
        }
        head = seen;
    }
    return in_index(cache, parent, pc, id);
}

rt_ct_node rt_ct_child_slow(struct rt_ct_cache *cache, rt_ct_node parent, uintptr_t key)
{
    uint32_t child = find_or_make(cache, parent, key & RT_CT_PC_MASK);
    if (cache) {
        unsigned slot = rt_ct_cache_slot(parent, key);
        cache->e[slot].pc = key;
        cache->e[slot].parent = parent;
        cache->e[slot].child = child;
    }
    return child;
}

rt_ct_node rt_ct_resolve(rt_ct_node n, unsigned byte)
{
    while (rt_ct_is_composite(n)) {
        uintptr_t key = rt_ct_pc(n);
        n = (key >> 32) & (1u << byte) ? (rt_ct_node)key : rt_ct_parent(n);
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
        n = rt_ct_parent(n);
    if (top_pc && !rt_module_is_runtime(top_pc))
        pcs[k++] = top_pc;
    for (; n != RT_CT_ROOT; n = rt_ct_parent(n)) {
        uintptr_t pc = rt_ct_pc(n);
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
