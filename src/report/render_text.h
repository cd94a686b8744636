/*
 * render_text: the human-readable report (the default, on stderr).
 *
 * One block per finding: a header line `==racedet== KIND: SUMMARY`, the
 * process when there are several, how often it was seen, then every stack
 * with numbered frames, then how every thread involved was created; a blank
 * line between blocks and one closing summary line (and one saying what the
 * suppressions took out). Under each stack, the source lines around its
 * first frame in the user's code (snippets.h). Colours only when asked
 * (the caller decides from --color, the terminal and NO_COLOR).
 *
 * Called through the renderer table (render.c). Single-threaded.
 */
#ifndef RD_REPORT_RENDER_TEXT_H
#define RD_REPORT_RENDER_TEXT_H

#include "render.h"

int rd_render_text(const struct rd_model *m, FILE *out, const struct rd_render_opts *o);

/* The closing line alone ("racedet: 2 findings (...) in 1 process"), without
 * a newline, into a fresh string; when a process was killed by a signal it
 * opens with that ("racedet: ./prog was killed by signal 11 (SIGSEGV); ...").
 * Also used by src/cli when the report went to a file. */
char *rd_render_summary_line(const struct rd_model *m);

/* "racedet: suppressed 3 findings: 2 by thread_leak:*worker* (supp.txt:3),
 * 1 by ..." (rules that suppressed nothing left out), without a newline,
 * into a fresh string; NULL when nothing was suppressed. */
char *rd_render_suppressed_line(const struct rd_model *m);

#endif
