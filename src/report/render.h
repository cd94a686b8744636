/*
 * render: the table of report formats. A renderer turns a finished model
 * (model.h, resolved level only) into one output format; it decides nothing
 * about what a finding is.
 *
 * Adding a format = one new render_<name>.{h,c} with its function and one
 * line in the table in render.c (and its name in the `format` choices of
 * src/common/options.def). Called by src/cli (racedet run / racedet report).
 * Single-threaded.
 */
#ifndef RD_REPORT_RENDER_H
#define RD_REPORT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

struct rd_render_opts {
    bool color;          /* ANSI colours (text) */
    const char *cwd;     /* source files under it are shown relative to it; NULL: as they are */
    bool snippets;       /* show the source lines of the key frames (text, html),
                            from under the source root (snippets.h) */
};

/* Write the report to out. Returns 0, or -1 when writing failed. */
typedef int (*rd_render_fn)(const struct rd_model *m, FILE *out, const struct rd_render_opts *o);

struct rd_renderer {
    const char *name;    /* the --format value */
    bool machine;        /* without -o: machine formats go to stdout, text to stderr */
    rd_render_fn render;
    /* NULL, or a check run before anything else: returns NULL when the
     * format can be rendered here, else why not (one line, no newline). */
    const char *(*unavailable)(void);
};

/* The renderer of a format, or NULL when this build has none. */
const struct rd_renderer *rd_renderer_find(const char *name);

/* "text, json": the formats this build renders, for messages. */
void rd_renderer_names(char *buf, size_t len);

#endif
