/* GNU strerror_r writes "Unknown error N" into the caller's buffer for an
 * error it does not know, and leaves the buffer alone for one it knows
 * (it returns libc's own string): only the first races with another
 * thread reading the buffer unordered (compiler-rt's strerror_r). POSIX's
 * strerror_r (without _GNU_SOURCE) always writes the buffer. */
#define _GNU_SOURCE
#include "../annotations/asm_flag.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

static char known[64], unknown[64];
static int done;

static void *describe(void *arg)
{
    strerror_r(ERANGE, known, sizeof known);
    strerror_r(-1, unknown, sizeof unknown);
    flag_raise(&done);
    return arg;
}

int main(void)
{
    pthread_t t;
    int r;
    pthread_create(&t, NULL, describe, NULL);
    flag_wait(&done);
    r = known[0];
    r += unknown[0];
    pthread_join(t, NULL);
    return r == 0;
}
