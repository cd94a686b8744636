/*
 * cli: the `racedet` command (racedet_main.c dispatches to the commands).
 *
 *   cmd_run.c     racedet run [OPTIONS] [--] PROG ARGS...
 *   cmd_report.c  racedet report [OPTIONS] FILE...
 *   cmd_reporter.c racedet _reporter FD DIR: the shim's reporter process
 *   flags.c       command-line flags and RACEDET_OPTIONS -> struct rd_options,
 *                 from the one option table (src/common/options.def)
 *   deliver.c     the end both commands share: resolve the model, render it
 *                 in the chosen format to -o FILE or the default stream
 *   output_file.c writing -o FILE safely: a temporary file renamed over it
 *   program.c     finding PROG like execvp, and refusing what LD_PRELOAD
 *                 cannot watch (setuid, static, foreign architecture)
 *
 * Exit statuses: 2 for usage and input errors (one line on stderr saying
 * why), 126/127 when PROG cannot be run / is not found (like a shell), the
 * `exitcode` option (66) when a finding was reported, else the program's own
 * status (128+signal when it died of a signal). Single-threaded.
 */
#ifndef RD_CLI_H
#define RD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"
#include "options.h"

#define RD_EXIT_USAGE 2
#define RD_EXIT_CANNOT_RUN 126
#define RD_EXIT_NOT_FOUND 127

int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_explore(int argc, char **argv);
/* `racedet _reporter FD DIR`: the shim's reporter (cmd_reporter.c) */
int cmd_reporter(int argc, char **argv);

void cli_print_run_usage(FILE *f);
void cli_print_report_usage(FILE *f);
void cli_print_explore_usage(FILE *f);

/* ---- flags.c ---------------------------------------------------------------- */

/* What a command line gave besides options. */
struct cli_args {
    char **operands;     /* report: input files; run: PROG and its arguments */
    size_t noperands, capoperands;
    bool help;           /* -h / --help was given */
    char *env_copy;      /* the parsed copy of RACEDET_OPTIONS (options point into it) */
};

enum cli_mode {
    CLI_RUN,             /* options stop at the first operand (the program) */
    CLI_REPORT,          /* options and files mix; --from-records FILE is a file */
    CLI_EXPLORE,         /* as CLI_RUN, and the explore options are allowed */
};

/* Defaults, then RACEDET_OPTIONS from the environment, then argv[first..];
 * then sets the input limit (max_input_size) for every file read after.
 * Returns 0, or -1 after printing a one-line error. */
int cli_parse(struct rd_options *o, struct cli_args *a, enum cli_mode mode, int argc,
              char **argv, int first);
void cli_args_free(struct cli_args *a);

/* ---- deliver.c ---------------------------------------------------------------- */

struct rd_suppressions;

/* Check, before anything is run or read, that the chosen --format can be
 * rendered by this build (and here: svg needs Graphviz) and that
 * --source-root is a directory. Returns 0, or -1 after printing a one-line
 * error. */
int cli_check_report_options(const struct rd_options *o);

/* Read the --suppressions file, if one was given, into *out (NULL when
 * none). Returns 0, or -1 after printing a one-line error naming the file
 * (and the line, for a malformed rule). */
int cli_load_suppressions(const struct rd_options *o, struct rd_suppressions **out);

/* Resolve the model (symbolize, name, deduplicate), take out what the
 * suppressions (may be NULL) match, and write the report. Returns 0, or -1
 * when the report could not be written (-o path not writable: then the
 * error is said and the text report goes to stderr). */
int cli_deliver(struct rd_model *m, const struct rd_options *o, struct rd_suppressions *supp);

/* ---- output_file.c ------------------------------------------------------------ */

/* A report being written to -o PATH. */
struct cli_output {
    FILE *f;             /* write the report here */
    const char *path;
    char *tmp;           /* the temporary file renamed over path on success;
                            NULL when path (a device or FIFO) is written in place */
};

/* Start writing a report to path: a new file next to it, or path itself
 * when it is a device or FIFO. Returns 0, or -1 with errno set. */
int cli_output_open(struct cli_output *out, const char *path);

/* Finish: with keep, flush the report and put it in place (rename over
 * path); without, throw it away (path stays as it was). Returns 0, or -1
 * with errno set when keeping it failed. */
int cli_output_close(struct cli_output *out, bool keep);

/* ---- cmd_run.c: one run, for racedet explore ------------------------------------ */

/* The shim's path (next to racedet, or RACEDET_SHIM), or NULL after saying
 * why. Fresh string. */
char *cli_find_shim(void);
/* A fresh private record directory (NULL after saying why), and its end. */
char *cli_make_record_dir(void);
void cli_remove_record_dir(const char *dir);
/* Read every record file of dir into m; returns how many there were. */
size_t cli_read_records(struct rd_model *m, const char *dir, bool verbose);
/* The status racedet reports for a wait status (128+N for signal N). */
int cli_program_status(int status);

/* How one run's program is started: its standard streams (-1: racedet's
 * own) and how long it may take (0: no limit; then it is killed). */
struct cli_run_io {
    int fds[3];
    long timeout_s;
};

/* Run PROG once with the shim preloaded, the options o (SHIM scope, in
 * RACEDET_OPTIONS) and records in dir, as racedet run does. Returns the
 * wait status, or -1 when it could not be started (*exec_errno set when
 * exec failed); *timed_out when it was killed after io->timeout_s. */
int cli_run_in(const char *shim, const char *path, char **argv, const struct rd_options *o,
               const char *dir, const struct cli_run_io *io, bool *timed_out, int *exec_errno);

/* ---- program.c ---------------------------------------------------------------- */

enum cli_prog_kind { CLI_PROG_ELF, CLI_PROG_SCRIPT, CLI_PROG_OTHER };

/* Find PROG the way execvp does. Returns a fresh path, or NULL after
 * printing why, with *status set to 127 (not found) or 126 (not runnable). */
char *cli_find_program(const char *name, int *status);

/* Refuse programs the shim cannot be preloaded into. Returns 0 and the kind,
 * or -1 after printing a one-line reason. shim: the shim's path, whose ELF
 * class and machine the program must share. */
int cli_check_program(const char *shown, const char *path, const char *shim,
                      enum cli_prog_kind *kind);

#endif
