/* out_of_memory: race detection gives up, never the program (see
 * rt_race_out_of_memory in race_check.h). */
#include "race_check.h"
#include "core/core.h"

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

void rt_race_out_of_memory(const char *what)
{
    static atomic_bool said;
    static const char pre[] = "racedet: race detection is off for the rest of this run: ";
    static const char post[] = " (out of memory or address space; the lock analysis goes on)\n";
    ssize_t r;
    /* every entry point of the race engine returns at once from now on */
    __atomic_store_n(&rt_hb_enabled, false, __ATOMIC_RELEASE);
    if (atomic_exchange(&said, true))
        return;
    r = write(2, pre, sizeof pre - 1);
    r = write(2, what, strlen(what));
    r = write(2, post, sizeof post - 1);
    (void)r;
}
