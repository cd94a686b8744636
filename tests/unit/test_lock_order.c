/*
 * The lock-order graph at scale, fed events directly (no LD_PRELOAD): a
 * consistent order costs a bounded amount of search work whatever the number
 * of contexts; cycles of 2, 3 and 45 locks are found, with the gate-lock,
 * trylock and read-read rules still applied along long cycles; gate contexts
 * survive out-of-order releases; only the edges of cycles are recorded
 * unless the whole graph is asked for; lock-free chain lookups stay right
 * while the chain table grows.
 */
#include "core/findings.h"
#include "core/record.h"
#include "lock_order/lock_order.h"
#include "lock_fixture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

static char lockmem[4096 * 64]; /* fake lock addresses */
static int next_lock = 1;
static struct rt_thread *main_thread;

static struct rt_thread *thread(void)
{
    return rt_thread_new(main_thread, RT_NO_STACK, 0);
}

/* A fresh lock, so that tests do not see each other's graph. */
static uintptr_t fresh_kind(int kind)
{
    uintptr_t a = (uintptr_t)&lockmem[next_lock++ * 64];
    struct rt_sync_call c = mk(a, kind, kind == RT_MUTEX ? RT_TYPE_NORMAL : RT_TYPE_NONE, true,
                               false, 0);
    CHECK(next_lock < (int)(sizeof lockmem / 64));
    on_lock_init(main_thread, &c);
    return a;
}
static uintptr_t fresh(void)
{
    return fresh_kind(RT_MUTEX);
}

static unsigned cycles(void)
{
    return rt_findings_count("lock_order_cycle");
}

/* Lines of the record: how many of this type, and how many locks the last
 * lock_order_cycle finding names. */
static unsigned record_lines(const char *type, int *last_cycle_locks)
{
    FILE *f = fopen(rt_record_path(), "r");
    static char line[1 << 20];
    char want[64];
    unsigned n = 0;
    snprintf(want, sizeof want, "{\"t\":\"%s\"", type);
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, want, strlen(want)) == 0)
            n++;
        if (last_cycle_locks && strstr(line, "\"kind\":\"lock_order_cycle\"")) {
            const char *p = strstr(line, "\"locks\":[");
            int k = 0;
            for (p = p ? p + 9 : ""; *p && *p != ']'; p++)
                k += *p == ',';
            *last_cycle_locks = k + (p[-1] != '[');
        }
    }
    fclose(f);
    return n;
}

/* ---- a consistent order --------------------------------------------------------- */

TEST(consistent_order_costs_bounded_search_work)
{
    /* issue 12's workload: two threads take 3 of 64 mutexes nested in
     * ascending order. Every iteration may be a new context (gate set);
     * none closes a cycle. The work is bounded by one reachability check
     * per new pair of locks, not by the number of contexts. */
    enum { NLOCKS = 64, ITERS = 1000 };
    uintptr_t m[NLOCKS];
    struct rt_thread *t[2] = {thread(), thread()};
    unsigned before = rt_findings_count(NULL);
    unsigned long long steps = rt_graph_search_steps();
    unsigned seed = 12345;
    for (int i = 0; i < NLOCKS; i++)
        m[i] = fresh();
    for (int it = 0; it < ITERS; it++) {
        for (int k = 0; k < 2; k++) {
            int a, b, c;
            seed = seed * 1103515245u + 12345u;
            a = (int)((seed >> 8) % (NLOCKS - 2));
            b = a + 1 + (int)((seed >> 16) % (unsigned)(NLOCKS - 2 - a));
            c = b + 1 + (int)((seed >> 24) % (unsigned)(NLOCKS - 1 - b));
            LOCK(t[k], m[a]); LOCK(t[k], m[b]); LOCK(t[k], m[c]);
            UNLOCK(t[k], m[c]); UNLOCK(t[k], m[b]); UNLOCK(t[k], m[a]);
        }
    }
    steps = rt_graph_search_steps() - steps;
    printf("# %llu search steps for %d iterations of 2 threads\n", steps, ITERS);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
    /* one reachability check (V + E) for each of the 2016 pairs */
    CHECK(steps <= 2016ull * (NLOCKS + 2016));
}

TEST(long_chains_in_one_order_are_silent)
{
    /* 20 chains of 50 locks, each taken nested, twice, by two threads */
    struct rt_thread *t[2] = {thread(), thread()};
    unsigned before = rt_findings_count(NULL);
    for (int chain = 0; chain < 20; chain++) {
        uintptr_t m[50];
        for (int i = 0; i < 50; i++)
            m[i] = fresh();
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < 50; i++)
                LOCK(t[k], m[i]);
            for (int i = 49; i >= 0; i--)
                UNLOCK(t[k], m[i]);
        }
    }
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

/* ---- cycles of every length ------------------------------------------------------ */

/* n threads, thread i takes lock i then lock i+1 (mod n): one cycle of n
 * locks. `gate`: every thread holds it first. `try_at`: that thread takes
 * its second lock by trylock (-1: none). */
static void ring(int n, bool gate, int try_at)
{
    uintptr_t m[64], g = fresh();
    for (int i = 0; i < n; i++)
        m[i] = fresh();
    for (int i = 0; i < n; i++) {
        struct rt_thread *t = thread();
        if (gate)
            LOCK(t, g);
        LOCK(t, m[i]);
        if (i == try_at)
            TRYLOCK(t, m[(i + 1) % n]);
        else
            LOCK(t, m[(i + 1) % n]);
        UNLOCK(t, m[(i + 1) % n]);
        UNLOCK(t, m[i]);
        if (gate)
            UNLOCK(t, g);
    }
}

TEST(cycles_of_2_3_and_45_locks_are_found)
{
    int n[] = {2, 3, 45};
    for (unsigned k = 0; k < sizeof n / sizeof n[0]; k++) {
        unsigned before = cycles();
        int locks = 0;
        ring(n[k], false, -1);
        CHECK_EQ_INT(cycles() - before, 1);
        record_lines("finding", &locks);
        CHECK_EQ_INT(locks, n[k]);
    }
}

TEST(gate_lock_keeps_a_45_lock_cycle_silent)
{
    unsigned before = rt_findings_count(NULL);
    ring(45, true, -1);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(trylock_keeps_a_45_lock_cycle_silent_until_a_lock_closes_it)
{
    uintptr_t m[45];
    unsigned before = rt_findings_count(NULL);
    struct rt_thread *t;
    for (int i = 0; i < 45; i++)
        m[i] = fresh();
    for (int i = 0; i < 45; i++) {
        t = thread();
        LOCK(t, m[i]);
        if (i == 30)
            TRYLOCK(t, m[i + 1]);
        else
            LOCK(t, m[(i + 1) % 45]);
        UNLOCK(t, m[(i + 1) % 45]);
        UNLOCK(t, m[i]);
    }
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
    /* a new context on an edge inside the component: searched again */
    t = thread();
    LOCK(t, m[30]); LOCK(t, m[31]); UNLOCK(t, m[31]); UNLOCK(t, m[30]);
    CHECK_EQ_INT(cycles() - before, 1);
}

TEST(read_read_keeps_a_45_lock_cycle_silent)
{
    /* rwlocks in a ring; at lock 20 the thread that takes it reads and
     * the thread holding it reads: neither waits there */
    uintptr_t m[45];
    unsigned before = rt_findings_count(NULL);
    for (int i = 0; i < 45; i++)
        m[i] = fresh_kind(RT_RWLOCK);
    for (int i = 0; i < 45; i++) {
        struct rt_thread *t = thread();
        uintptr_t a = m[i], b = m[(i + 1) % 45];
        if (i == 20)
            RDLOCK(t, a);
        else
            WRLOCK(t, a);
        if (i == 19)
            RDLOCK(t, b);
        else
            WRLOCK(t, b);
        RWUNLOCK(t, b);
        RWUNLOCK(t, a);
    }
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
}

TEST(rotations_of_45_locks_finish_and_report)
{
    /* LLVM's deadlock_detector_stress_test Test19: one thread takes 45
     * locks nested, starting at each of them in turn. Every pair is
     * inverted; the search must finish quickly and report. */
    enum { N = 45 };
    uintptr_t m[N];
    struct rt_thread *t = thread();
    unsigned before = cycles(), reported = rt_graph_cycles_reported();
    unsigned long long steps = rt_graph_search_steps();
    for (int i = 0; i < N; i++)
        m[i] = fresh();
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++)
            LOCK(t, m[(i + j) % N]);
        for (int j = N - 1; j >= 0; j--)
            UNLOCK(t, m[(i + j) % N]);
    }
    steps = rt_graph_search_steps() - steps;
    printf("# %llu search steps, %u cycles (%u findings: equal stacks are one)\n", steps,
           rt_graph_cycles_reported() - reported, cycles() - before);
    CHECK(cycles() - before >= 1);
}

TEST(a_nested_hold_is_an_edge_from_every_lock_held)
{
    /* t1 holds a, b, c; t2 takes c then a: a -> c (gate b) closes with
     * c -> a, a cycle of two locks */
    uintptr_t a = fresh(), b = fresh(), c = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned before = cycles();
    LOCK(t1, a); LOCK(t1, b); LOCK(t1, c); UNLOCK(t1, c); UNLOCK(t1, b); UNLOCK(t1, a);
    LOCK(t2, c); LOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, c);
    CHECK_EQ_INT(cycles() - before, 1);
}

TEST(gate_contexts_survive_an_out_of_order_release)
{
    /* t1 takes g, a, b, releases g and takes c: b was taken under g and a,
     * whatever t1 holds now. t2 takes b then a under g: gate-locked. */
    uintptr_t g = fresh(), a = fresh(), b = fresh(), c = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread(), *t3 = thread();
    unsigned before = rt_findings_count(NULL);
    LOCK(t1, g); LOCK(t1, a); LOCK(t1, b); UNLOCK(t1, g); LOCK(t1, c);
    UNLOCK(t1, c); UNLOCK(t1, b); UNLOCK(t1, a);
    LOCK(t2, g); LOCK(t2, b); LOCK(t2, a); UNLOCK(t2, a); UNLOCK(t2, b); UNLOCK(t2, g);
    CHECK_EQ_INT(rt_findings_count(NULL) - before, 0);
    /* but a and b taken after the release of g: a real inversion */
    LOCK(t3, g); LOCK(t3, a); UNLOCK(t3, g); LOCK(t3, b); UNLOCK(t3, b); UNLOCK(t3, a);
    CHECK_EQ_INT(cycles() - before, 1);
}

TEST(record_keeps_only_the_edges_of_cycles)
{
    uintptr_t a = fresh(), b = fresh(), c = fresh();
    struct rt_thread *t1 = thread(), *t2 = thread();
    unsigned edges = record_lines("edge", NULL);
    LOCK(t1, a); LOCK(t1, b); LOCK(t1, c); UNLOCK(t1, c); UNLOCK(t1, b); UNLOCK(t1, a);
    CHECK_EQ_INT(record_lines("edge", NULL) - edges, 0);
    LOCK(t2, c); LOCK(t2, b); UNLOCK(t2, b); UNLOCK(t2, c);
    /* b -> c and c -> b, each once */
    CHECK_EQ_INT(record_lines("edge", NULL) - edges, 2);
}

/* ---- against a brute-force search ---------------------------------------------------- */

/* Small random workloads: 3 threads, one after another, take and release
 * 5 locks (mutexes by lock or trylock, rwlocks for read or write), at
 * most 3 at once, releasing in any order. Every acquisition's contexts are
 * logged, and every cycle with a choice of contexts that obeys the rules
 * is enumerated. racedet must report a cycle exactly when one exists, and
 * each cycle it records must be one of them. */
enum { OR_LOCKS = 5 };
struct or_ctx {
    int from, to;
    unsigned held;               /* bit set of locks held */
    bool from_write, to_write, trylock;
};
static struct or_ctx or_ctxs[4096];
static int or_n;

/* Is there a valid cycle visiting locks seq[0..len-1] in that order? */
static bool or_cycle_ok(const int *seq, int len, int i, unsigned used, bool first_from_write,
                        bool prev_to_write)
{
    if (i == len)
        return true;
    for (int k = 0; k < or_n; k++) {
        const struct or_ctx *c = &or_ctxs[k];
        if (c->from != seq[i] || c->to != seq[(i + 1) % len] || c->trylock || (c->held & used))
            continue;
        if (i > 0 && !prev_to_write && !c->from_write)
            continue;
        if (i == len - 1 && !c->to_write && !(i == 0 ? c->from_write : first_from_write))
            continue;
        if (or_cycle_ok(seq, len, i + 1, used | c->held, i == 0 ? c->from_write : first_from_write,
                        c->to_write))
            return true;
    }
    return false;
}

/* Does any valid cycle exist (simple cycles of 2 to 5 locks)? */
static bool or_any_cycle(int *seq, int len, unsigned on)
{
    if (len >= 2 && or_cycle_ok(seq, len, 0, 0, false, true))
        return true;
    if (len == OR_LOCKS)
        return false;
    for (int l = 0; l < OR_LOCKS; l++) {
        if (on & (1u << l) || (len > 0 && l < seq[0]))
            continue; /* each cycle once: starting at its smallest lock */
        seq[len] = l;
        if (or_any_cycle(seq, len + 1, on | (1u << l)))
            return true;
    }
    return false;
}

TEST(random_workloads_agree_with_a_brute_force_search)
{
    unsigned seed = 2024;
    int agree = 0, with_cycle = 0;
    for (int round = 0; round < 300; round++) {
        uintptr_t m[OR_LOCKS];
        uint64_t ids[OR_LOCKS];
        bool rw[OR_LOCKS];
        unsigned before = rt_graph_cycles_reported(), findings = record_lines("finding", NULL);
        int seq[OR_LOCKS];
        bool exists, reported;
        or_n = 0;
        for (int i = 0; i < OR_LOCKS; i++) {
            seed = seed * 1103515245u + 12345u;
            rw[i] = (seed >> 16) % 3 == 0;
            m[i] = fresh_kind(rw[i] ? RT_RWLOCK : RT_MUTEX);
            ids[i] = rt_lock_find(m[i])->id;
        }
        for (int th = 0; th < 3; th++) {
            struct rt_thread *t = thread();
            int held[OR_LOCKS], nheld = 0;
            bool hw[OR_LOCKS];
            for (int op = 0; op < 8 || nheld > 0; op++) {
                seed = seed * 1103515245u + 12345u;
                if (op < 8 && nheld < 3 && (seed >> 16) % 3 != 0) {
                    int l = (int)((seed >> 8) % OR_LOCKS), kind = (int)((seed >> 20) % 4);
                    bool taken = false, write = true, try = false;
                    struct or_ctx c;
                    for (int k = 0; k < nheld; k++)
                        taken |= held[k] == l;
                    if (taken)
                        continue;
                    if (rw[l]) {
                        write = kind & 1;
                        if (write)
                            WRLOCK(t, m[l]);
                        else
                            RDLOCK(t, m[l]);
                    } else {
                        try = kind == 0;
                        if (try)
                            TRYLOCK(t, m[l]);
                        else
                            LOCK(t, m[l]);
                    }
                    c = (struct or_ctx){.to = l, .to_write = write, .trylock = try};
                    for (int k = 0; k < nheld; k++)
                        c.held |= 1u << held[k];
                    for (int k = 0; k < nheld && or_n < 4096; k++) {
                        c.from = held[k];
                        c.from_write = hw[k];
                        or_ctxs[or_n++] = c;
                    }
                    hw[nheld] = write;
                    held[nheld++] = l;
                } else if (nheld > 0) {
                    int k = (int)((seed >> 8) % (unsigned)nheld);
                    unlock_(t, m[held[k]], rw[held[k]] ? RT_RWLOCK : RT_MUTEX, __LINE__);
                    for (; k + 1 < nheld; k++) {
                        held[k] = held[k + 1];
                        hw[k] = hw[k + 1];
                    }
                    nheld--;
                }
            }
        }
        exists = or_any_cycle(seq, 0, 0);
        reported = rt_graph_cycles_reported() > before;
        CHECK_EQ_INT(reported, exists);
        agree += reported == exists;
        with_cycle += exists;
        /* every cycle written is valid, locks in its order */
        if (record_lines("finding", NULL) > findings) {
            FILE *f = fopen(rt_record_path(), "r");
            static char line[1 << 16];
            unsigned n = 0;
            while (f && fgets(line, sizeof line, f)) {
                const char *p = strstr(line, "\"kind\":\"lock_order_cycle\"");
                int len = 0;
                if (strncmp(line, "{\"t\":\"finding\"", 15) != 0 || n++ < findings || !p)
                    continue;
                for (p = strstr(line, "\"locks\":[") + 9; *p != ']';) {
                    unsigned long long id = strtoull(p, (char **)&p, 10);
                    for (int i = 0; i < OR_LOCKS; i++)
                        if (ids[i] == id)
                            seq[len++] = i;
                    if (*p == ',')
                        p++;
                }
                CHECK(len >= 2 && or_cycle_ok(seq, len, 0, 0, false, true));
            }
            if (f)
                fclose(f);
        }
    }
    printf("# %d of 300 random workloads agree; %d had a cycle\n", agree, with_cycle);
}

/* Lock-free lookups stay right while the chain table grows under them:
 * an outgrown table gives its pages back (chains.c), so a reader still in
 * it reads empty slots: it must then miss, never see a wrong chain, and
 * find the chain under the graph's lock, never make a second one. */
struct table_reader {
    const struct rt_chain *parent;
    struct rt_lock **locks;
    const struct rt_chain **want;
    int n;
    atomic_bool stop;
    long wrong, lookups;
};

static void *read_known_chains(void *arg)
{
    struct table_reader *r = arg;
    while (!atomic_load(&r->stop)) {
        for (int i = 0; i < r->n; i++) {
            const struct rt_chain *c = rt_chain_find(r->parent, r->locks[i], RT_CHAIN_WRITE);
            if (c != r->want[i] &&
                (c || rt_chain_path(r->parent, main_thread, r->locks[i], RT_CHAIN_WRITE,
                                    RT_NO_STACK) != r->want[i]))
                r->wrong++;
            r->lookups++;
        }
    }
    return NULL;
}

TEST(lookups_stay_right_while_the_chain_table_grows)
{
    enum { KNOWN = 2000, MORE = 150000 };
    uint64_t *addrs = calloc(KNOWN + MORE + 2, sizeof *addrs); /* fake lock addresses */
    struct rt_lock **locks = calloc(KNOWN, sizeof *locks);
    const struct rt_chain **want = calloc(KNOWN, sizeof *want), *other;
    struct table_reader r = {.locks = locks, .want = want, .n = KNOWN};
    pthread_t reader;

    r.parent = rt_chain_path(NULL, main_thread, rt_lock_get((uintptr_t)&addrs[0], RT_MUTEX, 0),
                             RT_CHAIN_WRITE, RT_NO_STACK);
    other = rt_chain_path(NULL, main_thread, rt_lock_get((uintptr_t)&addrs[1], RT_MUTEX, 0),
                          RT_CHAIN_WRITE, RT_NO_STACK);
    for (int i = 0; i < KNOWN; i++) { /* the first child, then 1,999 in the table */
        locks[i] = rt_lock_get((uintptr_t)&addrs[2 + i], RT_MUTEX, 0);
        want[i] = rt_chain_path(r.parent, main_thread, locks[i], RT_CHAIN_WRITE, RT_NO_STACK);
    }
    CHECK(pthread_create(&reader, NULL, read_known_chains, &r) == 0);
    for (int i = 0; i < MORE; i++) /* the table doubles 8 times meanwhile */
        rt_chain_path(other, main_thread,
                      rt_lock_get((uintptr_t)&addrs[2 + KNOWN + i], RT_MUTEX, 0), RT_CHAIN_WRITE,
                      RT_NO_STACK);
    atomic_store(&r.stop, true);
    pthread_join(reader, NULL);
    CHECK_EQ_INT(r.wrong, 0);
    CHECK(r.lookups >= KNOWN);
    for (int i = 0; i < KNOWN; i++)
        CHECK(rt_chain_find(r.parent, locks[i], RT_CHAIN_WRITE) == want[i]);
    printf("# %ld lookups while 150,000 chains were made\n", r.lookups);
    free(locks);
    free(want);
    /* addrs stays: the locks registered at its addresses stay live */
}

int main(void)
{
    char dir[32];
    if (lock_fixture_start("", dir) < 0)
        return 1;
    main_thread = rt_self;
    RUN(consistent_order_costs_bounded_search_work);
    RUN(long_chains_in_one_order_are_silent);
    RUN(cycles_of_2_3_and_45_locks_are_found);
    RUN(gate_lock_keeps_a_45_lock_cycle_silent);
    RUN(trylock_keeps_a_45_lock_cycle_silent_until_a_lock_closes_it);
    RUN(read_read_keeps_a_45_lock_cycle_silent);
    RUN(rotations_of_45_locks_finish_and_report);
    RUN(a_nested_hold_is_an_edge_from_every_lock_held);
    RUN(gate_contexts_survive_an_out_of_order_release);
    RUN(record_keeps_only_the_edges_of_cycles);
    RUN(random_workloads_agree_with_a_brute_force_search);
    RUN(lookups_stay_right_while_the_chain_table_grows);
    lock_fixture_end(dir);
    UNIT_DONE();
}
