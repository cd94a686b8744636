/* rt_buf: see rt_buf.h. */
#include "rt_buf.h"
#include "rt_alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void reserve(struct rt_buf *b, size_t more)
{
    size_t need = b->len + more + 1, cap = b->cap ? b->cap : 256;
    if (need <= b->cap)
        return;
    while (cap < need)
        cap *= 2;
    b->p = rt_realloc(b->p, b->cap, cap);
    b->cap = cap;
}

void rt_buf_putc(struct rt_buf *b, char c)
{
    reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void rt_buf_puts(struct rt_buf *b, const char *s)
{
    size_t n = strlen(s);
    reserve(b, n);
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

void rt_buf_printf(struct rt_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rt_buf_json_str(struct rt_buf *b, const char *s)
{
    rt_buf_putc(b, '"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            rt_buf_putc(b, '\\');
            rt_buf_putc(b, (char)c);
        } else if (c == '\n') {
            rt_buf_puts(b, "\\n");
        } else if (c == '\t') {
            rt_buf_puts(b, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            rt_buf_printf(b, "\\u%04x", c);
        } else {
            rt_buf_putc(b, (char)c);
        }
    }
    rt_buf_putc(b, '"');
}

void rt_buf_free(struct rt_buf *b)
{
    if (b->p)
        rt_free(b->p, b->cap);
    b->p = NULL;
    b->len = b->cap = 0;
}
