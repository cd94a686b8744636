// shared_ptr: the last owner destroys the object, in another thread than
// the one that used it last. Silent: the reference count's decrement
// (acq_rel, in the header, so instrumented) orders every use before the
// destruction. Also a weak_ptr locked in another thread.
#include "schedule.h"

#include <memory>

struct Buffer {
    int data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ~Buffer()
    {
        for (int &d : data)
            d = 0;
    }
};

static std::atomic<int> released;
static int sum;

static void user(std::shared_ptr<Buffer> p)
{
    for (int d : p->data)
        sum += d;
    p->data[0] = 9;
    p.reset();
    released.store(1, std::memory_order_relaxed);
}

int main()
{
    auto p = std::make_shared<Buffer>();
    std::weak_ptr<Buffer> w = p;
    std::thread a(user, p);
    await_relaxed(released);
    int first = w.lock()->data[0];
    p.reset(); // the last owner: ~Buffer runs here
    a.join();
    printf("%d %d\n", sum, first);
    return sum == 36 && first == 9 ? 0 : 1;
}
