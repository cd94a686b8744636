/*
 * core: what every part of the runtime stands on. It knows nothing of lock
 * order, races or deadlocks; the parts (lock_order/, races/, deadlock/) and
 * the event handlers (events/) call it, never the other way round.
 *
 *   runtime.h       start-up, options, the per-call guard (rt_enter), the
 *                   end of the process on a fatal finding (rt_die)
 *   threads.h       every thread of the program and its held-lock set
 *   sync_objects.h  every lock, condition, semaphore, barrier and once the
 *                   program uses (address + generation), and the
 *                   description of one call on it (struct rt_sync_call)
 *   stack.h         call stacks, captured once and kept in a depot
 *   modules.h       which loaded ELF object an address belongs to
 *   record.h        the record file the analyzer reads
 *   findings.h      a finding as data, deduplicated, written to the record
 *   rt_alloc.h rt_buf.h rt_hash.h rt_spin.h
 *                   the runtime's own memory, text buffers, hash tables
 *                   and spinlock (never the program's malloc or mutexes)
 *
 * Threads: any program thread, on the path of an intercepted call, and the
 * deadlock watchdog's thread. Each header says which of its fields need
 * which lock.
 */
#ifndef RT_CORE_H
#define RT_CORE_H

#include "findings.h"
#include "modules.h"
#include "record.h"
#include "rt_alloc.h"
#include "rt_buf.h"
#include "rt_hash.h"
#include "rt_spin.h"
#include "runtime.h"
#include "stack.h"
#include "sync_objects.h"
#include "threads.h"

#endif
