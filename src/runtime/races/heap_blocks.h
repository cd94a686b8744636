/*
 * heap_blocks: the program's live heap blocks (from the malloc family
 * interceptors), so that a race can say which block it is in, at which
 * offset, and where and by which thread the block was allocated. The
 * allocation stack is a call-tree node (call_tree.h): recording it costs a
 * cache probe, not an unwind.
 *
 * Striped open-addressing tables keyed by block address, a 16-byte slot a
 * block (address and thread id packed in one word, 32-bit size and node):
 * 21 to 43 bytes a live block with the free slots, 25 at a million blocks.
 * Blocks of 64 KiB and more are also kept in a list, so that "which block
 * contains this address" is a short backwards scan for small blocks and a
 * list walk for large ones (only done when a race is reported), and so
 * that sizes of 4 GiB and more are kept whole. Any thread.
 */
#ifndef RT_HEAP_BLOCKS_H
#define RT_HEAP_BLOCKS_H

#include "call_tree.h"

#include <stdbool.h>
#include <stdint.h>

struct rt_heap_block {
    uintptr_t addr;
    uintptr_t size;          /* as requested */
    rt_ct_node alloc_node;   /* allocation stack (leaf: the malloc call) */
    int thread;              /* allocating thread id; -1: unknown (also ids
                                past 131070, which the table cannot hold) */
};

/* Addresses from 2^47 up (never a user-space malloc's) are not recorded. */
void rt_heap_add(uintptr_t addr, uintptr_t size, rt_ct_node alloc_node, int thread);
/* Forget the block at addr; its record in *out. False if unknown. */
bool rt_heap_remove(uintptr_t addr, struct rt_heap_block *out);
/* The live block containing addr. */
bool rt_heap_find(uintptr_t addr, struct rt_heap_block *out);

/* fork (runtime.c's atfork handlers): take every lock before, give them
 * back after, in the parent and the child. */
void rt_heap_lock_all(void);
void rt_heap_unlock_all(void);

#endif
