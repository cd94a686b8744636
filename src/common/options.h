/*
 * options: racedet's settings, generated from options.def.
 *
 * Owns the struct of values, their defaults, parsing of "key=value ..."
 * strings (RACEDET_OPTIONS) and of single flags, and the help text. Used by
 * the runtime at start-up (one thread, before the program's own threads) and
 * by the command-line tools. Allocates nothing: string values point into the
 * caller's buffer, which must outlive the struct.
 */
#ifndef RD_OPTIONS_H
#define RD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define RD_OPT_CTYPE_BOOL bool
#define RD_OPT_CTYPE_INT long
#define RD_OPT_CTYPE_STRING const char *

enum rd_option_scope { SHIM = 1, REPORT = 2, BOTH = 3, EXPLORE = 4 };

struct rd_options {
#define RD_OPTION(type, name, def, scope, choices, help) RD_OPT_CTYPE_##type name;
#include "options.def"
#undef RD_OPTION
};

/* Fill in every default. */
void rd_options_defaults(struct rd_options *o);

/* Set one option by name ('-' and '_' are the same). On error returns -1 and
 * writes a one-line reason (no trailing newline) into err. */
int rd_options_set(struct rd_options *o, const char *name, const char *value,
                   char *err, size_t errlen);

/* Parse "key=value key=value" in place (the buffer is modified and must
 * outlive o). Same error contract as rd_options_set; the reason does not
 * name the text's source: callers prefix it ("RACEDET_OPTIONS: "). */
int rd_options_parse(struct rd_options *o, char *buf, char *err, size_t errlen);

/* Scope of an option, or 0 when there is no such option. */
int rd_options_scope(const char *name);

/* Write "key=value ..." for every option of the given scope whose value
 * differs from the default (for passing to the shim). Returns the length
 * needed (like snprintf). String values must not contain spaces. */
size_t rd_options_format(const struct rd_options *o, int scope, char *buf,
                         size_t len);

/* Help: one line per option. markdown selects a table for the README. */
void rd_options_print_help(FILE *f, int scope_mask, bool markdown);

#endif
