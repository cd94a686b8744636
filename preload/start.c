/*
 * start: bringing the runtime up (constructor, or the first intercepted
 * call if another library's constructor comes first), fork handlers, and
 * the end of the process — including showing the report when the shim was
 * preloaded by hand rather than by `racedet run`.
 */
#include "preload.h"
#include "core/core.h"
#include "deadlock/deadlock.h"
#include "sched/sched.h"
#include "sched_hooks.h"

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static bool standalone;        /* no `racedet run`: we show the report */

static void say(const char *msg)
{
    ssize_t r = write(2, msg, strlen(msg));
    (void)r;
}

/* fork: the watchdog's and the sync tables' locks (the runtime's own are
 * in rt_fork_*); the child has no watchdog thread until it needs one. */
static void fork_prepare(void)
{
    rt_sched_fork_prepare();
    rt_watchdog_fork_prepare();
    rt_sync_objects_lock_all();
    rt_blocking_lock_all();
}

static void fork_parent(void)
{
    rt_blocking_unlock_all();
    rt_sync_objects_unlock_all();
    rt_watchdog_fork_parent();
    rt_sched_fork_parent();
}

static void fork_child(void)
{
    rt_blocking_unlock_all();
    rt_sync_objects_unlock_all();
    rt_watchdog_fork_child();
    rt_sched_fork_child();
}

static void start_runtime(void)
{
    char err[512];
    const char *dir = getenv("RACEDET_RECORD_DIR");
    const char *missing;
    int expected = RT_NOT_STARTED;
    Dl_info info;

    if (!atomic_compare_exchange_strong(&rt_state, &expected, RT_STARTING))
        return; /* someone else is starting it; their calls pass through meanwhile */
    missing = real_resolve_all();
    if (missing) {
        snprintf(err, sizeof err, "racedet: cannot find the real %s in libc; not watching\n", missing);
        say(err);
        return; /* state stays STARTING: every call passes through */
    }
    rt_watchdog_spawn = real_pthread_create; /* never the interceptor */
    if (dladdr((void *)start_runtime, &info))
        rt_modules_mark_runtime((void *)start_runtime, dlsym(RTLD_DEFAULT, "unw_backtrace"));
    standalone = dir == NULL || *dir == '\0';
    switch (rt_start(getenv("RACEDET_OPTIONS"), standalone ? NULL : dir, err, sizeof err)) {
    case 0:
        break;
    case RT_START_NO_RECORD:
        /* e.g. a child that became another user, which may not write in
         * the record directory: it runs as it would without us */
        rt_stop_watching(err);
        return;
    default:
        say("racedet: ");
        say(err);
        say("\n");
        _exit(2);
    }
    /* racedet explore: the threads run one at a time under its schedule */
    if (rt_sched_start(rt_self, rt_options.schedule, standalone ? NULL : dir, err, sizeof err) < 0) {
        say("racedet: RACEDET_OPTIONS: ");
        say(err);
        say("\n");
        _exit(2);
    }
    preload_sched_memory_start();
    rt_on_record_complete = preload_show_report;
    pthread_atfork(rt_fork_prepare, rt_fork_parent, rt_fork_child);
    /* registered second: its prepare runs first, its child handler last */
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void preload_start_runtime(void)
{
    start_runtime();
}

__attribute__((constructor(101))) static void preload_init(void)
{
    start_runtime();
}

static atomic_int exit_status = -1; /* -1: not known (main returned) */
/* The report shown at exit had findings left after suppressions (the
 * analyzer decides: it exits with exitcode then). */
static bool report_found_something;

void preload_note_exit_status(int status)
{
    atomic_store(&exit_status, status & 0xff);
}

__attribute__((destructor(101))) static void preload_fini(void)
{
    if (atomic_load(&rt_state) != RT_READY)
        return;
    rt_finish(atomic_load(&exit_status), "exit");
    if (standalone && report_found_something) {
        /* as ThreadSanitizer does: a run with (unsuppressed) findings fails */
        fflush(NULL);
        _exit((int)rt_options.exitcode);
    }
}

/* Run `racedet report --from-records FILE` (the racedet next to this
 * shim) on stderr, without the shim in its environment. */
void preload_show_report(void)
{
    Dl_info info;
    char shim[PATH_MAX], racedet[PATH_MAX + 32];
    const char *record = rt_record_path();
    size_t n = 0;
    pid_t pid;
    int status;

    if (!standalone || !record[0])
        return;
    rt_record_close();
    if (rt_findings_count(NULL) == 0) {
        unlink(record);
        return;
    }
    report_found_something = true; /* unless the analyzer says otherwise */
    if (!dladdr((void *)preload_show_report, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, shim)) {
        say("racedet: findings were recorded in ");
        say(record);
        say("; read them with `racedet report --from-records FILE`\n");
        return;
    }
    snprintf(racedet, sizeof racedet, "%s/../bin/racedet", dirname(shim));
    for (char **e = environ; e && *e; e++)
        n++;
    char *env[n + 1];
    n = 0;
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) != 0)
            env[n++] = *e;
    env[n] = NULL;
    char *argv[] = {racedet, "report", "--from-records", (char *)record, NULL};
    if (posix_spawn(&pid, racedet, NULL, NULL, argv, env) != 0) {
        say("racedet: cannot run ");
        say(racedet);
        say(" to show the report; findings were recorded in ");
        say(record);
        say("\n");
        return;
    }
    while (waitpid(pid, &status, 0) < 0)
        ;
    report_found_something = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(record);
}
