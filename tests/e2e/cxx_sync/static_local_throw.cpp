// static_local_throw: the first initialisation of a function-local static
// throws (__cxa_guard_abort); another thread later initialises it again
// and reads what the failed attempt wrote. Silent: the abort happens
// before the next __cxa_guard_acquire returns.
#include "schedule.h"

#include <stdexcept>

static int attempts;

struct Connection {
    int attempt;
    Connection() : attempt(++attempts)
    {
        if (attempt == 1)
            throw std::runtime_error("first attempt fails");
    }
};

static Connection &connection()
{
    static Connection c;
    return c;
}

static std::atomic<int> failed;
static int seen;

static void first()
{
    try {
        connection();
    } catch (const std::exception &) {
        failed.store(1, std::memory_order_relaxed);
    }
}

static void second()
{
    await_relaxed(failed);
    seen = connection().attempt;
}

int main()
{
    run_both(first, second);
    printf("%d\n", seen);
    return seen == 2 ? 0 : 1;
}
