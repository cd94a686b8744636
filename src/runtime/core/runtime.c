/* runtime: see runtime.h. */
#include "runtime.h"
#include "record.h"
#include "rt_alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rd_options rt_options;
atomic_int rt_state = RT_NOT_STARTED;
void (*rt_on_record_complete)(void);
static atomic_bool finished;

bool rt_finish_claim(void)
{
    return !atomic_exchange(&finished, true);
}

void rt_finish_reset(void)
{
    atomic_store(&finished, false);
}

/* What descriptor 2 was at start-up (rt_say). */
static enum { STDERR_UNKNOWN, STDERR_KNOWN, STDERR_CLOSED } stderr_state;
static dev_t stderr_dev;
static ino_t stderr_ino;

static void note_stderr(void)
{
    struct stat st;
    if (fstat(2, &st) != 0) {
        stderr_state = STDERR_CLOSED;
        return;
    }
    stderr_dev = st.st_dev;
    stderr_ino = st.st_ino;
    stderr_state = STDERR_KNOWN;
}

bool rt_stderr_unchanged(void)
{
    struct stat st;
    int saved = errno;
    bool same = stderr_state != STDERR_CLOSED &&
                (stderr_state != STDERR_KNOWN ||
                 (fstat(2, &st) == 0 && st.st_dev == stderr_dev && st.st_ino == stderr_ino));
    errno = saved;
    return same;
}

void rt_say(const char *msg)
{
    int saved = errno;
    ssize_t r;
    if (!rt_stderr_unchanged())
        return;
    r = write(2, msg, strlen(msg));
    (void)r;
    errno = saved;
}

void rt_stop_watching(const char *why)
{
    static atomic_bool said;
    char line[1024];
    bool was_watching = atomic_exchange(&rt_state, RT_FINISHED) == RT_READY;
    if (atomic_exchange(&said, true))
        return;
    snprintf(line, sizeof line, "racedet: pid %d (%s) not watched%s: %s\n", (int)getpid(),
             program_invocation_short_name, was_watching ? " from now on" : "", why);
    rt_say(line);
}

int rt_start(const char *options_text, const char *record_dir, char *err, size_t errlen)
{
    note_stderr();
    rd_options_defaults(&rt_options);
    if (options_text && *options_text) {
        /* values point into this copy for the life of the process */
        char *copy = rt_strdup(options_text), why[400];
        if (rd_options_parse(&rt_options, copy, why, sizeof why) < 0) {
            snprintf(err, errlen, "RACEDET_OPTIONS: %s", why);
            return RT_START_BAD_OPTIONS;
        }
    }
    rt_stack_max_frames = (unsigned)(rt_options.max_stack_frames > 0 ? rt_options.max_stack_frames : 1);
    if (rt_record_open(record_dir, err, errlen) < 0)
        return RT_START_NO_RECORD;
    rt_self = NULL;
    rt_thread_current(); /* the main thread is T0 */
    rt_self->in_runtime++; /* before any lock call (stack.c); its frees are ours */
    rt_stack_note_bounds();
    rt_self->in_runtime--;
    atomic_store(&rt_state, RT_READY);
    return 0;
}

_Noreturn void rt_die(void)
{
    if (rt_finish_claim()) {
        rt_record_exit((int)rt_options.exitcode, "fatal");
        atomic_store(&rt_state, RT_FINISHED);
        if (rt_on_record_complete)
            rt_on_record_complete();
    }
    _exit((int)rt_options.exitcode);
}
