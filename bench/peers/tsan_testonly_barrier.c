/*
 * The barrier of compiler-rt/test/tsan/test.h, for bench/peers/llvm_tsan.sh.
 * libtsan defines __tsan_testonly_barrier_init / _wait for its own tests: a
 * barrier that orders the threads' steps without creating happens-before, so
 * a test can make two racy accesses happen in a known order and still expect
 * the race. racedet's runtime does not export this test-only interface; the
 * harness links this file, built without -fsanitize=thread, into each test.
 * Its plain atomics are not instrumented, so racedet sees no synchronisation.
 *
 * *b holds the count in its low 8 bits and the arrivals so far above them:
 * the thread arriving as number n (from 0) waits until the arrivals reach the
 * end of its round, (n / count + 1) * count.
 */
#include <sched.h>

void __tsan_testonly_barrier_init(unsigned *b, unsigned count);
void __tsan_testonly_barrier_wait(unsigned *b);

void __tsan_testonly_barrier_init(unsigned *b, unsigned count)
{
    __atomic_store_n(b, count & 0xff, __ATOMIC_RELAXED);
}

void __tsan_testonly_barrier_wait(unsigned *b)
{
    unsigned old = __atomic_fetch_add(b, 1u << 8, __ATOMIC_RELAXED);
    unsigned count = old & 0xff, end = ((old >> 8) / count + 1) * count;
    while ((__atomic_load_n(b, __ATOMIC_RELAXED) >> 8) < end)
        sched_yield();
}
