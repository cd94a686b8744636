/*
 * render_html: one self-contained HTML page (inline CSS, no scripts, no
 * external resources) to read a report in a browser or attach to a CI run:
 *   - the summary line, counts by kind, suppressions applied, the processes
 *   - every finding: kind, summary, what the kind means, each stack as a
 *     collapsible <details> (open) with its frames and the key source lines,
 *     how every thread involved was created (collapsed)
 *   - the lock-order graph as inline SVG when Graphviz is installed, else a
 *     table of its edges.
 * Every string from the model is escaped (escape.h).
 *
 * Called through the renderer table (render.c). Single-threaded.
 */
#ifndef RD_REPORT_RENDER_HTML_H
#define RD_REPORT_RENDER_HTML_H

#include "render.h"

int rd_render_html(const struct rd_model *m, FILE *out, const struct rd_render_opts *o);

#endif
