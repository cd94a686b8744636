/*
 * process_exit: how a watched process ended, as reports show it.
 *
 * The runtime records the status the process passed to exit() or _exit()
 * or returned from main (the shim wraps main); where it saw none, records
 * say -1, "not known". `racedet run` knows better for the
 * process it started: waitpid gives the real status, or the signal that
 * killed it (then no exit record was written at all). This module puts
 * that into the model, and describes a death by signal (the summary line
 * must never call a crashed run clean).
 *
 * Called by src/cli (racedet run) and the renderers. Single-threaded.
 */
#ifndef RD_REPORT_PROCESS_EXIT_H
#define RD_REPORT_PROCESS_EXIT_H

#include <stdbool.h>

#include "model.h"

/* What waitpid said of the process racedet run started (pid, wait_status):
 * given to the last image of that pid read from records (exec keeps the
 * pid: the latest start time ended with this status). False when no
 * process of the model has that pid. Call after rd_model_sort_processes. */
bool rd_model_note_wait_status(struct rd_model *m, long pid, int wait_status);

/* The first listed process that was killed by a signal, or NULL. */
const struct rd_process *rd_model_killed_process(const struct rd_model *m);

/* What the process is called in a sentence: its argv[0], else its exe,
 * else "the program". */
const char *rd_process_name(const struct rd_process *p);

/* "signal 11 (SIGSEGV)". Fresh string. */
char *rd_signal_describe(int sig);

#endif
