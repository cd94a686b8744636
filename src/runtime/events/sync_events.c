/*
 * sync_events: semaphores, barriers and pthread_once. Orders memory through
 * the happens-before events (happens_before.h) and reports their misuse as
 * sync_misuse (DESIGN.md §2): destroyed while in use, used after destroy,
 * barrier count 0 or semaphore value above SEM_VALUE_MAX (and using such
 * an object, whose init failed), re-initialised while in use or without a
 * destroy since its last initialisation.
 *
 * Each object the program initialises (or opens) gets an entry here, keyed
 * by address, besides its struct rt_lock (which names it in the record, with
 * its init stack). An entry outlives the destroy of its object, so that a
 * later use can be told apart ("used after destroy"), until the address is
 * initialised again or its memory is freed. Entries are never freed (a
 * thread may still hold one just after its real call returned); an address
 * keeps its entry, so their number is the number of distinct addresses the
 * program used for semaphores and barriers. Any thread; lookups are striped
 * over internal spinlocks.
 */
#include "events.h"
#include "core/core.h"
#include "races/races.h"

#include <limits.h> /* SEM_VALUE_MAX */
#include <stdio.h>

enum obj_state {
    OBJ_UNKNOWN,      /* never seen initialised (or its memory was freed) */
    OBJ_LIVE,
    OBJ_DESTROYED,
    OBJ_INIT_FAILED,  /* its init failed (barrier count 0, semaphore value
                         above SEM_VALUE_MAX): not an object */
};

struct obj {
    UT_hash_handle hh;
    uintptr_t addr;
    uint8_t kind;                 /* RT_SEM or RT_BARRIER */
    _Atomic uint8_t state;
    bool named;                   /* sem_open: not destroyed, closed */
    struct rt_lock *lock;         /* while LIVE, when lock->id == lock_id */
    uint64_t lock_id;
    int init_thread;
    rt_stack_id init_stack;
    int destroy_thread;
    rt_stack_id destroy_stack;
    unsigned count;               /* barrier: threads per round (0: unknown) */
    atomic_int arrived;           /* barrier: arrivals in the current round */
    _Atomic uint64_t arrivals;    /* barrier: since init; the n-th is in round n / count */
    atomic_int waiters;           /* threads inside a wait on it */
};

#define NSTRIPES 16
static struct stripe {
    rt_spin_t lock;
    struct obj *table;
} stripes[NSTRIPES];
/* Entries DESTROYED or INIT_FAILED, and the addresses they lie between:
 * what a free must forget. */
static atomic_uint ndead;
static _Atomic uintptr_t dead_lo = UINTPTR_MAX, dead_hi;

static struct stripe *stripe_of(uintptr_t addr)
{
    return &stripes[rt_mix64(addr) % NSTRIPES];
}

static struct obj *find(uintptr_t addr, int kind, bool create)
{
    struct stripe *s = stripe_of(addr);
    struct obj *o;
    rt_spin_lock(&s->lock);
    HASH_FIND(hh, s->table, &addr, sizeof addr, o);
    if (!o && create) {
        o = rt_alloc(sizeof *o);
        o->addr = addr;
        o->kind = (uint8_t)kind;
        o->init_stack = o->destroy_stack = RT_NO_STACK;
        HASH_ADD(hh, s->table, addr, sizeof o->addr, o);
    }
    rt_spin_unlock(&s->lock);
    return o;
}

static void set_state(struct obj *o, int state)
{
    int old = atomic_exchange(&o->state, (uint8_t)state);
    bool was_dead = old == OBJ_DESTROYED || old == OBJ_INIT_FAILED;
    bool is_dead = state == OBJ_DESTROYED || state == OBJ_INIT_FAILED;
    if (was_dead && !is_dead)
        atomic_fetch_sub(&ndead, 1);
    else if (!was_dead && is_dead) {
        uintptr_t v;
        atomic_fetch_add(&ndead, 1);
        while ((v = atomic_load(&dead_lo)) > o->addr &&
               !atomic_compare_exchange_weak(&dead_lo, &v, o->addr))
            ;
        while ((v = atomic_load(&dead_hi)) < o->addr + 1 &&
               !atomic_compare_exchange_weak(&dead_hi, &v, o->addr + 1))
            ;
    }
}


static const char *noun(int kind)
{
    return kind == RT_BARRIER ? "barrier" : "semaphore";
}

/* The lock struct that names o in a finding: its own while it lives; for a
 * dead object, a short-lived one made for the report (so a destroyed
 * object needs no struct kept), unless something else lives at the address
 * now. NULL: name it by words only. */
static struct rt_lock *name_of(struct obj *o, bool *made)
{
    *made = false;
    if (atomic_load(&o->state) == OBJ_LIVE && o->lock && o->lock->id == o->lock_id &&
        atomic_load(&o->lock->live))
        return o->lock;
    if (rt_lock_find(o->addr))
        return NULL;
    *made = true;
    return rt_lock_create(o->addr, o->kind, RT_TYPE_NONE, o->init_stack);
}

/* Report a misuse: `what` is the summary after "{thread:N} " with %s for
 * the object's name. */
static void misuse(struct rt_thread *t, struct obj *o, const struct rt_sync_call *c, const char *what,
                   int extra)
{
    char name[64], text[200], summary[300];
    struct rt_role_stack stacks[3];
    struct rt_thread *threads[3] = {t, NULL, NULL};
    int nstacks = 0, nthreads = 1;
    bool made;
    struct rt_lock *l;

    if (!rt_options.report_lock_misuse)
        return;
    l = name_of(o, &made);
    if (l)
        snprintf(name, sizeof name, "{lock:%llu}", (unsigned long long)l->id);
    else
        snprintf(name, sizeof name, "%s 0x%lx", noun(o->kind), (unsigned long)o->addr);
    snprintf(text, sizeof text, what, name, extra);
    snprintf(summary, sizeof summary, "{thread:%d} %s", t->id, text);
    stacks[nstacks++] = (struct rt_role_stack){"the misuse", t->id, rt_stack_capture()};
    if (o->init_stack != RT_NO_STACK) {
        struct rt_thread *it = rt_thread_by_id(o->init_thread);
        stacks[nstacks++] = (struct rt_role_stack){"the object was created here", o->init_thread,
                                                   o->init_stack};
        if (it && it != t)
            threads[nthreads++] = it;
    }
    if (atomic_load(&o->state) == OBJ_DESTROYED && o->destroy_stack != RT_NO_STACK) {
        struct rt_thread *dt = rt_thread_by_id(o->destroy_thread);
        stacks[nstacks++] = (struct rt_role_stack){"the object was destroyed here",
                                                   o->destroy_thread, o->destroy_stack};
        if (dt && dt != t && dt != threads[nthreads - 1])
            threads[nthreads++] = dt;
    }
    rt_finding_emit("sync_misuse", summary, threads, nthreads, &l, l ? 1 : 0, stacks, nstacks, NULL);
    if (made)
        rt_lock_forget(l);
}

/* The object a use is about: known, or (initialised before we watched, or
 * in memory another process set up) taken as live. */
static struct obj *used(struct rt_thread *t, const struct rt_sync_call *c, const char *verb)
{
    struct obj *o = find(c->addr, c->kind, true);
    int st = atomic_load(&o->state);
    char what[96];
    if (st == OBJ_DESTROYED) {
        snprintf(what, sizeof what, "%s %%s, which was destroyed%s", verb,
                 o->destroy_thread == t->id ? "" : " by another thread");
        misuse(t, o, c, what, 0);
    } else if (st == OBJ_INIT_FAILED && o->kind == RT_SEM) {
        /* (a barrier's wait is refused before: on_sync_object_wait) */
        snprintf(what, sizeof what, "%s %%s, whose initialisation failed", verb);
        misuse(t, o, c, what, 0);
    }
    return o;
}

/* ---- life of the object ------------------------------------------------------- */

void on_sync_object_init(struct rt_thread *t, const struct rt_sync_call *c, unsigned count)
{
    struct obj *o = find(c->addr, c->kind, true);
    int busy = o->kind == RT_BARRIER ? atomic_load(&o->arrived) : atomic_load(&o->waiters);
    if (atomic_load(&o->state) == OBJ_LIVE && busy > 0)
        misuse(t, o, c, busy == 1 ? "re-initialises %s while %d thread waits on it"
                                  : "re-initialises %s while %d threads wait on it", busy);
    else if (atomic_load(&o->state) == OBJ_LIVE && !o->named && o->lock &&
             o->lock->id == o->lock_id && atomic_load(&o->lock->live) &&
             !rt_stack_is_own(c->addr))
        /* idle, but never destroyed (its memory was not freed either: the
         * lock would be gone); on the caller's stack it may be a new
         * object in the frame of a function called again */
        misuse(t, o, c, "re-initialises %s, which was initialised and never destroyed", 0);
    if ((c->kind == RT_BARRIER && count == 0) ||
        (c->kind == RT_SEM && count > (unsigned)SEM_VALUE_MAX)) {
        o->init_stack = RT_NO_STACK;
        set_state(o, OBJ_INIT_FAILED);
        if (c->kind == RT_BARRIER)
            misuse(t, o, c, "initialises %s with a count of 0 (EINVAL: it is not initialised)", 0);
        else {
            char what[128];
            snprintf(what, sizeof what,
                     "initialises %%s with the value %u, above SEM_VALUE_MAX (EINVAL: it is not "
                     "initialised)", count);
            misuse(t, o, c, what, 0);
        }
        /* what a later use of it names as its creation */
        o->init_thread = t->id;
        o->init_stack = rt_sync_call_stack(t, c);
    }
}

void on_sync_object_inited(struct rt_thread *t, const struct rt_sync_call *c, unsigned count, bool ok)
{
    struct obj *o = find(c->addr, c->kind, true);
    struct rt_lock *l;
    if (!ok) {
        if (atomic_load(&o->state) != OBJ_LIVE) {
            o->init_thread = t->id;
            o->init_stack = rt_sync_call_stack(t, c);
            set_state(o, OBJ_INIT_FAILED);
        }
        return;
    }
    if (c->kind == RT_BARRIER && rt_hb_enabled)
        on_sync_memory(t, c, true); /* (as ThreadSanitizer: barriers, not semaphores) */
    o->init_thread = t->id;
    o->init_stack = rt_sync_call_stack(t, c);
    o->destroy_stack = RT_NO_STACK;
    o->count = c->kind == RT_BARRIER ? count : 0;
    atomic_store(&o->arrived, 0);
    atomic_store(&o->arrivals, 0);
    atomic_store(&o->waiters, 0);
    o->named = false;
    l = rt_lock_create(c->addr, c->kind, RT_TYPE_NONE, o->init_stack);
    o->lock = l;
    o->lock_id = l->id;
    set_state(o, OBJ_LIVE);
    on_sync_forget(c->addr); /* a new object: no history */
}

bool on_sync_object_destroy(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct obj *o = find(c->addr, c->kind, true);
    int st = atomic_load(&o->state);
    if (c->kind == RT_BARRIER && rt_hb_enabled)
        on_sync_memory(t, c, true);
    if (st == OBJ_DESTROYED) {
        misuse(t, o, c, "destroys %s, which was already destroyed", 0);
        return true;
    }
    if (st == OBJ_INIT_FAILED) {
        if (c->kind != RT_BARRIER) {
            misuse(t, o, c, "destroys %s, whose initialisation failed", 0);
            return true;
        }
        misuse(t, o, c, "destroys %s, whose initialisation failed: the destroy is not made", 0);
        return false; /* glibc would divide by its count of 0 */
    }
    {
        /* a barrier is in use while a round has begun and not tripped
         * (its threads may not have returned yet once it tripped: fine) */
        int n = c->kind == RT_BARRIER ? atomic_load(&o->arrived) : atomic_load(&o->waiters);
        if (n > 0)
            misuse(t, o, c, n == 1 ? "destroys %s while %d thread waits on it"
                                   : "destroys %s while %d threads wait on it", n);
    }
    return true;
}

void on_sync_object_destroyed(struct rt_thread *t, const struct rt_sync_call *c, bool ok)
{
    struct obj *o;
    if (!ok)
        return;
    o = find(c->addr, c->kind, true);
    if (atomic_load(&o->state) == OBJ_LIVE && o->lock && o->lock->id == o->lock_id)
        rt_lock_forget(o->lock);
    o->lock = NULL;
    o->destroy_thread = t->id;
    o->destroy_stack = rt_stack_capture();
    set_state(o, OBJ_DESTROYED);
    on_sync_forget(c->addr);
}

/* ---- use ---------------------------------------------------------------------- */

bool on_sync_object_wait(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct obj *o = used(t, c, "waits on");
    if (c->kind == RT_BARRIER && rt_hb_enabled)
        on_sync_memory(t, c, false);
    if (c->kind == RT_BARRIER) {
        if (atomic_load(&o->state) == OBJ_INIT_FAILED) {
            misuse(t, o, c, "waits on %s, whose initialisation failed: the wait is not made", 0);
            return false; /* glibc would divide by its count of 0 */
        }
        if (o->count > 0) {
            int n = atomic_fetch_add(&o->arrived, 1) + 1;
            if ((unsigned)n >= o->count)
                atomic_fetch_sub(&o->arrived, (int)o->count); /* this arrival trips it */
        }
        /* every arrival of a round happens before every departure from it */
        {
            uint64_t n = atomic_fetch_add(&o->arrivals, 1);
            on_barrier_arrive(t, c->addr, o->count ? n / o->count : 0, o->count);
        }
    }
    atomic_fetch_add(&o->waiters, 1);
    return true;
}

void on_sync_object_waited(struct rt_thread *t, const struct rt_sync_call *c, bool ok)
{
    struct obj *o = find(c->addr, c->kind, false);
    if (o)
        atomic_fetch_sub(&o->waiters, 1);
    if (c->kind == RT_BARRIER && rt_hb_enabled)
        on_sync_memory(t, c, false); /* still in the wait: a destroy must come after */
    if (c->kind == RT_BARRIER)
        on_barrier_depart(t, c->addr, ok);
    else if (ok)
        on_sync_acquire(t, c->addr);
}

void on_sync_object_post(struct rt_thread *t, const struct rt_sync_call *c)
{
    used(t, c, "posts to");
    on_sync_release(t, c->addr);
}

void on_sync_object_use(struct rt_thread *t, const struct rt_sync_call *c, const char *what)
{
    used(t, c, what);
}

void on_sync_object_open(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct obj *o = find(c->addr, c->kind, true);
    if (atomic_load(&o->state) == OBJ_LIVE && o->lock && o->lock->id == o->lock_id)
        return; /* opened again: the same object */
    on_sync_object_inited(t, c, 0, true);
    o->named = true;
}

void on_sync_object_close(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct obj *o = find(c->addr, c->kind, false);
    (void)t;
    /* its mapping may go away: forget it rather than call it destroyed */
    if (!o)
        return;
    if (atomic_load(&o->state) == OBJ_LIVE && o->lock && o->lock->id == o->lock_id)
        rt_lock_forget(o->lock);
    o->lock = NULL;
    set_state(o, OBJ_UNKNOWN);
}

/* ---- pthread_once ------------------------------------------------------------- */

void on_once_ran(struct rt_thread *t, uintptr_t once)
{
    on_sync_release(t, once);
}

void on_once_done(struct rt_thread *t, uintptr_t once)
{
    on_sync_acquire(t, once);
}

/* ---- memory ------------------------------------------------------------------- */

void rt_sync_forget_range(uintptr_t lo, uintptr_t hi)
{
    /* only dead entries matter (a live object's lock is forgotten by the
     * lock registry, which the entry checks): cheap while there are none */
    if (atomic_load_explicit(&ndead, memory_order_relaxed) == 0 || hi <= lo ||
        hi <= atomic_load_explicit(&dead_lo, memory_order_relaxed) ||
        lo >= atomic_load_explicit(&dead_hi, memory_order_relaxed))
        return;
    for (int i = 0; i < NSTRIPES; i++) {
        struct stripe *s = &stripes[i];
        struct obj *o, *tmp;
        rt_spin_lock(&s->lock);
        HASH_ITER(hh, s->table, o, tmp) {
            if (o->addr >= lo && o->addr < hi)
                set_state(o, OBJ_UNKNOWN);
        }
        rt_spin_unlock(&s->lock);
    }
}

void rt_sync_objects_lock_all(void)
{
    for (int i = 0; i < NSTRIPES; i++)
        rt_spin_lock(&stripes[i].lock);
}

void rt_sync_objects_unlock_all(void)
{
    for (int i = NSTRIPES - 1; i >= 0; i--)
        rt_spin_unlock(&stripes[i].lock);
}
