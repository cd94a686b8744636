/*
 * reporter: with the shim alone (no `racedet run`), the program's first
 * process starts one reporter process (`racedet _reporter`, the racedet
 * next to this shim; src/cli/cmd_reporter.c) that shows the findings of
 * every process that could not show its own at exit: _exit, abort, a
 * crash, SIGKILL, exec, or a stderr the program closed or replaced.
 *
 * The channel: a pipe. Its write end is held by every process of the
 * program (fork copies it; it is not close-on-exec, so exec keeps it) and
 * is racedet's own, like the record's descriptor (intercept_fd.c: close,
 * dup2, close_range... treat it as not there). When the last holder is
 * gone, the reporter reads EOF and renders the records left in its
 * directory, where every process makes its record file. A process that
 * ends normally with its stderr as at start-up still shows its own report
 * at exit (preload_show_report) and takes its record away.
 *
 * RACEDET_REPORTER="DEV:INO:DIR" tells a new image (after exec) that a
 * reporter already waits: it finds the pipe among its descriptors by
 * device and inode, and makes its records in DIR. Fork children need
 * nothing: they share the first process's reporter.
 */
#include "preload.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define REPORTER_ENV "RACEDET_REPORTER"

/* The pipe's write end in this process, or -1 (no reporter). */
static _Atomic int reporter_fd = -1;

bool preload_racedet_path(char *out, size_t n)
{
    Dl_info info;
    char shim[PATH_MAX];
    if (!dladdr((void *)preload_racedet_path, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, shim))
        return false;
    snprintf(out, n, "%s/../bin/racedet", dirname(shim));
    return access(out, X_OK) == 0;
}

size_t preload_env_without_shim(char **env, size_t n)
{
    size_t used = 0;
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) != 0) {
            if (env && used < n)
                env[used] = *e;
            used++;
        }
    if (env && used < n)
        env[used] = NULL;
    return used + 1;
}

/* A copy of fd, not closed by exec, as high as the descriptor limit allows
 * (below 1024, like the record's) and out of the program's way; -1 if no
 * number is free. */
static int dup_high_inheritable(int fd)
{
    int high = rt_fd_dup_high(fd, 2, false); /* the record takes the top one */
    if (high < 0)
        high = (int)syscall(SYS_fcntl, fd, F_DUPFD, 3);
    return high;
}

/* After exec: the pipe named by RACEDET_REPORTER among our descriptors. */
static int find_pipe(dev_t dev, ino_t ino)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int found = -1;
    if (!d)
        return -1;
    while (found < 0 && (e = readdir(d)) != NULL) {
        struct stat st;
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end || end == e->d_name || fd == dirfd(d))
            continue;
        if (fstat((int)fd, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_dev == dev &&
            st.st_ino == ino && (fcntl((int)fd, F_GETFL) & O_ACCMODE) == O_WRONLY)
            found = (int)fd;
    }
    closedir(d);
    return found;
}

/* A reporter of an earlier image of this process (or of its parent)
 * already waits: use it. */
static bool join_reporter(void)
{
    const char *v = getenv(REPORTER_ENV);
    unsigned long long dev, ino;
    int skip = 0, fd;
    if (!v || sscanf(v, "%llu:%llu:%n", &dev, &ino, &skip) != 2 || skip == 0 || !v[skip])
        return false;
    fd = find_pipe((dev_t)dev, (ino_t)ino);
    if (fd < 0)
        return false; /* not ours any more (closed by a raw system call): start one */
    rt_record_set_temp_dir(v + skip);
    atomic_store(&reporter_fd, fd);
    return true;
}

/* Start `racedet _reporter READ_FD DIR` and wait for it to detach (it
 * forks; its parent, our child, exits at once). Returns whether it runs. */
static bool spawn_reporter(const char *racedet, int read_fd, int write_fd, const char *dir)
{
    posix_spawn_file_actions_t fa;
    char fdarg[16];
    char *argv[] = {(char *)racedet, "_reporter", fdarg, (char *)dir, NULL};
    size_t n = preload_env_without_shim(NULL, 0);
    char *env[n];
    pid_t pid;
    int status = 0, rc;
    long w;

    preload_env_without_shim(env, n);
    snprintf(fdarg, sizeof fdarg, "%d", read_fd);
    if (posix_spawn_file_actions_init(&fa) != 0)
        return false;
    /* the program's stdin and stdout are not ours to hold open */
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&fa, write_fd);
    rc = posix_spawn(&pid, racedet, &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return false;
    /* the program's waitpid is intercepted nowhere, but a raw call keeps
     * this out of any wrapper another preloaded library may have */
    do
        w = syscall(SYS_wait4, pid, &status, 0, NULL);
    while (w < 0 && errno == EINTR);
    return w == pid ? WIFEXITED(status) && WEXITSTATUS(status) == 0 : errno == ECHILD;
}

static bool start_reporter(void)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX], racedet[PATH_MAX + 32], env[PATH_MAX + 64];
    int p[2], r, w;
    struct stat st;
    bool ok;

    if (!preload_racedet_path(racedet, sizeof racedet))
        return false; /* no racedet next to the shim: reports at exit only */
    snprintf(dir, sizeof dir, "%s/racedet.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return false;
    if (pipe2(p, O_CLOEXEC) != 0) {
        rmdir(dir);
        return false;
    }
    w = dup_high_inheritable(p[1]);
    r = (int)syscall(SYS_fcntl, p[0], F_DUPFD, 3); /* the reporter inherits this one */
    syscall(SYS_close, p[0]);
    syscall(SYS_close, p[1]);
    ok = w >= 0 && r >= 0 && fstat(w, &st) == 0 && spawn_reporter(racedet, r, w, dir);
    if (r >= 0)
        syscall(SYS_close, r);
    if (!ok) {
        if (w >= 0)
            syscall(SYS_close, w);
        rmdir(dir);
        return false;
    }
    snprintf(env, sizeof env, "%llu:%llu:%s", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino, dir);
    setenv(REPORTER_ENV, env, 1);
    rt_record_set_temp_dir(dir);
    atomic_store(&reporter_fd, w);
    return true;
}

void preload_reporter_start(void)
{
    if (!join_reporter())
        start_reporter();
}

bool preload_reporter_active(void)
{
    return atomic_load(&reporter_fd) >= 0;
}

/* ---- the pipe's descriptor, as the program's fd calls see it ----------------- */

bool preload_reporter_owns_fd(int fd)
{
    return fd >= 0 && fd == atomic_load_explicit(&reporter_fd, memory_order_relaxed);
}

int preload_reporter_fd_around(unsigned lo, unsigned hi,
                               int (*fn)(unsigned lo, unsigned hi, void *arg), void *arg)
{
    return rt_fd_range_without(atomic_load_explicit(&reporter_fd, memory_order_relaxed), lo, hi,
                               fn, arg);
}

void preload_reporter_fd_wanted(int fd)
{
    int saved = errno, moved;
    if (!preload_reporter_owns_fd(fd))
        return;
    /* the program's dup2 onto our number comes first; without another
     * free number the pipe is given up (the reporter then renders when
     * the other holders are gone) */
    moved = dup_high_inheritable(fd);
    syscall(SYS_close, fd);
    atomic_store(&reporter_fd, moved);
    errno = saved;
}
