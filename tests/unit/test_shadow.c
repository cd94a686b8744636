/* test_shadow: the FastTrack check on shadow cells, fed events directly. */
#include "race_fixture.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/mman.h>

static _Alignas(64) unsigned char mem[4096];

/* The earlier access of the last race found: its line, kind and size. */
#define CHECK_PREVIOUS(pc_, kind_, size_)                                        \
    do {                                                                         \
        struct rt_race_previous p_ = rt_race_last_previous();                    \
        CHECK_EQ_INT(p_.pc, pc_);                                                \
        CHECK_EQ_INT(p_.kind, kind_);                                            \
        CHECK_EQ_INT(p_.size, size_);                                            \
    } while (0)

TEST(cell_packing)
{
    rt_cell c = rt_cell_make(123456, 42, 0xf0, RT_ACCESS_WRITE);
    rt_cell r = rt_cell_make(7, RT_CELL_SLOTS - 1, 0x0f, RT_ACCESS_ATOMIC);
    CHECK_EQ_INT(rt_cell_epoch(c), 123456);
    CHECK_EQ_INT(rt_cell_slot(c), 42);
    CHECK_EQ_INT(rt_cell_acc(c), 0xf0);
    CHECK_EQ_INT(rt_cell_wr(c), 0xf0);
    CHECK(!rt_cell_atomic(c));
    CHECK_EQ_INT(rt_cell_slot(r), RT_CELL_SLOTS - 1);
    CHECK_EQ_INT(rt_cell_acc(r), 0x0f);
    CHECK_EQ_INT(rt_cell_wr(r), 0);
    CHECK(rt_cell_atomic(r));
    CHECK(!(r & (RT_CELL_MORE | RT_CELL_BUSY)));
}

TEST(same_thread_no_race)
{
    struct rt_hb_thread *a = fx_thread();
    fx_new_races();
    fx_access(a, &mem[0], 8, WR, 0x1000);
    fx_access(a, &mem[0], 4, RD, 0x1001);
    fx_access(a, &mem[0], 8, WR, 0x1002);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(unordered_write_write_race)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &mem[64], 4, WR, 0x2000);
    fx_access(b, &mem[64], 4, WR, 0x2001);
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(unordered_read_write_race)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &mem[72], 4, RD, 0x2100);
    fx_access(b, &mem[72], 4, WR, 0x2101);
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(reads_do_not_race)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &mem[80], 4, RD, 0x2200);
    fx_access(b, &mem[80], 4, RD, 0x2201);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(ordered_by_release_acquire_no_race)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    static int lock;
    fx_new_races();
    fx_access(a, &mem[128], 8, WR, 0x3000);
    rt_hb_release(a, (uintptr_t)&lock);     /* a unlocks */
    rt_hb_acquire(b, (uintptr_t)&lock);     /* b locks after */
    fx_access(b, &mem[128], 8, WR, 0x3001);
    fx_access(b, &mem[128], 8, RD, 0x3002);
    CHECK_EQ_INT(fx_new_races(), 0);
    /* but a's access after its release is not ordered with b's */
    fx_access(a, &mem[128], 8, WR, 0x3003);
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(mixed_sizes_overlap_detected)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &mem[192], 8, WR, 0x4000); /* the whole word */
    fx_access(b, &mem[197], 1, RD, 0x4001); /* one byte inside it */
    CHECK_EQ_INT(fx_new_races(), 1);
    fx_access(a, &mem[202], 2, WR, 0x4002);
    fx_access(b, &mem[200], 8, RD, 0x4003);
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(non_overlapping_bytes_no_race)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &mem[256], 4, WR, 0x5000);  /* bytes 0-3 */
    fx_access(b, &mem[260], 4, WR, 0x5001);  /* bytes 4-7 of the same word */
    fx_access(a, &mem[256], 2, RD, 0x5002);
    fx_access(b, &mem[262], 1, RD, 0x5003);
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(unaligned_access_across_words)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &mem[326], 4, WR, 0x5100);  /* bytes 6..9: two words */
    fx_access(b, &mem[329], 1, RD, 0x5101);  /* in the second word */
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(read_shared_then_write_race)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c = fx_thread();
    static int lock;
    fx_new_races();
    fx_access(a, &mem[320 + 64], 4, RD, 0x6000);
    fx_access(b, &mem[320 + 64], 4, RD, 0x6001); /* two concurrent readers */
    rt_hb_release(a, (uintptr_t)&lock);
    rt_hb_acquire(c, (uintptr_t)&lock);           /* c is after a, not after b */
    fx_access(c, &mem[320 + 64], 4, WR, 0x6002);
    CHECK_EQ_INT(fx_new_races(), 1);
}

TEST(free_resets_shadow)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &mem[1024], 64, WR, 0x7000);
    rt_shadow_reset((uintptr_t)&mem[1024], 64); /* freed, then reused */
    fx_access(b, &mem[1024], 64, WR, 0x7001);
    CHECK_EQ_INT(fx_new_races(), 0);
}

/* A free writes the block: it races with an unordered earlier access, and
 * a later access not ordered after it races with the free, whose stack the
 * report keeps; an access ordered after the free does not. */
TEST(free_is_a_write)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c, *d;
    static int lock;
    static _Alignas(64) unsigned char block[64];
    fx_new_races();
    fx_access(a, &block[0], 4, RD, 0x8000);
    rt_race_free(b, (uintptr_t)&block[0], 64, 0x8001);   /* a's read is unordered */
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_PREVIOUS(0x8000, RD, 4);
    c = fx_thread();                                       /* not after b's free */
    fx_access(c, &block[40], 8, RD, 0x8002);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_PREVIOUS(0x8001, WR, 8);
    CHECK(rt_race_last_previous().freed);
    rt_hb_release(b, (uintptr_t)&lock);
    d = fx_thread();
    rt_hb_acquire(d, (uintptr_t)&lock);                    /* d is after the free */
    fx_access(d, &block[48], 8, WR, 0x8003);
    CHECK_EQ_INT(fx_new_races(), 0);
}

/* A read ordered after a write does not make the write forgotten: a
 * third thread, ordered with neither, that reads the word races with the
 * write (FastTrack keeps the last write apart from the reads). */
TEST(ordered_read_keeps_the_write)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c = fx_thread();
    static int lock;
    static _Alignas(64) unsigned char word[8];
    fx_new_races();
    fx_access(a, &word[0], 4, WR, 0xc000);
    rt_hb_release(a, (uintptr_t)&lock);
    rt_hb_acquire(c, (uintptr_t)&lock);
    fx_access(c, &word[0], 4, RD, 0xc001);   /* after a's write */
    CHECK_EQ_INT(fx_new_races(), 0);
    fx_access(b, &word[0], 4, RD, 0xc002);   /* after neither */
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_PREVIOUS(0xc000, WR, 4);
}

/* The same with the writer's own later read (a new epoch of the same
 * thread): the write is still there for another thread's read. */
TEST(own_later_read_keeps_the_write)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    static int lock;
    static _Alignas(64) unsigned char word[8];
    fx_new_races();
    fx_access(a, &word[0], 8, WR, 0xc100);
    rt_hb_release(a, (uintptr_t)&lock);      /* a new epoch of a */
    fx_access(a, &word[0], 8, RD, 0xc101);
    fx_access(b, &word[0], 8, RD, 0xc102);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_PREVIOUS(0xc100, WR, 8);
}

/* Three concurrent readers after one write, and a writer ordered after
 * the first two: the newest access is always kept, so the third reader's
 * read is there to race with it (with two cells per word, a fourth
 * concurrent access would evict one: docs/design.md). */
TEST(newest_reader_is_kept)
{
    static _Alignas(64) unsigned char word[8];
    static int lock;
    struct rt_hb_thread *r1, *r2, *r3, *w;
    fx_init();
    fx_access(fx_main->hb, &word[0], 8, WR, 0xc200);
    r1 = fx_thread(), r2 = fx_thread(), r3 = fx_thread(), w = fx_thread();
    fx_new_races();
    fx_access(r1, &word[0], 8, RD, 0xc201);
    fx_access(r2, &word[0], 8, RD, 0xc202);
    fx_access(r3, &word[0], 8, RD, 0xc203);
    rt_hb_release(r1, (uintptr_t)&lock);
    rt_hb_release(r2, (uintptr_t)&lock);
    rt_hb_acquire(w, (uintptr_t)&lock);      /* after r1 and r2, not r3 */
    fx_access(w, &word[0], 8, WR, 0xc204);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_PREVIOUS(0xc203, RD, 8);
}

/* A big block (whole shadow pages go back to the OS, in both planes and
 * for cells and nodes): its words forget every access, the words around
 * it keep theirs, and its cells read as empty before anyone touches them
 * again. */
TEST(big_reset_forgets_only_its_words)
{
    enum { BIG = 1 << 20 };
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    unsigned char *m = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    size_t lo = 4096 + 24, hi = BIG - 4096 - 40;   /* not page aligned */
    fx_new_races();
    for (size_t off = 0; off < BIG; off += 8) {
        fx_access(a, m + off, 8, WR, 0x7100);
        fx_access(b, m + off, 8, RD, 0x7101);   /* races; the word gets two cells */
    }
    CHECK(fx_new_races() >= 1);
    rt_shadow_reset((uintptr_t)m + lo, hi - lo);
    for (size_t off = lo; off < hi; off += 4096 - 8)
        CHECK_EQ_INT(*rt_shadow_cell((uintptr_t)m + off), 0);
    CHECK(*rt_shadow_cell((uintptr_t)m + lo - 8) != 0);
    CHECK(*rt_shadow_cell((uintptr_t)m + hi) != 0);
    rt_race_report_enabled = false;
    fx_new_races();
    for (size_t off = lo; off < hi; off += 8)   /* a new block: no race */
        fx_access(b, m + off, 8, WR, 0x7102);
    CHECK_EQ_INT(fx_new_races(), 0);
    fx_access(b, m + lo - 8, 8, WR, 0x7103);     /* next to it: a's write is there */
    fx_access(b, m + hi, 8, WR, 0x7104);
    CHECK_EQ_INT(fx_new_races(), 2);
    rt_race_report_enabled = true;
    munmap(m, BIG);
}

TEST(range_access_races_once_per_word)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &mem[2048], 32, WR, 0x8000);
    fx_access(b, &mem[2060], 8, RD, 0x8001);   /* straddles two words */
    CHECK_EQ_INT(fx_new_races(), 2);
}

TEST(create_and_join_order)
{
    struct rt_hb_thread *a;
    struct rt_thread *t;
    fx_init();
    fx_new_races();
    fx_access(fx_main->hb, &mem[3000], 4, WR, 0x9000); /* before create */
    t = rt_thread_new(fx_main, RT_NO_STACK, 0);
    on_hb_thread_create(fx_main, t);
    a = t->hb;
    fx_access(a, &mem[3000], 4, WR, 0x9001);            /* in the thread */
    CHECK_EQ_INT(fx_new_races(), 0);
    on_hb_thread_exit(t);
    on_hb_thread_join(fx_main, t);
    fx_access(fx_main->hb, &mem[3000], 4, RD, 0x9002);  /* after join */
    CHECK_EQ_INT(fx_new_races(), 0);
}

TEST(rwlock_read_clock)
{
    struct rt_hb_thread *r1 = fx_thread(), *r2 = fx_thread(), *w = fx_thread();
    static int rw;
    fx_new_races();
    fx_access(r1, &mem[3200], 4, RD, 0xa000);
    rt_hb_release_read(r1, (uintptr_t)&rw);   /* reader leaves */
    rt_hb_acquire(r2, (uintptr_t)&rw);        /* another reader: not ordered by readers */
    rt_hb_acquire_write(w, (uintptr_t)&rw);   /* a writer is */
    fx_access(w, &mem[3200], 4, WR, 0xa001);
    CHECK_EQ_INT(fx_new_races(), 0);
    rt_hb_release(w, (uintptr_t)&rw);
    fx_access(r2, &mem[3208], 4, WR, 0xa002);
    fx_access(r1, &mem[3208], 4, RD, 0xa003); /* r1 never acquired anything */
    CHECK_EQ_INT(fx_new_races(), 1);
}

/* One thread's accesses from two lines share a cell; a race on either
 * line's bytes names that line, its kind and its size. */
TEST(shared_cell_names_each_line)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &mem[3400], 4, RD, 0xb000);  /* bytes 0-3 read here */
    fx_access(a, &mem[3404], 4, WR, 0xb001);  /* bytes 4-7 written there */
    CHECK(!(*rt_shadow_cell((uintptr_t)&mem[3400]) & RT_CELL_MORE));
    fx_access(b, &mem[3401], 1, WR, 0xb002);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_PREVIOUS(0xb000, RD, 4);
    fx_access(b, &mem[3406], 1, RD, 0xb003);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_PREVIOUS(0xb001, WR, 4);
}

/* A read of the whole word, then a write of half of it by another line:
 * the written half belongs to the write, the rest to the read. */
TEST(write_after_read_splits_the_cell)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    fx_access(a, &mem[3456], 8, RD, 0xb100);
    fx_access(a, &mem[3456], 4, WR, 0xb101);
    fx_access(b, &mem[3458], 1, RD, 0xb102);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_PREVIOUS(0xb101, WR, 4);
    fx_access(b, &mem[3462], 2, WR, 0xb103);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_PREVIOUS(0xb100, RD, 4);
}

/* A thread sweeping its own memory epoch after epoch, each access of a
 * new epoch taking in what the word's cell says (the write of the whole
 * word first), keeps one cell per word; two threads' unordered reads need
 * the second (and so does a read after a write: see
 * own_later_read_keeps_the_write). */
TEST(second_cell_only_when_needed)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    static int lock;
    rt_cell *cell = rt_shadow_cell((uintptr_t)&mem[3520]);
    fx_new_races();
    for (int pass = 0; pass < 3; pass++) {
        fx_access(a, &mem[3520], 8, WR, 0xb201);
        fx_access(a, &mem[3520], 4, RD, 0xb200);
        fx_access(a, &mem[3524], 4, RD, 0xb200);
        fx_access(a, &mem[3524], 4, WR, 0xb201);
        rt_hb_release(a, (uintptr_t)&lock);   /* a new epoch */
    }
    CHECK(!(*cell & RT_CELL_MORE));
    CHECK_EQ_INT(rt_cell_acc(*cell), 0xff);
    CHECK_EQ_INT(rt_cell_wr(*cell), 0xff);
    fx_access(a, &mem[3584], 8, RD, 0xb202);
    fx_access(b, &mem[3584], 8, RD, 0xb203);
    CHECK(*rt_shadow_cell((uintptr_t)&mem[3584]) & RT_CELL_MORE);
    CHECK_EQ_INT(fx_new_races(), 0);
    rt_shadow_reset((uintptr_t)&mem[3584], 8);
    CHECK_EQ_INT(*rt_shadow_cell((uintptr_t)&mem[3584]), 0);
}

int main(void)
{
    RUN(cell_packing);
    RUN(same_thread_no_race);
    RUN(unordered_write_write_race);
    RUN(unordered_read_write_race);
    RUN(reads_do_not_race);
    RUN(ordered_by_release_acquire_no_race);
    RUN(mixed_sizes_overlap_detected);
    RUN(non_overlapping_bytes_no_race);
    RUN(unaligned_access_across_words);
    RUN(read_shared_then_write_race);
    RUN(free_resets_shadow);
    RUN(free_is_a_write);
    RUN(ordered_read_keeps_the_write);
    RUN(own_later_read_keeps_the_write);
    RUN(newest_reader_is_kept);
    RUN(big_reset_forgets_only_its_words);
    RUN(range_access_races_once_per_word);
    RUN(create_and_join_order);
    RUN(rwlock_read_clock);
    RUN(shared_cell_names_each_line);
    RUN(write_after_read_splits_the_cell);
    RUN(second_cell_only_when_needed);
    UNIT_DONE();
}
