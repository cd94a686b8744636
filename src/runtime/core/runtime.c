/* runtime: see runtime.h. */
#include "runtime.h"
#include "events.h"
#include "findings.h"
#include "races/happens_before.h"
#include "lock_order/lock_graph.h"
#include "sync_objects.h"
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

void rt_fork_prepare(void)
{
    rt_record_lock();
    rt_graph_lock_all();
    rt_threads_lock_all();
    rt_locks_lock_all();
    rt_stack_lock_all();
    rt_hb_fork_prepare(); /* the race engine's tables: they allocate, so before rt_alloc */
    rt_alloc_lock_all();
}

void rt_fork_parent(void)
{
    rt_alloc_unlock_all();
    rt_hb_fork_parent();
    rt_stack_unlock_all();
    rt_locks_unlock_all();
    rt_threads_unlock_all();
    rt_graph_unlock_all();
    rt_record_unlock();
}

void rt_fork_child(void)
{
    rt_fork_parent(); /* the locks were ours; the other threads are gone */
    if (rt_self)
        rt_threads_after_fork_child(rt_self);
    rt_record_after_fork_child();
    rt_hb_fork_child();
    atomic_store(&finished, false);
}

void rt_finish(int status, const char *how)
{
    struct rt_thread *t;
    if (atomic_exchange(&finished, true))
        return;
    t = rt_self ? rt_self : rt_thread_current();
    t->in_runtime = 1;
    on_process_exit(t);
    rt_record_exit(status, how);
    atomic_store(&rt_state, RT_FINISHED);
    if (rt_on_record_complete)
        rt_on_record_complete();
}

_Noreturn void rt_die(void)
{
    if (!atomic_exchange(&finished, true)) {
        rt_record_exit((int)rt_options.exitcode, "fatal");
        atomic_store(&rt_state, RT_FINISHED);
        if (rt_on_record_complete)
            rt_on_record_complete();
    }
    _exit((int)rt_options.exitcode);
}
