/* snippets: see snippets.h. */
#include "snippets.h"
#include "user_frame.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "slurp.h"

#define TAB_WIDTH 4

static const char *source_root; /* NULL: no snippets */

void rd_snippet_root_set(const char *root)
{
    source_root = root;
}

/* The source file, opened for reading, when it may be shown: under root
 * once every symlink is resolved (a report may name any file: /etc/shadow,
 * a link from the tree to outside it), a regular file, and text (no NUL in
 * its first block). NULL otherwise. */
static FILE *open_source(const char *file, const char *root)
{
    char *real, block[4096];
    struct stat st;
    ssize_t got;
    FILE *f = NULL;
    int fd;

    if (!root || !(real = realpath(file, NULL)))
        return NULL;
    if (!rd_path_below(real, root)) {
        free(real);
        return NULL;
    }
    /* O_NOFOLLOW: the last component cannot have become a link since
     * realpath; O_NONBLOCK: a FIFO cannot hold us up */
    fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    free(real);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        do
            got = read(fd, block, sizeof block);
        while (got < 0 && errno == EINTR);
        if (got >= 0 && !memchr(block, '\0', (size_t)got) && lseek(fd, 0, SEEK_SET) == 0)
            f = fdopen(fd, "r");
    }
    if (!f)
        close(fd);
    return f;
}

size_t rd_snippet_read(const char *file, int line, int context, struct rd_snippet_line **out)
{
    struct rd_snippet_line *v;
    FILE *f;
    int first, last, no = 1, c;
    size_t n = 0, cols = 0, cap = 3 * RD_SNIPPET_MAX_COLS + TAB_WIDTH + 8, bytes = 0;
    size_t limit = rd_input_limit();
    char *buf;
    bool cut = false;

    *out = NULL;
    if (!file || !*file || line <= 0 || context < 0 || context > 1000)
        return 0;
    f = open_source(file, source_root);
    if (!f)
        return 0;
    first = line - context > 1 ? line - context : 1;
    last = line > __INT_MAX__ - context ? __INT_MAX__ : line + context;
    v = rd_xcalloc((size_t)(last - first + 1), sizeof *v);
    buf = rd_xmalloc(cap);
    while (no <= last && bytes++ < limit && (c = getc(f)) != EOF) {
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
