/*
 * annotate: what the annotation entry points have in common. A program
 * tells racedet about synchronisation it cannot see in one of three
 * spellings: include/racedet.h's (annotations.c), the dynamic annotations
 * of ThreadSanitizer and Helgrind (dynamic_annotations.c:
 * AnnotateHappensBefore, AnnotateRWLockAcquired, ...) and the compiler
 * ABI's __tsan_mutex_*, __tsan_acquire/release and __tsan_ignore_thread_*
 * (tsan_abi.c). Each entry point is one of these calls, so an annotation
 * means the same whichever spelling the program uses. Called on the
 * annotating thread; nothing happens while the runtime is not running (or
 * for happens-before and ignores, while no instrumented code runs).
 */
#ifndef RD_PRELOAD_ANNOTATE_H
#define RD_PRELOAD_ANNOTATE_H

#include "preload.h"

#include <stdbool.h>
#include <stdint.h>

/* Happens-before through an address: a release, and its acquire. */
void annotate_happens_before(const volatile void *addr);
void annotate_happens_after(const volatile void *addr);

/* What the thread's accesses and synchronisation do not count for:
 * delta +1 begins such a region, -1 ends it (regions nest; an end without
 * a begin is ignored). */
enum { ANNOTATE_READS = 1, ANNOTATE_WRITES = 2, ANNOTATE_SYNC = 4 };
void annotate_ignore(unsigned what, int delta);

/* Races on [addr, addr + size) are intended: never reported. */
void annotate_benign_race(const volatile void *addr, uintptr_t size);
/* [addr, addr + size) is new memory (a custom allocator handed it out):
 * its past accesses are forgotten. */
void annotate_new_memory(const volatile void *addr, uintptr_t size);
/* The calling thread's name in reports. */
void annotate_thread_name(const char *name);

/* Custom locks, as the lock events of pthread locks (events.h), with the
 * same lock-order graph, misuse checks and happens-before. c->kind is
 * RT_MUTEX (an exclusive lock) or RT_RWLOCK (one that may be shared: the
 * call's `write` says how it is taken); c->type the lock's type at
 * creation (RT_TYPE_RECURSIVE for a reentrant one), else RT_TYPE_NONE (as
 * created). An exclusive acquisition takes what shared holders released
 * too, as a custom lock may be an rwlock without saying so. */
void annotate_lock_created(const struct rt_sync_call *c);
/* ThreadSanitizer's flags of a lock's creation and destruction: a lock
 * created static exists from the start of the program (its creation may
 * come while it is held and starts no new lock), and destroying it is no
 * destruction; a destroy said to be of a non-static lock is none either
 * unless the lock was created saying so. */
void annotate_lock_created_flags(const struct rt_sync_call *c, unsigned rt_lock_flags);
void annotate_lock_destroyed(const struct rt_sync_call *c);
void annotate_lock_destroyed_flags(const struct rt_sync_call *c, unsigned rt_lock_flags);
/* Before a blocking acquisition (not a trylock): reports a certain
 * self-deadlock, and ends the process when the wait would never end. */
void annotate_lock_wait(const struct rt_sync_call *c);
/* After the acquisition; ok false: a trylock or timed lock failed. */
void annotate_lock_acquired(const struct rt_sync_call *c, bool ok);
/* Before the real release. */
void annotate_lock_released(const struct rt_sync_call *c);

#endif
