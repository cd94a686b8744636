/*
 * annotations: the functions behind include/racedet.h, turned into engine
 * events (happens-before, ignores, custom locks, thread names).
 */
#include "racedet.h"

#include "races/races.h"
#include "preload.h"

#include <string.h>

#define CALL_PC() ((uintptr_t)__builtin_return_address(0))

RD_EXPORT void racedet_annotate_happens_before(const volatile void *addr, const char *file, int line)
{
    struct rt_hb_thread *h = rt_hb_current();
    (void)file;
    (void)line;
    if (h && !h->busy)
        rt_hb_release(h, (uintptr_t)addr);
}

RD_EXPORT void racedet_annotate_happens_after(const volatile void *addr, const char *file, int line)
{
    struct rt_hb_thread *h = rt_hb_current();
    (void)file;
    (void)line;
    if (h && !h->busy)
        rt_hb_acquire(h, (uintptr_t)addr);
}

RD_EXPORT void racedet_annotate_ignore_reads_begin(void)
{
    struct rt_hb_thread *h = rt_hb_current();
    if (h)
        h->ignore_reads++;
}

RD_EXPORT void racedet_annotate_ignore_reads_end(void)
{
    struct rt_hb_thread *h = rt_hb_current();
    if (h && h->ignore_reads > 0)
        h->ignore_reads--;
}

RD_EXPORT void racedet_annotate_ignore_writes_begin(void)
{
    struct rt_hb_thread *h = rt_hb_current();
    if (h)
        h->ignore_writes++;
}

RD_EXPORT void racedet_annotate_ignore_writes_end(void)
{
    struct rt_hb_thread *h = rt_hb_current();
    if (h && h->ignore_writes > 0)
        h->ignore_writes--;
}

static struct rt_sync_call custom_lock(const volatile void *m, int exclusive, uintptr_t pc,
                                       uintptr_t sp)
{
    return (struct rt_sync_call){
        .addr = (uintptr_t)m,
        .kind = exclusive ? RT_MUTEX : RT_RWLOCK,
        .type = RT_TYPE_NORMAL,
        .write = exclusive != 0,
        .pc = pc,
        .sp = sp,
    };
}

RD_EXPORT void racedet_annotate_mutex_acquired(const volatile void *m, int exclusive)
{
    struct rt_thread *t = preload_enter();
    struct rt_sync_call c;
    if (!t)
        return;
    c = custom_lock(m, exclusive, CALL_PC(), (uintptr_t)__builtin_frame_address(0));
    on_lock_acquired(t, &c);
    if (exclusive)
        on_sync_acquire_write(t, c.addr);
    else
        on_sync_acquire(t, c.addr);
    rt_leave(t);
}

RD_EXPORT void racedet_annotate_mutex_released(const volatile void *m, int exclusive)
{
    struct rt_thread *t = preload_enter();
    struct rt_sync_call c;
    if (!t)
        return;
    c = custom_lock(m, exclusive, CALL_PC(), (uintptr_t)__builtin_frame_address(0));
    on_lock_release(t, &c); /* also the happens-before release */
    rt_leave(t);
}

RD_EXPORT void racedet_annotate_thread_name(const char *name)
{
    struct rt_thread *t = preload_enter();
    if (!t)
        return;
    if (name)
        rt_thread_set_name(t, name);
    rt_leave(t);
}
