/* explore_run: one run of racedet explore, what its end says, and the
 * command that makes it again; see explore.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "explore.h"
#include "mem.h"
#include "render_text.h"
#include "sched_stats.h"
#include "suppressions.h"
#include "symbolize.h"

void explore_run_free(struct explore_run *r)
{
    if (r->dir) {
        cli_remove_record_dir(r->dir);
        free(r->dir);
    }
    rd_model_free(r->m);
    free(r->output);
    memset(r, 0, sizeof *r);
}

uint64_t explore_now_ns(void)
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
int explore_do_run(struct explore *x, uint64_t number, bool show_output, struct explore_run *r)
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

bool explore_run_failed(const struct explore_run *r)
{
    return r->timed_out || r->nfindings > 0 || !WIFEXITED(r->status) ||
           WEXITSTATUS(r->status) != 0;
}

/* One line saying how the run failed. Fresh string. */
char *explore_failure_text(const struct explore_run *r, long timeout_s)
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
char *explore_failure_key(const struct explore_run *r)
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

json_t *explore_failure_json(const struct explore_run *r, long timeout_s)
{
    json_t *o = json_object();
    char *text = explore_failure_text(r, timeout_s);
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
char *explore_replay_command(const struct explore *x, uint64_t run)
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

void explore_note_schedule(struct explore *x, const struct explore_run *r)
{
    for (size_t i = 0; i < x->nhashes; i++)
        if (x->hashes[i] == r->stats.hash)
            return;
    *RD_PUSH(x->hashes, x->nhashes, x->caphashes) = r->stats.hash;
}

/* Keep a run's schedule length for the runs after it (run 1: k). */
int explore_calibrate(struct explore *x)
{
    struct explore_run r;
    int rc = explore_do_run(x, 1, false, &r);
    if (!rc)
        explore_learn_steps(x, &r);
    explore_run_free(&r);
    return rc;
}

void explore_learn_steps(struct explore *x, const struct explore_run *r)
{
    if (r->number == 1)
        x->steps = r->stats.steps > 0 ? r->stats.steps : 1;
}

