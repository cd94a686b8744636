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

void preload_sched_memory_point(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size)
{
    struct rt_thread *t;

    if (h->busy || !rt_race_location_shared(h, addr, size ? size : 1))
        return;
    t = preload_enter();
    if (!t)
        return;
    if (rt_sched_controls(t))
        rt_sched_point(t);
    rt_leave(t);
}
