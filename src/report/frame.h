/*
 * frame: one symbolized stack frame, the unit every report is made of.
 *
 * Filled in by the symbolizer (from record files) or by the JSON reader
 * (from a racedet JSON document); read by the renderers. A frame owns its
 * strings. Single-threaded, like all of the analyzer.
 */
#ifndef RD_REPORT_FRAME_H
#define RD_REPORT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd_frame {
    uint64_t pc;      /* absolute address in the process: module base + offset */
    char *module;     /* absolute path of the ELF object; NULL: in no known module */
    uint64_t offset;  /* module-relative (ELF vaddr); the absolute pc when module is NULL */
    char *function;   /* NULL: unknown */
    char *file;       /* source file as the debug info names it; NULL: unknown */
    int line;         /* 0: unknown */
    bool inlined;     /* an inlined call, shown inside the next (outer) frame */
};

/* Deep copy (dst is overwritten, not freed). */
void rd_frame_copy(struct rd_frame *dst, const struct rd_frame *src);
/* Free the strings of one frame / of an array of n frames and the array. */
void rd_frame_clear(struct rd_frame *f);
void rd_frames_free(struct rd_frame *v, size_t n);
/* Deep copy of an array of n frames (NULL when n is 0). */
struct rd_frame *rd_frames_dup(const struct rd_frame *v, size_t n);

/* Last path component ("" stays ""; NULL stays NULL). */
const char *rd_basename(const char *path);

#endif
