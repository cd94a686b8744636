/*
 * intercept_dl: dl_iterate_phdr. The loader allocates an object's name
 * (strdup) in dlopen and frees it in dlclose, and a thread iterating the
 * objects reads it, all under the loader's own lock, which racedet does
 * not see (glibc's internal dlopen calls, NSS or iconv, are not even
 * interposable): the program's callback would race with another thread's
 * dlopen or dlclose (compiler-rt's dl_iterate_phdr). As ThreadSanitizer
 * does, the name's history is forgotten before the callback (the
 * allocation's write) and after it (the callback's reads, which the next
 * dlclose's free would race with; the callback may also have pointed the
 * name elsewhere). Race mode only; the runtime's own calls pass through.
 */
#include "preload.h"
#include "races/races.h"

#include <string.h>

struct iteration {
    int (*cb)(struct dl_phdr_info *, size_t, void *);
    void *data;
    struct rt_hb_thread *h;
};

static void forget_name(struct rt_hb_thread *h, const struct dl_phdr_info *info)
{
    if (!info || !info->dlpi_name)
        return;
    h->busy++;
    rt_shadow_reset((uintptr_t)info->dlpi_name, strlen(info->dlpi_name) + 1);
    h->busy--;
}

static int each_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct iteration *it = arg;
    int r;
    forget_name(it->h, info);
    r = it->cb(info, size, it->data);
    forget_name(it->h, info);
    return r;
}

RD_EXPORT int dl_iterate_phdr(int (*cb)(struct dl_phdr_info *, size_t, void *), void *data)
{
    struct rt_thread *t = rt_self;
    struct iteration it = {cb, data, NULL};
    if (!__atomic_load_n(&rt_hb_enabled, __ATOMIC_RELAXED) || !t || t->in_runtime ||
        rt_module_is_runtime(CALLER_PC()) || !(it.h = rt_hb_self ? rt_hb_self : rt_hb_current()))
        return REAL(dl_iterate_phdr)(cb, data);
    return REAL(dl_iterate_phdr)(each_object, &it);
}
