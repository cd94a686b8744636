/*
 * cmd_explore: `racedet explore [OPTIONS] [--] PROG ARGS...`
 *
 * Runs PROG up to --runs times, each like `racedet run` (cli_run_in) but
 * under a controlled schedule: the shim's `schedule` option
 * (src/runtime/sched/sched.h) runs the threads one at a time and picks
 * who runs next with PCT, from the seed and the run's number. Run 1 has no
 * priority change points and counts the scheduling points a run has (the
 * k of PCT, for runs 2 and on). A run fails when the program exits
 * non-zero, dies of a signal, takes longer than --run-timeout (a hang), or
 * racedet reports a finding (a `deadlock` when every thread is blocked).
 * The first failure ends the exploration unless --keep-going; the report
 * says which run failed, with the command that replays it
 * (--replay SEED:RUN: run 1 again for k, then that run).
 *
 * --confirm REPORT.json steers the runs towards the lock_order_cycle
 * findings of an earlier report (the schedule's cycle=... part;
 * src/runtime/sched/confirm.c) until each one deadlocks for real or the
 * runs are used up; the report marks each cycle confirmed or not.
 *
 * The programs' output is kept per run and the failed run's is shown
 * (a replay shows it as it comes); their input is /dev/null.
 * Single-threaded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "explore.h"
#include "mem.h"
#include "suppressions.h"

void cli_print_explore_usage(FILE *f)
{
    fprintf(f,
            "usage: racedet explore [OPTIONS] [--] PROG [ARGS...]\n"
            "Runs PROG up to --runs times (100), each under a controlled schedule: racedet\n"
            "runs its threads one at a time, switching at synchronisation calls, and picks\n"
            "who runs next with PCT (random priorities, DEPTH-1 priority change points),\n"
            "from --seed and the run's number. A run fails when the program exits non-zero,\n"
            "dies of a signal, hangs (--run-timeout), or racedet finds something (every\n"
            "thread blocked: a deadlock). The first failure stops it (--keep-going goes\n"
            "on); the report gives the command that replays it: --replay SEED:RUN.\n"
            "--confirm REPORT.json steers the runs towards the lock_order_cycle findings\n"
            "of an earlier report, to make each deadlock really happen.\n"
            "Exit status: 0 when every run passed; the exitcode option (66) when one\n"
            "failed or a cycle was confirmed; 2 for usage errors; 126/127 as racedet run.\n"
            "Options (also RACEDET_OPTIONS=\"key=value ...\"; flags win):\n");
    rd_options_print_help(f, SHIM | REPORT | EXPLORE, false);
    fprintf(f, "  -o FILE                    same as --output FILE\n"
               "  Boolean options: --name, --no-name or --name=true|false.\n");
}

/* ---- progress and summary ------------------------------------------------------------ */

static double elapsed_s(const struct explore *x)
{
    return (double)(explore_now_ns() - x->started_ns) / 1e9;
}

void explore_progress(const struct explore *x)
{
    if (x->progress)
        fprintf(stderr, "\r\033[Kracedet explore: run %" PRIu64 "/%ld, %" PRIu64 " failed, %.1f s",
                x->runs, x->o.runs, x->failed, elapsed_s(x));
}

void explore_progress_end(const struct explore *x)
{
    if (x->progress)
        fputs("\r\033[K", stderr);
}

static void show_output(const struct explore_run *r)
{
    const char *p = r->output;
    size_t lines = 0, n;
    if (!p || !*p)
        return;
    n = strlen(p);
    /* the last 20 lines */
    for (size_t i = n; i-- > 0;)
        if (p[i] == '\n' && i + 1 < n && ++lines == 20) {
            p += i + 1;
            break;
        }
    fprintf(stderr, "racedet explore: output of run %" PRIu64 "%s:\n", r->number,
            lines >= 20 ? " (last 20 lines)" : "");
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(stderr, "  | %.*s\n", (int)len, p);
        p += len + (nl ? 1 : 0);
    }
}

json_t *explore_summary_json(const struct explore *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "seed", json_integer((json_int_t)x->seed));
    json_object_set_new(o, "depth", json_integer(x->o.depth));
    json_object_set_new(o, "points", json_string(x->o.points));
    json_object_set_new(o, "runs", json_integer((json_int_t)x->runs));
    json_object_set_new(o, "max_runs", json_integer(x->o.runs));
    json_object_set_new(o, "failed_runs", json_integer((json_int_t)x->failed));
    json_object_set_new(o, "distinct_schedules", json_integer((json_int_t)x->nhashes));
    json_object_set_new(o, "steps", json_integer((json_int_t)x->steps));
    json_object_set_new(o, "elapsed_ms", json_integer((json_int_t)(elapsed_s(x) * 1000)));
    return o;
}

/* Render m (the failed run's, or an empty one) with the explore summary. */
int explore_deliver(struct explore *x, struct rd_model *m, json_t *summary)
{
    if (m->explore)
        json_decref(m->explore);
    m->explore = summary;
    /* a text report of nothing would only say "no findings" */
    if (strcmp(x->o.format, "text") == 0 && m->nfindings == 0 && !*x->o.output)
        return 0;
    return cli_deliver(m, &x->o, x->supp);
}

/* ---- exploring ---------------------------------------------------------------------- */

static int explore_runs(struct explore *x)
{
    struct explore_run first = {0};
    json_t *summary, *failures = json_array();
    char **keys = NULL;
    size_t nkeys = 0, capkeys = 0;
    uint64_t *counts = NULL;
    int rc = 0;

    for (uint64_t n = 1; n <= (uint64_t)x->o.runs; n++) {
        struct explore_run r;
        int st = explore_do_run(x, n, false, &r);
        if (st) {
            explore_run_free(&r);
            explore_progress_end(x);
            rc = st;
            goto out;
        }
        x->runs++;
        explore_learn_steps(x, &r);
        explore_note_schedule(x, &r);
        if (explore_run_failed(&r)) {
            char *key = explore_failure_key(&r);
            size_t k;
            x->failed++;
            for (k = 0; k < nkeys && strcmp(keys[k], key) != 0; k++)
                ;
            if (k == nkeys) {
                char *replay = explore_replay_command(x, n);
                json_t *f = explore_failure_json(&r, x->o.run_timeout);
                json_object_set_new(f, "seed", json_integer((json_int_t)x->seed));
                json_object_set_new(f, "replay", json_string(replay));
                json_array_append_new(failures, f);
                *RD_PUSH(keys, nkeys, capkeys) = key;
                counts = rd_xrealloc(counts, capkeys * sizeof *counts);
                counts[k] = 0;
                free(replay);
            } else {
                free(key);
            }
            counts[k]++;
            if (!first.m) {
                first = r;
                cli_remove_record_dir(first.dir); /* its records are read */
                free(first.dir);
                first.dir = NULL;
            } else {
                explore_run_free(&r);
            }
            if (!x->o.keep_going) {
                explore_progress(x);
                break;
            }
        } else {
            explore_run_free(&r);
        }
        explore_progress(x);
    }
    explore_progress_end(x);

    for (size_t k = 0; k < nkeys; k++)
        json_object_set_new(json_array_get(failures, k), "count", json_integer((json_int_t)counts[k]));
    summary = explore_summary_json(x);
    json_object_set_new(summary, "distinct_failures", json_integer((json_int_t)nkeys));
    json_object_set_new(summary, "failures", failures);
    failures = NULL;
    if (first.m) {
        show_output(&first);
        if (explore_deliver(x, first.m, summary) < 0)
            rc = RD_EXIT_USAGE;
        for (size_t k = 0; k < nkeys; k++) {
            json_t *f = json_array_get(json_object_get(first.m->explore, "failures"), k);
            fprintf(stderr, "racedet explore: run %" JSON_INTEGER_FORMAT " of %ld failed (seed %" PRIu64
                            "): %s%s\n",
                    json_integer_value(json_object_get(f, "run")), x->o.runs, x->seed,
                    json_string_value(json_object_get(f, "summary")),
                    counts[k] > 1 ? "" : "");
            if (counts[k] > 1)
                fprintf(stderr, "racedet explore:   %" PRIu64 " runs failed this way\n", counts[k]);
            fprintf(stderr, "racedet explore:   replay it: %s\n",
                    json_string_value(json_object_get(f, "replay")));
        }
        if (first.stats.descheduled)
            fprintf(stderr, "racedet explore: note: in run %" PRIu64 " a thread stopped making "
                            "progress (blocked in the kernel, or spinning) and ran uncontrolled "
                            "for a while, so its replay may differ\n", first.number);
        if (!rc)
            rc = (int)x->o.exitcode;
    } else {
        struct rd_model *empty = rd_model_new();
        if (explore_deliver(x, empty, summary) < 0)
            rc = RD_EXIT_USAGE;
        rd_model_free(empty);
    }
    fprintf(stderr, "racedet explore: %" PRIu64 " run%s, %" PRIu64 " failed", x->runs,
            x->runs == 1 ? "" : "s", x->failed);
    if (x->failed)
        fprintf(stderr, " (%zu distinct failure%s)", nkeys, nkeys == 1 ? "" : "s");
    fprintf(stderr, ", %zu distinct schedule%s (seed %" PRIu64 ", depth %ld, %s points), %.1f s\n",
            x->nhashes, x->nhashes == 1 ? "" : "s", x->seed, x->o.depth, x->o.points,
            elapsed_s(x));
out:
    json_decref(failures);
    for (size_t k = 0; k < nkeys; k++)
        free(keys[k]);
    free(keys);
    free(counts);
    explore_run_free(&first);
    return rc;
}

/* --replay SEED:RUN: run 1 first when RUN > 1 (for k), then RUN, its
 * output shown as it comes. */
static int replay(struct explore *x, uint64_t number)
{
    struct explore_run r;
    json_t *summary;
    int rc;
    if (number > 1 && (rc = explore_calibrate(x)) != 0)
        return rc;
    rc = explore_do_run(x, number, x->live_output, &r);
    if (rc) {
        explore_run_free(&r);
        return rc;
    }
    x->runs = 1;
    explore_note_schedule(x, &r);
    summary = explore_summary_json(x);
    json_object_set_new(summary, "replay", json_integer((json_int_t)number));
    if (explore_run_failed(&r)) {
        char *text = explore_failure_text(&r, x->o.run_timeout);
        x->failed = 1;
        show_output(&r); /* when it was kept */
        json_object_set_new(summary, "failures", json_pack("[o]", explore_failure_json(&r, x->o.run_timeout)));
        rc = explore_deliver(x, r.m, summary) < 0 ? RD_EXIT_USAGE : (int)x->o.exitcode;
        fprintf(stderr, "racedet explore: replayed run %" PRIu64 " of seed %" PRIu64 ": %s\n",
                number, x->seed, text);
        free(text);
    } else {
        json_object_set_new(summary, "failures", json_array());
        rc = explore_deliver(x, r.m, summary) < 0 ? RD_EXIT_USAGE : 0;
        fprintf(stderr, "racedet explore: replayed run %" PRIu64 " of seed %" PRIu64 ": it passed "
                        "(if it failed before, something else than the schedule changed: the "
                        "binary, its input, the time, the environment)\n", number, x->seed);
    }
    if (r.stats.descheduled)
        fprintf(stderr, "racedet explore: note: a thread stopped making progress (blocked in the "
                        "kernel, or spinning) and ran uncontrolled for a while\n");
    explore_run_free(&r);
    return rc;
}

/* ---- the command ---------------------------------------------------------------------- */

static int parse_replay(const char *s, uint64_t *seed, uint64_t *run)
{
    char *end;
    errno = 0;
    *seed = strtoull(s, &end, 10);
    if (errno || end == s || *end != ':' || *s == '-')
        return -1;
    s = end + 1;
    *run = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || *run == 0)
        return -1;
    return 0;
}

static uint64_t fresh_seed(void)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
        r = explore_now_ns() ^ ((uint64_t)getpid() << 32);
    return 1 + r % 999999999ull; /* short enough to type */
}

int cmd_explore(int argc, char **argv)
{
    struct explore x;
    struct cli_args a;
    enum cli_prog_kind kind;
    uint64_t replay_seed = 0, replay_run = 0;
    int rc = RD_EXIT_USAGE;

    memset(&x, 0, sizeof x);
    if (cli_parse(&x.o, &a, CLI_EXPLORE, argc, argv, 1) < 0)
        goto out;
    if (a.help) {
        cli_print_explore_usage(stdout);
        rc = 0;
        goto out;
    }
    if (a.noperands == 0) {
        fprintf(stderr, "racedet: explore: no program given (racedet explore [OPTIONS] [--] "
                        "PROG [ARGS...])\n");
        goto out;
    }
    if (x.o.runs < 1 || x.o.depth < 1 || x.o.depth > 64 || x.o.run_timeout < 1) {
        fprintf(stderr, "racedet: explore: --runs and --run-timeout must be at least 1, "
                        "--depth 1 to 64\n");
        goto out;
    }
    if (*x.o.schedule) {
        fprintf(stderr, "racedet: explore: the schedule option is racedet explore's own; "
                        "use --seed, --depth, --replay\n");
        goto out;
    }
    if (*x.o.replay && parse_replay(x.o.replay, &replay_seed, &replay_run) < 0) {
        fprintf(stderr, "racedet: explore: --replay wants SEED:RUN as printed with a failure "
                        "(RUN from 1), not '%s'\n", x.o.replay);
        goto out;
    }
    if (cli_check_report_options(&x.o) < 0 || cli_load_suppressions(&x.o, &x.supp) < 0)
        goto out;
    x.shim = cli_find_shim();
    if (!x.shim)
        goto out;
    x.path = cli_find_program(a.operands[0], &rc);
    if (!x.path)
        goto out;
    rc = RD_EXIT_USAGE;
    if (cli_check_program(a.operands[0], x.path, x.shim, &kind) < 0)
        goto out;
    x.shown = a.operands[0];
    x.argv = rd_xcalloc(a.noperands + 1, sizeof *x.argv);
    for (size_t i = 0; i < a.noperands; i++)
        x.argv[i] = a.operands[i];
    x.seed = *x.o.replay ? replay_seed : x.o.seed > 0 ? (uint64_t)x.o.seed : fresh_seed();
    x.progress = !*x.o.replay && isatty(2) == 1;
    x.live_output = strcmp(x.o.format, "text") == 0 || *x.o.output;
    x.started_ns = explore_now_ns();

    if (*x.o.confirm)
        rc = explore_confirm(&x, replay_run);
    else if (*x.o.replay)
        rc = replay(&x, replay_run);
    else
        rc = explore_runs(&x);
out:
    rd_suppressions_free(x.supp);
    free(x.hashes);
    free(x.argv);
    free(x.path);
    free(x.shim);
    free(x.cycle);
    cli_args_free(&a);
    return rc;
}
