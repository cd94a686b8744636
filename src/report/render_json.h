/*
 * render_json: the JSON document of DESIGN.md §3, read back by
 * json_reader.c (keep the two in step). Built with jansson, written with
 * two-space indentation.
 *
 *   {"tool":"racedet","version":"...","processes":[...],"findings":[...],
 *    "lock_graph":{"locks":[...],"edges":[...]}}
 *
 * Called through the renderer table (render.c). Single-threaded.
 */
#ifndef RD_REPORT_RENDER_JSON_H
#define RD_REPORT_RENDER_JSON_H

#include <jansson.h>

#include "render.h"

int rd_render_json(const struct rd_model *m, FILE *out, const struct rd_render_opts *o);

/* The document as a jansson value (new reference). */
json_t *rd_report_to_json(const struct rd_model *m);

/* One frame as the document writes it (new reference). */
json_t *rd_frame_to_json(const struct rd_frame *f);

#endif
