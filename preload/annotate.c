/* annotate: see annotate.h. */
#include "annotate.h"

#include "races/races.h"

#include <string.h>

static struct rt_hb_thread *syncing(void)
{
    struct rt_hb_thread *h = rt_hb_current();
    return h && rt_hb_syncs(h) ? h : NULL;
}

void annotate_happens_before(const volatile void *addr)
{
    struct rt_hb_thread *h = syncing();
    if (h)
        rt_hb_release(h, (uintptr_t)addr);
}

void annotate_happens_after(const volatile void *addr)
{
    struct rt_hb_thread *h = syncing();
    if (h)
        rt_hb_acquire(h, (uintptr_t)addr);
}

static void count(int *counter, int delta)
{
    if (delta > 0 || *counter > 0)
        *counter += delta;
}

void annotate_ignore(unsigned what, int delta)
{
    struct rt_hb_thread *h = rt_hb_current();
    if (!h)
        return;
    if (what & ANNOTATE_READS)
        count(&h->ignore_reads, delta);
    if (what & ANNOTATE_WRITES)
        count(&h->ignore_writes, delta);
    if (what & ANNOTATE_SYNC)
        count(&h->ignore_sync, delta);
}

void annotate_benign_race(const volatile void *addr, uintptr_t size)
{
    if (rt_hb_current())
        rt_race_benign((uintptr_t)addr, size);
}

void annotate_new_memory(const volatile void *addr, uintptr_t size)
{
    if (rt_hb_current() && size > 0)
        rt_shadow_reset((uintptr_t)addr, size);
}

void annotate_thread_name(const char *name)
{
    struct rt_thread *t = preload_enter();
    if (!t)
        return;
    if (name)
        rt_thread_set_name(t, name);
    rt_leave(t);
}

/* ---- custom locks ------------------------------------------------------------------ */

void annotate_lock_created(const struct rt_sync_call *c)
{
    struct rt_thread *t = preload_enter();
    if (t) {
        on_lock_init(t, c);
        rt_leave(t);
    }
    on_sync_forget(c->addr);
}

void annotate_lock_created_flags(const struct rt_sync_call *c, unsigned rt_lock_flags)
{
    struct rt_thread *t;
    struct rt_lock *l;
    if (!(rt_lock_flags & RT_LOCK_STATIC))
        annotate_lock_created(c);
    if (!rt_lock_flags || (t = preload_enter()) == NULL)
        return;
    if (rt_lock_flags & RT_LOCK_STATIC) /* no new lock: the one there, if any */
        l = rt_lock_get(c->addr, c->kind, c->type == RT_TYPE_NONE ? RT_TYPE_NORMAL : c->type);
    else
        l = rt_lock_find(c->addr);
    if (l)
        rt_lock_more(l)->annotated |= (uint8_t)rt_lock_flags;
    rt_leave(t);
}

void annotate_lock_destroyed_flags(const struct rt_sync_call *c, unsigned rt_lock_flags)
{
    struct rt_thread *t = preload_enter();
    struct rt_lock *l;
    bool none = false;
    if (!t)
        return;
    l = rt_lock_find(c->addr);
    if (rt_lock_flags & RT_LOCK_STATIC)
        none = true;
    else if (l && (rt_lock_annotated(l) & RT_LOCK_STATIC))
        none = true;
    else if ((rt_lock_flags & RT_LOCK_NOT_STATIC) && !(l && (rt_lock_annotated(l) & RT_LOCK_NOT_STATIC)))
        none = true;
    rt_leave(t);
    if (!none)
        annotate_lock_destroyed(c);
}

void annotate_lock_destroyed(const struct rt_sync_call *c)
{
    struct rt_thread *t = preload_enter();
    if (t) {
        on_lock_destroy(t, c);
        on_lock_destroyed(t, c, true);
        rt_leave(t);
    }
    on_sync_forget(c->addr);
}

void annotate_lock_wait(const struct rt_sync_call *c)
{
    struct rt_thread *t = preload_enter();
    enum rt_verdict v;
    if (!t)
        return;
    v = on_lock_wait(t, c);
    rt_leave(t);
    if (v == RT_HANGS)
        rt_die();
}

void annotate_lock_acquired(const struct rt_sync_call *c, bool ok)
{
    struct rt_thread *t = preload_enter();
    if (!t)
        return;
    if (!ok) {
        on_lock_not_acquired(t, c);
    } else {
        on_lock_acquired(t, c); /* also the happens-before acquire */
        if (c->write)
            on_sync_acquire_write(t, c->addr); /* after shared holders too */
    }
    rt_leave(t);
}

void annotate_lock_released(const struct rt_sync_call *c)
{
    struct rt_thread *t = preload_enter();
    if (!t)
        return;
    on_lock_release(t, c); /* also the happens-before release */
    rt_leave(t);
}
