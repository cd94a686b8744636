/*
 * The controlled scheduler (src/runtime/sched), fed directly (no
 * LD_PRELOAD): the spec of the schedule option, PCT's choices (priorities,
 * change points) and, with real threads, that one thread runs at a time,
 * that a modelled wait blocks until a release, and that the same spec
 * gives the same interleaving while another seed gives another. Each
 * scheduled scenario runs in a child process of its own, as the scheduler
 * is one per process.
 */
#include "core/core.h"
#include "sched/sched_internal.h"
#include "unit.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the spec and PCT ------------------------------------------------------------ */

TEST(spec_parses_and_refuses)
{
    struct rt_sched_spec s;
    char err[256];
    CHECK(rt_sched_spec_parse("pct:42:7:3:120", &s, err, sizeof err) == 0);
    CHECK_EQ_INT(s.seed, 42);
    CHECK_EQ_INT(s.run, 7);
    CHECK_EQ_INT(s.depth, 3);
    CHECK_EQ_INT(s.steps, 120);
    CHECK(s.points == RT_SCHED_POINTS_SYNC && s.nedges == 0);
    CHECK(rt_sched_spec_parse("pct:1:1:2:0:atomics", &s, err, sizeof err) == 0);
    CHECK(s.points == RT_SCHED_POINTS_ATOMICS);
    CHECK(rt_sched_spec_parse("pct:1:1:2:0:memory", &s, err, sizeof err) == 0);
    CHECK(s.points == RT_SCHED_POINTS_MEMORY);
    CHECK(rt_sched_spec_parse("pct:1:1:2:9:cycle=a.out+0x1a>a.out+0x2b/a.out+0x3c>libx.so.1+0x4d",
                              &s, err, sizeof err) == 0);
    CHECK_EQ_INT(s.nedges, 2);
    CHECK_EQ_STR(s.edges[1].to.module, "libx.so.1");
    CHECK_EQ_INT(s.edges[1].to.offset, 0x4d);
    CHECK_EQ_INT(s.edges[0].from.offset, 0x1a);
    CHECK(rt_sched_spec_parse("pct:1:1:0:5", &s, err, sizeof err) < 0);      /* depth 0 */
    CHECK(rt_sched_spec_parse("random:1:1:2:5", &s, err, sizeof err) < 0);
    CHECK(rt_sched_spec_parse("pct:1:1:2", &s, err, sizeof err) < 0);        /* no steps */
    CHECK(rt_sched_spec_parse("pct:1:1:2:5:fast", &s, err, sizeof err) < 0);
    CHECK(rt_sched_spec_parse("pct:1:1:2:5:cycle=a+0x1>b+0x2", &s, err, sizeof err) < 0); /* one edge */
    CHECK(strstr(err, "pct:SEED:RUN:DEPTH:STEPS") != NULL);
}

TEST(pct_is_a_function_of_seed_and_run)
{
    struct rt_sched_spec s = {.seed = 5, .run = 3, .depth = 4, .steps = 50};
    struct rt_pct a, b, c;
    int64_t pa[8], pb[8];
    bool differs = false;
    rt_pct_init(&a, &s);
    rt_pct_init(&b, &s);
    s.run = 4;
    rt_pct_init(&c, &s);
    for (int i = 0; i < 8; i++) {
        pa[i] = rt_pct_priority(&a);
        pb[i] = rt_pct_priority(&b);
        CHECK_EQ_INT(pa[i], pb[i]);
        CHECK(pa[i] >= 4); /* above every changed priority */
        differs |= rt_pct_priority(&c) != pa[i];
    }
    CHECK(differs);
    /* depth - 1 distinct change points in 1..steps, each to a priority below depth */
    CHECK_EQ_INT(a.nchange, 3);
    for (unsigned i = 0; i < a.nchange; i++) {
        CHECK(a.change_at[2 * i] >= 1 && a.change_at[2 * i] <= 50);
        CHECK(a.change_at[2 * i + 1] >= 1 && a.change_at[2 * i + 1] <= 3);
        if (i)
            CHECK(a.change_at[2 * i] > a.change_at[2 * i - 2]);
    }
    {
        unsigned seen = 0;
        for (uint64_t step = 1; step <= 50; step++) {
            int64_t p = rt_pct_change(&b, step);
            seen += p != 0;
            CHECK(p >= 0 && p < 4);
        }
        CHECK_EQ_INT(seen, 3);
    }
}

TEST(pct_without_steps_has_no_change_points)
{
    struct rt_sched_spec s = {.seed = 1, .run = 1, .depth = 3, .steps = 0};
    struct rt_pct p;
    rt_pct_init(&p, &s);
    CHECK_EQ_INT(p.nchange, 0);
    CHECK_EQ_INT(p.spurious_at, 0);
    CHECK(!rt_pct_spurious(&p, 1000));
}

/* ---- scheduled scenarios, each in a child process --------------------------------- */

#define WORKERS 3
#define ROUNDS 20

static char order[WORKERS * ROUNDS * 2 + 1]; /* who got to each point, in turn */
static int norder;
static int inside;                           /* workers between two points */
static bool overlap;
static int flag_taken;                       /* a "lock" the workers model */

struct worker {
    struct rt_thread *t;
    int id;
};

/* A worker: ROUNDS scheduling points, each noted in `order`; with `lock`,
 * each round takes and releases a modelled lock (try at the point, else
 * wait for a release), as the interceptors do for a mutex. */
static bool with_lock;

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    rt_self = w->t;
    w->t->in_runtime = 1;
    rt_sched_thread_start(w->t);
    for (int r = 0; r < ROUNDS; r++) {
        rt_sched_point(w->t);
        if (with_lock) {
            for (;;) {
                rt_sched_wait_prepare(w->t, RT_SCHED_ON_LOCK, (uintptr_t)&flag_taken, 0, 0);
                if (!__atomic_exchange_n(&flag_taken, 1, __ATOMIC_ACQUIRE)) {
                    rt_sched_wait_cancel(w->t);
                    break;
                }
                rt_sched_wait(w->t);
            }
        }
        if (__atomic_fetch_add(&inside, 1, __ATOMIC_SEQ_CST) != 0)
            overlap = true;
        order[norder++] = (char)('a' + w->id);
        if (with_lock) {
            rt_sched_point(w->t); /* held across a point: the others must wait */
            order[norder++] = (char)('A' + w->id);
        }
        __atomic_fetch_sub(&inside, 1, __ATOMIC_SEQ_CST);
        if (with_lock) {
            __atomic_store_n(&flag_taken, 0, __ATOMIC_RELEASE);
            rt_sched_released((uintptr_t)&flag_taken);
        }
    }
    rt_sched_thread_exit(w->t);
    return NULL;
}

/* In the child: start the runtime and the schedule, run the workers, write
 * `order` (or "overlap") to fd. */
static void scenario(const char *spec, bool lock, int fd)
{
    char dir[] = "/tmp/racedet-unit.XXXXXX", err[256];
    struct worker w[WORKERS];
    pthread_t th[WORKERS];
    struct rt_thread *self;
    if (!mkdtemp(dir) || rt_start("", dir, err, sizeof err) < 0 ||
        rt_sched_start(rt_self, spec, NULL, err, sizeof err) < 0) {
        (void)!write(fd, err, strlen(err));
        _exit(1);
    }
    self = rt_self;
    self->in_runtime = 1;
    with_lock = lock;
    for (int i = 0; i < WORKERS; i++) {
        w[i].t = rt_thread_new(self, RT_NO_STACK, 0);
        w[i].id = i;
        rt_sched_point(self);
        rt_sched_thread_create(self, w[i].t);
        pthread_create(&th[i], NULL, worker_main, &w[i]);
        rt_thread_set_handle(w[i].t, th[i]);
    }
    for (int i = 0; i < WORKERS; i++) {
        rt_sched_point(self);
        rt_sched_join(self, w[i].t, 0, 0);
        pthread_join(th[i], NULL);
    }
    if (overlap)
        (void)!write(fd, "overlap", 7);
    else
        (void)!write(fd, order, (size_t)norder);
    {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        (void)!system(cmd);
    }
    _exit(0);
}

/* The interleaving a spec gives ("" when the child failed). Fresh string. */
static char *interleaving(const char *spec, bool lock)
{
    int fds[2], status;
    char *buf = calloc(1, sizeof order + 64);
    size_t n = 0;
    ssize_t got;
    pid_t pid;
    if (pipe(fds) != 0)
        return buf;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        scenario(spec, lock, fds[1]);
    }
    close(fds[1]);
    while ((got = read(fds[0], buf + n, sizeof order + 63 - n)) > 0)
        n += (size_t)got;
    close(fds[0]);
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "  scenario %s: %s\n", spec, buf);
        buf[0] = '\0';
    }
    return buf;
}

static bool every_worker_everywhere(const char *s, bool lock)
{
    int count[WORKERS] = {0};
    for (const char *p = s; *p; p++)
        if (*p >= 'a' && *p < 'a' + WORKERS)
            count[*p - 'a']++;
    for (int i = 0; i < WORKERS; i++)
        if (count[i] != ROUNDS)
            return false;
    return strlen(s) == (size_t)(WORKERS * ROUNDS * (lock ? 2 : 1));
}

TEST(one_thread_at_a_time_and_replayable)
{
    char *a = interleaving("pct:11:2:3:80", false);
    char *b = interleaving("pct:11:2:3:80", false);
    char *c = interleaving("pct:12:2:3:80", false);
    char *d = interleaving("pct:11:3:3:80", false);
    CHECK(every_worker_everywhere(a, false));
    CHECK_EQ_STR(a, b);                             /* the same run again */
    CHECK(strcmp(a, c) != 0 || strcmp(a, d) != 0); /* another seed or run: another one */
    free(a);
    free(b);
    free(c);
    free(d);
}

TEST(a_modelled_lock_is_held_across_points)
{
    for (int seed = 1; seed <= 4; seed++) {
        char spec[64], *s;
        snprintf(spec, sizeof spec, "pct:%d:2:3:160", seed);
        s = interleaving(spec, true);
        CHECK(every_worker_everywhere(s, true));
        /* every lower-case step is followed by the same worker's upper-case one */
        for (size_t i = 0; s[i]; i += 2)
            CHECK(s[i + 1] == s[i] - 'a' + 'A');
        free(s);
    }
}

int main(void)
{
    RUN(spec_parses_and_refuses);
    RUN(pct_is_a_function_of_seed_and_run);
    RUN(pct_without_steps_has_no_change_points);
    RUN(one_thread_at_a_time_and_replayable);
    RUN(a_modelled_lock_is_held_across_points);
    UNIT_DONE();
}
