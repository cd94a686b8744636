/* race_fixture: simulated threads for the race-engine tests. The engine is
 * fed events directly on one OS thread: each simulated thread is an
 * rt_thread with its own happens-before state, created by the main one
 * (create -> start ordering), so the tests are deterministic. */
#ifndef RD_RACE_FIXTURE_H
#define RD_RACE_FIXTURE_H

#include "events/events.h"
#include "races/happens_before.h"
#include "races/race_check.h"
#include "races/shadow.h"
#include "core/threads.h"

static struct rt_thread *fx_main;

static void fx_init(void)
{
    if (fx_main)
        return;
    rt_race_report_enabled = false;
    rt_hb_enable();
    fx_main = rt_thread_current();
    rt_hb_of(fx_main);
}

/* A new thread, created by the main thread now. */
static struct rt_hb_thread *fx_thread(void)
{
    struct rt_thread *t;
    fx_init();
    t = rt_thread_new(fx_main, RT_NO_STACK, 0);
    on_hb_thread_create(fx_main, t);
    return t->hb;
}

static unsigned fx_races;
/* How many races were found since the last call. */
static unsigned fx_new_races(void)
{
    unsigned now = rt_race_count(), n = now - fx_races;
    fx_races = now;
    return n;
}

#define RD 0u
#define WR RT_ACCESS_WRITE
#define AT RT_ACCESS_ATOMIC

static void fx_access(struct rt_hb_thread *h, const void *p, unsigned size, unsigned flags,
                      uintptr_t pc)
{
    if (size <= 8)
        rt_race_access(h, (uintptr_t)p, size, flags, pc);
    else
        rt_race_range(h, (uintptr_t)p, size, flags, pc);
}

#endif
