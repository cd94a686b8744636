// futures: std::promise/std::future, std::async and std::packaged_task
// hand results (and the plain data written before them) to the thread
// that gets them. Silent.
#include "schedule.h"

#include <future>

static int before_promise, before_async, before_task;

static void keep(std::promise<int> p)
{
    before_promise = 1;
    p.set_value(10);
}

static int compute()
{
    before_async = 2;
    return 20;
}

static int task_body()
{
    before_task = 3;
    return 30;
}

int main()
{
    std::promise<int> p;
    std::future<int> f = p.get_future();
    std::thread t(keep, std::move(p));
    int s = f.get() + before_promise;
    t.join();

    std::future<int> a = std::async(std::launch::async, compute);
    s += a.get() + before_async;

    std::packaged_task<int()> task(task_body);
    std::future<int> tf = task.get_future();
    std::thread tt(std::move(task));
    s += tf.get() + before_task;
    tt.join();
    printf("%d\n", s);
    return s == 66 ? 0 : 1;
}
