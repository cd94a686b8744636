/* real: see real.h. */
#include "real.h"

#include <dlfcn.h>
#include <stddef.h>

#define REAL_FN(ret, name, params, version) ret(*real_##name) params;
#define REAL_OPTIONAL_FN REAL_FN
#include "real_functions.def"
#undef REAL_OPTIONAL_FN
#undef REAL_FN

static void *resolve(const char *name, const char *version)
{
    void *p = version ? dlvsym(RTLD_NEXT, name, version) : NULL;
    return p ? p : dlsym(RTLD_NEXT, name);
}

const char *real_resolve_all(void)
{
    const char *missing = NULL;
#define REAL_FN(ret, name, params, version)                                         \
    if (!real_##name) {                                                             \
        void *p = resolve(#name, version);                                          \
        if (p)                                                                      \
            *(void **)&real_##name = p;                                             \
        else if (!missing)                                                          \
            missing = #name;                                                        \
    }
#define REAL_OPTIONAL_FN(ret, name, params, version)                                \
    if (!real_##name)                                                               \
        *(void **)&real_##name = resolve(#name, version);
#include "real_functions.def"
#undef REAL_OPTIONAL_FN
#undef REAL_FN
    return missing;
}
