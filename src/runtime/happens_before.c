/* happens_before: see happens_before.h. The vector-clock engine lands here
 * (issue 3); until then no module is instrumented and nothing is ordered. */
#include "happens_before.h"

bool rt_hb_enabled;

void on_sync_release(struct rt_thread *t, uintptr_t obj)
{
    (void)t;
    (void)obj;
}

void on_sync_acquire(struct rt_thread *t, uintptr_t obj)
{
    (void)t;
    (void)obj;
}

void on_sync_acquire_release(struct rt_thread *t, uintptr_t obj)
{
    on_sync_release(t, obj);
    on_sync_acquire(t, obj);
}

void on_sync_forget(uintptr_t obj)
{
    (void)obj;
}
