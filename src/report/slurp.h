/*
 * slurp: reading a whole file into memory, with a size bound, and walking
 * its lines.
 *
 * Every input the analyzer reads (record files, JSON reports, suppression
 * files) goes through rd_slurp_input, so that none can grow without end:
 * `racedet report /dev/zero` stops after the limit instead of eating the
 * machine. The limit is the max_input_size option; src/cli sets it before
 * anything is read. Reading the whole file once also lets input.c look at
 * a pipe's first line and still parse all of it.
 *
 * Called by the readers in src/report and by render_dot.c (Graphviz's
 * output). Single-threaded, like all of the analyzer.
 */
#ifndef RD_REPORT_SLURP_H
#define RD_REPORT_SLURP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The most bytes one input file may have. Until set: the max_input_size
 * option's default. */
void rd_input_limit_set(size_t bytes);
size_t rd_input_limit(void);

/* Read fd to its end into a fresh buffer with a NUL after the *len bytes.
 * More than limit bytes: NULL with errno EFBIG (reading stops at limit + 1
 * bytes, so an endless stream ends too); a read error: NULL, errno set. */
char *rd_slurp_fd(int fd, size_t limit, size_t *len);

/* Read the file at path (regular file, pipe or device), at most
 * rd_input_limit() bytes. Returns the bytes (as rd_slurp_fd), or NULL after
 * writing one line "racedet: LABEL: why" to diag (none when diag is NULL);
 * label NULL is the path itself. */
char *rd_slurp_input(const char *path, const char *label, size_t *len, FILE *diag);

/* A reader of a whole file's bytes (rd_records_parse, rd_json_parse): path
 * names the file in messages. Returns 0, or -1 after saying why to diag. */
struct rd_model;
typedef int (*rd_parse_fn)(struct rd_model *m, const char *path, const char *data, size_t len,
                           FILE *diag);

/* Read path as rd_slurp_input does (errors to diag, stderr when NULL) and
 * hand its bytes to parse. Returns what parse returns, or -1. */
int rd_slurp_parse(struct rd_model *m, const char *path, rd_parse_fn parse, FILE *diag);

/* The next line of buf[0..len) from *pos: *line and *n (without its '\n'),
 * *complete false when the buffer ends before a '\n'. Returns false when
 * there is no line left. */
bool rd_next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *n,
                  bool *complete);

#endif
