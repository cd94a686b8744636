/*
 * cmd_reporter: `racedet _reporter FD DIR`, started by the shim (when it
 * runs without `racedet run`) once, in the program's first process
 * (preload/reporter.c). Not a command for people.
 *
 * Every process of the program holds the write end of a pipe whose read end
 * is FD here; the records of its processes are written in DIR. When the
 * last process is gone (EOF on FD, however they ended: exit, _exit, abort,
 * a crash, SIGKILL), the records left in DIR are rendered on our stderr: a
 * copy of the program's stderr from its start-up, which the program's
 * close or dup2 of fd 2 did not touch. A process that ended normally with
 * its stderr as it was has shown its own report and taken its record away.
 *
 * We must not change the program's process tree: the shim waits for us
 * here, we fork and the parent returns at once, so the reporter is nobody's
 * child the program could wait() for; it runs in a session of its own, so
 * the terminal's signals (Ctrl-C, Ctrl-\, a hang-up) reach the program and
 * not it. It exits right after printing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "record_reader.h"
#include "suppressions.h"

#define REPORTER_FD 3

/* Wait until every holder of the pipe's write end is gone. */
static void wait_for_eof(int fd)
{
    char buf[64];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EINTR))
            return;
    }
}

/* Findings in the records read (before the model is resolved, they are
 * the processes'). */
static size_t recorded_findings(const struct rd_model *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nprocs; i++)
        n += m->procs[i]->nfindings;
    return n;
}

/* The records in dir are ours: read, rendered, removed. Nothing is said
 * when no record holds a finding (a process that learnt something, then
 * called _exit, found nothing to report). */
static int render_left(const char *dir)
{
    struct rd_options o;
    struct cli_args a;
    struct rd_model *m = rd_model_new();
    struct rd_suppressions *supp = NULL;
    char *argv[] = {"_reporter", NULL};
    int rc = 0;

    if (cli_parse(&o, &a, CLI_REPORT, 1, argv, 1) < 0 || cli_load_suppressions(&o, &supp) < 0) {
        rc = RD_EXIT_USAGE;
        goto out;
    }
    if (cli_read_records(m, dir, o.verbose) == 0)
        goto out;
    rd_model_sort_processes(m);
    if (recorded_findings(m) > 0 && cli_deliver(m, &o, supp) < 0)
        rc = RD_EXIT_USAGE;
out:
    cli_remove_record_dir(dir);
    rd_model_free(m);
    rd_suppressions_free(supp);
    cli_args_free(&a);
    return rc;
}

int cmd_reporter(int argc, char **argv)
{
    char *end;
    long fd;
    pid_t pid;

    if (argc != 3 || (fd = strtol(argv[1], &end, 10)) < 0 || *end || fd > 1 << 20) {
        fprintf(stderr, "racedet: _reporter is started by the racedet shim, not by hand\n");
        return RD_EXIT_USAGE;
    }
    /* keep nothing of the program's but its stderr: an inherited pipe end
     * held here could keep its reader waiting */
    if (fd != REPORTER_FD && dup2((int)fd, REPORTER_FD) < 0)
        return RD_EXIT_USAGE;
    closefrom(REPORTER_FD + 1);
    pid = fork();
    if (pid < 0)
        return RD_EXIT_USAGE; /* the shim goes on with reports at exit only */
    if (pid > 0)
        _exit(0); /* the shim reaps this one; the reporter is reparented */
    setsid();
    wait_for_eof(REPORTER_FD);
    close(REPORTER_FD);
    return render_left(argv[2]);
}
