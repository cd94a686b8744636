// unsynchronised: the suite's control. A plain int written by one thread
// and read by another, ordered only by a relaxed flag: a data race, which
// must be reported whichever compiler built the program.
#include "schedule.h"

static int result;
static std::atomic<int> published;
static int seen;

static void writer()
{
    result = 42;
    published.store(1, std::memory_order_relaxed);
}

static void reader()
{
    await_relaxed(published);
    seen = result;
}

int main()
{
    run_both(writer, reader);
    printf("%d\n", seen);
    return 0;
}
