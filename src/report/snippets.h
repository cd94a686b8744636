/*
 * snippets: the source lines around a frame's line, for the text report
 * and the HTML page ("the line with one line of context").
 *
 * Reads the source file named by the debug info, as it is now (relative
 * names from the current directory), but only from under the source root
 * (--source-root, default the current directory; symlinks resolved first,
 * compared on whole path components), only a regular file, and only text
 * (no NUL byte in its first 4 KiB): a report can name any file, and
 * `racedet report crafted.json` must not print /etc/shadow. A file outside
 * the root, missing, unreadable, binary or shorter than the line gives no
 * snippet, silently; no more than the input limit (slurp.h) is read.
 * Lines are cut at RD_SNIPPET_MAX_COLS bytes (the cut is marked "..."),
 * tabs become spaces and other control characters '?'.
 *
 * Used by render_text.c and render_html.c. Single-threaded.
 */
#ifndef RD_REPORT_SNIPPETS_H
#define RD_REPORT_SNIPPETS_H

#include <stdbool.h>
#include <stddef.h>

#define RD_SNIPPET_MAX_COLS 200

struct rd_snippet_line {
    int number;
    bool key;            /* the frame's own line */
    char *text;          /* without the newline */
};

/* The source root: snippets are read only from under it. root must be
 * absolute and free of symlinks (realpath's) and outlive the rendering;
 * NULL, as before the first call, allows no snippet at all. Set by src/cli
 * before rendering. */
void rd_snippet_root_set(const char *root);

/* Lines line-context .. line+context of file (fewer at the file's ends),
 * when file may be shown (see above). Returns how many (0: no snippet;
 * *out is then NULL). */
size_t rd_snippet_read(const char *file, int line, int context, struct rd_snippet_line **out);
void rd_snippet_free(struct rd_snippet_line *v, size_t n);

struct rd_frame;
/* The snippet of a stack: its first frame in the user's own code (see
 * user_frame.h; cwd as there), one line of context. *width is the width
 * of the widest line number. Returns how many lines (0: none). */
size_t rd_snippet_of_stack(const struct rd_frame *v, size_t n, const char *cwd,
                           struct rd_snippet_line **out, int *width);

#endif
