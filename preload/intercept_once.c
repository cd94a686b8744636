/*
 * intercept_once: pthread_once. The init routine's effects happen before
 * every return from pthread_once on the same object: the routine runs
 * inside a trampoline that releases the object after it, and every caller
 * acquires it before returning. The routine and object reach the
 * trampoline through thread-local variables (glibc runs the routine on the
 * calling thread), saved around the call so that a routine may itself use
 * pthread_once.
 */
#include "preload.h"
#include "sched_hooks.h"

static __thread void (*once_routine)(void);
static __thread pthread_once_t *once_object;

static void once_trampoline(void)
{
    void (*routine)(void) = once_routine;
    pthread_once_t *o = once_object;
    struct rt_thread *t;
    routine();
    if ((t = rt_enter()) != NULL) {
        on_once_ran(t, (uintptr_t)o);
        rt_leave(t);
    }
}

RD_EXPORT int pthread_once(pthread_once_t *o, void (*routine)(void))
{
    struct rt_thread *t = preload_enter();
    void (*saved_routine)(void);
    pthread_once_t *saved_object;
    int rc;
    if (!t)
        return REAL(pthread_once)(o, routine);
    SCHED_ONCE(t, o);
    rt_leave(t);
    saved_routine = once_routine;
    saved_object = once_object;
    once_routine = routine;
    once_object = o;
    rc = REAL(pthread_once)(o, once_trampoline);
    once_routine = saved_routine;
    once_object = saved_object;
    SCHED_RELEASED(o); /* done: threads waiting for the routine go on */
    if (rt_reenter(t)) {
        on_once_done(t, (uintptr_t)o);
        rt_leave(t);
    }
    return rc;
}
