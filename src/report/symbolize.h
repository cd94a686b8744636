/*
 * symbolize: (module path, offset) -> source-level frames and global names.
 *
 * Owns one elfutils Dwfl session per module path, opened on first use, and a
 * cache of every answer per (module, offset). Offsets are what the runtime
 * writes in records: relative to the module's load bias (dlpi_addr), i.e.
 * ELF virtual addresses for PIE executables and shared objects, and plain
 * virtual addresses for non-PIE executables.
 *
 * Called by the model (model.c) while it resolves record files, and by the
 * unit tests. Single-threaded. Never fails: a module file that is missing,
 * unreadable or not ELF gives frames with module and offset only (and one
 * warning, if a warning stream was given).
 */
#ifndef RD_REPORT_SYMBOLIZE_H
#define RD_REPORT_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frame.h"

struct rd_symbolizer;

/* warn: where to say once per module that it cannot be read (NULL: quiet). */
struct rd_symbolizer *rd_symbolizer_new(FILE *warn);
void rd_symbolizer_free(struct rd_symbolizer *s);

/* The frames of one code address, innermost first: when the address is in
 * inlined code, one frame per inline level (all but the last marked
 * inlined), each with the function and the file:line reached in it. There is
 * always at least one frame. The frames' pc is left equal to offset (the
 * caller knows the load base). The array belongs to the symbolizer and stays
 * valid until rd_symbolizer_free. */
size_t rd_symbolize_code(struct rd_symbolizer *s, const char *module, uint64_t offset,
                         const struct rd_frame **frames);

/* The name of the global object holding module+offset, made as precise as
 * the debug info allows: "fork[2]", "accounts[1].mu", "table+8", "lock".
 * A fresh string, or NULL when no symbol covers the address. */
char *rd_symbolize_data(struct rd_symbolizer *s, const char *module, uint64_t offset);

/* Why the module cannot be read, or NULL when it can (opens it if needed). */
const char *rd_symbolizer_module_error(struct rd_symbolizer *s, const char *module);

#endif
