/*
 * suppressions: the suppression file, and taking the findings it matches
 * out of a finished model.
 *
 * File format, one rule per line:
 *
 *     # a comment (a line whose first non-blank character is '#')
 *     thread_leak:*worker*
 *     data_race:libthirdparty.so
 *     *:legacy_queue_*
 *
 * `KIND:PATTERN`. KIND is a finding kind (DESIGN.md §2) or `*` for any kind.
 * PATTERN is a glob (fnmatch(3), no flags: `*` also matches '/') matched
 * against the function, the source file (its full name and its base name)
 * and the module (full path and base name) of every frame of every stack of
 * the finding, thread creation stacks included; one match suppresses it.
 * Blank lines are ignored, spaces around KIND and PATTERN too. Anything
 * else (no ':', an unknown kind, an empty pattern) is an error that names
 * the file and line: a suppression that silently matches nothing is worse
 * than none.
 *
 * Used by src/cli (racedet run / report) and the unit tests.
 * Single-threaded.
 */
#ifndef RD_REPORT_SUPPRESSIONS_H
#define RD_REPORT_SUPPRESSIONS_H

#include <stdio.h>

#include "model.h"

struct rd_supp_rule {
    char *kind;          /* a kind, or "*" */
    char *pattern;
    char *text;          /* "kind:pattern" as shown in reports */
    char *file;          /* where the rule was read */
    long line;
    long count;          /* findings it suppressed */
};

struct rd_suppressions {
    struct rd_supp_rule *rules;
    size_t nrules, caprules;
};

struct rd_suppressions *rd_suppressions_new(void);
void rd_suppressions_free(struct rd_suppressions *s);

/* Read a suppression file and add its rules. Returns 0, or -1 after writing
 * one line to diag: `racedet: suppressions file FILE: why` when it cannot
 * be read or is larger than the input limit (slurp.h),
 * `racedet: FILE:LINE: why` for a malformed line (nothing is added then). */
int rd_suppressions_load(struct rd_suppressions *s, const char *path, FILE *diag);

/* One line of a suppression file (what load does per line). Returns 1 when a
 * rule was added, 0 for a blank or comment line, -1 with a reason in err
 * (without file and line) when the line is malformed. */
int rd_suppressions_add_line(struct rd_suppressions *s, const char *text, const char *file,
                             long line, char *err, size_t errlen);

/* The first rule that matches f, or NULL. */
struct rd_supp_rule *rd_suppressions_match(const struct rd_suppressions *s,
                                           const struct rd_finding *f);

/* Take every finding a rule matches out of m (freed), count it against the
 * first rule that matches, and record every rule with its count in
 * m->suppressed. Returns how many findings were taken out. */
size_t rd_suppressions_apply(struct rd_suppressions *s, struct rd_model *m);

#endif
