/*
 * record: writes what the runtime learns to the record file
 * (docs/record-format.md), one line per write(2), as soon as it is known,
 * so that nothing is lost when the program crashes or is killed.
 *
 * Every id a line uses is defined by its own line first; whether a thing's
 * line was written is kept as the "record epoch" it was written in, and a
 * forked child starts a new file and a new epoch so its file is complete on
 * its own. All writing happens under the record lock (rt_record_lock), which
 * also orders definitions before uses across threads. Any thread.
 */
#ifndef RT_RECORD_H
#define RT_RECORD_H

#include "rt_buf.h"
#include "stack.h"

#include <stdbool.h>
#include <stdint.h>

struct rt_thread;
struct rt_lock;

/* Open the record: in `dir` as racedet.<pid>.<n>.jsonl, or, with dir NULL,
 * a temporary file (made at the first line; if it cannot be, the process
 * stops being watched: rt_stop_watching). Writes the process line. Returns
 * 0, or -1 with a one-line reason in err. */
int rt_record_open(const char *dir, char *err, size_t errlen);
/* Path of the open record file ("" if none). */
const char *rt_record_path(void);
/* Whether lock-order edges are worth recording (only when an analyzer
 * will draw the graph: under racedet run). */
bool rt_record_keeps_graph(void);
bool rt_record_is_open(void);

void rt_record_lock(void);
void rt_record_unlock(void);

/* Under the record lock: make sure the line defining this thing is
 * written (and pin what must not be recycled). */
void rt_record_def_stack(rt_stack_id id);
/* The module containing addr (its line written if needed): its id, and
 * addr's offset from the module base in *offset; -1 if in no module. */
int rt_record_def_module(uintptr_t addr, uintptr_t *offset);
void rt_record_def_thread(struct rt_thread *t);
void rt_record_def_lock(struct rt_lock *l);
/* Under the record lock: write one line (a '\n' is added). */
void rt_record_emit(struct rt_buf *b);

/* Append a line of this kind (takes the lock). */
void rt_record_exit(int status, const char *how);

/* Fork: the child gets its own file. */
void rt_record_after_fork_child(void);
/* Close the file (after the last line). */
void rt_record_close(void);

#endif
