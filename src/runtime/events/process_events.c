/*
 * process_events: the process as a whole: fork (every table of every part is
 * held across it) and the normal end of the process. Declared in events.h.
 */
#include "events.h"
#include "core/core.h"
#include "lock_order/lock_order.h"
#include "races/races.h"

void rt_fork_prepare(void)
{
    rt_record_lock();
    rt_graph_lock_all();
    rt_threads_lock_all();
    rt_locks_lock_all();
    rt_stack_lock_all();
    rt_hb_fork_prepare(); /* the race engine's tables: they allocate, so before rt_alloc */
    rt_alloc_lock_all();
    rt_stack_walks_stop(); /* last: see stack.c */
}

/* The locks, in the reverse order. */
static void unlock_all(void)
{
    rt_alloc_unlock_all();
    rt_hb_fork_parent();
    rt_stack_unlock_all();
    rt_locks_unlock_all();
    rt_threads_unlock_all();
    rt_graph_unlock_all();
    rt_record_unlock();
}

void rt_fork_parent(void)
{
    rt_stack_walks_resume();
    unlock_all();
}

void rt_fork_child(void)
{
    rt_stack_walks_after_fork_child();
    unlock_all(); /* the locks were ours; the other threads are gone */
    if (rt_self)
        rt_threads_after_fork_child(rt_self);
    rt_record_after_fork_child();
    rt_hb_fork_child();
    rt_finish_reset();
}

void rt_finish(int status, const char *how)
{
    struct rt_thread *t;
    if (!rt_finish_claim())
        return;
    t = rt_self ? rt_self : rt_thread_current();
    t->in_runtime = 1;
    on_process_exit(t);
    rt_record_exit(status, how);
    atomic_store(&rt_state, RT_FINISHED);
    if (rt_on_record_complete)
        rt_on_record_complete();
}

