// locks: std::mutex with std::condition_variable, std::shared_mutex with
// readers and a writer, std::recursive_mutex, std::timed_mutex. Silent.
#include "schedule.h"

#include <condition_variable>
#include <mutex>
#include <shared_mutex>

static std::mutex m;
static std::condition_variable cv;
static bool ready;
static int by_cv;

static std::shared_mutex sm;
static int shared_value;

static std::recursive_mutex rm;
static int by_recursive;
static std::timed_mutex tm;
static int by_timed;

static void producer()
{
    by_cv = 1;
    {
        std::lock_guard<std::mutex> g(m);
        ready = true;
    }
    cv.notify_one();
    {
        std::unique_lock<std::shared_mutex> g(sm);
        shared_value = 2;
    }
    {
        std::lock_guard<std::recursive_mutex> g1(rm);
        std::lock_guard<std::recursive_mutex> g2(rm);
        by_recursive = 3;
    }
    {
        std::lock_guard<std::timed_mutex> g(tm);
        by_timed = 4;
    }
}

static int consumer()
{
    int s;
    {
        std::unique_lock<std::mutex> g(m);
        cv.wait(g, [] { return ready; });
    }
    s = by_cv;
    for (;;) {
        std::shared_lock<std::shared_mutex> g(sm);
        if (shared_value) {
            s += shared_value;
            break;
        }
    }
    for (;;) {
        std::lock_guard<std::recursive_mutex> g(rm);
        if (by_recursive) {
            s += by_recursive;
            break;
        }
    }
    for (;;) {
        std::unique_lock<std::timed_mutex> g(tm, std::chrono::seconds(10));
        if (g.owns_lock() && by_timed) {
            s += by_timed;
            break;
        }
    }
    return s;
}

int main()
{
    int s = hand_over(producer, consumer);
    printf("%d\n", s);
    return s == 10 ? 0 : 1;
}
