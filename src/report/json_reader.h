/*
 * json_reader: loads a racedet JSON document (the output of
 * `--format json`, render_json.c) back into the resolved level of the model,
 * so that `racedet report out.json` re-renders it and `racedet report a.json
 * b.json` merges several, findings deduplicated by id (occurrence counts and
 * pid lists add up).
 *
 * A file that is unreadable, larger than the input limit, empty, not JSON,
 * truncated, or not a racedet document of a version this racedet reads is
 * an error: one line naming the file, nothing added. Inside a valid document, an entry of the wrong shape
 * is skipped with a warning naming the file and the entry.
 *
 * Called by input.c and the unit tests. Single-threaded.
 */
#ifndef RD_REPORT_JSON_READER_H
#define RD_REPORT_JSON_READER_H

#include <stddef.h>
#include <stdio.h>

#include "model.h"

/* Read the document at path (at most the input limit, slurp.h). Returns
 * 0, or -1 after writing a one-line error to diag. */
int rd_json_read(struct rd_model *m, const char *path, FILE *diag);

/* The same for the bytes of a file already read; path names it. */
int rd_json_parse(struct rd_model *m, const char *path, const char *data, size_t len,
                  FILE *diag);

#endif
