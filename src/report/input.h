/*
 * input: reads one input file of `racedet report` / `racedet run` into the
 * model, whichever kind it is: a record file (name ending in .jsonl, or a
 * first line that is a `process` record) goes to record_reader.c, anything
 * else to json_reader.c as a racedet JSON document. The file is read once,
 * whole, within the input limit (slurp.h), so pipes and devices work and
 * none can be endless.
 *
 * Called by src/cli. Single-threaded.
 */
#ifndef RD_REPORT_INPUT_H
#define RD_REPORT_INPUT_H

#include <stdio.h>

#include "model.h"

/* Returns 0, or -1 after writing a one-line error naming the file to diag. */
int rd_input_read(struct rd_model *m, const char *path, FILE *diag);

#endif
