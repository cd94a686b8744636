/*
 * model: the report model, everything a report says, filled in first and
 * rendered afterwards.
 *
 * Two levels:
 *   - per process, the tables of a record file as written by the runtime
 *     (modules, raw stacks, threads, locks, lock-order edges, findings that
 *     refer to them by id). Filled in by record_reader.c.
 *   - the resolved report: processes, findings that are self-contained
 *     (symbolized frames, thread and lock descriptions, summary with names
 *     substituted, stable id, occurrence count), and the lock-order graph.
 *     Filled in by rd_model_finish() from the tables, and directly by
 *     json_reader.c from a racedet JSON document. The renderers read only
 *     this level.
 *
 * Findings are deduplicated by their stable id across all processes and all
 * input files: the first is kept, later ones only add to its occurrence
 * count and its list of pids.
 *
 * Used by the readers, the renderers and src/cli. Single-threaded.
 */
#ifndef RD_REPORT_MODEL_H
#define RD_REPORT_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <uthash.h>

#include "frame.h"

struct rd_symbolizer;

/* ---- record tables (one process, ids local to its record file) ---------- */

struct rd_raw_frame {
    long module;      /* module id, -1: in no known module (offset is the pc) */
    uint64_t offset;
};

struct rd_rec_module {
    long id;
    char *path;
    uint64_t base;
    UT_hash_handle hh;
};

struct rd_rec_stack {
    long id;
    struct rd_raw_frame *raw;
    size_t nraw;
    /* Symbolized when rd_model_finish first needs them (a finding's or a
     * lock graph edge's stack): raw frames expanded with inline levels. */
    struct rd_frame *frames;
    size_t nframes;
    bool symbolized;
    UT_hash_handle hh;
};

struct rd_rec_thread {
    long id, parent, create_stack;
    char *name;       /* "" when unnamed */
    UT_hash_handle hh;
};

struct rd_rec_lock {
    long id;
    char *kind, *type;
    uint64_t addr;
    long module;      /* -1: heap or stack */
    uint64_t offset;
    long init_stack;
    char *name;       /* global's name, set by rd_model_finish when it names
                         the lock; NULL otherwise */
    bool named;       /* name looked up */
    UT_hash_handle hh;
};

struct rd_rec_edge {
    long from, to, thread, from_stack, to_stack;
    bool trylock;
    bool in_cycle;    /* set by rd_model_finish */
};

struct rd_rec_stackref {
    char *role;
    long thread, stack;
};

struct rd_rec_finding {
    char *kind, *summary;
    long *threads;
    size_t nthreads;
    long *locks;
    size_t nlocks;
    struct rd_rec_stackref *stacks;
    size_t nstacks;
    json_t *details;  /* owned reference, or NULL */
    char *where;      /* "FILE:LINE" of the record, for warnings */
};

/* ---- resolved report ------------------------------------------------------ */

struct rd_process {
    long pid, ppid;
    char *exe;
    char **argv;
    size_t argc;
    int64_t time_ns;
    bool has_exit;    /* how it ended is known (process_exit.h) */
    long exit_status; /* -1: not known (main returned: the runtime saw no exit
                         call); 128+N when killed by signal N */
    char *exit_how;   /* "exit", "return", "fatal" (the runtime's words) or
                         "signal" */
    int exit_signal;  /* the signal that killed it (how "signal"), else 0 */
    char *source;     /* the file it was read from */
    bool duplicate;   /* the same process as an earlier one (the same run read
                         twice, e.g. its JSON report and its records): not
                         listed or counted again */

    /* Record tables; empty for processes read from a JSON document. */
    bool from_records, finished;
    /* While rd_model_finish resolves it: stacks and lock names are looked
     * up only when something shown needs them (a big binary's every
     * recorded frame would cost seconds to symbolize). */
    struct rd_symbolizer *sym;
    FILE *warn;
    struct rd_rec_module *modules;
    struct rd_rec_stack *stacks;
    struct rd_rec_thread *threads;
    struct rd_rec_lock *locks;
    struct rd_rec_edge *edges;
    size_t nedges, capedges;
    struct rd_rec_finding *findings;
    size_t nfindings, capfindings;
};

struct rd_thread_info {
    long id;
    char *name;                  /* NULL when unnamed */
    long parent;                 /* -1: none */
    struct rd_frame *create;     /* creation stack */
    size_t ncreate;
    bool has_create;             /* false: main thread or not recorded */
    char *create_unavailable;    /* set when the creation stack could not be resolved */
};

struct rd_lock_info {
    char *id;                    /* "PID:N" */
    char *kind, *type;
    char *name;                  /* global's name, NULL for heap/stack locks */
    char *addr;                  /* "0x..." */
};

struct rd_stack_info {
    char *role;
    long thread;
    struct rd_frame *frames;
    size_t nframes;
    char *unavailable;           /* why there are no frames; NULL normally */
};

struct rd_finding {
    char *kind;
    char *id;                    /* 16 lowercase hex digits */
    char *summary;
    long pid;                    /* process of the first occurrence */
    long occurrences;
    long *pids;                  /* every process it occurred in, no repeats */
    size_t npids, cappids;
    struct rd_thread_info *threads;
    size_t nthreads;
    struct rd_lock_info *locks;
    size_t nlocks;
    struct rd_stack_info *stacks;
    size_t nstacks;
    json_t *details;             /* owned reference to an object, or NULL */
    UT_hash_handle hh;           /* by id, for deduplication */
};

struct rd_graph_lock {
    char *id, *kind, *name, *addr; /* name NULL for heap/stack locks */
};

struct rd_graph_edge {
    char *from, *to;             /* lock ids "PID:N" */
    long thread;
    bool has_from_frame, has_to_frame;
    struct rd_frame from_frame, to_frame;
    bool trylock, in_cycle;
};

struct rd_model_index; /* model.c: lookups of graph locks and edges by id */

/* A suppression rule and how many findings it took out of the report
 * (suppressions.c fills these in; the renderers say them). */
struct rd_suppressed {
    char *rule;                  /* "kind:pattern" */
    char *file;                  /* the suppression file */
    long line;
    long count;
};

struct rd_model {
    struct rd_process **procs;
    size_t nprocs, capprocs;
    struct rd_finding **findings; /* deduplicated, in order of first occurrence */
    size_t nfindings, capfindings;
    struct rd_finding *by_id;
    struct rd_graph_lock *glocks;
    size_t nglocks, capglocks;
    struct rd_graph_edge *gedges;
    size_t ngedges, capgedges;
    struct rd_model_index *index;
    struct rd_suppressed *suppressed; /* every rule applied, in file order */
    size_t nsuppressed, capsuppressed;
    json_t *explore;             /* racedet explore: what its runs found (an owned
                                    object, rendered as is); NULL otherwise */
};

struct rd_model *rd_model_new(void);
void rd_model_free(struct rd_model *m);

/* A new, empty process (pid and ppid -1), not yet in any model. */
struct rd_process *rd_process_new(void);
void rd_process_free(struct rd_process *p);
/* Append p to the model, which owns it from now on. Marks it duplicate
 * when an earlier process has the same pid, ppid and exe (and, when both come
 * from records, the same start time). */
void rd_model_add_process(struct rd_model *m, struct rd_process *p);

/* Order the processes read from record files by start time (stable), so
 * that a parent comes before the children it forked. */
void rd_model_sort_processes(struct rd_model *m);

/* Resolve every process read from records and not yet finished: symbolize
 * its stacks, name its locks, turn its findings into resolved findings
 * (deduplicated into the model) and its edges into the lock graph.
 * Warnings (undefined ids, unreadable modules) go to warn. */
void rd_model_finish(struct rd_model *m, struct rd_symbolizer *sym, FILE *warn);

/* Take a resolved finding (the model owns it from now on): either add it, or
 * merge it into the finding with the same id and free it. f->occurrences and
 * f->pids are added to the kept one's. Returns the kept finding. */
struct rd_finding *rd_model_add_finding(struct rd_model *m, struct rd_finding *f);

void rd_finding_free(struct rd_finding *f);

/* The stable id of a finding from its kind and stacks: FNV-1a 64 over kind,
 * "\n", and the sorted keys ("function@file-basename:line" of frame 0, or
 * "module-basename+0xoffset") of its stacks, one per line. Writes 16 hex
 * digits and a NUL into out. */
void rd_finding_compute_id(const struct rd_finding *f, char out[17]);

/* Add a lock / an edge to the lock graph unless one with the same id / the
 * same (from, to, thread) is there. The model copies what it keeps. An edge
 * added again only ORs in_cycle into the one kept. */
void rd_model_add_graph_lock(struct rd_model *m, const struct rd_graph_lock *l);
void rd_model_add_graph_edge(struct rd_model *m, const struct rd_graph_edge *e);

/* Record that a suppression rule took count findings out (added to the
 * count of the same rule from the same file and line if it is there). */
void rd_model_add_suppressed(struct rd_model *m, const char *rule, const char *file, long line,
                             long count);
/* How many findings suppression rules took out, in all. */
long rd_model_nsuppressed_findings(const struct rd_model *m);

/* Whether a finding kind is well formed: [a-z0-9_]+, at most 64 bytes. */
bool rd_kind_valid(const char *kind);

/* "mutex `fork[2]`" or "mutex 0x7f3a2c000b70". Fresh string. */
char *rd_lock_describe(const char *kind, const char *name, const char *addr);

/* "T3" or "T3 (worker)". Fresh string. */
char *rd_thread_label(long id, const char *name);

/* The name of thread id among the finding's threads; NULL when it has none
 * or is not there. */
const char *rd_finding_thread_name(const struct rd_finding *f, long id);

/* The lookups the readers and the model use on the record tables. */
struct rd_rec_module *rd_process_module(struct rd_process *p, long id);
struct rd_rec_stack *rd_process_stack(struct rd_process *p, long id);
struct rd_rec_thread *rd_process_thread(struct rd_process *p, long id);
struct rd_rec_lock *rd_process_lock(struct rd_process *p, long id);

/* How many distinct processes (duplicates not counted). */
size_t rd_model_nprocesses(const struct rd_model *m);

/* Count of findings per kind, for summary lines: fills kinds/counts (both
 * arrays of m->nfindings entries at most, kinds sorted by name) and returns
 * how many kinds there are. kinds point into the findings. */
size_t rd_model_count_kinds(const struct rd_model *m, const char **kinds, size_t *counts);

#endif
