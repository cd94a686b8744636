/* heap_blocks: see heap_blocks.h. */
#include "heap_blocks.h"
#include "rt_alloc.h"
#include "rt_hash.h"
#include "rt_spin.h"

#include <string.h>

#define NSTRIPES 256u
#define LARGE (64u * 1024u)

struct entry {
    UT_hash_handle hh;
    struct rt_heap_block b;
};

struct stripe {
    rt_spin_t lock;
    struct entry *blocks;
    struct entry *free_list;     /* recycled entries (linked through hh.next) */
};

static struct stripe stripes[NSTRIPES];

struct large {
    struct large *next;
    uintptr_t addr, size;
};
static rt_spin_t large_lock = RT_SPIN_INIT;
static struct large *larges;

static struct stripe *stripe_of(uintptr_t addr)
{
    return &stripes[rt_mix64(addr >> 4) % NSTRIPES];
}

void rt_heap_add(uintptr_t addr, uintptr_t size, rt_ct_node alloc_node, int thread)
{
    struct stripe *s = stripe_of(addr);
    struct entry *e, *old;
    rt_spin_lock(&s->lock);
    HASH_FIND(hh, s->blocks, &addr, sizeof addr, old);
    if (old) {
        /* a block we missed the free of (freed by code we do not see) */
        HASH_DEL(s->blocks, old);
        old->hh.next = s->free_list;
        s->free_list = old;
    }
    if (s->free_list) {
        e = s->free_list;
        s->free_list = e->hh.next;
        memset(e, 0, sizeof *e);
    } else {
        e = rt_alloc(sizeof *e);
    }
    e->b = (struct rt_heap_block){addr, size, alloc_node, thread};
    HASH_ADD(hh, s->blocks, b.addr, sizeof e->b.addr, e);
    rt_spin_unlock(&s->lock);
    if (size >= LARGE) {
        struct large *l = rt_alloc(sizeof *l);
        l->addr = addr;
        l->size = size;
        rt_spin_lock(&large_lock);
        l->next = larges;
        larges = l;
        rt_spin_unlock(&large_lock);
    }
}

bool rt_heap_remove(uintptr_t addr, struct rt_heap_block *out)
{
    struct stripe *s = stripe_of(addr);
    struct entry *e;
    rt_spin_lock(&s->lock);
    HASH_FIND(hh, s->blocks, &addr, sizeof addr, e);
    if (!e) {
        rt_spin_unlock(&s->lock);
        return false;
    }
    *out = e->b;
    HASH_DEL(s->blocks, e);
    e->hh.next = s->free_list;
    s->free_list = e;
    rt_spin_unlock(&s->lock);
    if (out->size >= LARGE) {
        struct large **p, *l = NULL;
        rt_spin_lock(&large_lock);
        for (p = &larges; *p; p = &(*p)->next) {
            if ((*p)->addr == addr) {
                l = *p;
                *p = l->next;
                break;
            }
        }
        rt_spin_unlock(&large_lock);
        if (l)
            rt_free(l, sizeof *l);
    }
    return true;
}

static bool lookup(uintptr_t addr, struct rt_heap_block *out)
{
    struct stripe *s = stripe_of(addr);
    struct entry *e;
    bool found = false;
    rt_spin_lock(&s->lock);
    HASH_FIND(hh, s->blocks, &addr, sizeof addr, e);
    if (e) {
        *out = e->b;
        found = true;
    }
    rt_spin_unlock(&s->lock);
    return found;
}

bool rt_heap_find(uintptr_t addr, struct rt_heap_block *out)
{
    uintptr_t start = 0;
    struct rt_heap_block b;
    rt_spin_lock(&large_lock);
    for (struct large *l = larges; l; l = l->next)
        if (addr >= l->addr && addr < l->addr + l->size)
            start = l->addr;
    rt_spin_unlock(&large_lock);
    if (start && lookup(start, out))
        return true;
    /* small blocks: malloc aligns to 16 bytes; look back at most LARGE */
    for (uintptr_t a = addr & ~(uintptr_t)15, n = 0; n <= LARGE / 16 && a > 0; a -= 16, n++) {
        if (lookup(a, &b)) {
            if (addr < b.addr + (b.size ? b.size : 1)) {
                *out = b;
                return true;
            }
            return false; /* the nearest block below ends before addr */
        }
    }
    return false;
}
