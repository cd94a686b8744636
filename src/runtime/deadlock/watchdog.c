/* watchdog: see deadlock.h; the algorithm is in docs/design.md "The
 * deadlock watchdog". */
#include "deadlock.h"
#include "core/core.h"

#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int (*rt_watchdog_spawn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

enum { WD_OFF, WD_STARTING, WD_RUNNING, WD_FAILED };

static atomic_int wd_state = WD_OFF;
/* Futex word: 1 while the watchdog sleeps because nobody is blocked. A
 * thread that starts a wait and sees 1 sets it to 0 and wakes it. */
static atomic_int wd_parked;
/* Futex word nobody wakes: the watchdog's timed sleeps. */
static atomic_int wd_timer;
/* Held by the watchdog for a scan and by fork (no scan crosses a fork). */
static rt_spin_t wd_lock = RT_SPIN_INIT;

uint64_t rt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t ms_to_ns(long ms)
{
    return ms > 0 ? (uint64_t)ms * 1000000ull : 0;
}

/* Raw futex calls: the watchdog must never enter an interceptor or take a
 * lock the program could see. */
static void futex_wait(atomic_int *word, int val, uint64_t timeout_ns)
{
    struct timespec ts = {(time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull)};
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, timeout_ns ? &ts : NULL, NULL, 0);
}

static void futex_wake(atomic_int *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* ---- the scan --------------------------------------------------------------- */

/* What the watchdog saw of one live thread in this scan. Owned by the
 * watchdog (under wd_lock). A scan looks at the threads that have not
 * ended only (rt_threads_live), so what it keeps and what it costs grow
 * with the threads running at once, not with those ever made: node i is
 * live thread i of this scan, and ids[] finds a thread id's node. */
struct node {
    struct rt_thread *t;
    bool blocked;                 /* a consistent snapshot of an untimed wait */
    bool ripe;                    /* blocked for deadlock_timeout_ms */
    struct rt_lock *wf;
    struct rt_thread *jn;
    bool write;
    rt_stack_id stack;
    uint64_t since;
    struct rt_held *held;         /* copy of its held set */
    unsigned nheld, cap;
    /* DFS */
    int color;                    /* 0 unvisited, 1 on the path, 2 done */
    unsigned edge_lo, edge_hi;    /* into edges[] */
};

static struct rt_thread **live;
static size_t cap_live;
static struct node *nodes;
static unsigned nnodes, cap_nodes;
/* Open addressing, thread id -> node index + 1 (0: empty); a power of two
 * at least twice the nodes, remade each scan. */
static unsigned *ids;
static size_t cap_ids;
static int *edges;
static unsigned nedges, cap_edges;
static int *path;
static struct rt_deadlock_member *members;

static void grow_nodes(unsigned n)
{
    unsigned ncap;
    if (n <= cap_nodes)
        return;
    ncap = cap_nodes ? cap_nodes : 64;
    while (ncap < n)
        ncap *= 2;
    nodes = rt_realloc(nodes, sizeof *nodes * cap_nodes, sizeof *nodes * ncap);
    path = rt_realloc(path, sizeof *path * cap_nodes, sizeof *path * ncap);
    members = rt_realloc(members, sizeof *members * cap_nodes, sizeof *members * ncap);
    cap_nodes = ncap;
}

static unsigned id_hash(int id, size_t mask)
{
    return (unsigned)(((uint64_t)(unsigned)id * 0x9e3779b97f4a7c15ull) >> 32) & (unsigned)mask;
}

/* ids[] for nodes[0..n). */
static void index_nodes(unsigned n)
{
    size_t want = 16;
    while (want < 2 * (size_t)n)
        want *= 2;
    if (want > cap_ids) {
        ids = rt_realloc(ids, sizeof *ids * cap_ids, sizeof *ids * want);
        cap_ids = want;
    }
    memset(ids, 0, sizeof *ids * cap_ids);
    for (unsigned i = 0; i < n; i++) {
        unsigned h = id_hash(nodes[i].t->id, cap_ids - 1);
        while (ids[h])
            h = (h + 1) & (unsigned)(cap_ids - 1);
        ids[h] = i + 1;
    }
}

/* The node of thread id in this scan, -1 if it has none (ended). */
static int node_index(int id)
{
    unsigned h;
    if (cap_ids == 0)
        return -1;
    for (h = id_hash(id, cap_ids - 1); ids[h]; h = (h + 1) & (unsigned)(cap_ids - 1))
        if (nodes[ids[h] - 1].t->id == id)
            return (int)ids[h] - 1;
    return -1;
}

static void add_edge(int to)
{
    if (nedges == cap_edges) {
        unsigned ncap = cap_edges ? cap_edges * 2 : 256;
        edges = rt_realloc(edges, sizeof *edges * cap_edges, sizeof *edges * ncap);
        cap_edges = ncap;
    }
    edges[nedges++] = to;
}

/* Copy what thread t waits for and holds; true when t was in one and the
 * same untimed wait before and after the copy (so the copy is consistent:
 * a waiting thread does not touch its held set). */
static bool snapshot(struct node *n, struct rt_thread *t)
{
    struct rt_lock *wf = atomic_load_explicit(&t->waiting_for, memory_order_acquire);
    struct rt_thread *jn = atomic_load_explicit(&t->joining, memory_order_acquire);
    unsigned seq = atomic_load_explicit(&t->wait_seq, memory_order_acquire);
    unsigned nh, want;

    if (!wf && !jn)
        return false;
    n->write = t->waiting_write;
    n->stack = t->waiting_stack;
    n->since = t->waiting_since_ns;
    want = t->cap_held; /* a hint: checked again under peek_lock */
    if (want > n->cap) {
        n->held = rt_realloc(n->held, sizeof *n->held * n->cap, sizeof *n->held * want);
        n->cap = want;
    }
    rt_spin_lock(&t->peek_lock);
    nh = t->held ? t->nheld : 0;
    if (nh > t->cap_held)
        nh = t->cap_held;
    if (nh > n->cap) {
        rt_spin_unlock(&t->peek_lock);
        return false; /* grew meanwhile: it is not waiting; look next time */
    }
    if (nh)
        memcpy(n->held, t->held, sizeof *n->held * nh);
    rt_spin_unlock(&t->peek_lock);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&t->waiting_for, memory_order_relaxed) != wf ||
        atomic_load_explicit(&t->joining, memory_order_relaxed) != jn ||
        atomic_load_explicit(&t->wait_seq, memory_order_relaxed) != seq)
        return false;
    n->wf = wf;
    n->jn = jn;
    n->nheld = nh;
    return true;
}

/* Does node n hold lock l (in write mode only when want_write)? */
static const struct rt_held *holds(const struct node *n, const struct rt_lock *l, bool want_write)
{
    for (unsigned i = 0; i < n->nheld; i++) {
        const struct rt_held *h = &n->held[i];
        if (h->lock == l && rt_held_is_live(h) &&
            (!want_write || h->write))
            return h;
    }
    return NULL;
}

/* Edges a -> the ripe threads a waits for. A wait for a lock waits for
 * every holder that conflicts with it (its exclusive owner; for a write
 * wait on an rwlock, every reader too); a join waits for the joined thread.
 * Only threads blocked themselves can make a cycle, so only they count. */
static void wait_for_edges(struct node *a, unsigned n)
{
    a->edge_lo = nedges;
    if (a->wf) {
        struct rt_lock *l = a->wf;
        int owner = atomic_load_explicit(&l->owner, memory_order_relaxed) - 1;
        if (owner >= 0)
            owner = node_index(owner);
        if (owner >= 0 && nodes[owner].ripe && &nodes[owner] != a &&
            holds(&nodes[owner], l, true))
            add_edge(owner);
        if (l->kind == RT_RWLOCK && a->write) {
            for (unsigned i = 0; i < n; i++)
                if (nodes[i].ripe && &nodes[i] != a && (int)i != owner && holds(&nodes[i], l, false))
                    add_edge((int)i);
        }
    } else if (a->jn) {
        int j = node_index(a->jn->id);
        if (j >= 0 && nodes[j].ripe && &nodes[j] != a &&
            atomic_load_explicit(&a->jn->running, memory_order_relaxed))
            add_edge(j);
    }
    a->edge_hi = nedges;
}

/* Depth-first search for a cycle from root; fills out on success. */
static bool find_cycle(int root, struct rt_deadlock *out)
{
    /* iterative DFS: path[] holds the nodes on the current path, cursor[]
     * (reusing edge_lo) the next edge to try of each */
    unsigned depth = 0;
    path[depth++] = root;
    nodes[root].color = 1;
    while (depth > 0) {
        struct node *a = &nodes[path[depth - 1]];
        if (a->edge_lo < a->edge_hi) {
            int b = edges[a->edge_lo++];
            if (nodes[b].color == 1) {
                /* back edge: the cycle is path[k..depth-1] where path[k] == b */
                unsigned k = 0;
                while (path[k] != b)
                    k++;
                out->n = 0;
                out->m = members;
                for (unsigned i = k; i < depth; i++) {
                    struct node *x = &nodes[path[i]];
                    struct node *next = &nodes[i + 1 < depth ? path[i + 1] : b];
                    members[out->n++] = (struct rt_deadlock_member){
                        .thread = x->t, .waits_for = x->wf, .joins = x->jn, .holder = next->t,
                        .waiting_stack = x->stack, .since_ns = x->since};
                }
                return true;
            }
            if (nodes[b].color == 0) {
                nodes[b].color = 1;
                path[depth++] = b;
            }
            continue;
        }
        a->color = 2;
        depth--;
    }
    return false;
}

/* The owner of the lock ripe node a waits for, when that owner can never
 * release it: it ended holding it, or (a forked child) it is a thread of
 * the parent. Not for robust mutexes (EOWNERDEAD ends the wait), nor for
 * read holds (whose holders are not known). */
static struct rt_thread *gone_owner(const struct node *a, pid_t pid, enum rt_deadlock_why *why)
{
    struct rt_lock *l = a->wf;
    struct rt_thread *o;
    int owner;
    if (!l || rt_lock_is_robust(l))
        return NULL;
    owner = atomic_load_explicit(&l->owner, memory_order_relaxed) - 1;
    if (owner < 0 || owner == a->t->id || !(o = rt_thread_by_id(owner)))
        return NULL;
    if (o->pid != pid) {
        *why = RT_DEADLOCK_OWNER_NOT_HERE;
        return o;
    }
    if (!atomic_load_explicit(&o->running, memory_order_acquire)) {
        *why = RT_DEADLOCK_OWNER_EXITED;
        return o;
    }
    return NULL;
}

bool rt_watchdog_scan(uint64_t now_ns, struct rt_deadlock *out, uint64_t *next_ns)
{
    uint64_t timeout = ms_to_ns(rt_options.deadlock_timeout_ms);
    /* how often to look while someone is blocked: a new wait of an
     * already-watched process does not wake the watchdog */
    uint64_t poll = timeout / 4;
    unsigned n = rt_threads_live(&live, &cap_live);
    pid_t pid = getpid();
    uint64_t next = 0, last = 0;
    bool any = false;

    if (poll < 10000000ull)
        poll = 10000000ull;
    if (poll > 250000000ull)
        poll = 250000000ull;
    grow_nodes(n);
    nnodes = n;
    nedges = 0;
    for (unsigned i = 0; i < n; i++) {
        struct rt_thread *t = live[i];
        struct node *x = &nodes[i];
        x->t = t;
        x->blocked = x->ripe = false;
        x->wf = NULL;
        x->jn = NULL;
        x->color = 0;
        x->edge_lo = x->edge_hi = 0;
        if (!t || t->pid != pid || !atomic_load_explicit(&t->running, memory_order_relaxed))
            continue;
        if (!snapshot(x, t)) {
            /* caught between two states: look again soon */
            if (atomic_load_explicit(&t->waiting_for, memory_order_relaxed) ||
                atomic_load_explicit(&t->joining, memory_order_relaxed))
                any = true;
            continue;
        }
        any = true;
        x->blocked = true;
        if (x->since + timeout <= now_ns)
            x->ripe = true;
        else if (next == 0 || x->since + timeout < next)
            next = x->since + timeout;
    }
    index_nodes(n);
    for (unsigned i = 0; i < n; i++)
        if (nodes[i].ripe)
            wait_for_edges(&nodes[i], n);
    for (unsigned i = 0; i < n; i++) {
        if (!nodes[i].ripe || nodes[i].color != 0)
            continue;
        if (find_cycle((int)i, out)) {
            for (unsigned k = 0; k < out->n; k++)
                if (out->m[k].since_ns > last)
                    last = out->m[k].since_ns;
            out->why = RT_DEADLOCK_CYCLE;
            out->blocked_ns = now_ns > last ? now_ns - last : 0;
            *next_ns = 0;
            return true;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        struct node *x = &nodes[i];
        struct rt_thread *o;
        enum rt_deadlock_why why;
        if (!x->ripe || !(o = gone_owner(x, pid, &why)))
            continue;
        members[0] = (struct rt_deadlock_member){
            .thread = x->t, .waits_for = x->wf, .holder = o, .waiting_stack = x->stack,
            .since_ns = x->since};
        *out = (struct rt_deadlock){.why = why, .n = 1, .m = members,
                                    .blocked_ns = now_ns > x->since ? now_ns - x->since : 0};
        *next_ns = 0;
        return true;
    }
    if (any && (next == 0 || next > now_ns + poll))
        next = now_ns + poll;
    *next_ns = next;
    return false;
}

/* ---- the report --------------------------------------------------------------- */

static const struct node *node_of(const struct rt_thread *t)
{
    int i = t ? node_index(t->id) : -1;
    return i >= 0 && (unsigned)i < nnodes && nodes[i].t == t ? &nodes[i] : NULL;
}

void rt_watchdog_report(const struct rt_deadlock *d)
{
    struct rt_buf summary = {0}, details = {0};
    unsigned nstacks = 0, nlocks = 0, maxstacks = d->n + 1, maxlocks = d->n;
    bool gone = d->why != RT_DEADLOCK_CYCLE;

    for (unsigned i = 0; i < d->n; i++) {
        const struct node *x = node_of(d->m[i].thread);
        if (x) {
            maxstacks += x->nheld;
            maxlocks += x->nheld;
        }
    }
    struct rt_role_stack stacks[maxstacks];
    struct rt_lock *locks[maxlocks + 1];
    struct rt_thread *threads[d->n + 1];
    unsigned nthreads = d->n;

    if (gone) {
        /* one thread, waiting for a lock nobody can release */
        const struct rt_deadlock_member *m = &d->m[0];
        rt_buf_printf(&summary, "{thread:%d} waits forever for {lock:%llu}, held by {thread:%d}, %s",
                      m->thread->id, (unsigned long long)m->waits_for->id, m->holder->id,
                      d->why == RT_DEADLOCK_OWNER_EXITED
                          ? "which exited without releasing it"
                          : "a thread of the parent process, which does not exist in this forked "
                            "child");
    } else {
        rt_buf_printf(&summary, "%u threads are blocked on each other: ", d->n);
    }
    for (unsigned i = 0; i < d->n; i++) {
        const struct rt_deadlock_member *m = &d->m[i];
        const struct node *x = node_of(m->thread);
        threads[i] = m->thread;
        if (i)
            rt_buf_puts(&summary, "; ");
        if (gone) {
            locks[nlocks++] = m->waits_for;
        } else if (m->waits_for) {
            rt_buf_printf(&summary, "{thread:%d} waits for {lock:%llu}, held by {thread:%d}",
                          m->thread->id, (unsigned long long)m->waits_for->id, m->holder->id);
            locks[nlocks++] = m->waits_for;
        } else {
            rt_buf_printf(&summary, "{thread:%d} joins {thread:%d}", m->thread->id,
                          m->holder->id);
        }
        if (m->waiting_stack != RT_NO_STACK)
            stacks[nstacks++] = (struct rt_role_stack){
                m->waits_for ? "blocked here, waiting for a lock" : "blocked here, joining a thread",
                m->thread->id, m->waiting_stack};
        if (gone && m->waits_for->acq_stack != RT_NO_STACK) {
            stacks[nstacks++] = (struct rt_role_stack){
                d->why == RT_DEADLOCK_OWNER_EXITED
                    ? "the lock was taken here, by the thread that exited"
                    : "the lock was taken here, in the parent process, before the fork",
                m->holder->id, m->waits_for->acq_stack};
            threads[nthreads++] = m->holder;
        }
        for (unsigned k = 0; x && k < x->nheld; k++) {
            const struct rt_held *h = &x->held[k];
            bool seen = false;
            if (!rt_held_is_live(h))
                continue;
            if (h->stack != RT_NO_STACK)
                stacks[nstacks++] = (struct rt_role_stack){"holds a lock, acquired here",
                                                           m->thread->id, h->stack};
            for (unsigned j = 0; j < nlocks; j++)
                seen |= locks[j] == h->lock;
            if (!seen)
                locks[nlocks++] = h->lock;
        }
    }
    rt_buf_printf(&details, "{\"blocked_ms\":%llu,\"timeout_ms\":%ld,",
                  (unsigned long long)(d->blocked_ns / 1000000ull), rt_options.deadlock_timeout_ms);
    if (gone) {
        rt_buf_printf(&details, "\"owner\":%d,\"owner_gone\":\"%s\"}", d->m[0].holder->id,
                      d->why == RT_DEADLOCK_OWNER_EXITED ? "exited" : "not_in_this_process");
    } else {
        rt_buf_puts(&details, "\"cycle\":[");
        for (unsigned i = 0; i < d->n; i++)
            rt_buf_printf(&details, "%s%d", i ? "," : "", d->m[i].thread->id);
        rt_buf_puts(&details, "]}");
    }
    rt_finding_emit("deadlock", summary.p, threads, (int)nthreads, locks, (int)nlocks, stacks,
                    (int)nstacks, details.p);
    rt_buf_free(&summary);
    rt_buf_free(&details);
}

/* ---- the watchdog thread -------------------------------------------------------- */

/* The watchdog's own thread state: never in the thread list; in_runtime
 * stays set so that any interceptor it reaches passes straight through. */
static struct rt_thread wd_self;

static bool look(uint64_t *next)
{
    struct rt_deadlock d;
    bool found;
    rt_spin_lock(&wd_lock);
    found = rt_watchdog_scan(rt_now_ns(), &d, next);
    if (found) {
        rt_watchdog_report(&d);
        rt_die(); /* holding wd_lock: nothing may fork now */
    }
    rt_spin_unlock(&wd_lock);
    return found;
}

static void *wd_main(void *arg)
{
    (void)arg;
    wd_self.id = -1;
    wd_self.in_runtime = 1;
    wd_self.waiting_stack = RT_NO_STACK;
    rt_self = &wd_self;
    for (;;) {
        uint64_t next, now;
        if (atomic_load(&rt_state) == RT_FINISHED)
            return NULL;
        look(&next);
        if (next == 0) {
            /* nobody blocked: park, then look once more so that a wait that
             * began before parked was set is not missed (the waiter fences
             * between publishing its wait and reading wd_parked) */
            atomic_store(&wd_parked, 1);
            atomic_thread_fence(memory_order_seq_cst);
            look(&next);
            if (next == 0) {
                futex_wait(&wd_parked, 1, 0);
                continue;
            }
            atomic_store(&wd_parked, 0);
        }
        now = rt_now_ns();
        if (next > now)
            futex_wait(&wd_timer, 0, next - now);
    }
}

static void start(void)
{
    int expected = WD_OFF;
    pthread_attr_t attr;
    pthread_t th;
    sigset_t all, old;
    int rc;

    if (!atomic_compare_exchange_strong(&wd_state, &expected, WD_STARTING))
        return;
    if (!rt_watchdog_spawn) {
        atomic_store(&wd_state, WD_FAILED);
        return;
    }
    /* no program signal handler may run on the watchdog */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    rc = rt_watchdog_spawn(&th, &attr, wd_main, NULL);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    atomic_store(&wd_state, rc == 0 ? WD_RUNNING : WD_FAILED);
}

void rt_watchdog_wait_begins(struct rt_thread *t)
{
    (void)t;
    /* the wait was published before this fence; the watchdog sets
     * wd_parked before its fence and then looks at every wait */
    atomic_thread_fence(memory_order_seq_cst);
    switch (atomic_load_explicit(&wd_state, memory_order_relaxed)) {
    case WD_RUNNING:
        if (atomic_load_explicit(&wd_parked, memory_order_relaxed) &&
            atomic_exchange(&wd_parked, 0) == 1)
            futex_wake(&wd_parked);
        return;
    case WD_OFF:
        start();
        return;
    default:
        return;
    }
}

void rt_watchdog_sync(void)
{
    rt_spin_lock(&wd_lock);
    rt_spin_unlock(&wd_lock);
}

void rt_watchdog_fork_prepare(void)
{
    rt_spin_lock(&wd_lock);
}

void rt_watchdog_fork_parent(void)
{
    rt_spin_unlock(&wd_lock);
}

void rt_watchdog_fork_child(void)
{
    /* the watchdog thread did not survive: the child makes its own at its
     * first blocking wait */
    rt_spin_reset(&wd_lock);
    atomic_store(&wd_parked, 0);
    atomic_store(&wd_state, WD_OFF);
    if (rt_self)
        rt_spin_reset(&rt_self->peek_lock);
}
