/*
 * happens_before: the synchronisation events that order memory accesses
 * (vector clocks; docs/design.md "Happens-before"). Interceptors call these
 * next to the lock-analysis events, for every synchronisation object:
 *
 *   on_sync_release(t, obj)  t publishes its history to obj: called BEFORE
 *                            the real unlock / post / signal / store-release,
 *                            so that whoever acquires obj next sees it.
 *   on_sync_acquire(t, obj)  t takes obj's history: called AFTER the real
 *                            lock / wait / load-acquire returned.
 *   on_sync_acquire_release  both at once (barrier departure, RMW acq_rel).
 *   on_sync_forget(obj)      the object is destroyed: its clock is dropped.
 *
 * Threads: on_thread_create/start/exit/join in events.h also carry the
 * thread clocks (create -> start, exit -> join).
 *
 * Cheap when the program has no instrumented code (nothing to order): the
 * functions return at once while rt_hb_enabled is false. Any thread.
 */
#ifndef RT_HAPPENS_BEFORE_H
#define RT_HAPPENS_BEFORE_H

#include <stdbool.h>
#include <stdint.h>

struct rt_thread;

/* Set when the first instrumented module calls __tsan_init. */
extern bool rt_hb_enabled;

void on_sync_release(struct rt_thread *t, uintptr_t obj);
void on_sync_acquire(struct rt_thread *t, uintptr_t obj);
void on_sync_acquire_release(struct rt_thread *t, uintptr_t obj);
void on_sync_forget(uintptr_t obj);

#endif
