/*
 * sched_memory: the scheduling points at memory accesses of racedet explore
 * --points=memory (the `schedule` option's `memory`), in code built with
 * racedet-cc.
 *
 * While they are on, every instrumented access takes libracedet.so's whole
 * path (the fast path linked into the program, src/runtime/races/linked/,
 * and the one in tsan_abi.c test preload_sched_memory first: one load and
 * one predictable branch when they are off), and that path makes an access
 * a scheduling point when its location is shared: the shadow holds a cell
 * of another thread for one of its words (another thread accessed it, and
 * no later access of this one, ordered after that one, replaced its cell).
 * A thread's stack, and memory only it has touched, never is one: those
 * points would change nothing another thread can see, and make every run
 * crawl. A location becomes a point once a second thread has touched it:
 * the first thread's accesses before that are not points.
 *
 * Atomic operations have their own point (SCHED_ATOMIC_POINT); accesses a
 * thread ignores (annotations) and the runtime's own are not points.
 */
#include "sched_hooks.h"
#include "races/races.h"

bool preload_sched_memory __asm__(RT_LINKED_NAME("sched_memory")) __attribute__((visibility("default")));

void preload_sched_memory_start(void)
{
    preload_sched_memory = rt_sched_active && rt_sched_points == RT_SCHED_POINTS_MEMORY;
}

/* Does cell c say another thread than h's slot accessed the word? */
static inline bool others(rt_cell c, const struct rt_hb_thread *h)
{
    return !rt_cell_empty(c) && rt_cell_slot(c) != h->slot;
}

/* Has a thread other than h accessed the word of addr (its cells say)? */
static bool word_shared(const struct rt_hb_thread *h, uintptr_t addr)
{
    uintptr_t region = rt_shadow_region_mapped(addr);
    rt_cell *cell0, c;
    if (!region)
        return false; /* nobody accessed anything near it */
    cell0 = rt_shadow_cell_in(region, addr);
    c = rt_cell_load(cell0);
    if (others(c, h))
        return true;
    return (c & RT_CELL_MORE) && others(rt_cell_load(rt_shadow_second(cell0, addr)), h);
}

void preload_sched_memory_point(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size)
{
    struct rt_thread *t;
    uintptr_t word, end = addr + (size ? size : 1);
    bool shared = false;

    if (h->busy)
        return;
    for (word = addr & ~(uintptr_t)7; word < end && !shared; word += 8)
        shared = word_shared(h, word);
    if (!shared)
        return;
    t = preload_enter();
    if (!t)
        return;
    if (rt_sched_controls(t))
        rt_sched_point(t);
    rt_leave(t);
}
