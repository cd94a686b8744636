/* snippets: see snippets.h. */
#include "snippets.h"
#include "user_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"

#define TAB_WIDTH 4

size_t rd_snippet_read(const char *file, int line, int context, struct rd_snippet_line **out)
{
    struct rd_snippet_line *v;
    struct stat st;
    FILE *f;
    int first, last, no = 1, c;
    size_t n = 0, cols = 0, cap = 3 * RD_SNIPPET_MAX_COLS + TAB_WIDTH + 8;
    char *buf;
    bool cut = false;

    *out = NULL;
    if (!file || !*file || line <= 0 || context < 0 || context > 1000)
        return 0;
    if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    f = fopen(file, "r");
    if (!f)
        return 0;
    first = line - context > 1 ? line - context : 1;
    last = line > __INT_MAX__ - context ? __INT_MAX__ : line + context;
    v = rd_xcalloc((size_t)(last - first + 1), sizeof *v);
    buf = rd_xmalloc(cap);
    while (no <= last && (c = getc(f)) != EOF) {
        if (c == '\n') {
            if (no >= first) {
                buf[cols] = '\0';
                v[n].number = no;
                v[n].key = no == line;
                v[n].text = cut ? rd_xasprintf("%s...", buf) : rd_xstrdup(buf);
                n++;
            }
            no++;
            cols = 0;
            cut = false;
            continue;
        }
        if (no < first || cut)
            continue;
        if (cols >= RD_SNIPPET_MAX_COLS) {
            cut = true;
            continue;
        }
        if (c == '\t') {
            do
                buf[cols++] = ' ';
            while (cols % TAB_WIDTH);
        } else if (c == '\r') {
            continue;
        } else {
            buf[cols++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
        }
    }
    /* a last line without a newline */
    if (no <= last && no >= first && (cols > 0 || cut)) {
        buf[cols] = '\0';
        v[n].number = no;
        v[n].key = no == line;
        v[n].text = cut ? rd_xasprintf("%s...", buf) : rd_xstrdup(buf);
        n++;
    }
    free(buf);
    fclose(f);
    /* no snippet unless the line itself is there */
    if (n == 0 || v[n - 1].number < line) {
        rd_snippet_free(v, n);
        return 0;
    }
    *out = v;
    return n;
}

void rd_snippet_free(struct rd_snippet_line *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(v[i].text);
    free(v);
}

size_t rd_snippet_of_stack(const struct rd_frame *v, size_t n, const char *cwd,
                           struct rd_snippet_line **out, int *width)
{
    const struct rd_frame *uf = rd_user_frame(v, n, cwd);
    size_t nl;
    *out = NULL;
    if (!uf)
        return 0;
    nl = rd_snippet_read(uf->file, uf->line, 1, out);
    if (nl > 0)
        *width = snprintf(NULL, 0, "%d", (*out)[nl - 1].number);
    return nl;
}
