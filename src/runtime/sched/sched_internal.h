/*
 * sched_internal: what the files of the scheduler part share (outside the
 * part, only sched.h). Everything marked "under S.lock" is read and
 * written only with the scheduler's spinlock held.
 *
 *   pct.c        the schedule's spec, its random numbers, thread priorities
 *                and priority change points (PCT)
 *   scheduler.c  the controlled set: whose turn it is, waits and wake-ups,
 *                the watch over a thread that stopped making progress
 *   deadlock.c   the `deadlock` finding when every thread is blocked
 *   confirm.c    steering towards a lock-order cycle (DeadlockFuzzer)
 *   stats.c      the statistics file racedet explore reads
 */
#ifndef RT_SCHED_INTERNAL_H
#define RT_SCHED_INTERNAL_H

#include "sched.h"
#include "sched_stats.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- pct.c ------------------------------------------------------------------ */

/* One site of a lock-order cycle's edge: where in which module. */
struct rt_sched_site {
    char module[64];         /* basename of the module */
    uintptr_t offset;        /* of the call instruction (return address - 1) */
};

struct rt_sched_edge {
    struct rt_sched_site from, to;   /* where the held lock was taken; where the next is */
};

/* The `schedule` option: pct:SEED:RUN:DEPTH:STEPS[:sync|atomics|memory][:cycle=EDGES] */
struct rt_sched_spec {
    uint64_t seed, run;
    unsigned depth;          /* PCT's d: d-1 change points */
    uint64_t steps;          /* PCT's k: how many scheduling points a run has (0: unknown,
                                no change points) */
    enum rt_sched_points points;
    struct rt_sched_edge *edges;   /* cycle to confirm (rt_alloc), or NULL */
    unsigned nedges;
};

/* Parse spec into *out. Returns 0, or -1 with a one-line reason. */
int rt_sched_spec_parse(const char *spec, struct rt_sched_spec *out, char *err, size_t errlen);

/* PCT's random choices (Burckhardt et al., ASPLOS 2010), all drawn from
 * one generator seeded by (seed, run), in the order of the scheduling
 * points, so that a run can be made again. */
struct rt_pct {
    uint64_t rng;            /* splitmix64 state */
    unsigned depth;
    uint64_t *change_at;     /* (step, new priority) of each change point, by step */
    unsigned nchange, next;  /* how many; the next one not yet passed */
    uint64_t spurious_at;    /* the first condition wait from this step on returns
                                without a signal (0: none in this run) */
};

void rt_pct_init(struct rt_pct *p, const struct rt_sched_spec *s);
uint64_t rt_pct_random(struct rt_pct *p);
/* A new thread's priority: above every changed one (>= depth). */
int64_t rt_pct_priority(struct rt_pct *p);
/* At scheduling point number `step`: the new priority (1 .. depth-1) of
 * the thread making it when the step is a change point, else 0. */
int64_t rt_pct_change(struct rt_pct *p, uint64_t step);
/* At scheduling point number `step`, a condition wait begins: does it
 * return at once, without a signal (at most once per run)? */
bool rt_pct_spurious(struct rt_pct *p, uint64_t step);
/* Give the child of a fork a generator of its own. */
void rt_pct_fork_child(struct rt_pct *p);

/* ---- scheduler.c -------------------------------------------------------------- */

enum rt_sched_state { S_ENABLED, S_BLOCKED, S_OUTSIDE, S_FINISHED };

/* A site of a lock the thread holds (confirm.c). */
struct rt_sched_held_site {
    uintptr_t obj, pc;
};

/* The scheduler's view of one program thread. Made by the creator (or at
 * start for the main thread), never freed (stale pointers stay valid). */
struct rt_sched_thread {
    int sid;                      /* creation order: 0 is the main thread */
    struct rt_thread *t;
    atomic_int state;             /* enum rt_sched_state; written under S.lock */
    int64_t prio;                 /* under S.lock: higher runs first */
    bool paused;                  /* under S.lock: held back at a cycle's edge */
    /* the wait: prepared (armed) and then made (S_BLOCKED); under S.lock */
    bool armed, woken;
    int wait_kind;                /* enum rt_sched_wait */
    uintptr_t wait_obj, wait_pc, wait_sp;
    rt_stack_id wait_stack;       /* written by the thread before it blocks */
    atomic_int turn;              /* futex word: 1 while this thread may run */
    atomic_bool running;          /* not asleep waiting for its turn (the watch
                                     never takes out a thread still waking up) */
    atomic_int tid;               /* the kernel's id, once the thread runs (0 before) */
    /* confirm.c: the sites of the locks it holds (only the thread itself) */
    struct rt_sched_held_site *sites;
    unsigned nsites, capsites;
};

/* Every thread the schedule knew, by sid (for the deadlock report, which
 * runs when all of them are blocked, so nothing changes under it). */
struct rt_sched_thread *rt_sched_thread_at(int sid);
int rt_sched_nthreads(void);
extern const char *rt_sched_spec_text;

/* Pause the calling thread at a cycle's edge (confirm.c): a scheduling
 * point after which it runs only when no unpaused thread can. */
void rt_sched_pause(struct rt_thread *t);
extern struct rt_sched_spec rt_sched_spec;

/* ---- deadlock.c --------------------------------------------------------------- */

/* Every controlled thread is blocked on a modelled object: write the
 * `deadlock` finding (the caller then ends the process). */
void rt_sched_report_deadlock(void);

/* ---- stats.c ------------------------------------------------------------------ */

/* The statistics of this process (a shared mapping), or a private copy
 * when there is no directory to put them in. */
extern struct rd_sched_stats *rt_sched_stats;
void rt_sched_stats_open(const char *dir);

#endif
