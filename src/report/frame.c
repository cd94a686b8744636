/* frame: see frame.h. */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void rd_frame_copy(struct rd_frame *dst, const struct rd_frame *src)
{
    *dst = *src;
    dst->module = rd_xstrdup(src->module);
    dst->function = rd_xstrdup(src->function);
    dst->file = rd_xstrdup(src->file);
}

void rd_frame_clear(struct rd_frame *f)
{
    free(f->module);
    free(f->function);
    free(f->file);
    memset(f, 0, sizeof *f);
}

void rd_frames_free(struct rd_frame *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        rd_frame_clear(&v[i]);
    free(v);
}

struct rd_frame *rd_frames_dup(const struct rd_frame *v, size_t n)
{
    struct rd_frame *d;
    size_t i;
    if (n == 0)
        return NULL;
    d = rd_xcalloc(n, sizeof *d);
    for (i = 0; i < n; i++)
        rd_frame_copy(&d[i], &v[i]);
    return d;
}

const char *rd_basename(const char *path)
{
    const char *slash;
    if (!path)
        return NULL;
    slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}
