/* test_call_tree: the tree of call paths that names every access's stack
 * (call_tree.h): found again by any thread, lists and index alike. */
#include "races/call_tree.h"
#include "unit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

static struct rt_ct_cache *new_cache(void)
{
    return calloc(1, sizeof(struct rt_ct_cache));
}

/* How many calls lead to n. */
static unsigned depth_of(rt_ct_node n)
{
    unsigned len = 0;
    for (; n != RT_CT_ROOT; n = rt_ct_parent(n))
        len++;
    return len;
}

/* Walk a binary tree of calls `depth` deep (two call sites per level, so
 * 2^depth distinct paths: many more than a thread's cache holds), in order
 * or mirrored, recording each path's node. Every level also makes a leaf
 * with the same pc under every parent, which only the parent tells apart. */
static void walk_calls(struct rt_ct_cache *cache, rt_ct_node n, unsigned depth, unsigned idx,
                       bool mirrored, rt_ct_node *out)
{
    out[idx] = rt_ct_child(cache, n, 0x7000);   /* the leaf of an access */
    if (depth == 0)
        return;
    for (unsigned k = 0; k < 2; k++) {
        unsigned side = mirrored ? 1 - k : k;
        walk_calls(cache, rt_ct_child(cache, n, 0x6000 + side), depth - 1, 2 * idx + 1 + side,
                   mirrored, out);
    }
}

TEST(call_paths_found_again)
{
    enum { DEPTH = 13, PATHS = (2 << DEPTH) - 1 };
    struct rt_ct_cache *c1 = new_cache(), *c2 = new_cache();
    rt_ct_node *first = calloc(PATHS, sizeof *first), *again = calloc(PATHS, sizeof *again);
    rt_ct_node *mirror = calloc(PATHS, sizeof *mirror);
    rt_ct_init();
    walk_calls(c1, RT_CT_ROOT, DEPTH, 0, false, first);
    walk_calls(c1, RT_CT_ROOT, DEPTH, 0, false, again);   /* same thread, same order */
    walk_calls(c2, RT_CT_ROOT, DEPTH, 0, true, mirror);   /* another thread, mirrored */
    for (unsigned i = 0; i < PATHS; i++) {
        CHECK_EQ_INT(again[i], first[i]);
        CHECK_EQ_INT(mirror[i], first[i]);
        CHECK_EQ_INT(rt_ct_pc(first[i]), 0x7000);
        if (i > 0)
            CHECK_EQ_INT(rt_ct_pc(rt_ct_parent(first[i])), 0x6000 + (i - 1) % 2);
        /* the leaf's stack is its path: one call per level down to it */
        unsigned level = 0;
        while ((2u << level) - 1 <= i)
            level++;
        CHECK_EQ_INT(depth_of(first[i]), level + 1);
    }
    free(c1);
    free(c2);
    free(first);
    free(again);
    free(mirror);
}

/* A function with many lines: its children outgrow a list and move to the
 * index, while a thread that has seen none of them (an empty cache) and one
 * that has seen some keep finding the same nodes, before and after. */
TEST(many_children_found_across_the_move)
{
    enum { KIDS = 200 };
    struct rt_ct_cache *c1 = new_cache(), *c2 = new_cache();
    rt_ct_node kids[KIDS], parent;
    rt_ct_init();
    parent = rt_ct_child(c1, RT_CT_ROOT, 0x51000);
    for (unsigned i = 0; i < 10; i++)                    /* a list */
        kids[i] = rt_ct_child(c1, parent, 0x52000 + i);
    for (unsigned i = 0; i < KIDS; i++) {                /* the move, from elsewhere */
        rt_ct_node k = rt_ct_child(c2, parent, 0x52000 + i);
        if (i < 10)
            CHECK_EQ_INT(k, kids[i]);
        kids[i] = k;
    }
    CHECK_EQ_INT(rt_ct_child(c2, RT_CT_ROOT, 0x51000), parent);
    for (unsigned i = 0; i < KIDS; i++) {
        CHECK_EQ_INT(rt_ct_child(c1, parent, 0x52000 + i), kids[i]);
        CHECK_EQ_INT(rt_ct_child_slow(NULL, parent, 0x52000 + i), kids[i]);
        CHECK_EQ_INT(rt_ct_pc(kids[i]), 0x52000 + i);
        CHECK_EQ_INT(rt_ct_parent(kids[i]), parent);
        CHECK(!rt_ct_is_composite(kids[i]));
        for (unsigned j = 0; j < i; j++)
            CHECK(kids[j] != kids[i]);
    }
    free(c1);
    free(c2);
}

/* Composite keys and the highest user pcs survive the node's 48-bit pc. */
TEST(composites_and_high_pcs_round_trip)
{
    struct rt_ct_cache *c = new_cache();
    uintptr_t high = 0x7ffffffff000ull - 1;
    rt_ct_node base, leaf, comp, top;
    rt_ct_init();
    base = rt_ct_child(c, RT_CT_ROOT, 0x61000);
    leaf = rt_ct_child(c, base, 0x62000);
    top = rt_ct_child(c, base, high);
    comp = rt_ct_compose(c, base, leaf, 0xf0);
    CHECK_EQ_INT(rt_ct_pc(top), high);
    CHECK(!rt_ct_is_composite(top));
    CHECK(rt_ct_is_composite(comp));
    CHECK_EQ_INT(rt_ct_parent(comp), base);
    CHECK_EQ_INT(rt_ct_compose(c, base, leaf, 0xf0), comp);
    CHECK(rt_ct_compose(c, base, leaf, 0x0f) != comp);
    for (unsigned byte = 0; byte < 8; byte++)
        CHECK_EQ_INT(rt_ct_resolve(comp, byte), byte >= 4 ? leaf : base);
    free(c);
}

/* Two threads make the same paths at the same moment (a barrier lets them
 * go together), in the same order so that they often meet on one parent:
 * fresh parents with a few children each (lists), then one parent with
 * many (the index). Under any interleaving each path must get one node,
 * the same for both threads. */
enum { RACE_PARENTS = 2000, RACE_KIDS = 4, RACE_MANY = 300 };
struct racer {
    pthread_barrier_t *go;
    rt_ct_node kids[RACE_PARENTS][RACE_KIDS], many[RACE_MANY];
};

static void *make_children(void *arg)
{
    struct racer *r = arg;
    struct rt_ct_cache *c = new_cache();
    rt_ct_node top = rt_ct_child(c, RT_CT_ROOT, 0x71000);
    pthread_barrier_wait(r->go);
    for (unsigned p = 0; p < RACE_PARENTS; p++) {
        rt_ct_node parent = rt_ct_child(c, top, 0x100000 + p);
        for (unsigned k = 0; k < RACE_KIDS; k++)
            r->kids[p][k] = rt_ct_child(c, parent, 0x72000 + k);
    }
    for (unsigned k = 0; k < RACE_MANY; k++)
        r->many[k] = rt_ct_child(c, top, 0x73000 + k);
    free(c);
    return NULL;
}

TEST(threads_making_the_same_paths_share_them)
{
    pthread_barrier_t go;
    struct racer *r = calloc(2, sizeof *r);
    pthread_t t[2];
    rt_ct_init();
    pthread_barrier_init(&go, NULL, 2);
    for (int i = 0; i < 2; i++) {
        r[i].go = &go;
        pthread_create(&t[i], NULL, make_children, &r[i]);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (unsigned p = 0; p < RACE_PARENTS; p++)
        for (unsigned k = 0; k < RACE_KIDS; k++) {
            CHECK_EQ_INT(r[1].kids[p][k], r[0].kids[p][k]);
            CHECK_EQ_INT(rt_ct_pc(r[0].kids[p][k]), 0x72000 + k);
            CHECK_EQ_INT(rt_ct_pc(rt_ct_parent(r[0].kids[p][k])), 0x100000 + p);
            CHECK_EQ_INT(depth_of(r[0].kids[p][k]), 3);
        }
    for (unsigned k = 0; k < RACE_MANY; k++) {
        CHECK_EQ_INT(r[1].many[k], r[0].many[k]);
        CHECK_EQ_INT(rt_ct_pc(r[0].many[k]), 0x73000 + k);
    }
    pthread_barrier_destroy(&go);
    free(r);
}

int main(void)
{
    RUN(call_paths_found_again);
    RUN(many_children_found_across_the_move);
    RUN(composites_and_high_pcs_round_trip);
    RUN(threads_making_the_same_paths_share_them);
    UNIT_DONE();
}
