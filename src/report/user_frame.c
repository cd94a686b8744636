/* user_frame: see user_frame.h. */
#include "user_frame.h"

#include <string.h>

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool rd_frame_is_system(const struct rd_frame *f)
{
    static const char *const system_dirs[] = {"/lib/", "/lib64/", "/lib32/", "/usr/lib/",
                                              "/usr/lib64/", "/usr/lib32/", "/usr/libexec/"};
    size_t i;
    if (!f->file || !*f->file || f->line <= 0)
        return true;
    if (f->module) {
        const char *base = rd_basename(f->module);
        for (i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
            if (has_prefix(f->module, system_dirs[i]))
                return true;
        if (has_prefix(base, "libracedet") || has_prefix(base, "ld-linux"))
            return true;
    }
    /* inline code from system headers, e.g. a static inline in <stdio.h> */
    return has_prefix(f->file, "/usr/include/") || has_prefix(f->file, "/usr/lib/");
}

const char *rd_path_below(const char *file, const char *dir)
{
    size_t n;
    if (!file)
        return NULL;
    if (file[0] != '/')
        return file;
    if (!dir || !*dir)
        return NULL;
    n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 1 && dir[0] == '/')
        return file[1] ? file + 1 : NULL;
    if (strncmp(file, dir, n) == 0 && file[n] == '/' && file[n + 1])
        return file + n + 1;
    return NULL;
}

const struct rd_frame *rd_user_frame(const struct rd_frame *v, size_t n, const char *cwd)
{
    const struct rd_frame *any = NULL;
    size_t i;
    for (i = 0; i < n; i++) {
        if (rd_frame_is_system(&v[i]))
            continue;
        if (rd_path_below(v[i].file, cwd))
            return &v[i];
        if (!any)
            any = &v[i];
    }
    return any;
}
