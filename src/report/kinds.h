/*
 * kinds: what racedet knows about each kind of finding (DESIGN.md §2): its
 * severity and the words that explain it. One table, read by the SARIF
 * writer (rules with their help text), the HTML page, and the suppression
 * parser (which refuses a kind that does not exist).
 *
 * Pure data; any thread.
 */
#ifndef RD_REPORT_KINDS_H
#define RD_REPORT_KINDS_H

#include <stdbool.h>
#include <stddef.h>

struct rd_kind_info {
    const char *kind;     /* "data_race" */
    const char *name;     /* "DataRace": a rule name for SARIF */
    bool error;           /* error (true) or warning (false) */
    const char *brief;    /* one sentence */
    const char *full;     /* what it means, a few sentences */
    const char *help;     /* how to fix it */
};

/* The table, in the order of DESIGN.md §2, and its length. */
extern const struct rd_kind_info rd_kinds[];
extern const size_t rd_nkinds;

/* The entry of a kind, or NULL when racedet has no such kind. */
const struct rd_kind_info *rd_kind_find(const char *kind);

#endif
