// static_local_wait: a thread that reaches a function-local static while
// another thread initialises it waits in __cxa_guard_acquire (a futex in
// the C++ runtime), then uses it. Silent: __cxa_guard_release -> the
// return of __cxa_guard_acquire.
#include "schedule.h"

static std::atomic<int> constructing, waiter_tid;

struct Table {
    int rows[16];
    Table()
    {
        for (int &r : rows)
            r = 7;
        constructing.store(1, std::memory_order_relaxed);
        await_asleep_in_futex(waiter_tid); // the other thread waits for us
    }
};

static Table &table()
{
    static Table t;
    return t;
}

static int seen;

static void initialiser()
{
    table();
}

static void waiter()
{
    await_relaxed(constructing);
    publish_tid(waiter_tid);
    seen = table().rows[3];
}

int main()
{
    run_both(initialiser, waiter);
    printf("%d\n", seen);
    return seen == 7 ? 0 : 1;
}
