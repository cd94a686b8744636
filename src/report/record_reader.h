/*
 * record_reader: reads the record files the runtime writes
 * (docs/record-format.md) into the record tables of the model.
 *
 * Owns the parsing and validation of record lines: one json_loads per line,
 * unknown `t` values and unknown fields skipped, every field type-checked.
 * What it tolerates, with a warning: a last line without '\n' (the program
 * died while writing it: ignored), a corrupt line or one with wrong field
 * types (`racedet: FILE:LINE: ...`, skipped), a redefined id (ignored).
 * What makes the whole file unusable (an error, and nothing is added to the
 * model): unreadable, empty or larger than the input limit (slurp.h), first
 * line not a `process` record, record format version other than 1.
 *
 * Called by input.c (racedet run / racedet report) and the unit tests.
 * Single-threaded. Symbolization happens later, in rd_model_finish.
 */
#ifndef RD_REPORT_RECORD_READER_H
#define RD_REPORT_RECORD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

#define RD_RECORD_VERSION 1

/* Read one record file as a new process of m (at most the input limit,
 * slurp.h). Returns 0, or -1 after writing a one-line error naming the
 * file to diag. Warnings go to diag. */
int rd_records_read(struct rd_model *m, const char *path, FILE *diag);

/* The same for the bytes of a file already read; path names it. */
int rd_records_parse(struct rd_model *m, const char *path, const char *data, size_t size,
                     FILE *diag);

/* Whether the file's (or the bytes') first line is a record of type
 * `process`. */
bool rd_records_sniff(const char *path);
bool rd_records_sniff_bytes(const char *data, size_t size);

#endif
