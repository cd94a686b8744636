/* escape: see escape.h. */
#include "escape.h"
#include "mem.h"

#include <stdlib.h>

#include <stdint.h>

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static int utf8_seq(const unsigned char *s)
{
    uint32_t cp;
    int n, i;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

bool rd_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int n;
    if (!s)
        return true;
    while (*p) {
        n = utf8_seq(p);
        if (!n)
            return false;
        p += n;
    }
    return true;
}

void rd_put_html(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!s)
        return;
    while (*p) {
        int n = utf8_seq(p);
        if (n == 0) {
            fputc('?', out);
            p++;
            continue;
        }
        if (n > 1) {
            fwrite(p, 1, (size_t)n, out);
            p += n;
            continue;
        }
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\t':
        case '\n': fputc(*p, out); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fputs("&#xFFFD;", out);
            else
                fputc(*p, out);
        }
        p++;
    }
}

void rd_put_dot(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!s)
        return;
    while (*p) {
        int n = utf8_seq(p);
        if (n == 0) {
            fputc('?', out);
            p++;
            continue;
        }
        if (n > 1) {
            fwrite(p, 1, (size_t)n, out);
            p += n;
            continue;
        }
        if (*p == '"' || *p == '\\') {
            fputc('\\', out);
            fputc(*p, out);
        } else if (*p == '\n') {
            fputs("\\n", out);
        } else if (*p < 0x20 || *p == 0x7f) {
            fputc('?', out);
        } else {
            fputc(*p, out);
        }
        p++;
    }
}

json_t *rd_json_text(const char *s)
{
    json_t *v;
    char *copy, *p;
    if (!s)
        s = "";
    v = json_string(s);
    if (v)
        return v;
    copy = rd_xstrdup(s);
    for (p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    v = json_string(copy);
    free(copy);
    return v ? v : json_string("?");
}
