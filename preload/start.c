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
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
    if (standalone && strcmp(rt_options.format, "text") != 0 && !*rt_options.output) {
        /* as racedet run: a JSON document mixed with the program's own
         * output on stdout is no JSON document */
        say("racedet: RACEDET_OPTIONS: format=");
        say(rt_options.format);
        say(" needs output=FILE: the program's own output goes to stdout\n");
        _exit(2);
    }
    /* once the options are known good (the reporter reads them too), and
     * before the record's first line, which is made in its directory */
    if (standalone) {
        rt_self->in_runtime++; /* its allocations and fd calls are ours */
        preload_reporter_start();
        rt_self->in_runtime--;
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

struct rt_thread *preload_enter_slow(void)
{
    if (atomic_load_explicit(&rt_state, memory_order_relaxed) == RT_NOT_STARTED)
        preload_start_runtime();
    return rt_enter();
}

__attribute__((constructor(101))) static void preload_init(void)
{
    start_runtime();
}

static atomic_int exit_status = -1; /* -1: not known (exit inside libc) */
static const char *_Atomic exit_how = "exit";
/* The report shown at exit had findings left after suppressions (the
 * analyzer decides: it exits with exitcode then). */
static bool report_found_something;

void preload_note_exit_status(int status, const char *how)
{
    atomic_store(&exit_how, how);
    atomic_store(&exit_status, status & 0xff);
}

__attribute__((destructor(101))) static void preload_fini(void)
{
    if (atomic_load(&rt_state) != RT_READY)
        return;
    rt_finish(atomic_load(&exit_status), atomic_load(&exit_how));
    if (standalone && report_found_something) {
        /* as ThreadSanitizer does: a run with (unsuppressed) findings fails */
        fflush(NULL);
        _exit((int)rt_options.exitcode);
    }
}

/* Run `racedet report --from-records FILE` (the racedet next to this
 * shim) on stderr, without the shim in its environment. When stderr is not
 * what it was at start-up (closed, or another file put at 2), the reporter
 * shows this record on the stderr the program started with. */
void preload_show_report(void)
{
    char racedet[PATH_MAX + 32];
    const char *record = rt_record_path();
    pid_t pid;
    int status;

    if (!standalone || !record[0])
        return;
    rt_record_close();
    if (rt_findings_count(NULL) == 0) {
        unlink(record);
        return;
    }
    if (preload_reporter_active() && !rt_stderr_unchanged())
        return; /* the reporter's, with the status the program chose */
    report_found_something = true; /* unless the analyzer says otherwise */
    if (!preload_racedet_path(racedet, sizeof racedet)) {
        say("racedet: findings were recorded in ");
        say(record);
        say("; read them with `racedet report --from-records FILE`\n");
        return;
    }
    size_t n = preload_env_without_shim(NULL, 0);
    char *env[n];
    preload_env_without_shim(env, n);
    char *argv[] = {racedet, "report", "--from-records", (char *)record, NULL};
    if (posix_spawn(&pid, racedet, NULL, NULL, argv, env) != 0) {
        say("racedet: cannot run ");
        say(racedet);
        say(" to show the report; findings were recorded in ");
        say(record);
        say("\n");
        return;
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            status = 1 << 8; /* reaped by nobody we know (SIGCHLD ignored): findings */
            break;
        }
    }
    report_found_something = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(record);
}
