/*
 * location: where the memory of a data race is, and the line that says it:
 * "write of 4 bytes to global `counter` (prog+0x4010)", "read of 8 bytes
 * from a heap block of 64 bytes at offset 8, allocated by T1 at main
 * main.c:40", "write of 4 bytes to the stack of T2", "close of file
 * descriptor 5".
 *
 * The runtime writes it into the finding's details ("location", see
 * docs/record-format.md) with ids local to its record file: a module id, a
 * stack id. rd_location_resolve rewrites it for the report, where those ids
 * mean nothing: the module's path and the global's name, the index of the
 * allocation stack among the finding's stacks. Report documents carry it
 * that way (the JSON renderer writes details as they are), so
 * rd_location_of reads the same thing whether the finding came from records
 * or from a document.
 *
 * Called by model.c while it resolves records, and by the renderers.
 * Single-threaded.
 */
#ifndef RD_REPORT_LOCATION_H
#define RD_REPORT_LOCATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"

enum rd_location_kind {
    RD_LOC_GLOBAL,    /* in a module's data: a global or static variable */
    RD_LOC_HEAP,      /* in a heap block */
    RD_LOC_STACK,     /* on a thread's stack */
    RD_LOC_FD,        /* a file descriptor: closed by one thread, used by another */
    RD_LOC_UNKNOWN,   /* none of those, as far as the runtime knew */
};

struct rd_location {
    enum rd_location_kind kind;
    /* the access made last (the race's "current" one) */
    bool write, atomic;
    uint64_t size;                     /* bytes; 0 when unknown */
    const char *address;               /* "0x...", NULL when unknown */
    /* global */
    const char *name;                  /* the variable, NULL when no symbol covers it */
    const char *module;                /* the module's path, NULL when unknown */
    uint64_t offset;                   /* in the module */
    /* heap */
    bool has_block;                    /* block_size and block_offset are known */
    uint64_t block_size, block_offset;
    const struct rd_stack_info *alloc; /* the allocation stack, NULL when absent */
    /* fd */
    long fd;
    /* heap: the allocating thread; stack: the thread whose stack; -1 unknown */
    long thread;
};

/* The details of a finding read from records, with the location resolved
 * (see above): a new reference; details itself when it has no location. */
json_t *rd_location_resolve(json_t *details, struct rd_process *p,
                            const struct rd_rec_finding *rf, struct rd_symbolizer *sym);

/* The location of a finding. Its strings point into f->details. Returns
 * false when the finding says none (other kinds than data_race). */
bool rd_location_of(const struct rd_finding *f, struct rd_location *loc);

/* The one line that says it (see the top), or NULL when there is no
 * location. Source files under cwd (may be NULL) are shown relative to it.
 * A fresh string. */
char *rd_location_text(const struct rd_finding *f, const char *cwd);

#endif
