/*
 * runtime: start-up, options, the per-call entry/exit guard, and the end
 * of the process on a fatal finding. Called by the preload layer (or by
 * tests, which feed events directly); fork and the normal end of the
 * process are events (events.h), since they reach every part.
 */
#ifndef RT_RUNTIME_H
#define RT_RUNTIME_H

#include "options.h"
#include "threads.h"

#include <stdatomic.h>
#include <stdbool.h>

enum rt_state { RT_NOT_STARTED, RT_STARTING, RT_READY, RT_FINISHED };

extern struct rd_options rt_options;
extern atomic_int rt_state;

/* Start the runtime: parse the options text (RACEDET_OPTIONS, may be NULL),
 * open the record (in record_dir, or a temporary file when NULL). Returns
 * 0; RT_START_BAD_OPTIONS with a one-line reason in err (the caller ends
 * the process: a bad option is never ignored); or RT_START_NO_RECORD with
 * the reason the record cannot be written (the caller lets the program
 * run unwatched, rt_stop_watching). */
enum { RT_START_BAD_OPTIONS = -1, RT_START_NO_RECORD = -2 };
int rt_start(const char *options_text, const char *record_dir, char *err, size_t errlen);

/* This process is not watched (any more): its record cannot be written
 * (why says so). Says it once on stderr (rt_say), and every interceptor
 * passes straight through from now on: the program runs as it would
 * without racedet, with its own exit status. */
void rt_stop_watching(const char *why);

/* One line (msg ends with '\n') for the user on the stderr the process
 * had when the runtime started, if descriptor 2 is still that file: never
 * into a file the program has put at 2 since. */
void rt_say(const char *msg);
/* Whether descriptor 2 is still the stderr the process had when the
 * runtime started (rt_say writes only then). */
bool rt_stderr_unchanged(void);

/* The calling thread's state if events may be handled now, else NULL (not
 * started, finished, or re-entered from inside the runtime, e.g. by a signal
 * handler). Pair with rt_leave. */
static inline struct rt_thread *rt_enter(void)
{
    struct rt_thread *t;
    if (atomic_load_explicit(&rt_state, memory_order_acquire) != RT_READY)
        return NULL;
    t = rt_self ? rt_self : rt_thread_current();
    if (t->in_runtime)
        return NULL;
    t->in_runtime = 1;
    return t;
}

/* Enter again on the same thread after rt_leave (around a real call). */
static inline bool rt_reenter(struct rt_thread *t)
{
    if (atomic_load_explicit(&rt_state, memory_order_relaxed) != RT_READY || t->in_runtime)
        return false;
    t->in_runtime = 1;
    return true;
}

static inline void rt_leave(struct rt_thread *t)
{
    t->in_runtime = 0;
}

/* The end of the process is made once: the first caller of rt_finish
 * (events.h) or rt_die gets true. A forked child starts over. */
bool rt_finish_claim(void);
void rt_finish_reset(void);

/* End the process now with the report exit code (after a finding that
 * means the program would hang forever). */
_Noreturn void rt_die(void);

/* Called by rt_die / rt_finish once the record is complete, so that the
 * loader of the engine can show the report (set by preload; may be NULL). */
extern void (*rt_on_record_complete)(void);

#endif
