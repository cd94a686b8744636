/*
 * intercept_thread_name: names the program gives its threads, which the
 * reports show ("T3 (mc-worker)"): pthread_setname_np, for the calling
 * thread or another, and prctl(PR_SET_NAME), for the calling thread. A
 * name that failed to be set (ERANGE: longer than 15 bytes) is not taken.
 * The program's errno is its own call's.
 */
#include "preload.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>

RD_EXPORT int pthread_setname_np(pthread_t th, const char *name)
{
    int rc = REAL(pthread_setname_np)(th, name);
    int saved = errno;
    struct rt_thread *t;
    if (rc == 0 && (t = preload_enter()) != NULL) {
        struct rt_thread *named = pthread_equal(th, pthread_self()) ? t : rt_thread_by_handle(th);
        if (named)
            rt_thread_set_name(named, name);
        rt_leave(t);
    }
    errno = saved;
    return rc;
}

/* prctl is variadic; like glibc's own, read four more words and pass them
 * on: the kernel takes five arguments, whatever the option uses. */
RD_EXPORT int prctl(int option, ...)
{
    va_list ap;
    unsigned long a2, a3, a4, a5;
    int rc, saved;
    struct rt_thread *t;
    va_start(ap, option);
    a2 = va_arg(ap, unsigned long);
    a3 = va_arg(ap, unsigned long);
    a4 = va_arg(ap, unsigned long);
    a5 = va_arg(ap, unsigned long);
    va_end(ap);
    rc = REAL(prctl)(option, a2, a3, a4, a5);
    saved = errno;
    if (rc == 0 && option == PR_SET_NAME && (t = preload_enter()) != NULL) {
        char name[16]; /* the kernel keeps 15 bytes */
        size_t n = strnlen((const char *)a2, sizeof name - 1);
        memcpy(name, (const char *)a2, n);
        name[n] = '\0';
        rt_thread_set_name(t, name);
        rt_leave(t);
    }
    errno = saved;
    return rc;
}
