/* confirm: steering a controlled run towards a lock-order cycle, to make
 * the deadlock it stands for really happen (DeadlockFuzzer: Joshi, Park,
 * Sen & Naik, "A randomized dynamic program analysis technique for
 * detecting real deadlocks", PLDI 2009). The schedule names the cycle's
 * edges by their two acquisition sites (module + offset of the call, as
 * in a report). A thread about to take a lock at an edge's second site,
 * while it holds one it took at that edge's first site, is paused there:
 * it runs again only when no unpaused thread can, so that the other
 * threads of the cycle get to take their first locks. When each of them
 * waits at its edge, they block on each other: every controlled thread is
 * blocked, and the scheduler reports the deadlock. See sched.h. */
#include "sched_internal.h"
#include "core/core.h"

#include <string.h>

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Is the call returning to pc at this site? */
static bool at_site(uintptr_t pc, const struct rt_sched_site *site)
{
    struct rt_module *m = rt_module_of(pc);
    return m && pc - 1 - m->base == site->offset && strcmp(base_name(m->path), site->module) == 0;
}

void rt_sched_acquire_point(struct rt_thread *t, uintptr_t obj, uintptr_t pc)
{
    struct rt_sched_thread *me = t->sched;
    (void)obj;
    if (!me || rt_sched_spec.nedges == 0 || me->nsites == 0)
        return;
    for (unsigned e = 0; e < rt_sched_spec.nedges; e++) {
        const struct rt_sched_edge *edge = &rt_sched_spec.edges[e];
        if (!at_site(pc, &edge->to))
            continue;
        for (unsigned i = 0; i < me->nsites; i++)
            if (me->sites[i].obj != obj && at_site(me->sites[i].pc, &edge->from)) {
                rt_sched_pause(t);
                return;
            }
    }
}

void rt_sched_acquired(struct rt_thread *t, uintptr_t obj, uintptr_t pc)
{
    struct rt_sched_thread *me = t->sched;
    if (!me || rt_sched_spec.nedges == 0)
        return;
    if (me->nsites == me->capsites) {
        unsigned ncap = me->capsites ? me->capsites * 2 : 8;
        me->sites = rt_realloc(me->sites, sizeof *me->sites * me->capsites,
                               sizeof *me->sites * ncap);
        me->capsites = ncap;
    }
    me->sites[me->nsites++] = (struct rt_sched_held_site){obj, pc};
}

void rt_sched_releasing(struct rt_thread *t, uintptr_t obj)
{
    struct rt_sched_thread *me = t->sched;
    if (!me || rt_sched_spec.nedges == 0)
        return;
    for (unsigned i = me->nsites; i-- > 0;)
        if (me->sites[i].obj == obj) {
            memmove(&me->sites[i], &me->sites[i + 1], sizeof *me->sites * (me->nsites - i - 1));
            me->nsites--;
            return;
        }
}
