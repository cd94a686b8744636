// schedule.h: forcing an interleaving in the cxx_sync programs without
// making a happens-before edge of its own: relaxed atomics (which order
// nothing), and a look at /proc to know that a thread sleeps in a futex
// wait (inside the C++ runtime, where no hook of ours can tell).
#ifndef CXX_SYNC_SCHEDULE_H
#define CXX_SYNC_SCHEDULE_H

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

// Spin until `flag` holds a non-zero value; returns it.
static inline int await_relaxed(const std::atomic<int> &flag)
{
    int v;
    while ((v = flag.load(std::memory_order_relaxed)) == 0)
        std::this_thread::yield();
    return v;
}

static inline void publish_tid(std::atomic<int> &tid)
{
    tid.store((int)syscall(SYS_gettid), std::memory_order_relaxed);
}

// Wait until the thread whose id `tid` will hold sleeps in a futex wait.
static inline void await_asleep_in_futex(const std::atomic<int> &tid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", await_relaxed(tid));
    for (;;) {
        FILE *f = fopen(path, "r");
        long nr = -1;
        if (!f) {
            perror(path);
            exit(1);
        }
        if (fscanf(f, "%ld", &nr) != 1)
            nr = -1;
        fclose(f);
        if (nr == SYS_futex)
            return;
        usleep(1000);
    }
}

// Run first() and second() in two threads at once; join both.
static inline void run_both(void (*first)(), void (*second)())
{
    std::thread a(first), b(second);
    a.join();
    b.join();
}

// Run producer() and consumer() in two threads at once: consumer()'s
// result, after both ended.
static inline int hand_over(void (*producer)(), int (*consumer)())
{
    int s = 0;
    std::thread c([&] { s = consumer(); });
    std::thread p(producer);
    p.join();
    c.join();
    return s;
}

#endif
