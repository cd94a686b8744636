/*
 * rt_buf: a growable text buffer for building record lines, with the JSON
 * string escaping the record format needs. Memory from rt_alloc. Owned by
 * whoever builds the line; not shared between threads.
 */
#ifndef RT_BUF_H
#define RT_BUF_H

#include <stddef.h>
#include <stdint.h>

struct rt_buf {
    char *p;
    size_t len, cap;
};

void rt_buf_putc(struct rt_buf *b, char c);
void rt_buf_puts(struct rt_buf *b, const char *s);
void rt_buf_printf(struct rt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A JSON string literal, quoted and escaped. */
void rt_buf_json_str(struct rt_buf *b, const char *s);
void rt_buf_free(struct rt_buf *b);

#endif
