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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "input.h"
#include "mem.h"
#include "render_text.h"
#include "sched_stats.h"
#include "suppressions.h"
#include "symbolize.h"

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

/* ---- one run ------------------------------------------------------------------------ */

/* What one run did. */
struct run {
    uint64_t number;
    int status;                  /* wait status */
    bool timed_out;
    struct rd_model *m;          /* its records; finished when it has findings */
    size_t nfindings;            /* not suppressed */
    struct rd_sched_stats stats; /* over all its processes (steps: the most) */
    char *output;                /* the program's output, when kept */
    char *dir;                   /* its record directory, until it is let go */
};

static void run_free(struct run *r)
{
    if (r->dir) {
        cli_remove_record_dir(r->dir);
        free(r->dir);
    }
    rd_model_free(r->m);
    free(r->output);
    memset(r, 0, sizeof *r);
}

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
    uint64_t started_ns;
    /* what the runs found */
    uint64_t runs, failed;
    uint64_t *hashes;            /* distinct schedules */
    size_t nhashes, caphashes;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static char *slurp(const char *path, size_t max)
{
    FILE *f = fopen(path, "r");
    char *buf;
    size_t n;
    long size;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    if (size < 0)
        size = 0;
    /* the end of a long output is what tells how it ended */
    fseek(f, (size_t)size > max ? size - (long)max : 0, SEEK_SET);
    buf = rd_xcalloc(1, max + 1);
    n = fread(buf, 1, max, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The statistics files of every process of the run. */
static void read_stats(const char *dir, struct rd_sched_stats *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    memset(out, 0, sizeof *out);
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        struct rd_sched_stats s;
        char *path;
        FILE *f;
        size_t n = 0;
        if (strncmp(e->d_name, RD_SCHED_STATS_PREFIX, strlen(RD_SCHED_STATS_PREFIX)) != 0)
            continue;
        path = rd_xasprintf("%s/%s", dir, e->d_name);
        f = fopen(path, "rb");
        if (f) {
            n = fread(&s, 1, sizeof s, f);
            fclose(f);
        }
        free(path);
        if (n != sizeof s || s.magic != RD_SCHED_STATS_MAGIC || s.version != RD_SCHED_STATS_VERSION)
            continue;
        if (s.steps > out->steps)
            out->steps = s.steps;
        out->hash += s.hash; /* processes in any order */
        out->threads += s.threads;
        out->descheduled += s.descheduled;
        out->paused += s.paused;
        out->deadlock |= s.deadlock;
        out->magic = s.magic;
    }
    closedir(d);
}

static const char *points_suffix(const char *points)
{
    return strcmp(points, "sync") == 0 ? "" : strcmp(points, "atomics") == 0 ? ":atomics" : ":memory";
}

/* Make run number `number`; its output is kept unless show_output. Returns
 * 0, or the exit status racedet must end with when PROG cannot be run. */
static int do_run(struct explore *x, uint64_t number, bool show_output, struct run *r)
{
    struct cli_run_io io = {{-1, -1, -1}, x->o.run_timeout};
    char *spec, *out_path = NULL;
    size_t raw = 0;
    int exec_errno = 0, null_fd;

    memset(r, 0, sizeof *r);
    r->number = number;
    r->dir = cli_make_record_dir();
    if (!r->dir)
        return RD_EXIT_USAGE;
    spec = rd_xasprintf("pct:%" PRIu64 ":%" PRIu64 ":%ld:%" PRIu64 "%s%s%s", x->seed, number,
                        x->o.depth, number == 1 ? 0 : x->steps, points_suffix(x->o.points),
                        x->cycle ? ":" : "", x->cycle ? x->cycle : "");
    x->o.schedule = spec;
    null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    io.fds[0] = null_fd;
    if (!show_output) {
        out_path = rd_xasprintf("%s/output", r->dir);
        io.fds[1] = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        io.fds[2] = io.fds[1];
    }
    if (x->o.verbose)
        fprintf(stderr, "racedet: explore: run %" PRIu64 ": schedule=%s\n", number, spec);
    r->status = cli_run_in(x->shim, x->path, x->argv, &x->o, r->dir, &io, &r->timed_out,
                           &exec_errno);
    x->o.schedule = "";
    free(spec);
    for (int fd = 0; fd < 3; fd++)
        if (io.fds[fd] >= 0 && (fd != 2 || io.fds[2] != io.fds[1]))
            close(io.fds[fd]);
    if (r->status < 0 || exec_errno) {
        if (exec_errno)
            fprintf(stderr, "racedet: %s: %s\n", x->shown, strerror(exec_errno));
        free(out_path);
        return exec_errno == ENOENT ? RD_EXIT_NOT_FOUND : RD_EXIT_CANNOT_RUN;
    }
    read_stats(r->dir, &r->stats);
    r->m = rd_model_new();
    if (cli_read_records(r->m, r->dir, x->o.verbose) == 0 && number == 1) {
        fprintf(stderr, "racedet: %s never loaded the racedet shim (statically linked? setuid? "
                        "LD_PRELOAD cleared?): nothing was explored\n", x->shown);
        free(out_path);
        return RD_EXIT_USAGE;
    }
    rd_model_sort_processes(r->m);
    for (size_t i = 0; i < r->m->nprocs; i++)
        raw += r->m->procs[i]->nfindings;
    if (raw > 0) {
        /* resolve them, to tell the suppressed ones and the distinct ones */
        struct rd_symbolizer *sym = rd_symbolizer_new(stderr);
        rd_model_finish(r->m, sym, stderr);
        rd_symbolizer_free(sym);
        for (size_t i = 0; i < r->m->nfindings; i++)
            r->nfindings += !x->supp || !rd_suppressions_match(x->supp, r->m->findings[i]);
    }
    if (out_path)
        r->output = slurp(out_path, 64 * 1024);
    free(out_path);
    return 0;
}

/* ---- what a run's end says ---------------------------------------------------------- */

static bool run_failed(const struct run *r)
{
    return r->timed_out || r->nfindings > 0 || !WIFEXITED(r->status) ||
           WEXITSTATUS(r->status) != 0;
}

/* One line saying how the run failed. Fresh string. */
static char *failure_text(const struct run *r, long timeout_s)
{
    if (r->timed_out)
        return rd_xasprintf("the run took longer than %ld s (--run-timeout) and was ended: "
                            "the program hangs or runs away under this schedule", timeout_s);
    if (r->nfindings > 0) {
        char *line = rd_render_summary_line(r->m), *s;
        /* "racedet: 1 finding (1 deadlock) in 1 process" -> "racedet reported ..." */
        s = rd_xasprintf("racedet reported %s", strncmp(line, "racedet: ", 9) == 0 ? line + 9 : line);
        free(line);
        return s;
    }
    if (WIFSIGNALED(r->status))
        return rd_xasprintf("the program died of signal %d (SIG%s)", WTERMSIG(r->status),
                            sigabbrev_np(WTERMSIG(r->status)) ? sigabbrev_np(WTERMSIG(r->status))
                                                               : "?");
    return rd_xasprintf("the program exited with status %d", cli_program_status(r->status));
}

/* What tells one failure from another, for --keep-going. Fresh string. */
static char *failure_key(const struct run *r)
{
    char *key;
    if (r->timed_out)
        return rd_xstrdup("hang");
    if (r->nfindings == 0)
        return rd_xasprintf("status %d", cli_program_status(r->status));
    key = rd_xstrdup("findings");
    for (size_t i = 0; i < r->m->nfindings; i++) {
        char *k = rd_xasprintf("%s %s", key, r->m->findings[i]->id);
        free(key);
        key = k;
    }
    return key;
}

static json_t *failure_json(const struct run *r, long timeout_s)
{
    json_t *o = json_object();
    char *text = failure_text(r, timeout_s);
    json_object_set_new(o, "run", json_integer((json_int_t)r->number));
    json_object_set_new(o, "failure", json_string(r->timed_out        ? "hang"
                                                  : r->nfindings > 0  ? "findings"
                                                  : WIFSIGNALED(r->status) ? "signal"
                                                                           : "exit"));
    json_object_set_new(o, "summary", json_string(text));
    if (!r->timed_out)
        json_object_set_new(o, "status", json_integer(cli_program_status(r->status)));
    if (!r->timed_out && WIFSIGNALED(r->status))
        json_object_set_new(o, "signal", json_integer(WTERMSIG(r->status)));
    json_object_set_new(o, "steps", json_integer((json_int_t)r->stats.steps));
    json_object_set_new(o, "descheduled", json_integer(r->stats.descheduled));
    free(text);
    return o;
}

/* ---- the replay command ------------------------------------------------------------ */

static void append(char **s, const char *fmt, const char *a)
{
    char *n = rd_xasprintf(fmt, *s, a);
    free(*s);
    *s = n;
}

/* arg as a shell word. Fresh string. */
static char *shell_word(const char *arg)
{
    size_t n = strlen(arg), k = 0;
    char *q;
    if (n && strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=+,-@%") == n)
        return rd_xstrdup(arg);
    q = rd_xmalloc(4 * n + 3);
    q[k++] = '\'';
    for (size_t i = 0; i < n; i++) {
        if (arg[i] == '\'') {
            memcpy(q + k, "'\\''", 4);
            k += 4;
        } else {
            q[k++] = arg[i];
        }
    }
    q[k++] = '\'';
    q[k] = '\0';
    return q;
}

/* "racedet explore [the options that shape the schedule] --replay S:R -- PROG ARGS". */
static char *replay_command(const struct explore *x, uint64_t run)
{
    struct rd_options d;
    char *cmd = rd_xstrdup("racedet explore"), num[64], *w;
    rd_options_defaults(&d);
    if (x->o.depth != d.depth) {
        snprintf(num, sizeof num, "%ld", x->o.depth);
        append(&cmd, "%s --depth %s", num);
    }
    if (strcmp(x->o.points, d.points) != 0)
        append(&cmd, "%s --points %s", x->o.points);
    if (*x->o.confirm) {
        w = shell_word(x->o.confirm);
        append(&cmd, "%s --confirm %s", w);
        free(w);
    }
    snprintf(num, sizeof num, "%" PRIu64 ":%" PRIu64, x->seed, run);
    append(&cmd, "%s --replay %s --", num);
    for (size_t i = 0; x->argv[i]; i++) {
        w = shell_word(i == 0 ? x->shown : x->argv[i]);
        append(&cmd, "%s %s", w);
        free(w);
    }
    return cmd;
}

/* ---- progress and summary ------------------------------------------------------------ */

static double elapsed_s(const struct explore *x)
{
    return (double)(now_ns() - x->started_ns) / 1e9;
}

static void note_schedule(struct explore *x, const struct run *r)
{
    for (size_t i = 0; i < x->nhashes; i++)
        if (x->hashes[i] == r->stats.hash)
            return;
    *RD_PUSH(x->hashes, x->nhashes, x->caphashes) = r->stats.hash;
}

static void show_progress(const struct explore *x)
{
    if (x->progress)
        fprintf(stderr, "\r\033[Kracedet explore: run %" PRIu64 "/%ld, %" PRIu64 " failed, %.1f s",
                x->runs, x->o.runs, x->failed, elapsed_s(x));
}

static void end_progress(const struct explore *x)
{
    if (x->progress)
        fputs("\r\033[K", stderr);
}

static void show_output(const struct run *r)
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

static json_t *summary_json(const struct explore *x)
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
static int deliver(struct explore *x, struct rd_model *m, json_t *summary)
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

/* Keep a run's schedule length for the runs after it (run 1: k). */
static void learn_steps(struct explore *x, const struct run *r)
{
    if (r->number == 1)
        x->steps = r->stats.steps > 0 ? r->stats.steps : 1;
}

static int explore_runs(struct explore *x)
{
    struct run first = {0};
    json_t *summary, *failures = json_array();
    char **keys = NULL;
    size_t nkeys = 0, capkeys = 0;
    uint64_t *counts = NULL;
    int rc = 0;

    for (uint64_t n = 1; n <= (uint64_t)x->o.runs; n++) {
        struct run r;
        int st = do_run(x, n, false, &r);
        if (st) {
            run_free(&r);
            end_progress(x);
            rc = st;
            goto out;
        }
        x->runs++;
        learn_steps(x, &r);
        note_schedule(x, &r);
        if (run_failed(&r)) {
            char *key = failure_key(&r);
            size_t k;
            x->failed++;
            for (k = 0; k < nkeys && strcmp(keys[k], key) != 0; k++)
                ;
            if (k == nkeys) {
                char *replay = replay_command(x, n);
                json_t *f = failure_json(&r, x->o.run_timeout);
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
                run_free(&r);
            }
            if (!x->o.keep_going) {
                show_progress(x);
                break;
            }
        } else {
            run_free(&r);
        }
        show_progress(x);
    }
    end_progress(x);

    for (size_t k = 0; k < nkeys; k++)
        json_object_set_new(json_array_get(failures, k), "count", json_integer((json_int_t)counts[k]));
    summary = summary_json(x);
    json_object_set_new(summary, "distinct_failures", json_integer((json_int_t)nkeys));
    json_object_set_new(summary, "failures", failures);
    failures = NULL;
    if (first.m) {
        show_output(&first);
        if (deliver(x, first.m, summary) < 0)
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
        if (deliver(x, empty, summary) < 0)
            rc = RD_EXIT_USAGE;
        rd_model_free(empty);
    }
    fprintf(stderr, "racedet explore: %" PRIu64 " run%s, %" PRIu64 " failed, %zu distinct "
                    "schedule%s (seed %" PRIu64 ", depth %ld, %s points), %.1f s\n",
            x->runs, x->runs == 1 ? "" : "s", x->failed, x->nhashes, x->nhashes == 1 ? "" : "s",
            x->seed, x->o.depth, x->o.points, elapsed_s(x));
out:
    json_decref(failures);
    for (size_t k = 0; k < nkeys; k++)
        free(keys[k]);
    free(keys);
    free(counts);
    run_free(&first);
    return rc;
}

/* --replay SEED:RUN: run 1 first when RUN > 1 (for k), then RUN, its
 * output shown as it comes. */
static int replay(struct explore *x, uint64_t number)
{
    struct run r;
    json_t *summary;
    int rc;
    if (number > 1) {
        rc = do_run(x, 1, false, &r);
        if (!rc)
            learn_steps(x, &r);
        run_free(&r);
        if (rc)
            return rc;
    }
    rc = do_run(x, number, true, &r);
    if (rc) {
        run_free(&r);
        return rc;
    }
    x->runs = 1;
    note_schedule(x, &r);
    summary = summary_json(x);
    json_object_set_new(summary, "replay", json_integer((json_int_t)number));
    if (run_failed(&r)) {
        char *text = failure_text(&r, x->o.run_timeout);
        x->failed = 1;
        json_object_set_new(summary, "failures", json_pack("[o]", failure_json(&r, x->o.run_timeout)));
        rc = deliver(x, r.m, summary) < 0 ? RD_EXIT_USAGE : (int)x->o.exitcode;
        fprintf(stderr, "racedet explore: replayed run %" PRIu64 " of seed %" PRIu64 ": %s\n",
                number, x->seed, text);
        free(text);
    } else {
        json_object_set_new(summary, "failures", json_array());
        rc = deliver(x, r.m, summary) < 0 ? RD_EXIT_USAGE : 0;
        fprintf(stderr, "racedet explore: replayed run %" PRIu64 " of seed %" PRIu64 ": it passed "
                        "(if it failed before, something else than the schedule changed: the "
                        "binary, its input, the time, the environment)\n", number, x->seed);
    }
    if (r.stats.descheduled)
        fprintf(stderr, "racedet explore: note: a thread stopped making progress (blocked in the "
                        "kernel, or spinning) and ran uncontrolled for a while\n");
    run_free(&r);
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
        r = now_ns() ^ ((uint64_t)getpid() << 32);
    return 1 + r % 999999999ull; /* short enough to type */
}

/* ---- --confirm: steering towards lock-order cycles ------------------------------------- */

/* "MODULE+0xOFFSET" of a stack's first frame, as the schedule names a
 * site; NULL when the frame cannot be named so (no module, or a module
 * name the option's syntax cannot carry). Fresh string. */
static char *site_of(const struct rd_stack_info *s)
{
    const char *base;
    if (s->unavailable || s->nframes == 0 || !s->frames[0].module)
        return NULL;
    base = rd_basename(s->frames[0].module);
    if (!*base || strpbrk(base, ":/>+ \t,"))
        return NULL;
    return rd_xasprintf("%s+0x%" PRIx64, base, s->frames[0].offset);
}

/* The edges of a lock_order_cycle finding: its stacks come in pairs, where
 * the first lock was taken, then where the second was ("then took ...").
 * Appends "FROM>TO" per edge to *spec; false when an edge cannot be named. */
static bool cycle_edges(const struct rd_finding *f, char **spec)
{
    if (f->nstacks < 4 || f->nstacks % 2)
        return false;
    for (size_t i = 0; i + 1 < f->nstacks; i += 2) {
        char *from = site_of(&f->stacks[i]), *to = site_of(&f->stacks[i + 1]);
        bool ok = from && to && strncmp(f->stacks[i + 1].role, "then took", 9) == 0;
        if (ok) {
            char *n = rd_xasprintf("%s%s%s>%s", *spec, **spec ? "/" : "", from, to);
            free(*spec);
            *spec = n;
        }
        free(from);
        free(to);
        if (!ok)
            return false;
    }
    return true;
}

/* Did the deadlock of this run block each thread of cycle f at its edge:
 * is every second site of f where some thread of a deadlock finding of r
 * was blocked? Returns that deadlock finding, or NULL. */
static const struct rd_finding *deadlock_at(const struct run *r, const struct rd_finding *f)
{
    for (size_t d = 0; r->m && d < r->m->nfindings; d++) {
        const struct rd_finding *dl = r->m->findings[d];
        size_t matched = 0;
        if (strcmp(dl->kind, "deadlock") != 0)
            continue;
        for (size_t i = 1; i < f->nstacks; i += 2) {
            char *to = site_of(&f->stacks[i]);
            for (size_t j = 0; to && j < dl->nstacks; j++) {
                char *at = strncmp(dl->stacks[j].role, "blocked here", 12) == 0
                               ? site_of(&dl->stacks[j]) : NULL;
                bool same = at && strcmp(at, to) == 0;
                free(at);
                if (same) {
                    matched++;
                    break;
                }
            }
            free(to);
        }
        if (matched == f->nstacks / 2)
            return dl;
    }
    return NULL;
}

static void mark(struct rd_finding *f, json_t *explore)
{
    if (!f->details)
        f->details = json_object();
    json_object_set_new(f->details, "explore", explore);
}

static json_t *confirmed_json(const struct explore *x, uint64_t run, uint64_t runs)
{
    char *replay = replay_command(x, run);
    json_t *o = json_pack("{s:b, s:I, s:I, s:I, s:s}", "confirmed", 1, "runs", (json_int_t)runs,
                          "seed", (json_int_t)x->seed, "run", (json_int_t)run, "replay", replay);
    free(replay);
    return o;
}

static int confirm(struct explore *x, uint64_t replay_run)
{
    struct rd_model *rep = rd_model_new();
    struct rd_symbolizer *sym;
    size_t *cycles = NULL, ncycles = 0, capcycles = 0, nconfirmed = 0;
    uint64_t *confirmed_in = NULL, first = replay_run ? replay_run : 1,
             last = replay_run ? replay_run : (uint64_t)x->o.runs;
    struct run *deadlocks = NULL; /* the run that confirmed each cycle */
    char *edges = rd_xstrdup("");
    json_t *summary, *list;
    int rc = 0;

    if (rd_input_read(rep, x->o.confirm, stderr) < 0) {
        rc = RD_EXIT_USAGE;
        goto out;
    }
    sym = rd_symbolizer_new(stderr); /* a record file may be given too */
    rd_model_finish(rep, sym, stderr);
    rd_symbolizer_free(sym);
    for (size_t i = 0; i < rep->nfindings; i++) {
        if (strcmp(rep->findings[i]->kind, "lock_order_cycle") != 0)
            continue;
        if (!cycle_edges(rep->findings[i], &edges)) {
            fprintf(stderr, "racedet: explore: cannot steer towards lock-order cycle %s: one of "
                            "its stacks has no frame in a named module\n", rep->findings[i]->id);
            continue;
        }
        *RD_PUSH(cycles, ncycles, capcycles) = i;
    }
    if (ncycles == 0) {
        fprintf(stderr, "racedet: explore: %s has no lock_order_cycle finding to confirm (make "
                        "one with racedet run --format json -o FILE -- PROG)\n", x->o.confirm);
        rc = RD_EXIT_USAGE;
        goto out;
    }
    x->cycle = rd_xasprintf("cycle=%s", edges);
    /* the cycles are known: the runs look for the deadlocks only */
    x->o.report_lock_order = false;
    confirmed_in = rd_xcalloc(ncycles, sizeof *confirmed_in);
    deadlocks = rd_xcalloc(ncycles, sizeof *deadlocks);

    if (first > 1) { /* a replay: run 1 gives k */
        struct run r;
        rc = do_run(x, 1, false, &r);
        if (!rc)
            learn_steps(x, &r);
        run_free(&r);
        if (rc)
            goto out;
    }
    for (uint64_t n = first; n <= last && nconfirmed < ncycles; n++) {
        struct run r;
        bool kept = false;
        rc = do_run(x, n, replay_run != 0, &r);
        if (rc) {
            run_free(&r);
            end_progress(x);
            goto out;
        }
        x->runs++;
        learn_steps(x, &r);
        note_schedule(x, &r);
        for (size_t c = 0; c < ncycles; c++) {
            if (confirmed_in[c] || !deadlock_at(&r, rep->findings[cycles[c]]))
                continue;
            confirmed_in[c] = n;
            nconfirmed++;
            if (!kept) {
                deadlocks[c] = r;
                kept = true;
            }
        }
        if (!kept)
            run_free(&r);
        x->failed = nconfirmed;
        show_progress(x);
    }
    end_progress(x);

    /* the report: the cycles, marked, and each deadlock that confirmed one */
    list = json_array();
    for (size_t c = 0; c < ncycles; c++) {
        struct rd_finding *f = rep->findings[cycles[c]];
        json_t *item = json_pack("{s:s}", "cycle", f->id);
        if (confirmed_in[c]) {
            mark(f, confirmed_json(x, confirmed_in[c], x->runs));
            json_object_set_new(item, "confirmed", json_true());
            json_object_set_new(item, "run", json_integer((json_int_t)confirmed_in[c]));
        } else {
            mark(f, json_pack("{s:b, s:I}", "confirmed", 0, "runs", (json_int_t)x->runs));
            json_object_set_new(item, "confirmed", json_false());
        }
        json_array_append_new(list, item);
    }
    for (size_t c = 0; c < ncycles; c++) {
        struct run *r = &deadlocks[c];
        struct rd_finding *dl;
        if (!r->m)
            continue;
        dl = (struct rd_finding *)deadlock_at(r, rep->findings[cycles[c]]);
        /* the deadlock joins the report: its records are read into it */
        cli_read_records(rep, r->dir, x->o.verbose);
        sym = rd_symbolizer_new(stderr);
        rd_model_finish(rep, sym, stderr);
        rd_symbolizer_free(sym);
        for (size_t i = 0; dl && i < rep->nfindings; i++)
            if (strcmp(rep->findings[i]->id, dl->id) == 0 &&
                !(rep->findings[i]->details && json_object_get(rep->findings[i]->details, "explore")))
                mark(rep->findings[i], confirmed_json(x, r->number, x->runs));
    }
    summary = summary_json(x);
    json_object_set_new(summary, "confirm", list);
    rc = deliver(x, rep, summary) < 0 ? RD_EXIT_USAGE : 0;
    for (size_t c = 0; c < ncycles; c++) {
        const struct rd_finding *f = rep->findings[cycles[c]];
        if (confirmed_in[c]) {
            char *replay = replay_command(x, confirmed_in[c]);
            fprintf(stderr, "racedet explore: lock-order cycle %s confirmed: the threads deadlocked "
                            "in run %" PRIu64 " (seed %" PRIu64 ")\n"
                            "racedet explore:   replay it: %s\n",
                    f->id, confirmed_in[c], x->seed, replay);
            free(replay);
        } else {
            fprintf(stderr, "racedet explore: lock-order cycle %s not confirmed in %" PRIu64
                            " run%s (seed %" PRIu64 "): it stays a potential deadlock\n",
                    f->id, x->runs, x->runs == 1 ? "" : "s", x->seed);
        }
    }
    if (!rc && nconfirmed > 0)
        rc = (int)x->o.exitcode;
out:
    for (size_t c = 0; deadlocks && c < ncycles; c++)
        run_free(&deadlocks[c]);
    free(deadlocks);
    free(confirmed_in);
    free(cycles);
    free(edges);
    rd_model_free(rep);
    return rc;
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
    if (cli_check_format(&x.o) < 0 || cli_load_suppressions(&x.o, &x.supp) < 0)
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
    x.started_ns = now_ns();

    if (*x.o.confirm)
        rc = confirm(&x, replay_run);
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
