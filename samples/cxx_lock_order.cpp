/* cxx_lock_order: two code paths lock the same two std::mutex in opposite orders.
 *
 * post_transfer() holds accounts_mutex (through a std::lock_guard) while it
 * locks log_mutex; rotate_log() holds log_mutex while it locks
 * accounts_mutex. Here the two run one after the other (the first thread is
 * joined before the second starts), so this run cannot hang. But the day
 * they run at the same time, each can get its first mutex and wait forever
 * for the other's: an ABBA deadlock. The RAII guards make each function look
 * correct on its own; the bug is only in the pair. racedet remembers which
 * mutex was held while which was taken, and reports the cycle accounts ->
 * log -> accounts from this single harmless run.
 * The fixed twin takes both mutexes at once with std::scoped_lock, which
 * never waits for one while holding the other.
 */
#include <cstdio>
#include <mutex>
#include <thread>

static std::mutex accounts_mutex;
static std::mutex log_mutex;
static int balance = 100;
static int log_lines;

/* Debit the account, then record the transfer in the log. */
static void post_transfer()
{
    std::lock_guard<std::mutex> accounts(accounts_mutex);
    std::lock_guard<std::mutex> log(log_mutex);
    balance -= 10;
    log_lines++;
}

/* Start a new log whose first line is the current balance. */
static void rotate_log(int *first_line)
{
    std::lock_guard<std::mutex> log(log_mutex);
    std::lock_guard<std::mutex> accounts(accounts_mutex); /* BUG: log before accounts */
    *first_line = balance;
    log_lines = 1;
}

int main()
{
    int first_line = 0;

    /* Phase 1, then phase 2: never at the same time, so no hang today. */
    std::thread transfer(post_transfer);
    transfer.join();
    std::thread rotate(rotate_log, &first_line);
    rotate.join();
    std::printf("log rotated, first line: balance %d\n", first_line);
    return 0;
}
