/* runtime: see runtime.h. */
#include "runtime.h"
#include "record.h"
#include "rt_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int rt_start(const char *options_text, const char *record_dir, char *err, size_t errlen)
{
    rd_options_defaults(&rt_options);
    if (options_text && *options_text) {
        /* values point into this copy for the life of the process */
        char *copy = rt_strdup(options_text), why[400];
        if (rd_options_parse(&rt_options, copy, why, sizeof why) < 0) {
            snprintf(err, errlen, "RACEDET_OPTIONS: %s", why);
            return -1;
        }
    }
    rt_stack_max_frames = (unsigned)(rt_options.max_stack_frames > 0 ? rt_options.max_stack_frames : 1);
    if (rt_record_open(record_dir, err, errlen) < 0)
        return -1;
    rt_self = NULL;
    rt_thread_current(); /* the main thread is T0 */
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
