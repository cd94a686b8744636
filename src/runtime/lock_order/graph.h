/*
 * graph: what the files of lock_order share (docs/design.md §3). Not for
 * use outside this folder: lock_order.h is the part's interface.
 *
 *   chains.c      the tree of held-lock stacks, found without a lock
 *   lock_graph.c  locks and edges, the topological order of the strongly
 *                 connected components, learning an acquired chain
 *   cycles.c      the contexts of edges inside a component, the search for
 *                 a cycle through a new one, the lock_order_cycle finding
 *
 * Everything here is read and written under lo_lock, except the chain
 * table's lock-free lookup (chains.c says how).
 */
#ifndef RT_LOCK_ORDER_GRAPH_H
#define RT_LOCK_ORDER_GRAPH_H

#include "lock_order.h"

#include <stddef.h>

struct lo_pair;
struct lo_inner;
struct lo_ctx;

/* A lock of the graph: one that was held while another was taken, or
 * taken while another was held. Reached from its lock's graph_node; it
 * needs no pointer back (contexts and chains name the locks). */
struct lo_node {
    /* immediate successors (taken with this one on top): the first one
     * bare, without a pair (most locks have one, and a pair with its table
     * slot costs more than the rest of the node), the others in pairs in
     * m->out */
    struct lo_node *succ;
    /* the acquired chains whose top lock it is: one chain, or (low bit
     * set) a struct lo_chains; most locks have one, and a link in every
     * chain would cost each 8 bytes */
    uintptr_t chains;
    struct lo_member *m;             /* lo_more(): NULL until needed */
    uint32_t ord;                    /* representatives: place in the topological order */
    /* (bit fields: a node of 32 bytes, not 40) */
    uint32_t mark : 30;              /* representatives: traversal stamp (lock_graph.c) */
    uint32_t reach : 1;              /* order_add's traversal: reaches the new edge's source */
    uint32_t held : 1;               /* cycle search: held by a context chosen so far */
};

/* What a lock needs only with a second immediate successor or inside a
 * component of two or more (lo_in_component); alone, it is its own
 * component of one: rep and next are itself, size 1. */
struct lo_member {
    struct lo_pair *out;             /* immediate successors after the node's succ */
    struct lo_node *rep;             /* the component's representative */
    struct lo_node *next;            /* circular list of the component's locks */
    struct lo_pair *inner;           /* edges from this lock to others of its component */
    struct lo_node *old_rep;         /* while components merge: the one it was in */
    unsigned size;                   /* representatives: number of locks */
};

/* An edge from -> to: `to` was taken while `from` was held. Made for the
 * immediate edges, the edges inside components and (record_lock_graph)
 * every edge recorded. */
struct lo_pair {
    struct lo_node *from, *to;
    struct lo_pair *next_out;        /* in from->m->out, once some chain has from right
                                        below to, unless to is from->succ */
    struct lo_inner *in;             /* once both ends are in one component */
    bool immediate;                  /* in from->m->out */
    bool recorded;                   /* an edge line was written (record_lock_graph) */
};

/* What an edge needs only inside a component. */
struct lo_inner {
    struct lo_pair *next;            /* the next edge in from->m->inner */
    struct lo_ctx *ctxs;             /* its contexts, none made redundant */
};

/* One context of an edge inside a component: chain `chain` acquired the
 * edge's `to` while `from` (one of its ancestors) held the edge's `from`. */
struct lo_ctx {
    struct lo_ctx *next;
    const struct rt_chain *chain, *from;
    uint64_t key;                    /* hash of the held set (for the search's memo) */
    bool from_write, to_write;
    bool recorded;                   /* its edge line was written */
    unsigned nheld;
    struct lo_node *held[];          /* from and the gate set, sorted by address */
};

/* A node's acquired chains when it has two or more. */
struct lo_chains {
    unsigned n, cap;
    const struct rt_chain *c[];
};

static inline unsigned lo_node_nchains(const struct lo_node *n)
{
    return n->chains & 1 ? ((const struct lo_chains *)(n->chains - 1))->n : n->chains != 0;
}

/* Its i-th acquired chain, i < lo_node_nchains(n). */
static inline const struct rt_chain *lo_node_chain(const struct lo_node *n, unsigned i)
{
    return n->chains & 1 ? ((const struct lo_chains *)(n->chains - 1))->c[i]
                         : (const struct rt_chain *)n->chains;
}

/* The representative of n's strong component (itself when alone). */
static inline struct lo_node *lo_rep(const struct lo_node *n)
{
    return n->m ? n->m->rep : (struct lo_node *)n;
}

/* Is n in a strongly connected component of two or more locks? */
static inline bool lo_in_component(const struct lo_node *n)
{
    return n->m && (n->m->rep != n || n->m->size > 1);
}

/* n's pairs after its first successor (lo_member.out). */
static inline struct lo_pair *lo_out(const struct lo_node *n)
{
    return n->m ? n->m->out : NULL;
}

extern rt_spin_t lo_lock;
extern unsigned long long lo_steps;  /* rt_graph_search_steps */

/* Memory that lives as long as the process: carved from big blocks. */
void *lo_alloc(size_t size);

/* chains.c: the chain parent + l, found or made (under lo_lock). */
struct rt_chain *lo_chain_get(const struct rt_chain *parent, struct rt_thread *t,
                              struct rt_lock *l, unsigned flags, rt_stack_id stack);
/* Without lo_lock: the chain parent + l, or NULL if there is none yet. */
const struct rt_chain *lo_chain_find(const struct rt_chain *parent, const struct rt_lock *l,
                                     unsigned flags);

/* lock_graph.c */
struct lo_node *lo_node_get(struct rt_lock *l);
/* n's member record, made (a component of one) if it has none. */
struct lo_member *lo_more(struct lo_node *n);
struct lo_pair *lo_pair_get(struct lo_node *from, struct lo_node *to);
struct lo_pair *lo_pair_find(struct lo_node *from, struct lo_node *to);
/* Write the edge line of the context (from -> chain's lock). */
void lo_record_edge(const struct rt_chain *from, const struct rt_chain *chain);

/* cycles.c: a merge made `rep`'s component from smaller ones (each
 * member's m->old_rep says which): take in the contexts of the edges it
 * made inner, without searching (no cycle can be new through them alone). */
void lo_contexts_after_merge(struct lo_node *rep);
/* The acquired chain c is new and its lock is in a component of two or
 * more: take in its contexts inside the component and search each one that
 * is new for a cycle. */
void lo_contexts_of_chain(const struct rt_chain *c);

#endif
