/*
 * mem: allocation helpers for the analyzer (src/report, src/cli).
 *
 * The analyzer is an ordinary single-threaded command-line program: running
 * out of memory while building a report is not something it can recover
 * from, so these helpers print one line and exit(2) instead of returning
 * NULL. Never used by the runtime inside the watched program.
 */
#ifndef RD_REPORT_MEM_H
#define RD_REPORT_MEM_H

#include <stddef.h>

void *rd_xmalloc(size_t n);
void *rd_xcalloc(size_t n, size_t size);
void *rd_xrealloc(void *p, size_t n);
/* strdup; NULL stays NULL. */
char *rd_xstrdup(const char *s);
/* printf into a fresh string. */
char *rd_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Append one (uninitialised) element to a growable array v of n used and
 * cap allocated slots; evaluates to a pointer to the new element. */
#define RD_PUSH(v, n, cap)                                                     \
    ((n) == (cap) ? (void)((cap) = (cap) ? 2 * (cap) : 8,                      \
                           (v) = rd_xrealloc((v), (cap) * sizeof *(v)))         \
                  : (void)0,                                                   \
     &(v)[(n)++])

#endif
