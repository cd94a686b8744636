/*
 * linked_abi: the names under which libracedet.so exports what the fast
 * path that racedet-cc links into programs (src/runtime/races/linked/) uses: the thread
 * state, the shadow's region table, the call-tree nodes and the slow
 * paths. The fast path reads the shadow, a thread's hot fields and the
 * nodes itself, so it must come from the same layout as the library. The
 * names carry the layout's version: a program linked against another
 * layout fails to start with an undefined symbol instead of misreading
 * the shadow. Bump RT_LINKED_ABI with any change to those layouts.
 */
#ifndef RT_LINKED_ABI_H
#define RT_LINKED_ABI_H

#define RT_LINKED_ABI "2"
#define RT_LINKED_NAME(name) "__racedet_" name "_v" RT_LINKED_ABI

#endif
