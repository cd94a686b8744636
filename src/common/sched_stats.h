/*
 * sched_stats: what one process's controlled scheduler tells
 * `racedet explore` about its run. The runtime (src/runtime/sched) keeps
 * it in a small file of the record directory, mapped shared and updated
 * as the run goes, so that it is complete even when the process is killed
 * (a hang) or dies of a signal; the command (src/cli/cmd_explore.c) reads
 * every such file after the run. One file per process image:
 * DIR/racedet-sched.<pid>.<n>.
 */
#ifndef RD_SCHED_STATS_H
#define RD_SCHED_STATS_H

#include <stdint.h>

#define RD_SCHED_STATS_PREFIX "racedet-sched."
#define RD_SCHED_STATS_MAGIC 0x52445343u /* "RDSC" */
#define RD_SCHED_STATS_VERSION 1u

struct rd_sched_stats {
    uint32_t magic, version;
    uint64_t steps;          /* scheduling points passed */
    uint64_t hash;           /* of the sequence of choices: equal for equal schedules */
    uint32_t threads;        /* threads the schedule controlled, the main thread too */
    uint32_t descheduled;    /* times a thread that stopped making progress was taken
                                out of the controlled set (the schedule then depends
                                on timing) */
    uint32_t paused;         /* confirm: times a thread was paused at a cycle's edge */
    uint32_t deadlock;       /* 1: every controlled thread was blocked (reported) */
    uint32_t spurious;       /* condition waits that returned without a signal */
};

#endif
