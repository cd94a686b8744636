// static_local: a function-local static initialised by one thread and
// used by another, which finds it done on the compiler's inline fast path
// (an acquire load of the guard). Silent: the initialisation happens before
// the use (__cxa_guard_release -> the guard's acquire load).
#include "schedule.h"

struct Config {
    int value;
    Config() : value(42) {}
};

static Config &config()
{
    static Config c;
    return c;
}

static std::atomic<int> initialised;
static int seen;

static void first()
{
    config();
    initialised.store(1, std::memory_order_relaxed);
}

static void second()
{
    await_relaxed(initialised);
    seen = config().value;
}

int main()
{
    run_both(first, second);
    printf("%d\n", seen);
    return seen == 42 ? 0 : 1;
}
