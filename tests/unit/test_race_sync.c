/* test_race_sync: synchronisation objects as happens-before edges, fed to
 * the engine directly (what the interceptors and the annotations do):
 * barriers by round; ranges annotated as benign races. */
#include "race_fixture.h"
#include "unit.h"

static int data[64];
static char objmem[16][64]; /* fake barriers */

static struct rt_sync_call barrier_call(int i)
{
    return (struct rt_sync_call){.addr = (uintptr_t)objmem[i], .kind = RT_BARRIER,
                                 .type = RT_TYPE_NONE, .pc = 0x7000, .sp = 0x9000};
}

/* before the threads that use it, as a program does: the init writes the
 * barrier's memory, and a wait reads it */
static void bar_init(int i, unsigned count)
{
    struct rt_sync_call c = barrier_call(i);
    fx_init();
    on_sync_object_init(fx_main, &c, count);
    on_sync_object_inited(fx_main, &c, count, true);
}

/* pthread_barrier_wait in two halves: the arrival, and the return */
static void arrive(struct rt_hb_thread *h, int i)
{
    struct rt_sync_call c = barrier_call(i);
    on_sync_object_wait(h->thread, &c);
}

static void depart(struct rt_hb_thread *h, int i)
{
    struct rt_sync_call c = barrier_call(i);
    on_sync_object_waited(h->thread, &c, true);
}

/* b leaves round 0 late, after a has written and arrived at round 1: a's
 * write is not ordered before b's read (round 0 does not order it); what a
 * wrote before round 0 is */
TEST(late_departure_does_not_see_the_next_round)
{
    bar_init(0, 2);
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *m = fx_thread();
    fx_new_races();
    fx_access(a, &data[0], 4, WR, 0x100);       /* before round 0 */
    arrive(b, 0);
    arrive(a, 0);
    depart(a, 0);
    fx_access(a, &data[2], 4, WR, 0x101);       /* between rounds 0 and 1 */
    fx_access(a, &data[4], 4, WR, 0x105);
    arrive(a, 0);
    arrive(m, 0);
    depart(a, 0);
    depart(m, 0);
    fx_access(m, &data[4], 4, RD, 0x102);       /* after round 1: ordered */
    CHECK_EQ_INT(fx_new_races(), 0);
    depart(b, 0);                               /* leaves round 0 only now */
    fx_access(b, &data[0], 4, RD, 0x103);       /* ordered by round 0 */
    CHECK_EQ_INT(fx_new_races(), 0);
    fx_access(b, &data[2], 4, RD, 0x104);       /* not ordered */
    CHECK_EQ_INT(fx_new_races(), 1);
}

/* every arrival of a round happens before every departure from it, for
 * many rounds and threads leaving in any order */
TEST(every_round_orders_its_arrivals_before_its_departures)
{
    bar_init(1, 3);
    struct rt_hb_thread *t[3] = {fx_thread(), fx_thread(), fx_thread()};
    fx_new_races();
    for (int round = 0; round < 4; round++) {
        fx_access(t[round % 3], &data[8 + round], 4, WR, 0x200 + (uintptr_t)round);
        for (int i = 0; i < 3; i++)
            arrive(t[(i + round) % 3], 1);
        for (int i = 3; i-- > 0;) {
            depart(t[i], 1);
            fx_access(t[i], &data[8 + round], 4, RD, 0x210 + (uintptr_t)round);
        }
    }
    CHECK_EQ_INT(fx_new_races(), 0);
}

/* three threads at a barrier of two: the arrivals as numbered (t1, t2 in
 * round 0) need not be the real barrier's (t2, t3 passed together while
 * t1 was still on its way): t3 finds its round incomplete, and the barrier
 * orders every departure after every arrival from then on */
TEST(more_threads_than_count_never_a_false_race)
{
    bar_init(2, 2);
    struct rt_hb_thread *t1 = fx_thread(), *t2 = fx_thread(), *t3 = fx_thread();
    fx_new_races();
    fx_access(t2, &data[20], 4, WR, 0x300);
    fx_access(t3, &data[22], 4, WR, 0x301);
    arrive(t1, 2);
    arrive(t2, 2);
    arrive(t3, 2);
    depart(t3, 2);
    depart(t2, 2);
    fx_access(t3, &data[20], 4, RD, 0x302);
    fx_access(t2, &data[22], 4, RD, 0x303);
    CHECK_EQ_INT(fx_new_races(), 0);
}

/* AnnotateBenignRaceSized: races on the range are neither counted nor
 * reported; on the bytes next to it they still are */
TEST(benign_range_is_not_reported)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    fx_new_races();
    rt_race_benign((uintptr_t)&data[40], sizeof data[40]);
    fx_access(a, &data[40], 4, WR, 0x400);
    fx_access(b, &data[40], 4, WR, 0x401);
    CHECK_EQ_INT(fx_new_races(), 0);
    fx_access(a, &data[41], 4, WR, 0x402);
    fx_access(b, &data[41], 4, RD, 0x403);
    CHECK_EQ_INT(fx_new_races(), 1);
}

int main(void)
{
    fx_init();
    RUN(late_departure_does_not_see_the_next_round);
    RUN(every_round_orders_its_arrivals_before_its_departures);
    RUN(more_threads_than_count_never_a_false_race);
    RUN(benign_range_is_not_reported);
    UNIT_DONE();
}
