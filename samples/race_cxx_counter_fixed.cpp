/* race_cxx_counter_fixed: the twin of race_cxx_counter.cpp, an atomic counter.
 *
 * `processed` is a std::atomic<long>: each ++ is one indivisible
 * read-modify-write, so no increment is lost and the total is always
 * 200000. Atomic accesses never race with each other, and racedet (which
 * sees them through the compiler's instrumentation) reports nothing.
 */
#include <atomic>
#include <cstdio>
#include <thread>

static const int rounds = 100000;
static std::atomic<long> processed;

/* Count this thread's share of the items. */
static void count_items()
{
    for (int i = 0; i < rounds; i++) processed++; /* FIX: an atomic increment */
}

int main()
{
    std::thread first(count_items);
    std::thread second(count_items);
    first.join();
    second.join();
    std::printf("processed %ld items (expected %d)\n", processed.load(), 2 * rounds);
    return 0;
}
