/* test_race_fast: the inline fast path of compiler-instrumented accesses
 * (race_check.h, rt_race_fast) and where it hands over: an access across
 * two words is answered there when both words' cells cover it, and goes to
 * rt_race_word2 (never the whole slow path) when not, races included. */
#include "race_fixture.h"
#include "unit.h"

#include <sys/mman.h>

static _Alignas(64) unsigned char mem[256];

static unsigned nwhole, nword, nword2;

static void whole(uintptr_t addr, unsigned size, unsigned kind, uintptr_t pc)
{
    nwhole++;
    if (size <= 8)
        rt_race_access(rt_hb_self, addr, size, kind, pc);
    else
        rt_race_range(rt_hb_self, addr, size, kind, pc);
}

static void word(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t w, rt_cell cur, uintptr_t pc)
{
    nword++;
    rt_race_word(h, cell0, w, cur, pc);
}

static void word2(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t w, rt_cell cur0, rt_cell cur1,
                  uintptr_t pc)
{
    nword2++;
    rt_race_word2(h, cell0, w, cur0, cur1, pc);
}

/* An access by h as the compiler's entry points make it (h becomes the
 * calling thread's state, as the slow path takes that). */
static void fast(struct rt_hb_thread *h, const void *p, unsigned size, unsigned kind, bool aligned,
                 uintptr_t pc)
{
    rt_hb_self = h;
    rt_race_fast(h, (uintptr_t)p, size, kind, aligned, pc, whole, word, word2);
}

/* How many words h holds accesses back for (race_check.c, "pending
 * words"). */
static unsigned npending(const struct rt_hb_thread *h)
{
    unsigned n = 0;
    for (unsigned i = 0; i < RT_HB_PENDING; i++)
        n += h->pending[i].word != 0;
    return n;
}

static void counts(unsigned w, unsigned w1, unsigned w2)
{
    CHECK_EQ_INT(nwhole, w);
    CHECK_EQ_INT(nword, w1);
    CHECK_EQ_INT(nword2, w2);
    nwhole = nword = nword2 = 0;
}

TEST(across_words_covered_is_answered_inline)
{
    struct rt_hb_thread *a = fx_thread();
    fx_new_races();
    fx_access(a, &mem[0], 1, WR, 0x100);     /* the region's shadow exists */
    nwhole = nword = nword2 = 0;
    fast(a, &mem[6], 4, WR, false, 0x101);   /* bytes 6..9: not there yet */
    counts(0, 0, 1);
    fast(a, &mem[6], 4, RD, false, 0x102);   /* covered in both words */
    fast(a, &mem[7], 2, WR, false, 0x103);
    counts(0, 0, 0);
    fast(a, &mem[16], 16, WR, true, 0x104);  /* a 16-byte access: two words */
    counts(0, 0, 1);
    fast(a, &mem[16], 16, RD, true, 0x105);
    fast(a, &mem[20], 8, RD, false, 0x106);
    counts(0, 0, 0);
    fast(a, &mem[36], 16, RD, false, 0x107); /* three words: the whole path */
    counts(1, 0, 0);
    CHECK_EQ_INT(fx_new_races(), 0);
}

/* Each word of an access across two is checked: a race in either is found,
 * and with the right earlier access. */
TEST(across_words_races_in_either_word)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    struct rt_race_previous prev;
    fx_new_races();
    fx_access(a, &mem[64], 1, WR, 0x200);   /* byte 0 of the first word */
    fx_access(a, &mem[75], 1, WR, 0x201);   /* byte 3 of the second */
    fast(b, &mem[70], 4, RD, false, 0x202); /* bytes 6..9: neither */
    CHECK_EQ_INT(fx_new_races(), 0);
    fast(b, &mem[68], 8, RD, false, 0x203); /* bytes 4..11: the second's */
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x201);
    fast(b, &mem[60], 8, WR, false, 0x204); /* bytes 4..11 of the word before */
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x200);
    fast(a, &mem[80], 16, WR, true, 0x205);
    fast(b, &mem[88], 16, RD, true, 0x206); /* a's second word, and the next */
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x205);
    nwhole = nword = nword2 = 0;
}

/* The last word of a shadow region: its neighbour's cell is in the next
 * region's shadow, so the access takes the whole path, and still races. */
TEST(across_regions_takes_the_whole_path)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    uintptr_t region = 1ul << RT_SHADOW_REGION_SHIFT;
    unsigned char *p = mmap(NULL, 2 * region, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), *edge;
    CHECK(p != MAP_FAILED);
    edge = (unsigned char *)(((uintptr_t)p + region) & ~(region - 1));
    fx_new_races();
    fx_access(a, edge - 8, 8, WR, 0x300);
    fx_access(a, edge, 8, WR, 0x301);
    nwhole = nword = nword2 = 0;
    fast(b, edge - 2, 4, RD, false, 0x302);
    counts(1, 0, 0);
    CHECK_EQ_INT(fx_new_races(), 2);   /* one in each word */
    munmap(p, 2 * region);
}

/* A word with two cells of the thread's own (written, then read after a
 * synchronisation): its later accesses join the first cell on the quick
 * path, the write in the second is kept for other threads to race with,
 * and dropped once the first says all it said. */
TEST(own_second_cell_joins_the_first)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    static int lock;
    unsigned char *w = &mem[128];
    rt_cell *cell0 = rt_shadow_cell((uintptr_t)w), *second = rt_shadow_second(cell0, (uintptr_t)w);
    struct rt_race_previous prev;
    fx_new_races();
    fast(a, w, 8, WR, true, 0x400);
    rt_hb_release(a, (uintptr_t)&lock);          /* a new epoch */
    fast(a, w, 4, RD, true, 0x401);              /* keeps the write: a second cell */
    CHECK(*cell0 & RT_CELL_MORE);
    CHECK_EQ_INT(rt_cell_wr(*second), 0xff);
    fast(a, w + 4, 4, RD, true, 0x401);
    CHECK_EQ_INT(rt_cell_acc(*cell0), 0xff);
    CHECK_EQ_INT(rt_cell_wr(*cell0), 0);
    CHECK_EQ_INT(rt_cell_wr(*second), 0xff);
    fast(b, w + 2, 2, RD, true, 0x402);          /* races with the kept write */
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x400);
    fast(a, &mem[136], 8, WR, true, 0x403);
    rt_hb_release(a, (uintptr_t)&lock);
    fast(a, &mem[136], 4, RD, true, 0x404);
    fast(a, &mem[136], 8, WR, true, 0x404);      /* says all the second said */
    CHECK_EQ_INT(*rt_shadow_second(cell0 + 1, (uintptr_t)&mem[136]), 0);
    CHECK_EQ_INT(rt_cell_wr(cell0[1]), 0xff);
    CHECK_EQ_INT(fx_new_races(), 0);
    nwhole = nword = nword2 = 0;
}

/* The first cell the thread's own, the second another thread's ordered
 * write (a buffer handed over): the access joins the first, a third thread
 * ordered with neither still races with the write, and the write goes
 * once the thread's cell says all it said. An unordered second cell is
 * checked. */
TEST(other_second_cell_is_still_checked)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c = fx_thread();
    static int lock;
    unsigned char *w = &mem[192];
    rt_cell *cell0 = rt_shadow_cell((uintptr_t)w);
    struct rt_race_previous prev;
    fx_new_races();
    fast(b, w, 8, WR, true, 0x500);
    rt_hb_release(b, (uintptr_t)&lock);
    rt_hb_acquire(a, (uintptr_t)&lock);
    fast(a, w, 4, RD, true, 0x501);
    fast(a, w + 4, 4, RD, true, 0x501);
    CHECK(*cell0 & RT_CELL_MORE);
    CHECK_EQ_INT(rt_cell_acc(*cell0), 0xff);
    CHECK_EQ_INT(fx_new_races(), 0);
    fast(c, w + 6, 1, RD, true, 0x502);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x500);
    /* unordered: b's write in the second cell races with a's next access
     * to the word, one whose nodes the memos know (the same two lines
     * did the same on a word of a's own just before) */
    w = &mem[200];
    fast(b, w, 8, WR, true, 0x503);
    fast(a, w, 4, WR, true, 0x504);
    CHECK_EQ_INT(fx_new_races(), 1);
    fast(a, &mem[224], 4, WR, true, 0x504);
    fast(a, &mem[228], 4, WR, true, 0x505);
    fast(a, w + 4, 4, WR, true, 0x505);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x503);
    /* handed over again, read, then all written: b's write goes */
    w = &mem[208];
    fast(b, w, 8, WR, true, 0x506);
    rt_hb_release(b, (uintptr_t)&lock);
    rt_hb_acquire(a, (uintptr_t)&lock);
    fast(a, w, 4, RD, true, 0x507);
    CHECK(*rt_shadow_cell((uintptr_t)w) & RT_CELL_MORE);
    fast(a, w, 8, WR, true, 0x507);
    CHECK_EQ_INT(*rt_shadow_second(rt_shadow_cell((uintptr_t)w), (uintptr_t)w), 0);
    CHECK_EQ_INT(fx_new_races(), 0);
    nwhole = nword = nword2 = 0;
}

static _Alignas(64) unsigned char words[256];
static int new_epoch_lock;

/* a's accesses to word w at pc: the first to a byte nobody touched, so
 * that the memos know the leaf and the access stays on rt_race_word's
 * quick paths */
static void primed(struct rt_hb_thread *a, unsigned char *w, unsigned size, unsigned kind,
                   uintptr_t pc)
{
    static unsigned char fresh[256];
    static unsigned next;
    CHECK(next < sizeof fresh);
    fast(a, &fresh[next++], 1, kind, true, pc);
    fast(a, w, size, kind, true, pc);
}

/* Word w as a leaves it: bytes 0..3 written at 0x600; in a new epoch read
 * at 0x601 (maybe held back until the epoch ends; then the first cell a's
 * read, the second its older write); in a third, bytes 4..7 read at 0x602, which
 * takes the read's place (cheaper to forget than the write). */
static void displaced(struct rt_hb_thread *a, unsigned char *w)
{
    rt_cell *cell0 = rt_shadow_cell((uintptr_t)w), *second = rt_shadow_second(cell0, (uintptr_t)w);
    fast(a, w, 4, WR, true, 0x600);
    rt_hb_release(a, (uintptr_t)&new_epoch_lock);
    primed(a, w, 4, RD, 0x601);
    rt_hb_release(a, (uintptr_t)&new_epoch_lock);
    CHECK(npending(a) == 0);
    CHECK(*cell0 & RT_CELL_MORE);
    CHECK_EQ_INT(rt_cell_acc(*cell0), 0x0f);
    CHECK_EQ_INT(rt_cell_wr(*cell0), 0);
    CHECK_EQ_INT(rt_cell_wr(*second), 0x0f);
    rt_hb_release(a, (uintptr_t)&new_epoch_lock);
    primed(a, w + 4, 4, RD, 0x602);
    CHECK(*cell0 & RT_CELL_MORE);
    CHECK_EQ_INT(rt_cell_acc(*cell0), 0xf0);
    CHECK_EQ_INT(rt_cell_wr(*second), 0x0f);
}

/* A thread's first access in a new epoch to a word it accessed otherwise
 * before (rt_race_word's displaced own cell, zstd's match tables): what it
 * keeps still races with another thread, with the right earlier line, in
 * every way the word's two cells can be rearranged. */
TEST(new_epoch_over_own_cells_keeps_what_races)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    struct rt_race_previous prev;
    unsigned char *w;
    rt_cell *cell0, *second;
    fx_new_races();
    /* the older write moved to the second cell still races */
    displaced(a, &words[0]);
    fast(b, &words[2], 1, RD, true, 0x610);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x600);
    /* so does the read that took the first cell */
    displaced(a, &words[8]);
    fast(b, &words[13], 1, WR, true, 0x611);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x602);
    /* a write of the bytes the second cell wrote takes the first cell; the
     * read it displaces moves to the second and still races */
    w = &words[16];
    displaced(a, w);
    rt_hb_release(a, (uintptr_t)&new_epoch_lock);
    primed(a, w, 4, WR, 0x603);
    cell0 = rt_shadow_cell((uintptr_t)w);
    second = rt_shadow_second(cell0, (uintptr_t)w);
    CHECK_EQ_INT(rt_cell_wr(*cell0), 0x0f);
    CHECK_EQ_INT(rt_cell_acc(*second), 0xf0);
    fast(b, w + 6, 2, WR, true, 0x612);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x602);
    fast(b, w + 1, 1, RD, true, 0x613);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x603);
    /* b's write handed over to a: a's read cannot replace it, and moves it
     * to the second cell; a's next epoch's write of half the word keeps
     * a's read (our own, whose newer accesses are checked) over b's write
     * (ordered before, cheaper to forget), and a third thread races with
     * the read */
    {
        struct rt_hb_thread *c = fx_thread();
        w = &words[24];
        fast(b, w, 8, WR, true, 0x614);
        rt_hb_release(b, (uintptr_t)&new_epoch_lock);
        rt_hb_acquire(a, (uintptr_t)&new_epoch_lock);
        primed(a, w, 8, RD, 0x615);
        rt_hb_release(a, (uintptr_t)&new_epoch_lock);
        primed(a, w, 4, WR, 0x616);
        CHECK_EQ_INT(fx_new_races(), 0);
        fast(c, w + 5, 1, WR, true, 0x617);
        CHECK_EQ_INT(fx_new_races(), 1);
        prev = rt_race_last_previous();
        CHECK_EQ_INT(prev.pc, 0x615);
    }
    nwhole = nword = nword2 = 0;
}

/* Memory another thread wrote, handed over (rt_race_word's handed_over):
 * a read keeps the write in the second cell, where a third thread ordered
 * with neither races with it; a write of all of it takes its place. */
TEST(handed_over_write_still_races)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c = fx_thread();
    static int lock;
    struct rt_race_previous prev;
    unsigned char *w = &words[40];
    rt_cell *cell0 = rt_shadow_cell((uintptr_t)w);
    fast(b, w, 8, WR, true, 0x720);
    fast(b, w + 8, 8, WR, true, 0x720);
    rt_hb_release(b, (uintptr_t)&lock);
    rt_hb_acquire(a, (uintptr_t)&lock);
    primed(a, w, 4, RD, 0x721);
    CHECK(*cell0 & RT_CELL_MORE);
    CHECK_EQ_INT(rt_cell_slot(*cell0), a->slot);
    CHECK_EQ_INT(rt_cell_wr(*rt_shadow_second(cell0, (uintptr_t)w)), 0xff);
    primed(a, w + 8, 8, WR, 0x722);
    CHECK(!(cell0[1] & RT_CELL_MORE));
    CHECK_EQ_INT(rt_cell_slot(cell0[1]), a->slot);
    fx_new_races();
    fast(c, w + 6, 1, RD, true, 0x723);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x720);
    fast(c, w + 9, 1, RD, true, 0x724);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK_EQ_INT(prev.pc, 0x722);
    nwhole = nword = nword2 = 0;
}

/* Lines writing bytes of one word in turn in one epoch (zstd's rows of
 * tags): each new composite is made on rt_race_word's way (neither memo
 * nor cache knows it yet), and names each byte's line in a race. */
TEST(new_composite_names_each_line)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    struct rt_race_previous prev;
    unsigned char *w = &words[32];
    static const uintptr_t line[4] = {0x700, 0x701, 0x702, 0x703};
    for (int i = 0; i < 4; i++)
        primed(a, w + i, 1, WR, line[i]);
    CHECK_EQ_INT(rt_cell_wr(*rt_shadow_cell((uintptr_t)w)), 0x0f);
    fx_new_races();
    for (int i = 0; i < 4; i++) {
        fast(b, w + i, 1, RD, true, 0x710 + (uintptr_t)i);
        CHECK_EQ_INT(fx_new_races(), 1);
        prev = rt_race_last_previous();
        CHECK_EQ_INT(prev.pc, line[i]);
    }
    nwhole = nword = nword2 = 0;
}

/* ---- held-back accesses (race_check.c, "pending words") ---- */

static int pend_lock, pend_lock2;

/* Is {x, y} the pair {p, q}? (which of two unordered accesses is
 * reported as the earlier depends on which is checked last) */
static bool same_pair(uintptr_t x, uintptr_t y, uintptr_t p, uintptr_t q)
{
    return (x == p && y == q) || (x == q && y == p);
}

/* A thread's read-modify-write sweep of a word half by half in a new
 * epoch, and memory handed over written half by half, end in one cell:
 * the second plane is not touched for the few accesses in between. What
 * the cell says still races, each byte with its line. */
TEST(sweep_in_a_new_epoch_keeps_one_cell)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c = fx_thread();
    unsigned char *w = &words[128];
    rt_cell *cell0 = rt_shadow_cell((uintptr_t)w);
    fx_new_races();
    fast(a, w, 8, WR, true, 0x800);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    primed(a, w, 4, RD, 0x801);
    primed(a, w, 4, WR, 0x802);
    primed(a, w + 4, 4, RD, 0x801);
    primed(a, w + 4, 4, WR, 0x802);
    CHECK(!(*cell0 & RT_CELL_MORE));
    CHECK_EQ_INT(*rt_shadow_second(cell0, (uintptr_t)w), 0);
    CHECK_EQ_INT(rt_cell_epoch(*cell0), a->epoch);
    CHECK_EQ_INT(rt_cell_wr(*cell0), 0xff);
    CHECK(npending(a) == 0);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    rt_hb_acquire(b, (uintptr_t)&pend_lock);
    primed(b, w, 4, WR, 0x803);
    primed(b, w + 4, 4, WR, 0x804);
    CHECK(!(*cell0 & RT_CELL_MORE));
    CHECK_EQ_INT(rt_cell_slot(*cell0), b->slot);
    CHECK_EQ_INT(fx_new_races(), 0);
    fast(c, w + 1, 1, RD, true, 0x805);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_EQ_INT(rt_race_last_previous().pc, 0x803);
    fast(c, w + 6, 1, RD, true, 0x806);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_EQ_INT(rt_race_last_previous().pc, 0x804);
    nwhole = nword = nword2 = 0;
}

/* a writes word w at pc, then releases a lock b acquires: b knows that
 * epoch of a's, not the next. */
static void written_then_known(struct rt_hb_thread *a, struct rt_hb_thread *b, unsigned char *w,
                               uintptr_t pc)
{
    primed(a, w, 8, WR, pc);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    rt_hb_acquire(b, (uintptr_t)&pend_lock);
}

/* Another thread ordered after the old cell but not after a's held-back
 * accesses: whichever way they meet (its access held back too, or put in
 * the shadow before a's settle), the race is found, with a's line for the
 * byte they share, not the line a was at when its accesses settled. */
TEST(held_back_accesses_race_with_what_came_meanwhile)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    struct rt_race_previous prev;
    unsigned char *w = &words[136];
    fx_new_races();
    /* b's write held back as well: found when b's accesses settle */
    written_then_known(a, b, w, 0x810);
    primed(a, w, 4, WR, 0x811);
    CHECK(npending(a) == 1);
    primed(b, w, 4, WR, 0x812);
    primed(a, w + 4, 4, WR, 0x813);
    CHECK(npending(a) == 0);
    rt_hb_release(b, (uintptr_t)&pend_lock2);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK(same_pair(prev.pc, prev.current_pc, 0x811, 0x812));
    /* b's read moves the old cell aside: a's settle finds the cell
     * changed, and its check names the held-back write's line */
    w = &words[144];
    written_then_known(a, b, w, 0x820);
    primed(a, w, 4, WR, 0x821);
    primed(b, w + 1, 1, RD, 0x822);
    primed(a, w + 4, 4, WR, 0x823);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK(same_pair(prev.pc, prev.current_pc, 0x821, 0x822));
    nwhole = nword = nword2 = 0;
}

/* Held-back accesses to memory whose history ends meanwhile (reset:
 * unmapped, a new stack; or freed by the thread itself) are forgotten
 * with it; a free is recorded as one, and later uses race with it. */
TEST(held_back_accesses_end_with_the_memory)
{
    struct rt_hb_thread *a = fx_thread(), *c = fx_thread();
    struct rt_race_previous prev;
    unsigned char *w = &words[152];
    fx_new_races();
    fast(a, w, 8, WR, true, 0x830);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    primed(a, w, 4, RD, 0x831);
    CHECK(npending(a) == 1);
    rt_shadow_reset((uintptr_t)w, 8);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    CHECK(npending(a) == 0);
    CHECK_EQ_INT(*rt_shadow_cell((uintptr_t)w), 0);
    w = &words[160];
    fast(a, w, 8, WR, true, 0x840);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    primed(a, w, 4, RD, 0x841);
    rt_race_free(a, (uintptr_t)w, 8, 0x842);
    CHECK(npending(a) == 0);
    fast(c, w + 4, 1, RD, true, 0x843);
    CHECK_EQ_INT(fx_new_races(), 1);
    prev = rt_race_last_previous();
    CHECK(prev.freed);
    CHECK_EQ_INT(prev.pc, 0x842);
    nwhole = nword = nword2 = 0;
}

/* Holding back is given up while it does not pay (the held-back accesses
 * went to the shadow unsettled: a table read here and there in a new
 * epoch), and tried again a few accesses later. */
TEST(held_back_only_while_it_pays)
{
    static _Alignas(64) unsigned char table[8 * 10];
    struct rt_hb_thread *a = fx_thread();
    for (int k = 0; k < 10; k++)
        fast(a, &table[8 * k], 8, WR, true, 0x850);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    primed(a, &table[0], 4, RD, 0x851);
    CHECK(npending(a) == 1);
    rt_hb_release(a, (uintptr_t)&pend_lock); /* unsettled: it did not pay */
    for (int k = 1; k <= 8; k++) {
        primed(a, &table[8 * k], 4, RD, 0x851);
        CHECK(npending(a) == 0);
    }
    primed(a, &table[8 * 9], 4, RD, 0x851);
    CHECK(npending(a) == 1);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    nwhole = nword = nword2 = 0;
}

/* A queue's slot: written by b, read by a (both cells: the read, and the
 * write it cannot replace), handed back and written again by b, whose
 * write replaces both on rt_race_word's way (hands_both_over): one cell
 * again, which still races with a thread ordered with neither. */
TEST(slot_written_again_takes_both_cells)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c = fx_thread();
    unsigned char *w = &words[168];
    rt_cell *cell0 = rt_shadow_cell((uintptr_t)w);
    fx_new_races();
    written_then_known(b, a, w, 0x900);
    primed(a, w, 8, RD, 0x901);
    CHECK(*cell0 & RT_CELL_MORE);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    rt_hb_acquire(b, (uintptr_t)&pend_lock);
    primed(b, w, 8, WR, 0x902);
    CHECK(!(*cell0 & RT_CELL_MORE));
    CHECK_EQ_INT(*rt_shadow_second(cell0, (uintptr_t)w), 0);
    CHECK_EQ_INT(rt_cell_slot(*cell0), b->slot);
    CHECK_EQ_INT(fx_new_races(), 0);
    fast(c, w + 3, 1, RD, true, 0x903);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_EQ_INT(rt_race_last_previous().pc, 0x902);
    nwhole = nword = nword2 = 0;
}

/* A word with two cells of other threads, both ordered before a's read
 * that subsumes neither (b's read of all of it and b's earlier write
 * beside it, handed to a): a's read takes the read's place (cheaper to
 * forget), the write stays and still races with a thread ordered with
 * none of them. On rt_race_word's way (two_ordered), as check() decides. */
TEST(read_of_two_ordered_cells_keeps_the_write)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c = fx_thread(), *d = fx_thread();
    unsigned char *w = &words[176];
    rt_cell *cell0 = rt_shadow_cell((uintptr_t)w);
    fx_new_races();
    written_then_known(d, b, w, 0x910);
    primed(b, w, 8, RD, 0x911);
    rt_hb_release(b, (uintptr_t)&pend_lock);
    rt_hb_acquire(a, (uintptr_t)&pend_lock);
    primed(a, w + 4, 4, RD, 0x912);
    CHECK(*cell0 & RT_CELL_MORE);
    CHECK_EQ_INT(rt_cell_slot(*cell0), a->slot);
    CHECK_EQ_INT(rt_cell_slot(*rt_shadow_second(cell0, (uintptr_t)w)), d->slot);
    CHECK_EQ_INT(fx_new_races(), 0);
    fast(c, w + 1, 1, WR, true, 0x913);
    CHECK(fx_new_races() >= 1);
    fast(c, w + 2, 1, RD, true, 0x914);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_EQ_INT(rt_race_last_previous().pc, 0x910);
    nwhole = nword = nword2 = 0;
}

/* A thread about to block (sleep, poll, a read, a semaphore, a join)
 * sends what it holds back to the shadow first: other threads' checks
 * meet it while it waits. */
TEST(held_back_accesses_settle_before_blocking)
{
    struct rt_hb_thread *a = fx_thread();
    unsigned char *w = &words[184];
    fast(a, w, 8, WR, true, 0x860);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    primed(a, w, 4, WR, 0x861);
    CHECK(npending(a) == 1);
    on_blocking_begin(a->thread);
    CHECK(npending(a) == 0);
    CHECK(*rt_shadow_cell((uintptr_t)w) & RT_CELL_MORE);
    nwhole = nword = nword2 = 0;
}

/* A range (memcpy, a 16-byte copy) takes the quick cases too: its partial
 * words in a new epoch over the thread's own cells are held back and
 * settle into one cell, each byte still naming its line. */
TEST(range_writes_in_a_new_epoch_keep_one_cell)
{
    struct rt_hb_thread *a = fx_thread(), *c = fx_thread();
    unsigned char *w = &words[192];
    rt_cell *cell0 = rt_shadow_cell((uintptr_t)w);
    fx_new_races();
    fast(a, w, 8, WR, true, 0x870);
    fast(a, w + 8, 8, WR, true, 0x870);
    rt_hb_release(a, (uintptr_t)&pend_lock);
    rt_race_range(a, (uintptr_t)w + 4, 12, WR, 0x871);
    rt_race_range(a, (uintptr_t)w, 4, WR, 0x872);
    CHECK(!(*cell0 & RT_CELL_MORE));
    CHECK_EQ_INT(rt_cell_wr(*cell0), 0xff);
    CHECK_EQ_INT(rt_cell_epoch(*cell0), a->epoch);
    CHECK(npending(a) == 0);
    fast(c, w + 1, 1, RD, true, 0x873);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_EQ_INT(rt_race_last_previous().pc, 0x872);
    fast(c, w + 5, 1, RD, true, 0x874);
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK_EQ_INT(rt_race_last_previous().pc, 0x871);
    nwhole = nword = nword2 = 0;
}

int main(void)
{
    RUN(across_words_covered_is_answered_inline);
    RUN(across_words_races_in_either_word);
    RUN(across_regions_takes_the_whole_path);
    RUN(own_second_cell_joins_the_first);
    RUN(other_second_cell_is_still_checked);
    RUN(new_epoch_over_own_cells_keeps_what_races);
    RUN(new_composite_names_each_line);
    RUN(handed_over_write_still_races);
    RUN(sweep_in_a_new_epoch_keeps_one_cell);
    RUN(held_back_accesses_race_with_what_came_meanwhile);
    RUN(held_back_accesses_end_with_the_memory);
    RUN(held_back_only_while_it_pays);
    RUN(slot_written_again_takes_both_cells);
    RUN(read_of_two_ordered_cells_keeps_the_write);
    RUN(held_back_accesses_settle_before_blocking);
    RUN(range_writes_in_a_new_epoch_keep_one_cell);
    UNIT_DONE();
}
