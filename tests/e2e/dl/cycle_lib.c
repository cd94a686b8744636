/* cycle_lib: a shared library that makes a lock-order cycle. Built by
 * tests/e2e/modules.sh, loaded with dlopen by tests/e2e/dlopen_relative.c. */
#include "../lock_cycle.h"

void lib_make_cycle(void)
{
    make_lock_cycle();
}
