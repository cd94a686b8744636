/*
 * races: data-race detection (docs/design.md "Happens-before", "Shadow
 * memory", "The race check"). It owns the vector clocks of threads and
 * synchronisation objects, the shadow memory of every 8-byte word the
 * instrumented code touches, the call tree its access stacks are kept in,
 * the table of live heap blocks, and the data_race finding.
 *
 * Who calls it, from which thread:
 *   - the event handlers (events/) on every synchronisation event, on the
 *     thread that made it: happens_before.h;
 *   - the ThreadSanitizer ABI entry points (preload/tsan_abi.c, and the
 *     hot ones linked into programs, races/linked/) on every memory access
 *     of instrumented code, on the accessing thread: race_check.h, whose
 *     covered-access check is inline;
 *   - the malloc and memory-function interceptors: heap_blocks.h and
 *     shadow.h (a block's history starts again when it is reused);
 *   - the descriptor interceptors and system-call hooks: fd_objects.h.
 * The rest (call_tree.h, sync_clocks.h, vector_clock.h) is this part's own.
 */
#ifndef RT_RACES_H
#define RT_RACES_H

#include "fd_objects.h"
#include "happens_before.h"
#include "heap_blocks.h"
#include "race_check.h"
#include "shadow.h"

#endif
