/* test_race_atomics: C11 atomics and fences as happens-before edges, fed
 * to the engine directly (what the __tsan_atomic* entry points do). */
#include "race_fixture.h"
#include "unit.h"

#include <stdatomic.h>

static int data[128];
static atomic_int flags[32];

/* What __tsan_atomic32_store, _fetch_add and _load do around the real
 * operation. */
static void store(struct rt_hb_thread *h, atomic_int *f, int mo, uintptr_t pc)
{
    struct rt_sync_clock *s;
    fx_access(h, f, 4, WR | AT, pc);
    s = on_atomic_begin(h, (uintptr_t)f, RT_ATOMIC_STORE, mo);
    atomic_store_explicit(f, 1, memory_order_relaxed);
    on_atomic_end(h, s, (uintptr_t)f, RT_ATOMIC_STORE, mo);
}

static void rmw(struct rt_hb_thread *h, atomic_int *f, int mo, uintptr_t pc)
{
    struct rt_sync_clock *s;
    fx_access(h, f, 4, WR | AT, pc);
    s = on_atomic_begin(h, (uintptr_t)f, RT_ATOMIC_RMW, mo);
    atomic_fetch_add_explicit(f, 1, memory_order_relaxed);
    on_atomic_end(h, s, (uintptr_t)f, RT_ATOMIC_RMW, mo);
}

static void load(struct rt_hb_thread *h, atomic_int *f, int mo, uintptr_t pc)
{
    struct rt_sync_clock *s;
    fx_access(h, f, 4, RD | AT, pc);
    s = on_atomic_begin(h, (uintptr_t)f, RT_ATOMIC_LOAD, mo);
    (void)atomic_load_explicit(f, memory_order_relaxed);
    on_atomic_end(h, s, (uintptr_t)f, RT_ATOMIC_LOAD, mo);
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

/* A flag in the same word as the data it (wrongly) publishes: the reader's
 * atomic loads of the flag must not push the writer's plain write of the
 * data out of the word's cells. */
TEST(atomic_flag_next_to_data_keeps_the_data_write)
{
    static _Alignas(8) int word[2];
    struct rt_hb_thread *w = fx_thread(), *r = fx_thread();
    fx_new_races();
    fx_access(w, &word[1], 4, WR, 0x1200);            /* the data */
    fx_access(w, &word[0], 4, WR | AT, 0x1201);       /* the flag, relaxed */
    fx_access(r, &word[0], 4, RD | AT, 0x1202);
    CHECK_EQ_INT(fx_new_races(), 0);
    fx_access(r, &word[1], 4, RD, 0x1203);
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

/* ---- release sequences (C11 7.17.3: a release store A heads a sequence of
 * later stores by A's thread and read-modify-writes by anyone; an acquire
 * that reads a value of that sequence synchronises with A, and with
 * nothing else) */

TEST(other_threads_relaxed_store_ends_release_sequence)
{
    struct rt_hb_thread *p = fx_thread(), *o = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[18], 4, WR, 0xb00);
    store(p, &flags[10], RT_MO_RELEASE, 0xb01);
    store(o, &flags[10], RT_MO_RELAXED, 0xb02);   /* not an RMW: the sequence ends */
    load(c, &flags[10], RT_MO_ACQUIRE, 0xb03);     /* reads o's value */
    fx_access(c, &data[18], 4, RD, 0xb04);
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(other_threads_release_store_replaces_the_clock)
{
    struct rt_hb_thread *p = fx_thread(), *o = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[20], 4, WR, 0xc00);
    store(p, &flags[11], RT_MO_RELEASE, 0xc01);
    fx_access(o, &data[22], 4, WR, 0xc02);
    store(o, &flags[11], RT_MO_RELEASE, 0xc03);   /* heads a sequence of its own */
    load(c, &flags[11], RT_MO_ACQUIRE, 0xc04);
    fx_access(c, &data[22], 4, RD, 0xc05);         /* o's write: ordered */
    CHECK_EQ_INT(fx_new_races(), 0);
    fx_access(c, &data[20], 4, RD, 0xc06);         /* p's write: not */
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(rmw_continues_release_sequence)
{
    struct rt_hb_thread *p = fx_thread(), *o = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[24], 4, WR, 0xd00);
    store(p, &flags[12], RT_MO_RELEASE, 0xd01);
    rmw(o, &flags[12], RT_MO_RELAXED, 0xd02);     /* a relaxed RMW continues it */
    load(c, &flags[12], RT_MO_ACQUIRE, 0xd03);
    fx_access(c, &data[24], 4, RD, 0xd04);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(release_rmws_accumulate)
{
    struct rt_hb_thread *p = fx_thread(), *o = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[26], 4, WR, 0xe00);
    rmw(p, &flags[13], RT_MO_RELEASE, 0xe01);
    fx_access(o, &data[28], 4, WR, 0xe02);
    rmw(o, &flags[13], RT_MO_ACQ_REL, 0xe03);
    load(c, &flags[13], RT_MO_ACQUIRE, 0xe04);
    fx_access(c, &data[26], 4, RD, 0xe05);
    fx_access(c, &data[28], 4, RD, 0xe06);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(same_threads_relaxed_store_continues_release_sequence)
{
    struct rt_hb_thread *p = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[30], 4, WR, 0xf00);
    store(p, &flags[14], RT_MO_RELEASE, 0xf01);
    store(p, &flags[14], RT_MO_RELAXED, 0xf02);   /* C11: still p's sequence */
    load(c, &flags[14], RT_MO_ACQUIRE, 0xf03);
    fx_access(c, &data[30], 4, RD, 0xf04);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(own_relaxed_store_after_release_rmw_continues)
{
    struct rt_hb_thread *p = fx_thread(), *o = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[36], 4, WR, 0x1100);
    store(p, &flags[16], RT_MO_RELEASE, 0x1101);
    fx_access(o, &data[38], 4, WR, 0x1102);
    rmw(o, &flags[16], RT_MO_RELEASE, 0x1103);    /* o heads a sequence too */
    store(o, &flags[16], RT_MO_RELAXED, 0x1104);  /* continues o's, ends p's */
    load(c, &flags[16], RT_MO_ACQUIRE, 0x1105);
    fx_access(c, &data[38], 4, RD, 0x1106);
    CHECK_EQ_INT(fx_new_races(), 0);
}

/* A custom lock annotated at its own atomic word: the unlock's annotation
 * releases, then the word is cleared with a relaxed store (by the same
 * thread), and the next owner's relaxed CAS and annotation acquire: the
 * annotation is not undone by the atomics. */
TEST(annotation_on_an_atomic_word_is_kept)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &data[40], 4, WR, 0x1300);
    rt_hb_release(a, (uintptr_t)&flags[17]);      /* RACEDET_MUTEX_RELEASED */
    store(a, &flags[17], RT_MO_RELAXED, 0x1301);  /* the word cleared */
    store(b, &flags[17], RT_MO_RELAXED, 0x1302);  /* another thread's store */
    rmw(b, &flags[17], RT_MO_RELAXED, 0x1303);    /* the next owner's CAS */
    rt_hb_acquire(b, (uintptr_t)&flags[17]);      /* RACEDET_MUTEX_ACQUIRED */
    fx_access(b, &data[40], 4, WR, 0x1304);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(relaxed_store_after_release_fence_heads_a_sequence)
{
    struct rt_hb_thread *p = fx_thread(), *o = fx_thread(), *c = fx_thread();
    fx_new_races();
    fx_access(p, &data[32], 4, WR, 0x1000);
    store(p, &flags[15], RT_MO_RELEASE, 0x1001);
    fx_access(o, &data[34], 4, WR, 0x1002);
    on_atomic_fence(o, RT_MO_RELEASE);
    store(o, &flags[15], RT_MO_RELAXED, 0x1003);  /* synchronises through o's fence */
    load(c, &flags[15], RT_MO_ACQUIRE, 0x1004);
    fx_access(c, &data[34], 4, RD, 0x1005);
    CHECK_EQ_INT(fx_new_races(), 0);
    fx_access(c, &data[32], 4, RD, 0x1006);       /* p's sequence ended */
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
    RUN(atomic_flag_next_to_data_keeps_the_data_write);
    RUN(other_threads_relaxed_store_ends_release_sequence);
    RUN(other_threads_release_store_replaces_the_clock);
    RUN(rmw_continues_release_sequence);
    RUN(release_rmws_accumulate);
    RUN(same_threads_relaxed_store_continues_release_sequence);
    RUN(own_relaxed_store_after_release_rmw_continues);
    RUN(relaxed_store_after_release_fence_heads_a_sequence);
    RUN(annotation_on_an_atomic_word_is_kept);
    UNIT_DONE();
}
