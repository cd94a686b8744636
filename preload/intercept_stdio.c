/*
 * intercept_stdio: stdio calls that read a buffer of the program's: the
 * buffer is checked as read by the caller, as memcpy's source is
 * (intercept_memory.c), so a thread printing a string another thread is
 * writing races (compiler-rt's race_on_puts, race_on_fputs). libc's own
 * accesses are not instrumented; only the calls that hand it a plain
 * buffer are taken here, not the formatted ones. strerror_r writes the
 * message into the caller's buffer (a race with another thread using it:
 * compiler-rt's strerror_r) unless, GNU's, it returns a string of its own.
 */
#include "preload.h"
#include "real.h"

#include <stdio.h>
#include <string.h>

RD_EXPORT int puts(const char *s)
{
    preload_check_range(s, strlen(s) + 1, false, CALLER_PC());
    return REAL(puts)(s);
}

RD_EXPORT int fputs(const char *s, FILE *f)
{
    preload_check_range(s, strlen(s) + 1, false, CALLER_PC());
    return REAL(fputs)(s, f);
}

RD_EXPORT size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    if (size && n <= (size_t)-1 / size)
        preload_check_range(p, size * n, false, CALLER_PC());
    return REAL(fwrite)(p, size, n, f);
}

/* GNU's: a known error's message is libc's own string, the buffer untouched */
RD_EXPORT char *strerror_r(int e, char *buf, size_t n)
{
    char *r = REAL(strerror_r)(e, buf, n);
    if (r == buf && n)
        preload_check_range(buf, strnlen(buf, n - 1) + 1, true, CALLER_PC());
    return r;
}

/* POSIX's (what <string.h> gives without _GNU_SOURCE) */
RD_EXPORT int __xpg_strerror_r(int e, char *buf, size_t n)
{
    int r = REAL(__xpg_strerror_r)(e, buf, n);
    if (n)
        preload_check_range(buf, strnlen(buf, n - 1) + 1, true, CALLER_PC());
    return r;
}
