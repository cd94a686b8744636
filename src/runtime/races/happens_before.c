/* happens_before: see happens_before.h. */
#include "happens_before.h"
#include "fd_objects.h"
#include "heap_blocks.h"
#include "race_check.h"
#include "core/core.h"
#include "shadow.h"
#include "sync_clocks.h"

#include <pthread.h>
#include <string.h>

bool rt_hb_enabled;
__thread struct rt_hb_thread *rt_hb_self;

/* ---- slots ------------------------------------------------------------------- */

/* The cell format holds RT_CELL_SLOT_BITS bits of slot; the last value is
 * for threads beyond that many alive at once: they are not race-checked
 * (their accesses are ignored; they still carry happens-before between
 * others), so the program runs on instead of being stopped. */
#define MAX_SLOTS (RT_CELL_SLOTS - 1)
#define NO_SLOT MAX_SLOTS

struct slot_owner { uint32_t start; int thread; };
struct slot_info {
    uint32_t last_epoch;           /* highest epoch any owner used */
    uint32_t nowners, capowners;
    struct slot_owner *owners;     /* in order of start epoch */
};

static rt_spin_t slots_lock = RT_SPIN_INIT;
static struct slot_info *slots;
static uint32_t nslots, capslots;
static uint32_t *free_slots;
static uint32_t nfree, capfree;

static uint32_t slot_acquire(int thread_id, uint32_t *epoch0)
{
    uint32_t s;
    struct slot_info *si;
    rt_spin_lock(&slots_lock);
    if (nfree > 0) {
        s = free_slots[--nfree];
    } else {
        if (nslots == MAX_SLOTS) {
            rt_spin_unlock(&slots_lock);
            *epoch0 = 0;
            return NO_SLOT;
        }
        if (nslots == capslots) {
            uint32_t ncap = capslots ? capslots * 2 : 64;
            slots = rt_realloc(slots, sizeof *slots * capslots, sizeof *slots * ncap);
            memset(slots + capslots, 0, sizeof *slots * (ncap - capslots));
            capslots = ncap;
        }
        s = nslots++;
    }
    si = &slots[s];
    *epoch0 = si->last_epoch + 1;
    si->last_epoch = *epoch0;
    if (si->nowners == si->capowners) {
        uint32_t ncap = si->capowners ? si->capowners * 2 : 2;
        si->owners = rt_realloc(si->owners, sizeof *si->owners * si->capowners,
                                sizeof *si->owners * ncap);
        si->capowners = ncap;
    }
    si->owners[si->nowners++] = (struct slot_owner){*epoch0, thread_id};
    rt_spin_unlock(&slots_lock);
    return s;
}

static void slot_release(struct rt_hb_thread *h)
{
    if (h->slot_released || h->slot == NO_SLOT)
        return;
    h->slot_released = true;
    rt_spin_lock(&slots_lock);
    if (h->epoch > slots[h->slot].last_epoch)
        slots[h->slot].last_epoch = h->epoch;
    if (nfree == capfree) {
        uint32_t ncap = capfree ? capfree * 2 : 64;
        free_slots = rt_realloc(free_slots, sizeof *free_slots * capfree, sizeof *free_slots * ncap);
        capfree = ncap;
    }
    free_slots[nfree++] = h->slot;
    rt_spin_unlock(&slots_lock);
}

int rt_hb_slot_owner(uint32_t slot, uint32_t epoch)
{
    int id = -1;
    rt_spin_lock(&slots_lock);
    if (slot < nslots && slot != NO_SLOT) {
        struct slot_info *si = &slots[slot];
        for (uint32_t i = 0; i < si->nowners; i++)
            if (si->owners[i].start <= epoch)
                id = si->owners[i].thread;
    }
    rt_spin_unlock(&slots_lock);
    return id;
}

/* ---- thread states ------------------------------------------------------------ */

/* v[h's slot] = epoch; nothing for a thread without a slot. */
static void set_own(struct rt_vc *v, const struct rt_hb_thread *h, uint32_t epoch)
{
    if (h->slot != NO_SLOT)
        rt_vc_set(v, h->slot, epoch);
}

void rt_hb_tick(struct rt_hb_thread *h)
{
    h->epoch++;
    set_own(&h->vc, h, h->epoch);
    /* the slot's high-water mark is published when the slot is released */
}

static struct rt_hb_thread *hb_new(struct rt_thread *t)
{
    struct rt_hb_thread *h = rt_alloc(sizeof *h);
    h->thread = t;
    h->ct = rt_alloc(sizeof *h->ct);
    h->slot = slot_acquire(t ? t->id : -1, &h->epoch);
    set_own(&h->vc, h, h->epoch);
    if (h->slot == NO_SLOT)
        h->ignore_reads = h->ignore_writes = 1 << 24;   /* never checked */
    h->node = RT_CT_ROOT;
    return h;
}

static void find_stack(struct rt_hb_thread *h)
{
    pthread_attr_t attr;
    void *addr;
    size_t size;
    h->busy++;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
            h->stack_lo = (uintptr_t)addr;
            h->stack_hi = (uintptr_t)addr + size;
        }
        pthread_attr_destroy(&attr);
    }
    h->busy--;
}

struct rt_hb_thread *rt_hb_of(struct rt_thread *t)
{
    struct rt_hb_thread *h = t->hb;
    if (h)
        return h;
    h = hb_new(t);
    t->hb = h;
    if (t == rt_self) {
        rt_hb_self = h;
        find_stack(h);
    }
    return h;
}

struct rt_hb_thread *rt_hb_current(void)
{
    struct rt_hb_thread *h = rt_hb_self;
    struct rt_thread *t;
    int was;
    if (h)
        return h;
    if (!rt_hb_enabled || atomic_load_explicit(&rt_state, memory_order_acquire) != RT_READY)
        return NULL;
    t = rt_self ? rt_self : rt_thread_current();
    was = t->in_runtime;
    t->in_runtime = 1;
    h = rt_hb_of(t);
    t->in_runtime = was;
    return h;
}

void rt_hb_enable(void)
{
    if (rt_hb_enabled)
        return;
    if (!rt_ct_init()) {
        rt_race_out_of_memory("no address space for the call tree");
        return;
    }
    rt_race_init();
    __atomic_store_n(&rt_hb_enabled, true, __ATOMIC_RELEASE);
}

/* ---- synchronisation objects ------------------------------------------------------ */

static struct rt_sync_clock *sync_of(struct rt_hb_thread *h, uintptr_t obj, bool create)
{
    unsigned slot = (unsigned)((obj >> 3) ^ (obj >> 11)) % RT_HB_SYNC_CACHE;
    struct rt_sync_clock *s;
    if (h->sync_cache[slot].addr == obj && h->sync_cache[slot].s)
        return h->sync_cache[slot].s;
    s = rt_sync_clock_get(obj, create);
    if (s) {
        h->sync_cache[slot].addr = obj;
        h->sync_cache[slot].s = s;
    }
    return s;
}

/* release sequences of atomic variables: see on_atomic_store_before */
static int seq_id(const struct rt_hb_thread *h)
{
    return h->thread ? h->thread->id + 1 : 0;
}

static void seq_reset(struct rt_sync_clock *s, int head)
{
    s->seq_heads[0] = head;
    s->nseq_heads = head != 0;
    s->seq_many = false;
}

/* head releases into s's sequence (s locked) */
static void seq_add(struct rt_sync_clock *s, int head)
{
    for (unsigned i = 0; i < s->nseq_heads; i++)
        if (s->seq_heads[i] == head)
            return;
    if (head == 0 || s->nseq_heads == RT_SEQ_HEADS)
        s->seq_many = true;
    else
        s->seq_heads[s->nseq_heads++] = head;
}

static bool seq_continues(const struct rt_sync_clock *s, int me)
{
    if (s->seq_many)
        return true;
    for (unsigned i = 0; i < s->nseq_heads; i++)
        if (s->seq_heads[i] == me)
            return true;
    return false;
}

void rt_hb_release(struct rt_hb_thread *h, uintptr_t obj)
{
    struct rt_sync_clock *s;
    rt_race_settle(h);
    s = sync_of(h, obj, true);
    rt_spin_lock(&s->lock);
    rt_vc_join(&s->vc, &h->vc);
    s->sticky = true;
    rt_spin_unlock(&s->lock);
    rt_hb_tick(h);
}

void rt_hb_release_read(struct rt_hb_thread *h, uintptr_t obj)
{
    struct rt_sync_clock *s;
    rt_race_settle(h);
    s = sync_of(h, obj, true);
    rt_spin_lock(&s->lock);
    rt_vc_join(&s->read_vc, &h->vc);
    s->sticky = true;
    rt_spin_unlock(&s->lock);
    rt_hb_tick(h);
}

void rt_hb_acquire(struct rt_hb_thread *h, uintptr_t obj)
{
    struct rt_sync_clock *s = sync_of(h, obj, false);
    if (!s)
        return;
    rt_race_settle(h);
    rt_spin_lock(&s->lock);
    rt_vc_join(&h->vc, &s->vc);
    rt_spin_unlock(&s->lock);
}

void rt_hb_acquire_write(struct rt_hb_thread *h, uintptr_t obj)
{
    struct rt_sync_clock *s = sync_of(h, obj, false);
    if (!s)
        return;
    rt_race_settle(h);
    rt_spin_lock(&s->lock);
    rt_vc_join(&h->vc, &s->vc);
    rt_vc_join(&h->vc, &s->read_vc);
    rt_spin_unlock(&s->lock);
}

static struct rt_hb_thread *hb_for(struct rt_thread *t)
{
    if (!__atomic_load_n(&rt_hb_enabled, __ATOMIC_ACQUIRE))
        return NULL;
    if (t)
        return t->hb ? t->hb : rt_hb_of(t);
    return rt_hb_current();
}

void on_sync_release(struct rt_thread *t, uintptr_t obj)
{
    struct rt_hb_thread *h = hb_for(t);
    if (h)
        rt_hb_release(h, obj);
}

void on_sync_release_read(struct rt_thread *t, uintptr_t obj)
{
    struct rt_hb_thread *h = hb_for(t);
    if (h)
        rt_hb_release_read(h, obj);
}

void on_sync_acquire(struct rt_thread *t, uintptr_t obj)
{
    struct rt_hb_thread *h = hb_for(t);
    if (h)
        rt_hb_acquire(h, obj);
}

void on_sync_acquire_write(struct rt_thread *t, uintptr_t obj)
{
    struct rt_hb_thread *h = hb_for(t);
    if (h)
        rt_hb_acquire_write(h, obj);
}

void on_sync_acquire_release(struct rt_thread *t, uintptr_t obj)
{
    struct rt_hb_thread *h = hb_for(t);
    if (!h)
        return;
    rt_hb_release(h, obj);
    rt_hb_acquire(h, obj);
}

void on_sync_memory(struct rt_thread *t, const struct rt_sync_call *c, bool write)
{
    struct rt_hb_thread *h = hb_for(t);
    if (!h || h->busy || rt_hb_ignores(h, write))
        return;
    rt_race_range(h, c->addr, 1, write ? RT_ACCESS_WRITE : RT_ACCESS_ATOMIC, c->pc);
}

/* ---- barriers ------------------------------------------------------------------------ */

/* A barrier orders by round: a thread that leaves round k late (after
 * others arrived at round k+1) must not take what they did since round k.
 * So each round in progress has a clock of its own: the round's arrivals
 * release into it, its departures acquire it, and it is dropped when all
 * `count` threads of the round have left. Rounds are numbered by the
 * order in which the interceptor saw the arrivals, which is the real
 * barrier's while at most `count` threads wait at it at once (each
 * thread then arrives once a round, and cannot arrive at round k+1 before
 * every arrival of round k). When a departure finds its round incomplete,
 * that was not so: from then on the barrier orders every departure after
 * every arrival so far (the barrier's own clock, which every arrival also
 * joins), which can hide a race but not invent one. */
static struct rt_round_clock *round_of(struct rt_sync_clock *s, uint64_t round, bool create)
{
    struct rt_round_clock *r;
    for (r = s->rounds; r; r = r->next)
        if (r->round == round)
            return r;
    if (!create)
        return NULL;
    r = rt_alloc(sizeof *r);
    r->round = round;
    r->next = s->rounds;
    s->rounds = r;
    return r;
}

static void rounds_free(struct rt_sync_clock *s)
{
    while (s->rounds) {
        struct rt_round_clock *r = s->rounds;
        s->rounds = r->next;
        rt_vc_free(&r->vc);
        rt_free(r, sizeof *r);
    }
    s->rounds_misnumbered = false;
}

void on_barrier_arrive(struct rt_thread *t, uintptr_t obj, uint64_t round, unsigned count)
{
    struct rt_hb_thread *h = hb_for(t);
    struct rt_sync_clock *s;
    if (!h)
        return;
    rt_race_settle(h);
    s = sync_of(h, obj, true);
    rt_spin_lock(&s->lock);
    rt_vc_join(&s->vc, &h->vc);
    if (count > 0) {
        struct rt_round_clock *r = round_of(s, round, true);
        rt_vc_join(&r->vc, &h->vc);
        r->arrived++;
    }
    rt_spin_unlock(&s->lock);
    rt_hb_tick(h);
    h->barrier = count > 0 ? obj : 0;
    h->barrier_round = round;
    h->barrier_count = count;
}

void on_barrier_depart(struct rt_thread *t, uintptr_t obj, bool ok)
{
    struct rt_hb_thread *h = hb_for(t);
    struct rt_sync_clock *s;
    struct rt_round_clock *r = NULL, **p;
    unsigned count;
    if (!h)
        return;
    s = sync_of(h, obj, false);
    if (!s)
        return;
    rt_race_settle(h);
    count = 0;
    rt_spin_lock(&s->lock);
    if (h->barrier == obj)
        r = round_of(s, h->barrier_round, false);
    if (r) {
        /* the round's size: what every arrival of it was told */
        count = h->barrier_count;
        if (r->arrived < count)
            s->rounds_misnumbered = true;
    }
    if (ok)
        rt_vc_join(&h->vc, r && !s->rounds_misnumbered ? &r->vc : &s->vc);
    if (r && ++r->departed >= count) {
        for (p = &s->rounds; *p != r; p = &(*p)->next)
            ;
        *p = r->next;
        rt_vc_free(&r->vc);
        rt_free(r, sizeof *r);
    }
    rt_spin_unlock(&s->lock);
    h->barrier = 0;
}

void on_sync_forget(uintptr_t obj)
{
    struct rt_sync_clock *s;
    if (!__atomic_load_n(&rt_hb_enabled, __ATOMIC_ACQUIRE))
        return;
    s = rt_sync_clock_get(obj, false);
    if (!s)
        return;
    rt_spin_lock(&s->lock);
    rt_vc_clear(&s->vc);
    rt_vc_clear(&s->read_vc);
    seq_reset(s, 0);
    s->sticky = false;
    rounds_free(s);
    rt_spin_unlock(&s->lock);
}

/* A lock's acquisitions and releases make no happens-before while
 * the thread ignores synchronisation (AnnotateIgnoreSyncBegin, or inside
 * an annotated lock's own code), as its atomics do. */
void on_sync_call_acquired(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_hb_thread *h = hb_for(t);
    if (!h || h->ignore_sync)
        return;
    if (c->kind == RT_RWLOCK && c->write)
        rt_hb_acquire_write(h, c->addr);
    else
        rt_hb_acquire(h, c->addr);
}

void on_sync_call_release(struct rt_thread *t, const struct rt_sync_call *c)
{
    struct rt_hb_thread *h = hb_for(t);
    if (!h || h->ignore_sync)
        return;
    if (c->kind == RT_RWLOCK) {
        /* the unlock call does not say which mode it ends: glibc's object
         * knows whether the caller is its writer */
        bool writer = c->write || (c->owner_probe && c->owner_probe(c->addr) == 1);
        if (writer)
            rt_hb_release(h, c->addr);
        else
            rt_hb_release_read(h, c->addr);
        return;
    }
    rt_hb_release(h, c->addr);
}

/* ---- atomics and fences ------------------------------------------------------------ */

/* Release sequences (C11 7.17.3). A release store A to a variable heads a
 * release sequence: A, then the stores to the variable by A's thread and
 * the read-modify-writes by any thread, up to the first store by another
 * thread that is not a read-modify-write. An acquire that reads a value
 * of the sequence synchronises with A, and with each release RMW of the
 * sequence it read past; with nothing before A. So the variable's clock is
 * replaced by a plain store (by the storing thread's clock when the store
 * releases, by its last release fence's for a relaxed store after one,
 * else emptied, unless the storing thread heads the sequence) and joined
 * by a release RMW. A relaxed store or RMW after a release fence releases
 * the fence's clock (C11 7.17.4). A variable that something else than
 * atomics released (a custom lock annotated at its own word) keeps a clock
 * that only grows (sync_clocks.h, `sticky`).
 *
 * The clock changes and the real operation are made under the clock's
 * lock, so that they happen in the same order: else a load could read the
 * value a release store wrote and then find the clock already emptied by a
 * later relaxed store of another thread. */
struct rt_sync_clock *on_atomic_begin(struct rt_hb_thread *h, uintptr_t addr, int op, int mo)
{
    struct rt_sync_clock *s;
    bool releases, fenced, acquires;
    mo = rt_mo_norm(mo);
    releases = op != RT_ATOMIC_LOAD && rt_mo_releases(mo);
    fenced = op != RT_ATOMIC_LOAD && !releases && h->has_fence_release;
    acquires = op != RT_ATOMIC_STORE && rt_mo_acquires(mo);
    if (releases || fenced)
        s = sync_of(h, addr, true);
    else if (acquires || op == RT_ATOMIC_STORE)
        /* nothing released there yet: nothing to take (on_atomic_end looks
         * again), no sequence to end; a variable that is only ever read
         * costs no clock */
        s = sync_of(h, addr, false);
    else
        return NULL;
    if (!s)
        return NULL;
    if (releases || acquires)
        rt_race_settle(h); /* not under the clock's lock: it may report */
    h->busy++; /* a signal handler's atomics must not wait for this lock */
    rt_spin_lock(&s->lock);
    if (op == RT_ATOMIC_STORE && s->sticky) {
        if (releases || fenced)
            rt_vc_join(&s->vc, releases ? &h->vc : &h->fence_release);
    } else if (op == RT_ATOMIC_STORE) {
        if (releases || fenced) {
            rt_vc_copy(&s->vc, releases ? &h->vc : &h->fence_release);
            seq_reset(s, seq_id(h));
        } else if (!seq_continues(s, seq_id(h))) {
            rt_vc_clear(&s->vc);
            seq_reset(s, 0);
        }
    } else if (op == RT_ATOMIC_RMW && (releases || fenced)) {
        rt_vc_join(&s->vc, releases ? &h->vc : &h->fence_release);
        seq_add(s, seq_id(h));
    }
    if (releases)
        rt_hb_tick(h);
    return s;
}

void on_atomic_end(struct rt_hb_thread *h, struct rt_sync_clock *s, uintptr_t addr, int op, int mo)
{
    bool acquires;
    mo = rt_mo_norm(mo);
    acquires = op != RT_ATOMIC_STORE && rt_mo_acquires(mo);
    if (s) {
        if (acquires)
            rt_vc_join(&h->vc, &s->vc);
        rt_spin_unlock(&s->lock);
        h->busy--;
    } else if (acquires) {
        /* no clock at _begin (or a failed compare-exchange acquiring more
         * than its success): one released since is taken now */
        rt_hb_acquire(h, addr);
    }
    if (op == RT_ATOMIC_STORE || acquires)
        return;
    /* relaxed read: an acquire fence later in this thread makes it an acquire */
    if (h->nrelaxed > 0 && h->relaxed_loads[(h->nrelaxed - 1) % RT_HB_RELAXED_LOADS] == addr)
        return;
    h->relaxed_loads[h->nrelaxed % RT_HB_RELAXED_LOADS] = addr;
    h->nrelaxed++;
}

void on_atomic_fence(struct rt_hb_thread *h, int mo)
{
    rt_race_settle(h);
    mo = rt_mo_norm(mo);
    if (rt_mo_acquires(mo)) {
        unsigned n = h->nrelaxed < RT_HB_RELAXED_LOADS ? h->nrelaxed : RT_HB_RELAXED_LOADS;
        for (unsigned i = 0; i < n; i++)
            rt_hb_acquire(h, h->relaxed_loads[i]);
        h->nrelaxed = 0;
    }
    if (rt_mo_releases(mo)) {
        rt_vc_copy(&h->fence_release, &h->vc);
        h->has_fence_release = true;
        rt_hb_tick(h);
    }
}

/* ---- threads ------------------------------------------------------------------------ */

void on_hb_thread_create(struct rt_thread *parent, struct rt_thread *child)
{
    struct rt_hb_thread *ph, *ch;
    uint32_t own;
    if (!__atomic_load_n(&rt_hb_enabled, __ATOMIC_ACQUIRE))
        return;
    ph = rt_hb_of(parent);
    rt_race_settle(ph);
    ch = hb_new(child);
    own = ch->epoch;
    rt_vc_copy(&ch->vc, &ph->vc);
    set_own(&ch->vc, ch, own);   /* above anything inherited: see slots */
    ch->epoch = own;
    child->hb = ch;
    rt_hb_tick(ph);
}

void on_hb_thread_start(struct rt_thread *child)
{
    struct rt_hb_thread *h = child->hb;
    if (!h)
        return;
    rt_hb_self = h;
    find_stack(h);
    /* a cached stack (or any reused mapping) still has the shadow of the
     * thread that used it before */
    if (h->stack_hi > h->stack_lo)
        rt_shadow_reset(h->stack_lo, h->stack_hi - h->stack_lo);
}

void on_hb_thread_exit(struct rt_thread *t)
{
    struct rt_hb_thread *h = t->hb;
    if (!h || h->ended)
        return;
    rt_race_settle(h);
    h->ended = true;
    if (atomic_load(&t->detached)) {
        /* nobody will join it: its slot can serve another thread now; what
         * it still runs (TLS destructors) is no longer checked */
        h->ignore_reads += 1 << 20;
        h->ignore_writes += 1 << 20;
        slot_release(h);
    }
}

/* t has ended and nobody else looks at its state any more: give its slot
 * back and free the state (its stack is no longer "the stack of" anyone) */
static void hb_free(struct rt_thread *t)
{
    struct rt_hb_thread *h = t->hb;
    slot_release(h);
    if (h->ct) {
        rt_free(h->ct, sizeof *h->ct);
        h->ct = NULL;
    }
    rt_vc_free(&h->vc);
    rt_vc_free(&h->fence_release);
    t->hb = NULL;
    rt_free(h, sizeof *h);
}

void on_hb_thread_join(struct rt_thread *joiner, struct rt_thread *child)
{
    struct rt_hb_thread *jh, *ch = child->hb;
    if (!ch || !__atomic_load_n(&rt_hb_enabled, __ATOMIC_ACQUIRE))
        return;
    jh = rt_hb_of(joiner);
    rt_race_settle(jh);
    rt_vc_join(&jh->vc, &ch->vc);
    hb_free(child);
}

void on_hb_thread_pauses(struct rt_thread *t)
{
    if (t->hb && __atomic_load_n(&rt_hb_enabled, __ATOMIC_ACQUIRE))
        rt_race_settle(t->hb);
}

void on_hb_thread_gone(struct rt_thread *t)
{
    if (t->hb)
        hb_free(t);
}

/* ---- fibers ----------------------------------------------------------------------------- */

struct rt_hb_thread *rt_hb_fiber_create(struct rt_hb_thread *creator)
{
    struct rt_hb_thread *f = hb_new(creator->thread);
    uint32_t own = f->epoch;
    rt_race_settle(creator);
    rt_vc_copy(&f->vc, &creator->vc);
    set_own(&f->vc, f, own);
    f->epoch = own;
    f->stack_lo = f->stack_hi = 0;
    rt_hb_tick(creator);
    return f;
}

void rt_hb_fiber_switch(struct rt_hb_thread *from, struct rt_hb_thread *to, bool sync)
{
    struct rt_thread *t = from->thread;
    rt_race_settle(from); /* its accesses are its own, whatever comes next */
    if (sync) {
        rt_vc_join(&to->vc, &from->vc);
        set_own(&to->vc, to, to->epoch);
        rt_hb_tick(from);
    }
    to->thread = t;
    if (t)
        t->hb = to;
    rt_hb_self = to;
}

void rt_hb_fiber_destroy(struct rt_hb_thread *fiber)
{
    if (fiber == rt_hb_self)
        return;
    slot_release(fiber);
}

/* ---- fork ------------------------------------------------------------------------------- */

void rt_hb_fork_prepare(void)
{
    rt_spin_lock(&slots_lock);
    rt_ct_lock_all();
    rt_shadow_lock_all();
    rt_sync_clocks_lock_all();
    rt_heap_lock_all();
    rt_fd_lock_all();
    rt_race_lock_all();
}

void rt_hb_fork_parent(void)
{
    rt_race_unlock_all();
    rt_fd_unlock_all();
    rt_heap_unlock_all();
    rt_sync_clocks_unlock_all();
    rt_shadow_unlock_all();
    rt_ct_unlock_all();
    rt_spin_unlock(&slots_lock);
}

void rt_hb_fork_child(void)
{
    struct rt_hb_thread *h = rt_hb_self;
    rt_sync_clocks_after_fork_child();
    rt_shadow_after_fork_child();
    if (!h)
        return;
    rt_race_pending_drop(h); /* its shadow is new */
    /* Slots of threads that did not survive are never released, so never
     * reused: their every epoch is behind us now. A released slot may serve
     * a new thread of the child: only its past epochs are. */
    rt_spin_lock(&slots_lock);
    for (uint32_t s = 0; s < nslots; s++) {
        uint32_t e = UINT32_MAX;
        if (s == h->slot)
            continue;
        for (uint32_t i = 0; i < nfree; i++)
            if (free_slots[i] == s)
                e = slots[s].last_epoch;
        if (e > rt_vc_get(&h->vc, s))
            rt_vc_set(&h->vc, s, e);
    }
    rt_spin_unlock(&slots_lock);
}
