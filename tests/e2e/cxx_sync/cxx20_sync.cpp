// cxx20_sync: C++20's std::latch, std::barrier, std::counting_semaphore,
// std::binary_semaphore and std::atomic<T>::wait/notify hand plain data
// from one thread to another (they are built on atomics and futex waits in
// the headers). Silent.
#include "schedule.h"

#include <barrier>
#include <latch>
#include <semaphore>

static int by_latch, by_barrier[2], by_counting, by_binary, by_wait;
static std::latch latch(1);
static std::barrier<> barrier(2);
static std::counting_semaphore<8> counting(0);
static std::binary_semaphore binary(0);
static std::atomic<int> word;

static void producer()
{
    by_latch = 1;
    latch.count_down();
    for (int round = 0; round < 2; round++) {
        by_barrier[round] = 2;
        barrier.arrive_and_wait();
    }
    by_counting = 3;
    counting.release();
    by_binary = 4;
    binary.release();
    by_wait = 5;
    word.store(1, std::memory_order_release);
    word.notify_one();
}

static int consumer()
{
    int s;
    latch.wait();
    s = by_latch;
    for (int round = 0; round < 2; round++) {
        barrier.arrive_and_wait();
        s += by_barrier[round];
    }
    counting.acquire();
    s += by_counting;
    binary.acquire();
    s += by_binary;
    word.wait(0, std::memory_order_acquire);
    s += by_wait;
    return s;
}

int main()
{
    int s = hand_over(producer, consumer);
    printf("%d\n", s);
    return s == 17 ? 0 : 1;
}
