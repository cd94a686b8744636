/*
 * render_dot: the lock-order graph (model.h: glocks, gedges) as a picture.
 *
 *   dot  Graphviz DOT text. A node per lock, named by its variable (global
 *        name) or kind and address; an edge A -> B per "B was taken while
 *        A was held" context, labelled with the thread and the source
 *        file:line where B was taken (and where A had been). Edges on a
 *        lock-order cycle, and their locks, are red and bold; trylock edges
 *        dashed.
 *   svg  the same graph laid out by Graphviz (`dot -Tsvg`, run as a child
 *        process). Without `dot` in PATH the format is unavailable, said
 *        before anything runs.
 *
 * render_html.c embeds the SVG. Called through the renderer table (render.c).
 * Single-threaded.
 */
#ifndef RD_REPORT_RENDER_DOT_H
#define RD_REPORT_RENDER_DOT_H

#include "render.h"

int rd_render_dot(const struct rd_model *m, FILE *out, const struct rd_render_opts *o);
int rd_render_svg(const struct rd_model *m, FILE *out, const struct rd_render_opts *o);

/* NULL when `dot` is in PATH, else why svg cannot be rendered. */
const char *rd_svg_unavailable(void);

/* The graph as SVG in a fresh string (NUL-terminated), or NULL with a
 * one-line reason in err when Graphviz is missing or failed. */
char *rd_lock_graph_svg(const struct rd_model *m, const struct rd_render_opts *o, char *err,
                        size_t errlen);

#endif
