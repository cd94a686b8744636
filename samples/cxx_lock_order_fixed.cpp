/* cxx_lock_order_fixed: the twin of cxx_lock_order.cpp, both mutexes taken at once.
 *
 * post_transfer() and rotate_log() still name the two mutexes in opposite
 * orders, but each takes them with one std::scoped_lock, which locks the
 * first and only tries the second, backing off and starting again when it
 * is busy (std::lock's deadlock avoidance). No thread ever waits for one
 * mutex while holding the other, so no order can deadlock, and racedet
 * (whose lock-order graph knows a trylock cannot block) reports nothing.
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
    std::scoped_lock both(accounts_mutex, log_mutex); /* FIX: both at once */
    balance -= 10;
    log_lines++;
}

/* Start a new log whose first line is the current balance. */
static void rotate_log(int *first_line)
{
    std::scoped_lock both(log_mutex, accounts_mutex); /* FIX: any order is safe */
    *first_line = balance;
    log_lines = 1;
}

int main()
{
    int first_line = 0;

    std::thread transfer(post_transfer);
    transfer.join();
    std::thread rotate(rotate_log, &first_line);
    rotate.join();
    std::printf("log rotated, first line: balance %d\n", first_line);
    return 0;
}
