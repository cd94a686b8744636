/* test_race_atomics: C11 atomics and fences as happens-before edges, fed
 * to the engine directly (what the __tsan_atomic* entry points do). */
#include "race_fixture.h"
#include "unit.h"

#include <stdatomic.h>

static int data[64];
static atomic_int flags[16];

/* What __tsan_atomic32_store / _load do around the real operation. */
static void store(struct rt_hb_thread *h, atomic_int *f, int mo, uintptr_t pc)
{
    fx_access(h, f, 4, WR | AT, pc);
    on_atomic_store_before(h, (uintptr_t)f, mo);
    atomic_store_explicit(f, 1, memory_order_relaxed);
}

static void load(struct rt_hb_thread *h, atomic_int *f, int mo, uintptr_t pc)
{
    (void)atomic_load_explicit(f, memory_order_relaxed);
    fx_access(h, f, 4, RD | AT, pc);
    on_atomic_load_after(h, (uintptr_t)f, mo);
}

TEST(relaxed_gives_no_order)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[0], 4, WR, 0x100);
    store(p, &flags[0], RT_MO_RELAXED, 0x101);
    load(c, &flags[0], RT_MO_RELAXED, 0x102);
    CHECK_EQ_INT(fx_new_races(), 0);           /* atomic vs atomic: never a race */
    fx_access(c, &data[0], 4, RD, 0x103);
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(release_acquire_orders)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[2], 4, WR, 0x200);
    store(p, &flags[1], RT_MO_RELEASE, 0x201);
    load(c, &flags[1], RT_MO_ACQUIRE, 0x202);
    fx_access(c, &data[2], 4, RD, 0x203);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(release_with_relaxed_load_no_order)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[4], 4, WR, 0x300);
    store(p, &flags[2], RT_MO_RELEASE, 0x301);
    load(c, &flags[2], RT_MO_RELAXED, 0x302);
    fx_access(c, &data[4], 4, RD, 0x303);
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(seq_cst_orders)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[6], 4, WR, 0x400);
    store(p, &flags[3], RT_MO_SEQ_CST, 0x401);
    load(c, &flags[3], RT_MO_SEQ_CST, 0x402);
    fx_access(c, &data[6], 4, WR, 0x403);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(release_fence_then_relaxed_store)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[8], 4, WR, 0x500);
    on_atomic_fence(p, RT_MO_RELEASE);
    store(p, &flags[4], RT_MO_RELAXED, 0x501);
    load(c, &flags[4], RT_MO_ACQUIRE, 0x502);
    fx_access(c, &data[8], 4, RD, 0x503);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(relaxed_load_then_acquire_fence)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[10], 4, WR, 0x600);
    store(p, &flags[5], RT_MO_RELEASE, 0x601);
    load(c, &flags[5], RT_MO_RELAXED, 0x602);
    on_atomic_fence(c, RT_MO_ACQUIRE);
    fx_access(c, &data[10], 4, RD, 0x603);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(fences_on_both_sides)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[12], 4, WR, 0x700);
    on_atomic_fence(p, RT_MO_RELEASE);
    store(p, &flags[6], RT_MO_RELAXED, 0x701);
    load(c, &flags[6], RT_MO_RELAXED, 0x702);
    on_atomic_fence(c, RT_MO_ACQUIRE);
    fx_access(c, &data[12], 4, RD, 0x703);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(write_after_release_fence_not_published)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    on_atomic_fence(p, RT_MO_RELEASE);
    fx_access(p, &data[14], 4, WR, 0x800);     /* after the fence */
    store(p, &flags[7], RT_MO_RELAXED, 0x801);
    load(c, &flags[7], RT_MO_ACQUIRE, 0x802);
    fx_access(c, &data[14], 4, RD, 0x803);
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(acquire_fence_without_load_no_order)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[16], 4, WR, 0x900);
    store(p, &flags[8], RT_MO_RELEASE, 0x901);
    on_atomic_fence(c, RT_MO_ACQUIRE);         /* before the load: orders nothing */
    load(c, &flags[8], RT_MO_RELAXED, 0x902);
    fx_access(c, &data[16], 4, RD, 0x903);
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(plain_write_vs_atomic_load_races)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &flags[9], 4, WR, 0xa00);      /* plain write of an atomic object */
    load(c, &flags[9], RT_MO_ACQUIRE, 0xa01);
    CHECK_EQ_INT(fx_new_races(), 1);
}

int main(void)
{
    RUN(relaxed_gives_no_order);
    RUN(release_acquire_orders);
    RUN(release_with_relaxed_load_no_order);
    RUN(seq_cst_orders);
    RUN(release_fence_then_relaxed_store);
    RUN(relaxed_load_then_acquire_fence);
    RUN(fences_on_both_sides);
    RUN(write_after_release_fence_not_published);
    RUN(acquire_fence_without_load_no_order);
    RUN(plain_write_vs_atomic_load_races);
    UNIT_DONE();
}
