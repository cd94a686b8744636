/*
 * racedet_main: the `racedet` command line: dispatches to `run`, `report`
 * and `explore` (cmd_run.c, cmd_report.c, cmd_explore.c), prints help and
 * the version. See cli.h for the exit statuses.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mem.h"

#ifndef RACEDET_VERSION
#define RACEDET_VERSION "0.0.0"
#endif

static void print_usage(FILE *f)
{
    fprintf(f,
            "racedet " RACEDET_VERSION ": finds data races, deadlocks and lock misuse in "
            "programs using POSIX threads\n"
            "\n"
            "usage:\n"
            "  racedet run [OPTIONS] [--] PROG [ARGS...]   run PROG (and every process it "
            "starts) under racedet\n"
            "  racedet report [OPTIONS] FILE...           render / merge JSON reports and "
            "record files\n"
            "  racedet explore [OPTIONS] [--] PROG [ARGS...]  run PROG many times under "
            "controlled schedules\n"
            "  racedet help options [--markdown]          the option table\n"
            "  racedet --help | --version\n"
            "\n"
            "Options are flags (--name VALUE, --name=VALUE; booleans --name / --no-name;\n"
            "-o FILE is --output FILE) or, for the program and the report alike,\n"
            "RACEDET_OPTIONS=\"name=value name=value\" in the environment (flags win):\n");
    rd_options_print_help(f, SHIM | REPORT | EXPLORE, false);
    fprintf(f,
            "\n"
            "Exit status of run: the program's own (128+N when killed by signal N); the\n"
            "exitcode option (66) when anything was found; 2 for usage errors and programs\n"
            "racedet cannot watch (setuid/setgid, statically linked); 127 when PROG is not\n"
            "found and 126 when it cannot be executed, like a shell.\n"
            "Exit status of report: exitcode if anything was found, 2 if an input file was\n"
            "bad, else 0.\n"
            "exitcode is 1 to 255, or 0: then findings do not change the exit status.\n");
}

/* racedet must never watch itself: started from a watched program (the
 * shim runs `racedet report --from-records` at exit; `racedet run` inside
 * `racedet run -- make`), it would record and report its own threads, or
 * start itself again at exit. So when the shim is preloaded, drop it from
 * LD_PRELOAD and start again, once. */
static void leave_own_shim(char **argv)
{
    const char *preload = getenv("LD_PRELOAD");
    char *copy, *kept, *tok, *save = NULL;
    size_t used = 0;
    if (!preload || !strstr(preload, "libracedet") || getenv("RACEDET_REEXECED"))
        return;
    copy = rd_xstrdup(preload);
    kept = rd_xcalloc(1, strlen(preload) + 1);
    for (tok = strtok_r(copy, ": ", &save); tok; tok = strtok_r(NULL, ": ", &save)) {
        if (strncmp(rd_basename(tok), "libracedet", 10) == 0)
            continue;
        used += (size_t)sprintf(kept + used, "%s%s", used ? ":" : "", tok);
    }
    if (used)
        setenv("LD_PRELOAD", kept, 1);
    else
        unsetenv("LD_PRELOAD");
    free(copy);
    free(kept);
    setenv("RACEDET_REEXECED", "1", 1);
    execv("/proc/self/exe", argv);
    /* could not start again: go on watched, which is only wasteful */
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    leave_own_shim(argv);
    unsetenv("RACEDET_REEXECED");

    if (!cmd) {
        print_usage(stderr);
        return RD_EXIT_USAGE;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "explore") == 0)
        return cmd_explore(argc - 1, argv + 1);
    if (strcmp(cmd, "_reporter") == 0)
        return cmd_reporter(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        (strcmp(cmd, "help") == 0 && argc == 2)) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("racedet %s\n", RACEDET_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        const char *topic = argv[2];
        bool markdown = argc > 3 && strcmp(argv[3], "--markdown") == 0;
        if (strcmp(topic, "options") == 0 && (argc == 3 || (argc == 4 && markdown))) {
            rd_options_print_help(stdout, SHIM | REPORT | EXPLORE, markdown);
            return 0;
        }
        if (strcmp(topic, "run") == 0 && argc == 3) {
            cli_print_run_usage(stdout);
            return 0;
        }
        if (strcmp(topic, "report") == 0 && argc == 3) {
            cli_print_report_usage(stdout);
            return 0;
        }
        if (strcmp(topic, "explore") == 0 && argc == 3) {
            cli_print_explore_usage(stdout);
            return 0;
        }
        fprintf(stderr, "racedet: help: no help on '%s' (try: racedet help options "
                        "[--markdown], racedet help run, racedet help report, racedet help explore)\n", topic);
        return RD_EXIT_USAGE;
    }
    fprintf(stderr, "racedet: unknown command '%s' (racedet --help lists them)\n", cmd);
    return RD_EXIT_USAGE;
}
