/*
 * race_report: turns a race found by race_check into a data_race finding:
 * both accesses with their full stacks (the current one from the thread's
 * call path, the earlier one from the call-tree node stored with its cell),
 * the two threads, and where the memory is (a global of a module, a heap
 * block with its allocation stack and thread, or a thread's stack).
 * Each pair of access pcs is reported once.
 */
#include "core/core.h"
#include "fd_objects.h"
#include "heap_blocks.h"
#include "race_check.h"

#include <stdatomic.h>
#include <stdio.h>

bool rt_race_report_enabled = true;
static atomic_uint nraces;
static struct rt_race_previous last_previous;

/* The pc pairs already reported: open addressing, grown under the lock. */
static rt_spin_t seen_lock = RT_SPIN_INIT;
static uint64_t *seen;
static uint32_t seen_cap, seen_used;

void rt_race_init(void)
{
}

/* ---- ranges annotated as benign races ---------------------------------------------- */

/* Few (one per annotated variable), looked at only when a race is found:
 * an array, grown under the lock, read under it. */
static rt_spin_t benign_lock = RT_SPIN_INIT;
static struct benign { uintptr_t lo, hi; } *benign;
static uint32_t nbenign, capbenign;

void rt_race_benign(uintptr_t addr, uintptr_t size)
{
    uintptr_t hi = addr + size < addr ? UINTPTR_MAX : addr + size;
    if (size == 0)
        return;
    rt_spin_lock(&benign_lock);
    if (nbenign == capbenign) {
        uint32_t ncap = capbenign ? capbenign * 2 : 16;
        benign = rt_realloc(benign, sizeof *benign * capbenign, sizeof *benign * ncap);
        capbenign = ncap;
    }
    benign[nbenign++] = (struct benign){addr, hi};
    rt_spin_unlock(&benign_lock);
}

/* Do the bytes [lo, hi) of a race overlap a benign range? */
static bool is_benign(uintptr_t lo, uintptr_t hi)
{
    bool found = false;
    if (__atomic_load_n(&nbenign, __ATOMIC_RELAXED) == 0)
        return false;
    rt_spin_lock(&benign_lock);
    for (uint32_t i = 0; i < nbenign && !found; i++)
        found = benign[i].lo < hi && lo < benign[i].hi;
    rt_spin_unlock(&benign_lock);
    return found;
}

void rt_race_lock_all(void)
{
    rt_spin_lock(&seen_lock);
    rt_spin_lock(&benign_lock);
}

void rt_race_unlock_all(void)
{
    rt_spin_unlock(&benign_lock);
    rt_spin_unlock(&seen_lock);
}

unsigned rt_race_count(void)
{
    return atomic_load(&nraces);
}

struct rt_race_previous rt_race_last_previous(void)
{
    return last_previous;
}

static bool seen_insert_locked(uint64_t key)
{
    uint32_t i;
    if ((seen_used + 1) * 2 > seen_cap) {
        uint32_t ncap = seen_cap ? seen_cap * 2 : 1024;
        uint64_t *n = rt_alloc(sizeof *n * ncap);
        for (uint32_t k = 0; k < seen_cap; k++) {
            if (!seen[k])
                continue;
            for (i = (uint32_t)rt_mix64(seen[k]) & (ncap - 1); n[i]; i = (i + 1) & (ncap - 1))
                ;
            n[i] = seen[k];
        }
        if (seen)
            rt_free(seen, sizeof *seen * seen_cap);
        seen = n;
        seen_cap = ncap;
    }
    for (i = (uint32_t)rt_mix64(key) & (seen_cap - 1); seen[i]; i = (i + 1) & (seen_cap - 1))
        if (seen[i] == key)
            return false;
    seen[i] = key;
    seen_used++;
    return true;
}

/* True the first time this (unordered) pair of pcs is seen. */
static bool first_time(uintptr_t pc1, uintptr_t pc2)
{
    uintptr_t lo = pc1 < pc2 ? pc1 : pc2, hi = pc1 < pc2 ? pc2 : pc1;
    uint64_t key = rt_mix64(lo * 0x9e3779b97f4a7c15ull ^ rt_mix64(hi)) | 1;
    bool first;
    rt_spin_lock(&seen_lock);
    first = seen_insert_locked(key);
    rt_spin_unlock(&seen_lock);
    return first;
}

static const char *what(unsigned kind)
{
    if (kind & RT_ACCESS_ATOMIC)
        return kind & RT_ACCESS_WRITE ? "atomic write" : "atomic read";
    return kind & RT_ACCESS_WRITE ? "write" : "read";
}

static void access_json(struct rt_buf *b, const char *name, unsigned kind, unsigned size,
                        bool free)
{
    rt_buf_printf(b, ",\"%s\":{\"write\":%s,\"size\":%u,\"atomic\":%s,\"free\":%s}", name,
                  kind & RT_ACCESS_WRITE ? "true" : "false", size,
                  kind & RT_ACCESS_ATOMIC ? "true" : "false", free ? "true" : "false");
}

/* One access of a race, out of its cell: the line that accessed `byte`
 * (cells can hold several lines' accesses, call_tree.h), whether it
 * wrote, and how many of the cell's bytes that line accessed so. */
static rt_ct_node line_access(rt_cell prev, rt_ct_node node, unsigned byte, unsigned *kind,
                              unsigned *size)
{
    rt_ct_node leaf = rt_ct_resolve(node, byte);
    uint32_t acc = rt_cell_acc(prev), wr = rt_cell_wr(prev);
    bool wrote = (wr >> byte) & 1;
    *kind = (wrote ? RT_ACCESS_WRITE : 0) | (rt_cell_atomic(prev) ? RT_ACCESS_ATOMIC : 0);
    *size = 0;
    for (unsigned k = 0; k < 8; k++)
        if (((acc >> k) & 1) && ((wr >> k) & 1) == wrote &&
            (node == leaf || rt_ct_resolve(node, k) == leaf))
            ++*size;
    return leaf;
}

/* Which thread's stack holds addr (-1: none); a thread that ended keeps
 * its stack until it is joined. */
static int stack_owner(uintptr_t addr)
{
    struct rt_thread **live = NULL;
    size_t cap = 0;
    unsigned n = rt_threads_unreleased(&live, &cap);
    int owner = -1;
    for (unsigned i = 0; i < n && owner < 0; i++) {
        struct rt_hb_thread *h = live[i]->hb;
        if (h && addr >= h->stack_lo && addr < h->stack_hi)
            owner = live[i]->id;
    }
    if (live)
        rt_free(live, sizeof *live * cap);
    return owner;
}

void rt_race_report(struct rt_hb_thread *h, uintptr_t word, rt_cell cur, rt_ct_node cur_node,
                    rt_cell prev, rt_ct_node prev_node)
{
    uint32_t conflict =
        (rt_cell_wr(prev) & rt_cell_acc(cur)) | (rt_cell_acc(prev) & rt_cell_wr(cur));
    unsigned byte = conflict ? (unsigned)__builtin_ctz(conflict) : 0;
    uintptr_t addr = word + byte, pc;
    unsigned cur_size, prev_size, cf, pf;
    struct rt_thread *self = h->thread, *other;
    struct rt_role_stack stacks[3];
    struct rt_thread *threads[3];
    struct rt_heap_block block;
    struct rt_module *mod;
    struct rt_buf b = {0};
    char roles[3][96], summary[256];
    int nstacks = 0, nthreads = 0, other_id, was_in_runtime = 0, fd;
    bool freeing = rt_race_freeing, prev_freed = false;

    if (!self)
        return;
    if (conflict && is_benign(word + byte, word + 32 - (unsigned)__builtin_clz(conflict)))
        return;
    /* the current access may be several of this thread's, held back
     * (race_check.c): the one that accessed the byte */
    cur_node = line_access(cur, cur_node, byte, &cf, &cur_size);
    if (rt_ct_pc(cur_node) == RT_CT_FREE_PC)
        cur_node = rt_ct_parent(cur_node); /* a free's marker: the free's call */
    pc = rt_ct_pc(cur_node);
    prev_node = line_access(prev, prev_node, byte, &pf, &prev_size);
    if (prev_node == RT_CT_ROOT || cur_node == RT_CT_ROOT)
        return; /* no stack for an access: never report half a race */
    if (rt_ct_pc(prev_node) == RT_CT_FREE_PC) {
        prev_freed = true; /* the marker leaf: its parent is the free's call */
        prev_node = rt_ct_parent(prev_node);
    }
    last_previous = (struct rt_race_previous){rt_ct_pc(prev_node), pf, prev_size, prev_freed, pc};
    atomic_fetch_add(&nraces, 1);
    if (!rt_race_report_enabled || !first_time(pc, rt_ct_pc(prev_node)))
        return;
    other_id = rt_hb_slot_owner(rt_cell_slot(prev), rt_cell_epoch(prev));
    other = other_id >= 0 ? rt_thread_by_id(other_id) : NULL;
    if (!other)
        return;
    h->busy++;
    was_in_runtime = self->in_runtime;
    self->in_runtime = 1;

    fd = rt_fd_of_location(addr);
    if (fd >= 0) {
        /* a descriptor (fd_objects.h): a write is a close (or an open, which
         * starts a new history and so is never the later access) */
        snprintf(roles[0], sizeof roles[0], "%s of file descriptor %d by {thread:%d}",
                 rt_cell_wr(cur) ? "close" : "use", fd, self->id);
        snprintf(roles[1], sizeof roles[1], "previous %s of file descriptor %d by {thread:%d}",
                 pf & RT_ACCESS_WRITE ? "open or close" : "use", fd, other->id);
    } else if (freeing)
        snprintf(roles[0], sizeof roles[0], "free by {thread:%d}", self->id);
    else
        snprintf(roles[0], sizeof roles[0], "%s of size %u by {thread:%d}", what(cf), cur_size,
                 self->id);
    if (fd >= 0)
        ; /* above */
    else if (prev_freed)
        snprintf(roles[1], sizeof roles[1], "previous free by {thread:%d}", other->id);
    else
        snprintf(roles[1], sizeof roles[1], "previous %s of size %u by {thread:%d}", what(pf),
                 prev_size, other->id);
    stacks[nstacks++] = (struct rt_role_stack){roles[0], self->id, rt_ct_stack(cur_node, 0)};
    stacks[nstacks++] = (struct rt_role_stack){roles[1], other->id, rt_ct_stack(prev_node, 0)};
    threads[nthreads++] = self;
    if (other != self)
        threads[nthreads++] = other;

    rt_buf_printf(&b, "{\"address\":\"0x%lx\",\"size\":%u", (unsigned long)addr, cur_size);
    access_json(&b, "current", cf, cur_size, freeing);
    access_json(&b, "previous", pf, prev_size, prev_freed);
    if (freeing || prev_freed)
        rt_buf_printf(&b, ",\"freed\":\"%s\"",
                      prev_freed ? "use after free" : "free of memory in use");
    mod = rt_module_of(addr);
    if (fd >= 0) {
        rt_buf_printf(&b, ",\"location\":{\"kind\":\"fd\",\"fd\":%d}", fd);
    } else if (mod && !rt_module_is_runtime(addr)) {
        uintptr_t off = 0;
        int id;
        rt_record_lock();
        id = rt_record_def_module(addr, &off);
        rt_record_unlock();
        rt_buf_printf(&b, ",\"location\":{\"kind\":\"global\",\"module\":%d,\"offset\":%lu}", id,
                      (unsigned long)off);
    } else if (rt_heap_find(addr, &block)) {
        struct rt_thread *at = rt_thread_by_id(block.thread);
        rt_stack_id as = rt_ct_stack(block.alloc_node, 0);
        rt_buf_printf(&b, ",\"location\":{\"kind\":\"heap\",\"block\":\"0x%lx\",\"block_size\":%lu,"
                          "\"block_offset\":%lu,\"alloc_stack\":%u,\"alloc_thread\":%d}",
                      (unsigned long)block.addr, (unsigned long)block.size,
                      (unsigned long)(addr - block.addr), as, block.thread);
        snprintf(roles[2], sizeof roles[2], "allocated by {thread:%d}", block.thread);
        stacks[nstacks++] = (struct rt_role_stack){roles[2], block.thread, as};
        if (at && at != self && at != other)
            threads[nthreads++] = at;
    } else {
        int owner = stack_owner(addr);
        if (owner >= 0)
            rt_buf_printf(&b, ",\"location\":{\"kind\":\"stack\",\"stack_thread\":%d}", owner);
        else
            rt_buf_puts(&b, ",\"location\":{\"kind\":\"unknown\"}");
    }
    rt_buf_putc(&b, '}');
    if (fd >= 0)
        snprintf(summary, sizeof summary,
                 "data race on file descriptor %d: %s by {thread:%d} and an unordered previous "
                 "%s by {thread:%d}",
                 fd, rt_cell_wr(cur) ? "close" : "use", self->id,
                 pf & RT_ACCESS_WRITE ? "open or close" : "use", other->id);
    else if (prev_freed)
        snprintf(summary, sizeof summary,
                 "data race (use after free): %s of size %u by {thread:%d} of memory freed by "
                 "{thread:%d}, not ordered after the free",
                 what(cf), cur_size, self->id, other->id);
    else if (freeing)
        snprintf(summary, sizeof summary,
                 "data race (free of memory in use): free by {thread:%d} and an unordered "
                 "previous %s of size %u by {thread:%d}",
                 self->id, what(pf), prev_size, other->id);
    else
        snprintf(summary, sizeof summary,
                 "data race: %s of size %u by {thread:%d} and an unordered previous %s of size "
                 "%u by {thread:%d}",
                 what(cf), cur_size, self->id, what(pf), prev_size, other->id);
    rt_finding_emit("data_race", summary, threads, nthreads, NULL, 0, stacks, nstacks, b.p);
    rt_buf_free(&b);
    self->in_runtime = was_in_runtime;
    h->busy--;
}
