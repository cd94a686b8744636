/* pct: the schedule's spec and PCT's random choices; see sched_internal.h
 * and docs/design.md "Exploring schedules". */
#include "sched_internal.h"
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the spec ----------------------------------------------------------------- */

/* A decimal number ending at ':' or the end; advances *p past it. */
static bool number(const char **p, uint64_t *out)
{
    char *end;
    errno = 0;
    if (**p < '0' || **p > '9')
        return false;
    *out = strtoull(*p, &end, 10);
    if (errno || (*end != ':' && *end != '\0'))
        return false;
    *p = *end == ':' ? end + 1 : end;
    return true;
}

/* MODULE+0xOFFSET */
static bool site(const char *s, const char *end, struct rt_sched_site *out)
{
    const char *plus = NULL;
    char *e;
    for (const char *q = s; q < end; q++)
        if (*q == '+')
            plus = q;
    if (!plus || plus == s || (size_t)(plus - s) >= sizeof out->module)
        return false;
    memcpy(out->module, s, (size_t)(plus - s));
    out->module[plus - s] = '\0';
    errno = 0;
    out->offset = (uintptr_t)strtoull(plus + 1, &e, 16);
    return errno == 0 && e == end && e > plus + 1;
}

/* EDGE/EDGE/... with EDGE = SITE>SITE */
static int cycle(const char *s, struct rt_sched_spec *out)
{
    unsigned n = 1;
    for (const char *q = s; *q; q++)
        n += *q == '/';
    out->edges = rt_alloc(sizeof *out->edges * n);
    out->nedges = 0;
    while (*s) {
        const char *slash = strchr(s, '/'), *end = slash ? slash : s + strlen(s);
        const char *gt = memchr(s, '>', (size_t)(end - s));
        struct rt_sched_edge *e = &out->edges[out->nedges];
        if (!gt || !site(s, gt, &e->from) || !site(gt + 1, end, &e->to))
            return -1;
        out->nedges++;
        s = slash ? slash + 1 : end;
    }
    return out->nedges >= 2 ? 0 : -1;
}

int rt_sched_spec_parse(const char *spec, struct rt_sched_spec *out, char *err, size_t errlen)
{
    const char *p = spec;
    uint64_t depth;
    memset(out, 0, sizeof *out);
    if (strncmp(p, "pct:", 4) != 0)
        goto bad;
    p += 4;
    if (!number(&p, &out->seed) || !number(&p, &out->run) || !number(&p, &depth) ||
        depth < 1 || depth > 64 || !number(&p, &out->steps))
        goto bad;
    out->depth = (unsigned)depth;
    out->points = RT_SCHED_POINTS_SYNC;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (strncmp(p, "cycle=", 6) == 0) {
            if (cycle(p + 6, out) < 0) /* the rest of the spec */
                goto bad;
            return 0;
        }
        if (n == 4 && strncmp(p, "sync", 4) == 0)
            out->points = RT_SCHED_POINTS_SYNC;
        else if (n == 7 && strncmp(p, "atomics", 7) == 0)
            out->points = RT_SCHED_POINTS_ATOMICS;
        else if (n == 6 && strncmp(p, "memory", 6) == 0)
            out->points = RT_SCHED_POINTS_MEMORY;
        else
            goto bad;
        p += n + (colon ? 1 : 0);
    }
    return 0;
bad:
    snprintf(err, errlen,
             "option schedule wants pct:SEED:RUN:DEPTH:STEPS[:sync|atomics|memory]"
             "[:cycle=MOD+0xOFF>MOD+0xOFF/...] (DEPTH 1 to 64), not '%s'", spec);
    return -1;
}

/* ---- random choices ----------------------------------------------------------------- */

/* splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): one 64-bit state, every seed is good. */
uint64_t rt_pct_random(struct rt_pct *p)
{
    uint64_t z = (p->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int by_step(const void *a, const void *b)
{
    uint64_t x = ((const uint64_t *)a)[0], y = ((const uint64_t *)b)[0];
    return x < y ? -1 : x > y;
}

static void pick_spurious(struct rt_pct *p, const struct rt_sched_spec *s)
{
    /* in half of the runs, one condition wait ends without a signal: POSIX
     * allows it and glibc does it, and `if` instead of `while` around the
     * wait is then a bug in one step */
    uint64_t r = rt_pct_random(p);
    p->spurious_at = s->steps > 0 && (r & 1) ? 1 + (r >> 1) % s->steps : 0;
}

void rt_pct_init(struct rt_pct *p, const struct rt_sched_spec *s)
{
    unsigned want = s->depth - 1;
    memset(p, 0, sizeof *p);
    p->rng = rt_mix64(s->seed ^ 0x5ced5eedull) ^ rt_mix64(s->run * 0x9e3779b97f4a7c15ull + 1);
    p->depth = s->depth;
    pick_spurious(p, s);
    if (s->steps == 0 || want == 0)
        return;
    if (want > s->steps)
        want = (unsigned)s->steps;
    /* d-1 distinct steps k_i, uniform in 1..k; the thread at k_i gets
     * priority i. Kept as (k_i, i) pairs in step order. */
    p->change_at = rt_alloc(sizeof *p->change_at * 2 * want);
    while (p->nchange < want) {
        uint64_t step = 1 + rt_pct_random(p) % s->steps;
        bool seen = false;
        for (unsigned i = 0; i < p->nchange; i++)
            seen |= p->change_at[2 * i] == step;
        if (seen)
            continue;
        p->change_at[2 * p->nchange] = step;
        p->change_at[2 * p->nchange + 1] = p->nchange + 1;
        p->nchange++;
    }
    qsort(p->change_at, p->nchange, 2 * sizeof *p->change_at, by_step);
}

int64_t rt_pct_priority(struct rt_pct *p)
{
    /* distinct with overwhelming probability, and all above depth - 1 */
    return (int64_t)p->depth + (int64_t)(rt_pct_random(p) >> 2);
}

int64_t rt_pct_change(struct rt_pct *p, uint64_t step)
{
    if (p->next < p->nchange && p->change_at[2 * p->next] == step)
        return (int64_t)p->change_at[2 * p->next++ + 1];
    return 0;
}

bool rt_pct_spurious(struct rt_pct *p, uint64_t step)
{
    if (!p->spurious_at || step < p->spurious_at)
        return false;
    p->spurious_at = 0;
    return true;
}

void rt_pct_fork_child(struct rt_pct *p)
{
    p->rng = rt_mix64(p->rng ^ 0xf0f0f0f0f0f0f0f0ull);
    p->next = 0;
}
