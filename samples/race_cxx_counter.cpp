/* race_cxx_counter: two std::threads count into one plain long.
 *
 * `processed++` is a load, an add and a store. When the two threads do it at
 * the same time, both can load the same old value and one increment is lost,
 * so the total comes out below 200000 (or, once the optimizer turns the loop
 * into one big addition, a whole thread's work goes missing). It is also a
 * data race, undefined behaviour in C++. Built with racedet-c++, the program
 * shows racedet every access: the two threads' accesses to `processed` are
 * ordered by no synchronisation, whatever the timing of this run, and
 * racedet reports both stacks and names the global.
 * The fixed twin makes the counter a std::atomic<long>.
 */
#include <cstdio>
#include <thread>

static const int rounds = 100000;
static long processed;

/* Count this thread's share of the items. */
static void count_items()
{
    for (int i = 0; i < rounds; i++) processed++; /* BUG: unprotected */
}

int main()
{
    std::thread first(count_items);
    std::thread second(count_items);
    first.join();
    second.join();
    std::printf("processed %ld items (expected %d)\n", processed, 2 * rounds);
    return 0;
}
