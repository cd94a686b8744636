/*
 * findings_fixture: what a unit test reads back of the findings in the
 * record file (rt_record_path), for tests that feed events directly.
 */
#ifndef RD_FINDINGS_FIXTURE_H
#define RD_FINDINGS_FIXTURE_H

#include "core/record.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static char fixture_summary[512];

/* The summary template of the last finding of `kind` (NULL: of any kind)
 * in the record; "" if none. */
static const char *last_summary_of(const char *kind)
{
    char line[16384], want[64];
    FILE *f = fopen(rt_record_path(), "r");
    fixture_summary[0] = '\0';
    snprintf(want, sizeof want, "\"kind\":\"%s\"", kind ? kind : "");
    if (!f)
        return fixture_summary;
    while (fgets(line, sizeof line, f)) {
        char *s = strstr(line, "\"summary\":\""), *e;
        if (!strstr(line, "\"t\":\"finding\"") || (kind && !strstr(line, want)) || !s)
            continue;
        s += 11;
        e = strchr(s, '"');
        if (e && (size_t)(e - s) < sizeof fixture_summary) {
            memcpy(fixture_summary, s, (size_t)(e - s));
            fixture_summary[e - s] = '\0';
        }
    }
    fclose(f);
    return fixture_summary;
}

/* Does that summary contain `what`? Says what it has when not. */
static bool last_says(const char *kind, const char *what)
{
    bool ok = strstr(last_summary_of(kind), what) != NULL;
    if (!ok)
        fprintf(stderr, "  last %s summary: %s\n  expected: ...%s...\n", kind ? kind : "finding",
                fixture_summary, what);
    return ok;
}

#endif
