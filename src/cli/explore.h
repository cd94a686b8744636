/*
 * explore: the parts of `racedet explore` (cli.h dispatches to cmd_explore).
 *
 *   cmd_explore.c      the command: options, the runs one after the other
 *                      (stopping at the first failure unless --keep-going),
 *                      --replay, progress, summary, the report
 *   explore_run.c      one run under its schedule (through cli_run_in), the
 *                      statistics its scheduler left, what its end says, and
 *                      the command that replays it
 *   explore_confirm.c  --confirm REPORT.json: the runs steered towards each
 *                      lock_order_cycle of the report, the cycles marked
 *
 * Single-threaded, like all of the command.
 */
#ifndef RD_CLI_EXPLORE_H
#define RD_CLI_EXPLORE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "sched_stats.h"

/* What one run did. */
struct explore_run {
    uint64_t number;
    int status;                  /* wait status */
    bool timed_out;
    struct rd_model *m;          /* its records; finished when it has findings */
    size_t nfindings;            /* not suppressed */
    struct rd_sched_stats stats; /* over all its processes (steps: the most) */
    char *output;                /* the program's output, when kept */
    char *dir;                   /* its record directory, until it is let go */
};

struct explore {
    struct rd_options o;
    char *shim, *path;
    char **argv;                 /* PROG ARGS..., NULL-terminated */
    const char *shown;           /* PROG as the user wrote it */
    struct rd_suppressions *supp;
    uint64_t seed;
    uint64_t steps;              /* k: the scheduling points of run 1 */
    char *cycle;                 /* "cycle=..." to steer towards (confirm), or NULL */
    bool progress;               /* a progress line on the terminal */
    bool live_output;            /* a replay shows the program's output as it comes
                                    (not when the report itself goes to stdout) */
    uint64_t started_ns;
    /* what the runs found */
    uint64_t runs, failed;
    uint64_t *hashes;            /* distinct schedules */
    size_t nhashes, caphashes;
};


/* ---- explore_run.c ---------------------------------------------------------------- */

/* Make run number `number` (its schedule: the seed, the number, the depth,
 * k, the points, the cycle); its output is kept unless show_output.
 * Returns 0, or the exit status racedet must end with when PROG cannot be
 * run. *r is filled in either way (explore_run_free it). */
int explore_do_run(struct explore *x, uint64_t number, bool show_output, struct explore_run *r);
/* Let go of what the run kept, its record directory too. */
void explore_run_free(struct explore_run *r);

/* Did it fail (non-zero exit, signal, timeout, an unsuppressed finding)? */
bool explore_run_failed(const struct explore_run *r);
/* One line saying how it failed. Fresh string. */
char *explore_failure_text(const struct explore_run *r, long timeout_s);
/* What tells one failure from another (--keep-going). Fresh string. */
char *explore_failure_key(const struct explore_run *r);
/* The failure as a member of the report's "explore" object. */
json_t *explore_failure_json(const struct explore_run *r, long timeout_s);

/* "racedet explore [options shaping the schedule] --replay S:R -- PROG ARGS".
 * Fresh string. */
char *explore_replay_command(const struct explore *x, uint64_t run);

/* After a run: count its schedule if new; run 1 also gives k. */
void explore_note_schedule(struct explore *x, const struct explore_run *r);
void explore_learn_steps(struct explore *x, const struct explore_run *r);
/* Run 1 again, its output kept and dropped, for k: a replay of a later run
 * needs it. Returns 0, or the exit status racedet must end with. */
int explore_calibrate(struct explore *x);

uint64_t explore_now_ns(void);

/* ---- cmd_explore.c -------------------------------------------------------------- */

/* The progress line (on a terminal only), and its end. */
void explore_progress(const struct explore *x);
void explore_progress_end(const struct explore *x);
/* The report's "explore" object so far. */
json_t *explore_summary_json(const struct explore *x);
/* Render m with summary (taken) as its explore object; text reports of
 * nothing are not written. Returns 0, or -1 when it could not be written. */
int explore_deliver(struct explore *x, struct rd_model *m, json_t *summary);

/* ---- explore_confirm.c ------------------------------------------------------------ */

/* racedet explore --confirm: returns racedet's exit status. replay_run:
 * only that run (--replay), else 0. */
int explore_confirm(struct explore *x, uint64_t replay_run);

#endif
