/* scheduler: the controlled set of threads; see sched.h, and
 * docs/design.md "Exploring schedules" for the algorithm. */
#include "sched_internal.h"
#include "core/core.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

bool rt_sched_active;
enum rt_sched_points rt_sched_points;
struct rt_sched_spec rt_sched_spec;
const char *rt_sched_spec_text = "";

/* A waiting thread looks at the running one this often: */
#define TICK_NS (50ull * 1000000ull)
/* A running thread that made no scheduling point for this long, without
 * using the CPU (blocked in the kernel: I/O, sleep, a futex racedet does
 * not see), is taken out of the controlled set; */
#define STALL_NS (100ull * 1000000ull)
/* one that uses the CPU all the while (a long computation, or a spin on
 * something only another thread can change) after this long. */
#define BUSY_STALL_NS (1000ull * 1000000ull)
/* Every thread blocked for this long, with none outside the controlled set
 * that could still wake one: a deadlock. The wait lets a thread racedet
 * does not control (one that ended but is still unwinding) release what
 * it holds. */
#define DEADLOCK_GRACE_NS (200ull * 1000000ull)
/* A thread that passed this many scheduling points in a row, no other
 * thread running in between, gives way as if it had yielded: a thread
 * that spins on a flag at atomic or memory points (--points=atomics,
 * memory), or on a lock it takes and lets go, would otherwise keep the
 * highest priority for ever, and the thread that would set the flag never
 * run. Counted in points, not time, so that a replay makes the same
 * choices; far more than a bug of small depth needs between two
 * switches. */
#define RUN_POINTS 1000u

static struct {
    rt_spin_t lock;
    struct rt_pct pct;
    struct rt_sched_thread **all;   /* by sid */
    int n, cap;
    /* the threads that have not ended, in creation order (the scans below
     * look at these alone: a program that made thousands of threads does
     * not pay for the ended ones) */
    struct rt_sched_thread **live;
    int nlive, caplive;
    struct rt_sched_thread *current; /* whose turn it is; NULL: nobody can run */
    uint64_t steps;                 /* scheduling points passed */
    uint32_t run_points;            /* points passed by `current` since it was given the turn */
    uint64_t version;               /* bumped at every change of any thread's state */
    uint64_t idle_since, idle_version;
    /* the watch over the running thread: who, since when, at which step */
    struct rt_sched_thread *watched;
    uint64_t watch_steps, watch_ns, watch_cpu;
    bool deadlock_reported;
    struct sched_barrier *barriers;
} S = {.lock = RT_SPIN_INIT};

/* A barrier the program initialised (for its count); never freed. */
struct sched_barrier {
    uintptr_t addr;
    unsigned count, arrived;
    struct sched_barrier *next;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void futex_wait(atomic_int *word, int val, uint64_t timeout_ns)
{
    struct timespec ts = {(time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull)};
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static void futex_wake(atomic_int *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static inline int state_of(const struct rt_sched_thread *s)
{
    return atomic_load_explicit(&s->state, memory_order_relaxed);
}

static inline void set_state(struct rt_sched_thread *s, int st)
{
    atomic_store_explicit(&s->state, st, memory_order_relaxed);
    S.version++;
}

/* s ended (under S.lock): out of the live list, which stays in creation
 * order (the waiter a signal wakes is chosen by its place in it). */
static void set_finished(struct rt_sched_thread *s)
{
    set_state(s, S_FINISHED);
    for (int i = 0; i < S.nlive; i++)
        if (S.live[i] == s) {
            memmove(&S.live[i], &S.live[i + 1], sizeof *S.live * (size_t)(S.nlive - i - 1));
            S.nlive--;
            return;
        }
}

/* The process is ending: the threads run freely from now on. */
static inline bool stopped(void)
{
    return atomic_load_explicit(&rt_state, memory_order_relaxed) == RT_FINISHED;
}

struct rt_sched_thread *rt_sched_thread_at(int sid)
{
    return sid >= 0 && sid < S.n ? S.all[sid] : NULL;
}

int rt_sched_nthreads(void)
{
    return S.n;
}

bool rt_sched_controls(const struct rt_thread *t)
{
    return t->sched && state_of(t->sched) != S_FINISHED && !stopped();
}

/* ---- choosing who runs (under S.lock) ------------------------------------------- */

/* The enabled thread of highest priority; a paused one only when no
 * other is enabled. Ties (unlikely) go to the older thread. */
static struct rt_sched_thread *pick(void)
{
    struct rt_sched_thread *best = NULL;
    for (int i = 0; i < S.nlive; i++) {
        struct rt_sched_thread *s = S.live[i];
        if (state_of(s) != S_ENABLED)
            continue;
        if (!best || (best->paused && !s->paused) ||
            (best->paused == s->paused && s->prio > best->prio))
            best = s;
    }
    return best;
}

static void stats_step(void)
{
    rt_sched_stats->steps = S.steps;
}

/* Give the turn to the thread pick() chooses; returns it, for the caller
 * to wake once S.lock is released (NULL: nobody can run now). */
static struct rt_sched_thread *dispatch(void)
{
    struct rt_sched_thread *next = pick();
    S.version++;
    S.current = next;
    if (!next) {
        S.idle_since = now_ns();
        S.idle_version = S.version;
        return NULL;
    }
    next->paused = false;
    S.run_points = 0;
    rt_sched_stats->hash = rt_mix64(rt_sched_stats->hash ^ (S.steps << 20) ^ (uint64_t)next->sid);
    atomic_store_explicit(&next->turn, 1, memory_order_release);
    return next;
}

static void wake_up(struct rt_sched_thread *next, struct rt_sched_thread *me)
{
    if (next && next != me)
        futex_wake(&next->turn);
}

/* ---- the watch ------------------------------------------------------------------ */

static uint64_t cpu_ns(const struct rt_sched_thread *s)
{
    clockid_t clk;
    struct timespec ts;
    if (pthread_getcpuclockid(s->t->handle, &clk) != 0 || clock_gettime(clk, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Is the thread asleep in the kernel (1), runnable (0), or unknown (-1)?
 * From /proc/self/task/TID/stat: a thread that waits for a CPU on a loaded
 * machine is runnable, not blocked, and uses little CPU time too. */
static int asleep(const struct rt_sched_thread *s)
{
    char path[64], buf[256], *p;
    int tid = atomic_load_explicit(&s->tid, memory_order_relaxed), fd;
    ssize_t n;
    if (!tid)
        return -1;
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* after the command name, which may hold anything */
    if (!p || p[1] != ' ')
        return -1;
    return p[2] == 'S' || p[2] == 'D';
}

static bool anyone_outside(void)
{
    for (int i = 0; i < S.nlive; i++)
        if (state_of(S.live[i]) == S_OUTSIDE)
            return true;
    return false;
}

/* Run by a waiting thread every TICK_NS: is the running thread stuck
 * (then it leaves the controlled set), or is everybody blocked (then it
 * is a deadlock)? */
static void watch(struct rt_sched_thread *me)
{
    uint64_t now = now_ns();
    struct rt_sched_thread *next = NULL, *cur;
    bool deadlock = false;

    rt_spin_lock(&S.lock);
    cur = S.current;
    if (!cur) {
        if (pick())
            next = dispatch();
        else if (!S.deadlock_reported && S.version == S.idle_version &&
                 now - S.idle_since >= DEADLOCK_GRACE_NS && !anyone_outside() &&
                 state_of(me) == S_BLOCKED)
            deadlock = S.deadlock_reported = true;
    } else if (cur != me && state_of(cur) == S_ENABLED &&
               !atomic_load_explicit(&cur->running, memory_order_acquire)) {
        /* given its turn but not awake yet (a loaded machine): wait for it */
        S.watched = NULL;
        next = cur;
    } else if (cur != me && state_of(cur) == S_ENABLED) {
        if (S.watched != cur || S.watch_steps != S.steps) {
            S.watched = cur;
            S.watch_steps = S.steps;
            S.watch_ns = now;
            S.watch_cpu = cpu_ns(cur);
        } else if (now - S.watch_ns >= STALL_NS) {
            uint64_t took = now - S.watch_ns;
            int sleeping = asleep(cur);
            if (sleeping < 0) /* no /proc: little CPU time used means asleep */
                sleeping = cpu_ns(cur) - S.watch_cpu < took / 2;
            if (sleeping || took >= BUSY_STALL_NS) {
                /* it goes on uncontrolled and comes back at its next point */
                set_state(cur, S_OUTSIDE);
                atomic_store_explicit(&cur->turn, 0, memory_order_relaxed);
                rt_sched_stats->descheduled++;
                S.watched = NULL;
                next = dispatch();
            }
        }
    }
    rt_spin_unlock(&S.lock);
    wake_up(next, me);
    if (deadlock) {
        rt_sched_stats->deadlock = 1;
        rt_sched_report_deadlock();
        rt_die();
    }
}

/* Sleep until it is this thread's turn. False: the process is ending, the
 * thread runs freely from now on. */
static bool wait_turn(struct rt_sched_thread *me)
{
    bool ok = true;
    atomic_store_explicit(&me->running, false, memory_order_release);
    while (!atomic_load_explicit(&me->turn, memory_order_acquire)) {
        if (stopped()) {
            ok = false;
            break;
        }
        futex_wait(&me->turn, 0, TICK_NS);
        if (!atomic_load_explicit(&me->turn, memory_order_acquire))
            watch(me);
    }
    atomic_store_explicit(&me->running, true, memory_order_release);
    if (!atomic_load_explicit(&me->tid, memory_order_relaxed))
        atomic_store_explicit(&me->tid, (int)syscall(SYS_gettid), memory_order_relaxed);
    return ok;
}

/* ---- scheduling points ------------------------------------------------------------ */

/* me comes back into the controlled set (it was taken out: stuck) and
 * waits for its turn. Under S.lock, which it releases. */
static void rejoin(struct rt_sched_thread *me)
{
    struct rt_sched_thread *next = NULL;
    set_state(me, S_ENABLED);
    if (!S.current)
        next = dispatch();
    rt_spin_unlock(&S.lock);
    wake_up(next, me);
    wait_turn(me);
}

/* me gives way (under S.lock): below everybody that did not yield, at a
 * random place among those that did: a fixed order (the latest yielder
 * last) makes threads that back off and retry take turns in lockstep for
 * ever. */
static void yield_locked(struct rt_sched_thread *me)
{
    me->prio = -1 - (int64_t)(rt_pct_random(&S.pct) >> 34);
}

void rt_sched_point(struct rt_thread *t)
{
    struct rt_sched_thread *me = t->sched, *next = NULL;
    int64_t prio;

    if (!me || stopped())
        return;
    rt_spin_lock(&S.lock);
    switch (state_of(me)) {
    case S_FINISHED:
        rt_spin_unlock(&S.lock);
        return;
    case S_OUTSIDE:
        rejoin(me);
        return;
    default:
        break;
    }
    if (S.current != me) {
        /* not its turn (it was woken by a wait it had prepared) */
        rt_spin_unlock(&S.lock);
        wait_turn(me);
        return;
    }
    S.steps++;
    stats_step();
    prio = rt_pct_change(&S.pct, S.steps);
    if (prio)
        me->prio = prio;
    if (++S.run_points >= RUN_POINTS) {
        yield_locked(me); /* spinning, most likely: the others go first */
        S.run_points = 0;
    }
    if (pick() != me) {
        atomic_store_explicit(&me->turn, 0, memory_order_relaxed);
        next = dispatch();
    } else {
        me->paused = false; /* picked again: it goes on (paused or not) */
    }
    rt_spin_unlock(&S.lock);
    if (next) {
        wake_up(next, me);
        wait_turn(me);
    }
}

void rt_sched_yield(struct rt_thread *t)
{
    struct rt_sched_thread *me = t->sched;
    if (!me)
        return;
    rt_spin_lock(&S.lock);
    yield_locked(me);
    rt_spin_unlock(&S.lock);
}

void rt_sched_atomic_point(struct rt_thread *t, uintptr_t pc)
{
    (void)pc;
    if (rt_sched_points >= RT_SCHED_POINTS_ATOMICS)
        rt_sched_point(t);
}

void rt_sched_pause(struct rt_thread *t)
{
    struct rt_sched_thread *me = t->sched;
    if (!me)
        return;
    rt_spin_lock(&S.lock);
    me->paused = true;
    rt_sched_stats->paused++;
    rt_spin_unlock(&S.lock);
    rt_sched_point(t);
}

/* ---- waits ------------------------------------------------------------------------ */

static void prepare(struct rt_sched_thread *me, enum rt_sched_wait kind, uintptr_t obj,
                    uintptr_t pc, uintptr_t sp)
{
    me->armed = true;
    me->woken = false;
    me->wait_kind = (int)kind;
    me->wait_obj = obj;
    me->wait_pc = pc;
    me->wait_sp = sp;
}

void rt_sched_wait_prepare(struct rt_thread *t, enum rt_sched_wait kind, uintptr_t obj,
                           uintptr_t pc, uintptr_t sp)
{
    struct rt_sched_thread *me = t->sched;
    if (!me)
        return;
    rt_spin_lock(&S.lock);
    prepare(me, kind, obj, pc, sp);
    rt_spin_unlock(&S.lock);
}

void rt_sched_wait_cancel(struct rt_thread *t)
{
    struct rt_sched_thread *me = t->sched;
    if (!me)
        return;
    rt_spin_lock(&S.lock);
    me->armed = false;
    rt_spin_unlock(&S.lock);
}

bool rt_sched_wait(struct rt_thread *t)
{
    struct rt_sched_thread *me = t->sched, *next = NULL;
    rt_stack_id stack;

    if (!me || stopped())
        return false;
    /* the waiting stack, for a deadlock report: the call site's, cheap */
    stack = me->wait_pc ? rt_thread_callsite_stack(t, me->wait_pc, me->wait_sp) : RT_NO_STACK;
    rt_spin_lock(&S.lock);
    me->armed = false;
    if (me->wait_kind == RT_SCHED_ON_COND && !me->woken && rt_pct_spurious(&S.pct, S.steps)) {
        me->woken = true; /* a spurious wake-up */
        rt_sched_stats->spurious++;
    }
    if (me->woken || state_of(me) == S_FINISHED) {
        rt_spin_unlock(&S.lock);
        return true; /* woken since prepare: the caller tries again */
    }
    me->wait_stack = stack;
    set_state(me, S_BLOCKED);
    atomic_store_explicit(&me->turn, 0, memory_order_relaxed);
    if (S.current == me || !S.current)
        next = dispatch();
    rt_spin_unlock(&S.lock);
    wake_up(next, me);
    return wait_turn(me);
}

/* Wake threads waiting on obj: all of them, or one chosen by the schedule.
 * Under S.lock; returns the thread to wake when nobody was running. */
static struct rt_sched_thread *wake_locked(uintptr_t obj, bool all)
{
    int n = 0, chosen = -1;
    for (int i = 0; i < S.nlive; i++) {
        struct rt_sched_thread *s = S.live[i];
        n += s->wait_obj == obj && (s->armed || state_of(s) == S_BLOCKED);
    }
    if (n == 0)
        return NULL;
    if (!all)
        chosen = (int)(rt_pct_random(&S.pct) % (uint64_t)n);
    n = 0;
    for (int i = 0; i < S.nlive; i++) {
        struct rt_sched_thread *s = S.live[i];
        if (s->wait_obj != obj || !(s->armed || state_of(s) == S_BLOCKED))
            continue;
        if (all || n++ == chosen) {
            s->woken = true;
            if (state_of(s) == S_BLOCKED)
                set_state(s, S_ENABLED);
        }
    }
    return S.current ? NULL : dispatch();
}

void rt_sched_released(uintptr_t obj)
{
    struct rt_sched_thread *next;
    rt_spin_lock(&S.lock);
    next = wake_locked(obj, true);
    rt_spin_unlock(&S.lock);
    wake_up(next, NULL);
}

void rt_sched_cond_signal(uintptr_t cond, bool all)
{
    struct rt_sched_thread *next;
    rt_spin_lock(&S.lock);
    next = wake_locked(cond, all);
    rt_spin_unlock(&S.lock);
    wake_up(next, NULL);
}

void rt_sched_cancelled(struct rt_thread *target)
{
    struct rt_sched_thread *s = target->sched, *next = NULL;
    if (!s)
        return;
    rt_spin_lock(&S.lock);
    if ((s->armed || state_of(s) == S_BLOCKED) &&
        (s->wait_kind == RT_SCHED_ON_COND || s->wait_kind == RT_SCHED_ON_SEM ||
         s->wait_kind == RT_SCHED_ON_JOIN)) {
        s->woken = true;
        if (state_of(s) == S_BLOCKED)
            set_state(s, S_ENABLED);
        if (!S.current)
            next = dispatch();
    }
    rt_spin_unlock(&S.lock);
    wake_up(next, NULL);
}

/* ---- barriers and joins ------------------------------------------------------------ */

static struct sched_barrier *find_barrier(uintptr_t addr)
{
    struct sched_barrier *b;
    for (b = S.barriers; b; b = b->next)
        if (b->addr == addr)
            return b;
    return NULL;
}

void rt_sched_barrier_init(uintptr_t addr, unsigned count)
{
    struct sched_barrier *b;
    rt_spin_lock(&S.lock);
    b = find_barrier(addr);
    if (!b) {
        rt_spin_unlock(&S.lock);
        b = rt_alloc(sizeof *b); /* never freed: barriers are few */
        rt_spin_lock(&S.lock);
        b->addr = addr;
        b->next = S.barriers;
        S.barriers = b;
    }
    b->count = count;
    b->arrived = 0;
    rt_spin_unlock(&S.lock);
}

int rt_sched_barrier_wait(struct rt_thread *t, uintptr_t addr, uintptr_t pc, uintptr_t sp)
{
    struct rt_sched_thread *me = t->sched, *next;
    struct sched_barrier *b;
    if (!me)
        return -1;
    rt_spin_lock(&S.lock);
    b = find_barrier(addr);
    if (!b || b->count == 0) {
        rt_spin_unlock(&S.lock);
        return -1;
    }
    if (++b->arrived == b->count) {
        /* the last of the round: every other one may go on */
        b->arrived = 0;
        next = wake_locked(addr, true);
        rt_spin_unlock(&S.lock);
        wake_up(next, me);
        return 1;
    }
    prepare(me, RT_SCHED_ON_BARRIER, addr, pc, sp);
    rt_spin_unlock(&S.lock);
    rt_sched_wait(t);
    return 0;
}

bool rt_sched_join(struct rt_thread *t, struct rt_thread *target, uintptr_t pc, uintptr_t sp)
{
    struct rt_sched_thread *me = t->sched, *ts = target ? target->sched : NULL;
    if (!me || !ts)
        return true;
    rt_spin_lock(&S.lock);
    if (state_of(ts) == S_FINISHED) {
        rt_spin_unlock(&S.lock);
        return true;
    }
    prepare(me, RT_SCHED_ON_JOIN, (uintptr_t)ts, pc, sp);
    rt_spin_unlock(&S.lock);
    return !rt_sched_wait(t) || state_of(ts) == S_FINISHED;
}

/* ---- threads ------------------------------------------------------------------------ */

static struct rt_sched_thread *new_thread(struct rt_thread *t)
{
    struct rt_sched_thread *s = rt_alloc(sizeof *s);
    memset(s, 0, sizeof *s);
    s->t = t;
    s->wait_stack = RT_NO_STACK;
    atomic_store(&s->running, t == rt_self); /* a child runs once it is started */
    if (t == rt_self)
        atomic_store(&s->tid, (int)syscall(SYS_gettid));
    rt_spin_lock(&S.lock);
    if (S.n == S.cap) {
        int ncap = S.cap ? S.cap * 2 : 64;
        S.all = rt_realloc(S.all, sizeof *S.all * (size_t)S.cap, sizeof *S.all * (size_t)ncap);
        S.cap = ncap;
    }
    if (S.nlive == S.caplive) {
        int ncap = S.caplive ? S.caplive * 2 : 64;
        S.live = rt_realloc(S.live, sizeof *S.live * (size_t)S.caplive, sizeof *S.live * (size_t)ncap);
        S.caplive = ncap;
    }
    s->sid = S.n;
    s->prio = rt_pct_priority(&S.pct);
    S.all[S.n++] = s;
    S.live[S.nlive++] = s;
    set_state(s, S_ENABLED);
    rt_sched_stats->threads = (uint32_t)S.n;
    rt_spin_unlock(&S.lock);
    return s;
}

void rt_sched_thread_create(struct rt_thread *parent, struct rt_thread *child)
{
    if (parent->sched && !stopped())
        child->sched = new_thread(child);
}

void rt_sched_thread_created(struct rt_thread *child, bool ok)
{
    if (ok || !child->sched)
        return;
    struct rt_sched_thread *next = NULL;
    rt_spin_lock(&S.lock);
    set_finished(child->sched);
    if (S.current == child->sched)
        next = dispatch(); /* it had been given the turn: never mind */
    rt_spin_unlock(&S.lock);
    wake_up(next, NULL);
}

void rt_sched_thread_start(struct rt_thread *t)
{
    if (t->sched)
        wait_turn(t->sched);
}

void rt_sched_thread_exit(struct rt_thread *t)
{
    struct rt_sched_thread *me = t->sched, *next = NULL, *woken;
    if (!me || state_of(me) == S_FINISHED || stopped())
        return;
    rt_sched_point(t); /* its end is a visible event: joiners go on */
    rt_spin_lock(&S.lock);
    set_finished(me);
    woken = wake_locked((uintptr_t)me, true);
    if (S.current == me || !S.current)
        next = dispatch();
    rt_spin_unlock(&S.lock);
    wake_up(woken, me);
    wake_up(next, me);
}

/* ---- start and fork ----------------------------------------------------------------- */

int rt_sched_start(struct rt_thread *t, const char *spec, const char *stats_dir, char *err,
                   size_t errlen)
{
    if (!spec || !*spec)
        return 0;
    if (rt_sched_spec_parse(spec, &rt_sched_spec, err, errlen) < 0)
        return -1;
    rt_sched_spec_text = spec;
    rt_sched_points = rt_sched_spec.points;
    rt_pct_init(&S.pct, &rt_sched_spec);
    rt_sched_stats_open(stats_dir);
    t->sched = new_thread(t);
    S.current = t->sched;
    atomic_store(&t->sched->turn, 1);
    rt_sched_active = true;
    return 0;
}

void rt_sched_fork_prepare(void)
{
    if (rt_sched_active)
        rt_spin_lock(&S.lock);
}

void rt_sched_fork_parent(void)
{
    if (rt_sched_active)
        rt_spin_unlock(&S.lock);
}

void rt_sched_fork_child(void)
{
    struct rt_sched_thread *me = rt_self ? rt_self->sched : NULL;
    if (!rt_sched_active)
        return;
    rt_spin_reset(&S.lock);
    /* only the forking thread lives on */
    for (int i = 0; i < S.n; i++)
        if (S.all[i] != me)
            atomic_store_explicit(&S.all[i]->state, S_FINISHED, memory_order_relaxed);
    S.nlive = 0;
    if (me)
        S.live[S.nlive++] = me;
    rt_pct_fork_child(&S.pct);
    S.steps = 0;
    S.watched = NULL;
    S.deadlock_reported = false;
    S.current = me;
    if (me) {
        atomic_store_explicit(&me->state, S_ENABLED, memory_order_relaxed);
        atomic_store(&me->turn, 1);
        me->armed = false;
    }
    rt_sched_stats_open(NULL); /* reopened in the same directory */
}
