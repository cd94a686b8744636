/*
 * escape: writing untrusted text (names and paths from binaries and
 * documents, which can hold anything) into the text-based formats:
 * HTML, Graphviz DOT. Invalid UTF-8 and control characters never reach
 * the output as they are.
 *
 * Pure functions; the analyzer is single-threaded.
 */
#ifndef RD_REPORT_ESCAPE_H
#define RD_REPORT_ESCAPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* Whether s is valid UTF-8 (NULL counts as valid). */
bool rd_utf8_valid(const char *s);

/* s with &, <, >, " and ' as entities, control characters (but tab and
 * newline) as U+FFFD, bytes of invalid UTF-8 as '?'. NULL writes nothing. */
void rd_put_html(FILE *out, const char *s);

/* s for the inside of a double-quoted DOT string: '"' and '\' escaped,
 * newline as "\n", other control characters and invalid UTF-8 as '?'. */
void rd_put_dot(FILE *out, const char *s);

/* A JSON string of s for the JSON and SARIF writers. jansson refuses
 * invalid UTF-8; then the bytes that are not ASCII become '?'. NULL gives
 * "" (callers wanting null test first). */
json_t *rd_json_text(const char *s);

#endif
