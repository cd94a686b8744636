/* real: see real.h. */
#include "real.h"

#include <dlfcn.h>
#include <stddef.h>

#define REAL_FN(ret, name, params, version) ret(*real_##name) params;
#include "real_functions.def"
#undef REAL_FN

const char *real_resolve_all(void)
{
    const char *missing = NULL;
#define REAL_FN(ret, name, params, version)                                         \
    if (!real_##name) {                                                             \
        void *p = (version) ? dlvsym(RTLD_NEXT, #name, (version) ? (version) : "")  \
                            : NULL;                                                 \
        if (!p)                                                                     \
            p = dlsym(RTLD_NEXT, #name);                                            \
        if (p)                                                                      \
            *(void **)&real_##name = p;                                             \
        else if (!missing)                                                          \
            missing = #name;                                                        \
    }
#include "real_functions.def"
#undef REAL_FN
    return missing;
}
