/*
 * findings: the runtime's side of a finding. A finding is data — kind,
 * summary template, threads, locks, and a stack per role — written to the
 * record as one line the moment it is made; rendering (text, JSON, SARIF)
 * is the analyzer's job. The same finding (kind and stacks) is written once.
 * Any thread; the caller must not hold the record lock.
 */
#ifndef RT_FINDINGS_H
#define RT_FINDINGS_H

#include "stack.h"

struct rt_thread;
struct rt_lock;

struct rt_role_stack {
    const char *role;
    int thread;          /* thread id */
    rt_stack_id stack;
};

/* summary may use {lock:N} and {thread:N} (docs/record-format.md);
 * details_json is a JSON object text or NULL. Returns 1 if written, 0 if it
 * was a repeat. */
int rt_finding_emit(const char *kind, const char *summary,
                    struct rt_thread *const *threads, int nthreads,
                    struct rt_lock *const *locks, int nlocks,
                    const struct rt_role_stack *stacks, int nstacks,
                    const char *details_json);

/* How many findings of this kind (NULL: all) were written. */
unsigned rt_findings_count(const char *kind);

#endif
