// call_once: std::call_once's function happens before every return from
// call_once on the same flag (libstdc++ builds it on pthread_once). Silent.
#include "schedule.h"

#include <mutex>

static std::once_flag once;
static int value;
static std::atomic<int> done;
static int seen;

static void set_up()
{
    value = 7;
}

static void first()
{
    std::call_once(once, set_up);
    done.store(1, std::memory_order_relaxed);
}

static void second()
{
    await_relaxed(done);
    std::call_once(once, set_up);
    seen = value;
}

int main()
{
    run_both(first, second);
    printf("%d\n", seen);
    return seen == 7 ? 0 : 1;
}
