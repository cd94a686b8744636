/*
 * cmd_run: `racedet run [OPTIONS] [--] PROG ARGS...`
 *
 * Runs PROG with the shim preloaded and a private record directory, waits
 * for it like system() does (SIGINT/SIGQUIT ignored here, they reach the
 * program through the terminal; SIGTERM/SIGHUP forwarded to it), then reads
 * every record file its processes wrote, and renders one report.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "mem.h"
#include "process_exit.h"
#include "record_reader.h"
#include "render.h"
#include "suppressions.h"

void cli_print_run_usage(FILE *f)
{
    fprintf(f,
            "usage: racedet run [OPTIONS] [--] PROG [ARGS...]\n"
            "Runs PROG (found in PATH like a shell does) with the racedet shim preloaded,\n"
            "watching it and every process it starts, then reports what was found\n"
            "(text on stderr by default; --format json, sarif, dot, svg or html need\n"
            "-o FILE, as stdout is the program's). --suppressions FILE takes out the\n"
            "findings its KIND:PATTERN lines match; they do not count for the exit status.\n"
            "Exit status: the program's own (128+N if it died of signal N); the exitcode\n"
            "option (default 66, 1 to 255) if anything was found, while --exitcode 0 keeps\n"
            "the program's own status whatever was found; 2 for usage errors or a program\n"
            "racedet cannot watch (setuid, statically linked); 127 when PROG is not\n"
            "found, 126 when it cannot be executed.\n"
            "Options (also RACEDET_OPTIONS=\"key=value ...\"; flags win):\n");
    rd_options_print_help(f, SHIM | REPORT, false);
    fprintf(f, "  -o FILE                    same as --output FILE\n"
               "  Boolean options: --name, --no-name or --name=true|false.\n");
}

/* ---- the shim -------------------------------------------------------------------- */

static char *find_shim(void)
{
    const char *env = getenv("RACEDET_SHIM");
    char self[PATH_MAX], *slash, *cand, *real;
    ssize_t n;

    if (env && *env) {
        real = realpath(env, NULL);
        if (!real)
            fprintf(stderr, "racedet: RACEDET_SHIM=%s: %s\n", env, strerror(errno));
        return real;
    }
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "racedet: cannot find where racedet is installed (/proc/self/exe: %s)\n",
                strerror(errno));
        return NULL;
    }
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    cand = rd_xasprintf("%s/../lib/libracedet.so", self);
    real = realpath(cand, NULL);
    if (!real)
        fprintf(stderr, "racedet: the racedet shim is not installed: %s is missing (set "
                        "RACEDET_SHIM to its path)\n", cand);
    free(cand);
    return real;
}

/* ---- the record directory ------------------------------------------------------- */

static char *make_record_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = rd_xasprintf("%s/racedet.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "racedet: cannot make a record directory %s: %s\n", dir,
                strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

static void remove_record_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (d) {
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
}

static int is_record_file(const struct dirent *e)
{
    return fnmatch("racedet.*.jsonl", e->d_name, 0) == 0;
}

/* Read every record file in dir; returns how many there were. */
static size_t read_records(struct rd_model *m, const char *dir, bool verbose)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, is_record_file, alphasort), i;
    size_t count = 0;
    if (n < 0) {
        fprintf(stderr, "racedet: cannot read the record directory %s: %s\n", dir,
                strerror(errno));
        return 0;
    }
    for (i = 0; i < n; i++) {
        char *path = rd_xasprintf("%s/%s", dir, names[i]->d_name);
        if (verbose)
            fprintf(stderr, "racedet: reading %s\n", path);
        /* a record file the program could not finish (killed at once) is said
         * and skipped: the other processes' findings still count */
        rd_records_read(m, path, stderr);
        count++;
        free(path);
        free(names[i]);
    }
    free(names);
    return count;
}

/* ---- running the program --------------------------------------------------------- */

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
    if (child_pid > 0)
        kill((pid_t)child_pid, sig);
}

struct child_env {
    const char *record_dir;
    char *ld_preload;
    char *options;       /* NULL: leave RACEDET_OPTIONS as it is */
};

/* The shim first, then the user's LD_PRELOAD (entries separated by ':' or
 * spaces, as ld.so accepts) without any other copy of a racedet shim. */
static char *preload_list(const char *shim, const char *old)
{
    char *copy, *list, *tok, *save = NULL;
    size_t used;
    if (!old || !*old)
        return rd_xstrdup(shim);
    copy = rd_xstrdup(old);
    list = rd_xcalloc(1, strlen(shim) + strlen(old) + 2);
    used = (size_t)sprintf(list, "%s", shim);
    for (tok = strtok_r(copy, ": ", &save); tok; tok = strtok_r(NULL, ": ", &save)) {
        if (strncmp(rd_basename(tok), "libracedet", 10) == 0)
            continue;
        used += (size_t)sprintf(list + used, ":%s", tok);
    }
    free(copy);
    return list;
}

static void prepare_env(struct child_env *ce, const char *shim, const char *dir,
                        const struct rd_options *o)
{
    const char *old_preload = getenv("LD_PRELOAD"), *old_opts = getenv("RACEDET_OPTIONS");
    size_t need = rd_options_format(o, SHIM, NULL, 0);
    char *mine = rd_xcalloc(1, need + 1);

    rd_options_format(o, SHIM, mine, need + 1);
    ce->record_dir = dir;
    ce->ld_preload = preload_list(shim, old_preload);
    if (*mine)
        ce->options = old_opts && *old_opts ? rd_xasprintf("%s %s", old_opts, mine)
                                            : rd_xstrdup(mine);
    else
        ce->options = NULL;
    free(mine);
}

/* Child side: set up and exec; on failure tell the parent errno via the
 * pipe and exit 127. */
static void exec_child(const char *path, char **argv, const struct child_env *ce,
                       const struct sigaction *old_int, const struct sigaction *old_quit,
                       const sigset_t *old_mask, int errfd)
{
    int err;
    sigaction(SIGINT, old_int, NULL);
    sigaction(SIGQUIT, old_quit, NULL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    sigprocmask(SIG_SETMASK, old_mask, NULL);
    setenv("RACEDET_RECORD_DIR", ce->record_dir, 1);
    setenv("LD_PRELOAD", ce->ld_preload, 1);
    if (ce->options)
        setenv("RACEDET_OPTIONS", ce->options, 1);
    execv(path, argv);
    err = errno;
    if (err == ENOEXEC) {
        /* no #! line: a shell script, as execvp and shells run it */
        size_t n = 0, i;
        char **shargv;
        while (argv[n])
            n++;
        shargv = rd_xcalloc(n + 2, sizeof *shargv);
        shargv[0] = "/bin/sh";
        shargv[1] = (char *)path;
        for (i = 1; i < n; i++)
            shargv[i + 1] = argv[i];
        execv("/bin/sh", shargv);
        err = errno;
    }
    if (write(errfd, &err, sizeof err) < 0) {
        /* nothing more to say */
    }
    _exit(RD_EXIT_NOT_FOUND);
}

/* Returns the program's wait status (its pid in *pid), or -1 (after saying
 * why) when it could not be started; *exec_errno is then set when exec
 * itself failed. */
static int run_child(const char *path, char **argv, const struct child_env *ce,
                     int *exec_errno, pid_t *child)
{
    struct sigaction ign, fwd, old_int, old_quit, old_term, old_hup;
    sigset_t block, old_mask;
    int pipefd[2], status = 0, err = 0;
    pid_t pid;
    ssize_t got;

    *exec_errno = 0;
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        fprintf(stderr, "racedet: pipe: %s\n", strerror(errno));
        return -1;
    }
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    memset(&fwd, 0, sizeof fwd);
    fwd.sa_handler = forward_signal;
    sigemptyset(&fwd.sa_mask);
    fwd.sa_flags = SA_RESTART;
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
    sigaction(SIGTERM, &fwd, &old_term);
    sigaction(SIGHUP, &fwd, &old_hup);
    /* a SIGTERM between fork and knowing the child's pid must not be lost */
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old_mask);

    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        exec_child(path, argv, ce, &old_int, &old_quit, &old_mask, pipefd[1]);
    }
    close(pipefd[1]);
    if (pid < 0) {
        fprintf(stderr, "racedet: fork: %s\n", strerror(errno));
        status = -1;
    } else {
        *child = pid;
        child_pid = pid;
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        do
            got = read(pipefd[0], &err, sizeof err);
        while (got < 0 && errno == EINTR);
        if (got == (ssize_t)sizeof err)
            *exec_errno = err ? err : ENOEXEC;
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                fprintf(stderr, "racedet: waitpid: %s\n", strerror(errno));
                status = -1;
                break;
            }
        }
        child_pid = 0;
    }
    close(pipefd[0]);
    /* SIGTERM and SIGHUP stay blocked: once the program has ended they are
     * for racedet, and it must not die of one before its report is out.
     * `timeout 10 racedet run PROG` sends SIGTERM to racedet (forwarded)
     * and then to its whole process group, racedet again included: the
     * second one often came after the program was reaped, and racedet died
     * with the findings unread. The caller unblocks them when it is done
     * (cli_run_in) or leaves them pending until it exits (cmd_run). */
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    return status;
}

static int program_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

/* The program owns stdout: a machine-readable report written there would be
 * mixed with its output (`racedet run --format json -- ./p > out.json`
 * made a file racedet report rejects). So those formats need -o. */
static int check_output_for_run(const struct rd_options *o)
{
    const struct rd_renderer *r = rd_renderer_find(o->format);
    if (r && r->machine && !*o->output) {
        fprintf(stderr, "racedet: --format %s needs -o FILE: the program's own output goes to "
                        "stdout\n", o->format);
        return -1;
    }
    return 0;
}

static int check_strings_for_shim(const struct rd_options *o)
{
    /* RACEDET_OPTIONS separates values by spaces, tabs and commas */
    if (strpbrk(o->suppressions, " \t,")) {
        fprintf(stderr, "racedet: --suppressions %s: the path cannot contain spaces, tabs or "
                        "commas (RACEDET_OPTIONS could not carry it)\n", o->suppressions);
        return -1;
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct rd_options o;
    struct cli_args a;
    struct child_env ce = {0};
    struct rd_model *m = NULL;
    struct rd_suppressions *supp = NULL;
    enum cli_prog_kind kind;
    char *shim = NULL, *path = NULL, *dir = NULL, **pargv;
    int rc = RD_EXIT_USAGE, status, exec_errno = 0;
    pid_t pid = -1;
    size_t nfiles, i;

    if (cli_parse(&o, &a, CLI_RUN, argc, argv, 1) < 0)
        goto out;
    if (a.help) {
        cli_print_run_usage(stdout);
        rc = 0;
        goto out;
    }
    if (a.noperands == 0) {
        fprintf(stderr, "racedet: run: no program given (racedet run [OPTIONS] [--] PROG "
                        "[ARGS...])\n");
        goto out;
    }
    if (cli_check_report_options(&o) < 0 || check_output_for_run(&o) < 0 ||
        check_strings_for_shim(&o) < 0 || cli_load_suppressions(&o, &supp) < 0)
        goto out;
    shim = find_shim();
    if (!shim)
        goto out;
    path = cli_find_program(a.operands[0], &rc);
    if (!path)
        goto out;
    rc = RD_EXIT_USAGE;
    if (cli_check_program(a.operands[0], path, shim, &kind) < 0)
        goto out;
    dir = make_record_dir();
    if (!dir)
        goto out;
    if (o.verbose)
        fprintf(stderr, "racedet: running %s with %s, records in %s\n", path, shim, dir);

    /* these formats draw the whole lock-order graph: have it recorded */
    if (strcmp(o.format, "dot") == 0 || strcmp(o.format, "svg") == 0 ||
        strcmp(o.format, "html") == 0)
        o.record_lock_graph = true;
    prepare_env(&ce, shim, dir, &o);
    pargv = rd_xcalloc(a.noperands + 1, sizeof *pargv);
    for (i = 0; i < a.noperands; i++)
        pargv[i] = a.operands[i];
    status = run_child(path, pargv, &ce, &exec_errno, &pid);
    free(pargv);
    if (status < 0 || exec_errno) {
        if (exec_errno)
            fprintf(stderr, "racedet: %s: %s\n", a.operands[0], strerror(exec_errno));
        rc = exec_errno == ENOENT ? RD_EXIT_NOT_FOUND : RD_EXIT_CANNOT_RUN;
        goto out;
    }
    if (o.verbose)
        fprintf(stderr, "racedet: %s ended with status %d\n", a.operands[0],
                program_status(status));

    m = rd_model_new();
    nfiles = read_records(m, dir, o.verbose);
    if (nfiles == 0) {
        if (kind == CLI_PROG_ELF) {
            fprintf(stderr, "racedet: %s never loaded the racedet shim (statically linked? "
                            "setuid? LD_PRELOAD cleared?): nothing was watched\n",
                    a.operands[0]);
            rc = RD_EXIT_USAGE;
            goto out;
        }
        fprintf(stderr, "racedet: warning: no process started by %s loaded the racedet shim "
                        "(statically linked? setuid? LD_PRELOAD cleared?): nothing was "
                        "watched\n", a.operands[0]);
    }
    rd_model_sort_processes(m);
    /* the runtime cannot see main return or a fatal signal; waitpid did */
    rd_model_note_wait_status(m, (long)pid, status);
    if (cli_deliver(m, &o, supp) < 0)
        rc = RD_EXIT_USAGE;
    else if (m->nfindings > 0 && o.exitcode != 0)
        rc = (int)o.exitcode;
    else
        rc = program_status(status); /* exitcode 0: findings do not change it */

out:
    if (dir) {
        remove_record_dir(dir);
        free(dir);
    }
    rd_model_free(m);
    rd_suppressions_free(supp);
    free(ce.ld_preload);
    free(ce.options);
    free(path);
    free(shim);
    cli_args_free(&a);
    return rc;
}

/* ---- one run, for racedet explore (cmd_explore.c) ---------------------------------- */

char *cli_find_shim(void)
{
    return find_shim();
}

char *cli_make_record_dir(void)
{
    return make_record_dir();
}

void cli_remove_record_dir(const char *dir)
{
    remove_record_dir(dir);
}

size_t cli_read_records(struct rd_model *m, const char *dir, bool verbose)
{
    return read_records(m, dir, verbose);
}

int cli_program_status(int status)
{
    return program_status(status);
}

static volatile sig_atomic_t run_timed_out;

/* SIGALRM: the run took too long. The child may not be known yet (the
 * alarm came between fork and child_pid): look again in a second. */
static void end_run(int sig)
{
    (void)sig;
    if (child_pid > 0) {
        run_timed_out = 1;
        kill((pid_t)child_pid, SIGKILL);
    } else {
        alarm(1);
    }
}

int cli_run_in(const char *shim, const char *path, char **argv, const struct rd_options *o,
               const char *dir, const struct cli_run_io *io, bool *timed_out, int *exec_errno)
{
    struct child_env ce = {0};
    struct sigaction alrm, old_alrm;
    sigset_t old_mask;
    int status, saved[3] = {-1, -1, -1};
    pid_t child;

    prepare_env(&ce, shim, dir, o);
    /* the program's standard streams for this run (the child inherits them) */
    for (int fd = 0; io && fd < 3; fd++)
        if (io->fds[fd] >= 0) {
            saved[fd] = dup(fd);
            dup2(io->fds[fd], fd);
        }
    run_timed_out = 0;
    sigprocmask(SIG_SETMASK, NULL, &old_mask);
    memset(&alrm, 0, sizeof alrm);
    alrm.sa_handler = end_run;
    sigemptyset(&alrm.sa_mask);
    sigaction(SIGALRM, &alrm, &old_alrm);
    if (io && io->timeout_s > 0)
        alarm((unsigned)io->timeout_s);
    status = run_child(path, argv, &ce, exec_errno, &child);
    sigprocmask(SIG_SETMASK, &old_mask, NULL); /* (run_child left SIGTERM blocked) */
    alarm(0);
    sigaction(SIGALRM, &old_alrm, NULL);
    for (int fd = 0; fd < 3; fd++)
        if (saved[fd] >= 0) {
            dup2(saved[fd], fd);
            close(saved[fd]);
        }
    *timed_out = run_timed_out != 0;
    free(ce.ld_preload);
    free(ce.options);
    return status;
}
