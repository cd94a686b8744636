/*
 * intercept_memory: memcpy, memmove, memset and the common str* and mem*
 * functions, checked as the range accesses they make while race detection
 * is on (their code is not instrumented, and the compilers turn struct
 * copies into memcpy calls). Calls from the runtime itself, and calls made
 * before the real functions are known (while dlsym runs), pass through; the
 * latter use the byte loops below, written so that no compiler turns them
 * back into calls of the function being defined.
 */
#include "races/races.h"
#include "core/core.h"
#include "preload.h"

#include <dlfcn.h>
#include <string.h>

static void *(*real_memcpy)(void *, const void *, size_t);
static void *(*real_memmove)(void *, const void *, size_t);
static void *(*real_memset)(void *, int, size_t);
static size_t (*real_strlen)(const char *);
static size_t (*real_strnlen)(const char *, size_t);
static char *(*real_strcpy)(char *, const char *);
static char *(*real_strncpy)(char *, const char *, size_t);
static int (*real_strcmp)(const char *, const char *);
static int (*real_strncmp)(const char *, const char *, size_t);
static char *(*real_strchr)(const char *, int);
static char *(*real_strcat)(char *, const char *);
static int (*real_memcmp)(const void *, const void *, size_t);
static void *(*real_memchr)(const void *, int, size_t);

static __thread int resolving __attribute__((tls_model("initial-exec")));

static void resolve(void)
{
    if (resolving)
        return;
    resolving = 1;
#define RESOLVE(name) *(void **)&real_##name = dlsym(RTLD_NEXT, #name)
    RESOLVE(memmove);
    RESOLVE(memset);
    RESOLVE(strlen);
    RESOLVE(strnlen);
    RESOLVE(strcpy);
    RESOLVE(strncpy);
    RESOLVE(strcmp);
    RESOLVE(strncmp);
    RESOLVE(strchr);
    RESOLVE(strcat);
    RESOLVE(memcmp);
    RESOLVE(memchr);
    RESOLVE(memcpy); /* last: its being set means all are */
#undef RESOLVE
    resolving = 0;
}

#define READY() (__builtin_expect(real_memcpy != NULL, 1) || (resolve(), real_memcpy != NULL))

/* ---- fallbacks while resolving ------------------------------------------------------ */

static void *slow_copy(void *d, const void *s, size_t n)
{
    volatile unsigned char *dd = d;
    const volatile unsigned char *ss = s;
    if (dd < ss) {
        for (size_t i = 0; i < n; i++)
            dd[i] = ss[i];
    } else {
        for (size_t i = n; i-- > 0;)
            dd[i] = ss[i];
    }
    return d;
}

static void *slow_set(void *d, int c, size_t n)
{
    volatile unsigned char *dd = d;
    for (size_t i = 0; i < n; i++)
        dd[i] = (unsigned char)c;
    return d;
}

static size_t slow_strnlen(const char *s, size_t max)
{
    const volatile char *p = s;
    size_t n = 0;
    while (n < max && p[n])
        n++;
    return n;
}

static int slow_cmp(const void *a, const void *b, size_t n, int strings)
{
    const volatile unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
        if (strings && x[i] == 0)
            return 0;
    }
    return 0;
}

/* ---- the check -------------------------------------------------------------------------- */

static inline struct rt_hb_thread *checking(uintptr_t pc)
{
    struct rt_thread *t;
    struct rt_hb_thread *h;
    if (!__atomic_load_n(&rt_hb_enabled, __ATOMIC_RELAXED))
        return NULL;
    t = rt_self;
    h = rt_hb_self;
    if (!t || !h || t->in_runtime || h->busy || rt_module_is_runtime(pc))
        return NULL;
    return h;
}

static inline void reads(struct rt_hb_thread *h, const void *p, size_t n, uintptr_t pc)
{
    if (n && !h->ignore_reads)
        rt_race_range(h, (uintptr_t)p, n, 0, pc);
}

static inline void writes(struct rt_hb_thread *h, const void *p, size_t n, uintptr_t pc)
{
    if (n && !h->ignore_writes)
        rt_race_range(h, (uintptr_t)p, n, RT_ACCESS_WRITE, pc);
}

void preload_check_range(const void *p, size_t n, bool write, uintptr_t pc)
{
    struct rt_hb_thread *h = checking(pc);
    if (!h)
        return;
    if (write)
        writes(h, p, n, pc);
    else
        reads(h, p, n, pc);
}

static size_t len_of(const char *s)
{
    return real_strlen ? real_strlen(s) : slow_strnlen(s, (size_t)-1);
}

/* ---- the interceptors ------------------------------------------------------------------ */

RD_EXPORT void *memcpy(void *d, const void *s, size_t n)
{
    struct rt_hb_thread *h;
    if (!READY())
        return slow_copy(d, s, n);
    if ((h = checking(CALLER_PC())) != NULL) {
        reads(h, s, n, CALLER_PC());
        writes(h, d, n, CALLER_PC());
    }
    return real_memcpy(d, s, n);
}

RD_EXPORT void *memmove(void *d, const void *s, size_t n)
{
    struct rt_hb_thread *h;
    if (!READY())
        return slow_copy(d, s, n);
    if ((h = checking(CALLER_PC())) != NULL) {
        reads(h, s, n, CALLER_PC());
        writes(h, d, n, CALLER_PC());
    }
    return real_memmove(d, s, n);
}

RD_EXPORT void *memset(void *d, int c, size_t n)
{
    struct rt_hb_thread *h;
    if (!READY())
        return slow_set(d, c, n);
    if ((h = checking(CALLER_PC())) != NULL)
        writes(h, d, n, CALLER_PC());
    return real_memset(d, c, n);
}

RD_EXPORT size_t strlen(const char *s)
{
    struct rt_hb_thread *h;
    size_t n;
    if (!READY())
        return slow_strnlen(s, (size_t)-1);
    n = real_strlen(s);
    if ((h = checking(CALLER_PC())) != NULL)
        reads(h, s, n + 1, CALLER_PC());
    return n;
}

RD_EXPORT char *strcpy(char *d, const char *s)
{
    struct rt_hb_thread *h;
    size_t n = len_of(s) + 1;
    if (!READY())
        return slow_copy(d, s, n);
    if ((h = checking(CALLER_PC())) != NULL) {
        reads(h, s, n, CALLER_PC());
        writes(h, d, n, CALLER_PC());
    }
    return real_strcpy(d, s);
}

RD_EXPORT char *strncpy(char *d, const char *s, size_t n)
{
    struct rt_hb_thread *h;
    if (!READY()) {
        size_t k = slow_strnlen(s, n);
        slow_copy(d, s, k);
        slow_set(d + k, 0, n - k);
        return d;
    }
    if ((h = checking(CALLER_PC())) != NULL) {
        size_t k = real_strnlen(s, n);
        reads(h, s, k < n ? k + 1 : n, CALLER_PC());
        writes(h, d, n, CALLER_PC());
    }
    return real_strncpy(d, s, n);
}

/* How many bytes a string comparison looks at: up to the first difference
 * or the end of the strings, at most n. */
static size_t compared(const char *a, const char *b, size_t n)
{
    size_t i = 0;
    while (i < n && a[i] == b[i] && a[i] != 0)
        i++;
    return i < n ? i + 1 : n;
}

RD_EXPORT int strcmp(const char *a, const char *b)
{
    struct rt_hb_thread *h;
    if (!READY())
        return slow_cmp(a, b, (size_t)-1, 1);
    if ((h = checking(CALLER_PC())) != NULL) {
        size_t k = compared(a, b, (size_t)-1);
        reads(h, a, k, CALLER_PC());
        reads(h, b, k, CALLER_PC());
    }
    return real_strcmp(a, b);
}

RD_EXPORT int strncmp(const char *a, const char *b, size_t n)
{
    struct rt_hb_thread *h;
    if (!READY())
        return slow_cmp(a, b, n, 1);
    if ((h = checking(CALLER_PC())) != NULL) {
        size_t k = compared(a, b, n);
        reads(h, a, k, CALLER_PC());
        reads(h, b, k, CALLER_PC());
    }
    return real_strncmp(a, b, n);
}

RD_EXPORT char *strchr(const char *s, int c)
{
    struct rt_hb_thread *h;
    char *r;
    if (!READY()) {
        for (const volatile char *p = s;; p++) {
            if (*p == (char)c)
                return (char *)p;
            if (!*p)
                return NULL;
        }
    }
    r = real_strchr(s, c);
    if ((h = checking(CALLER_PC())) != NULL)
        reads(h, s, r ? (size_t)(r - s) + 1 : real_strlen(s) + 1, CALLER_PC());
    return r;
}

RD_EXPORT char *strcat(char *d, const char *s)
{
    struct rt_hb_thread *h;
    size_t dl = len_of(d), sl = len_of(s);
    if (!READY()) {
        slow_copy(d + dl, s, sl + 1);
        return d;
    }
    if ((h = checking(CALLER_PC())) != NULL) {
        reads(h, d, dl + 1, CALLER_PC());
        reads(h, s, sl + 1, CALLER_PC());
        writes(h, d + dl, sl + 1, CALLER_PC());
    }
    return real_strcat(d, s);
}

RD_EXPORT int memcmp(const void *a, const void *b, size_t n)
{
    struct rt_hb_thread *h;
    if (!READY())
        return slow_cmp(a, b, n, 0);
    if ((h = checking(CALLER_PC())) != NULL) {
        reads(h, a, n, CALLER_PC());
        reads(h, b, n, CALLER_PC());
    }
    return real_memcmp(a, b, n);
}

RD_EXPORT void *memchr(const void *s, int c, size_t n)
{
    struct rt_hb_thread *h;
    void *r;
    if (!READY()) {
        const volatile unsigned char *p = s;
        for (size_t i = 0; i < n; i++)
            if (p[i] == (unsigned char)c)
                return (void *)(p + i);
        return NULL;
    }
    r = real_memchr(s, c, n);
    if ((h = checking(CALLER_PC())) != NULL)
        reads(h, s, r ? (size_t)((const char *)r - (const char *)s) + 1 : n, CALLER_PC());
    return r;
}
