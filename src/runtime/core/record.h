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
 * a temporary file (made at the first line). Writes the process line.
 * Returns 0, or -1 with a one-line reason in err. A record that cannot be
 * made or written later (disk full, file gone) stops the watching of the
 * process (rt_stop_watching), with one line on stderr. */
int rt_record_open(const char *dir, char *err, size_t errlen);
/* With dir NULL (above): make the temporary file in this directory (the
 * shim's reporter reads what is left there). Before rt_record_open. */
void rt_record_set_temp_dir(const char *dir);
/* Path of the open record file ("" if none). */
const char *rt_record_path(void);
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
/* The thread got a new name: if its line is written already, a
 * thread_name line says so (takes the lock). */
void rt_record_thread_renamed(struct rt_thread *t);
void rt_record_def_lock(struct rt_lock *l);
/* Under the record lock: write one line (a '\n' is added). */
void rt_record_emit(struct rt_buf *b);

/* Append a line of this kind (takes the lock). */
void rt_record_exit(int status, const char *how);

/* ---- the program's descriptors ----------------------------------------------
 * The record's descriptor is racedet's own: to the program it does not
 * exist. The shim's interceptors of close, close_range, closefrom, dup,
 * dup2, dup3 and fcntl ask these (any thread, signal handlers included). */

/* Is fd the record's descriptor? Lock-free. */
bool rt_record_owns_fd(int fd);
/* The record's descriptor, or -1. Lock-free: a hint, checked again by the
 * two calls below. */
int rt_record_fd(void);
/* The program closes [lo, hi] (close_range, closefrom): fn(lo', hi', arg)
 * is called on the parts of it that hold no descriptor of racedet's, with
 * racedet's held in place meanwhile. Returns 0, or the first failure of
 * fn (errno as fn left it). */
int rt_record_fd_around(unsigned lo, unsigned hi, int (*fn)(unsigned lo, unsigned hi, void *arg),
                        void *arg);
/* A copy of fd from below_top under the descriptor limit (itself capped
 * at 1024), else from 64 up, close-on-exec or not; -1 if neither has a
 * free number. Keeps racedet's descriptors out of the program's way. */
int rt_fd_dup_high(int fd, int below_top, bool cloexec);
/* fn over [lo, hi] without the number skip (none when skip < 0): fn's
 * first failure, with its errno. */
int rt_fd_range_without(int skip, unsigned lo, unsigned hi,
                        int (*fn)(unsigned lo, unsigned hi, void *arg), void *arg);
/* The program is about to make fd one of its own (dup2/dup3 onto it): if
 * it is the record's, the record moves to another number first. Then
 * returns fn(arg), with the record held in place meanwhile. */
int rt_record_fd_wanted(int fd, int (*fn)(void *arg), void *arg);

/* Fork: the child gets its own file. */
void rt_record_after_fork_child(void);
/* Close the file (after the last line). */
void rt_record_close(void);

#endif
