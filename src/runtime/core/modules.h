/*
 * modules: which loaded ELF object an address belongs to.
 *
 * Stacks and lock addresses are recorded as (module, offset from the
 * module's load base) so that the analyzer can symbolize them offline, and
 * so that ids stay stable across runs despite ASLR. The table is built from
 * dl_iterate_phdr and rebuilt when an address is in no known module (after
 * dlopen). Module entries are never removed (dlclose'd code may still be
 * named by recorded stacks). Any thread; internal spinlock.
 */
#ifndef RT_MODULES_H
#define RT_MODULES_H

#include <stdbool.h>
#include <stdint.h>

struct rt_module {
    int id;
    uintptr_t base;          /* dlpi_addr: load bias */
    uintptr_t lo, hi;        /* span of its PT_LOAD segments */
    const char *path;        /* absolute (for a relative name: the file mapped there) */
    unsigned written_epoch;  /* record epoch its line was written in (0: never) */
};

/* The module containing addr, or NULL. */
struct rt_module *rt_module_of(uintptr_t addr);

/* True for addresses inside racedet's own runtime (the shim, or libunwind
 * called by it): such frames are never shown. */
bool rt_module_is_runtime(uintptr_t pc);

/* Remember the objects containing these addresses (the shim itself and the
 * unwinder it calls; either may be NULL) as the runtime's own, whose frames
 * are dropped from stacks. Called once by whoever loads the engine. */
void rt_modules_mark_runtime(const void *in_runtime, const void *in_unwinder);

#endif
