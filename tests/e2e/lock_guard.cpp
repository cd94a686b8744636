// lock_guard: an ABBA taken with std::lock_guard from std::threads. Every
// acquisition goes through std::mutex::lock (the same return address into
// libstdc++ code at the same depth): only the outer frames tell the four
// acquisitions apart, and each stack of the report must name its own line
// (tests/e2e/stack_lines.sh). The threads run one after the other.
#include <mutex>
#include <thread>

static std::mutex accounts, audit;
static int balance, entries;

static void transfer()
{
    std::lock_guard<std::mutex> a(accounts);
    std::lock_guard<std::mutex> b(audit);
    balance++;
    entries++;
}

static void rotate()
{
    std::lock_guard<std::mutex> b(audit);
    std::lock_guard<std::mutex> a(accounts);
    entries = 0;
    balance--;
}

int main()
{
    std::thread(transfer).join();
    std::thread(rotate).join();
    return balance;
}
