/*
 * rt_alloc: the runtime's own memory, straight from mmap.
 *
 * The runtime runs inside malloc interceptors, before libc is ready (early
 * constructors, dlsym's calloc) and must never recurse into the program's
 * allocator, so every byte it keeps comes from here. Size classes of powers
 * of two up to 64 KiB are kept on free lists; larger blocks are mmapped
 * whole. Memory is returned zeroed. Callers pass the size back on free (as
 * uthash does), so no header is stored. Any thread; takes only an internal
 * spinlock per size class, never a program-visible lock.
 */
#ifndef RT_ALLOC_H
#define RT_ALLOC_H

#include <stddef.h>

void *rt_alloc(size_t size);
void rt_free(void *p, size_t size);
void *rt_realloc(void *p, size_t old_size, size_t new_size);
/* An array p of *cap elements of elem bytes, grown (doubling, from 8) to
 * hold `need`; *cap updated. The runtime's one growth rule for arrays. */
void *rt_grow(void *p, size_t *cap, size_t need, size_t elem);
char *rt_strdup(const char *s);
void rt_free_str(char *s);

/* Bytes the runtime holds from this allocator now (rounded up to the
 * size class or the page): what tests watch to see that memory stays flat. */
size_t rt_alloc_bytes_in_use(void);

/* Fork support: take every allocator lock (before fork) / release them. */
void rt_alloc_lock_all(void);
void rt_alloc_unlock_all(void);

/* Print a one-line message on stderr and abort: for the runtime's own
 * invariants only (out of memory from mmap). */
_Noreturn void rt_fatal(const char *msg);

#endif
