/*
 * intercept_exit: exit() tells the runtime the status the process ends
 * with, so that the record (and the report of each process of a command)
 * carries it. Returning from main calls exit inside libc, which no
 * interposition sees: that status is known to `racedet run` by waitpid.
 */
#include "preload.h"

#include <stdlib.h>

RD_EXPORT void exit(int status)
{
    preload_note_exit_status(status);
    REAL(exit)(status);
    __builtin_unreachable();
}
