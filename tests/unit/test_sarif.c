/*
 * test_sarif: the SARIF writer on small models built by hand: rules for
 * every kind, levels, the primary location in the user's code (not libc,
 * not racedet), %SRCROOT%-relative and file:// URIs, related locations,
 * one thread flow per stack in call order, fingerprints. The output is
 * validated against the official schema by tests/e2e/report.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "render_sarif.h"
#include "unit.h"
#include "user_frame.h"

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static struct rd_frame frame(const char *module, const char *fn, const char *file, int line)
{
    struct rd_frame f;
    memset(&f, 0, sizeof f);
    f.module = xstrdup(module);
    f.function = xstrdup(fn);
    f.file = xstrdup(file);
    f.line = line;
    f.offset = 0x1234;
    f.pc = 0x555555555234ULL;
    return f;
}

static void add_stack(struct rd_finding *f, const char *role, long thread, struct rd_frame *v,
                      size_t n)
{
    struct rd_stack_info *s;
    f->stacks = realloc(f->stacks, (f->nstacks + 1) * sizeof *f->stacks);
    s = &f->stacks[f->nstacks++];
    memset(s, 0, sizeof *s);
    s->role = xstrdup(role);
    s->thread = thread;
    s->frames = calloc(n, sizeof *v);
    memcpy(s->frames, v, n * sizeof *v);
    s->nframes = n;
}

static struct rd_finding *finding(const char *kind, const char *summary)
{
    struct rd_finding *f = calloc(1, sizeof *f);
    f->kind = xstrdup(kind);
    f->summary = xstrdup(summary);
    f->pid = 42;
    f->occurrences = 3;
    return f;
}

/* A data race whose first stack starts in libc and racedet's shim. */
static struct rd_model *race_model(void)
{
    struct rd_model *m = rd_model_new();
    struct rd_finding *f = finding("data_race", "data race on `counter`");
    struct rd_frame a[] = {
        frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "memcpy", "string/memcpy.c", 10),
        frame("/opt/racedet/lib/libracedet.so", "__tsan_write8", "preload/tsan_abi.c", 20),
        frame("/work/app/app", "bump", "/work/app/src/counter.c", 31),
        frame("/work/app/app", "main", "/work/app/src/main.c", 7),
    };
    struct rd_frame b[] = {
        frame("/work/app/app", "reader", "/usr/src/other/reader.c", 12),
    };
    add_stack(f, "write of size 8 by T1", 1, a, 4);
    add_stack(f, "previous read of size 8 by T2", 2, b, 1);
    rd_model_add_finding(m, f);
    return m;
}

static json_t *path(json_t *v, const char *p)
{
    char buf[256], *tok, *save = NULL;
    snprintf(buf, sizeof buf, "%s", p);
    for (tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save)) {
        if (tok[0] >= '0' && tok[0] <= '9')
            v = json_array_get(v, (size_t)atoi(tok));
        else
            v = json_object_get(v, tok);
    }
    return v;
}

static const char *spath(json_t *v, const char *p)
{
    return json_string_value(path(v, p));
}

TEST(rules_for_every_kind_with_help)
{
    struct rd_model *m = rd_model_new();
    json_t *log = rd_report_to_sarif(m, "/work/app"), *rules;
    size_t i;
    CHECK_EQ_STR(spath(log, "version"), "2.1.0");
    CHECK_EQ_STR(spath(log, "runs.0.tool.driver.name"), "racedet");
    rules = path(log, "runs.0.tool.driver.rules");
    CHECK_EQ_INT(json_array_size(rules), rd_nkinds);
    CHECK_EQ_INT(rd_nkinds, 11);
    for (i = 0; i < json_array_size(rules); i++) {
        json_t *r = json_array_get(rules, i);
        CHECK(spath(r, "shortDescription.text") && *spath(r, "shortDescription.text"));
        CHECK(spath(r, "fullDescription.text") && *spath(r, "fullDescription.text"));
        CHECK(spath(r, "help.text") && strlen(spath(r, "help.text")) > 40);
        CHECK(spath(r, "help.markdown") != NULL);
    }
    CHECK_EQ_STR(spath(rules, "0.id"), "data_race");
    CHECK_EQ_STR(spath(rules, "0.defaultConfiguration.level"), "error");
    CHECK(json_array_size(path(log, "runs.0.results")) == 0);
    CHECK_EQ_STR(spath(log, "runs.0.originalUriBaseIds.%SRCROOT%.uri"), "file:///work/app/");
    json_decref(log);
    rd_model_free(m);
}

TEST(levels_by_kind)
{
    const char *errors[] = {"data_race", "deadlock", "lock_order_cycle", "self_deadlock"};
    size_t i, nerr = 0;
    for (i = 0; i < rd_nkinds; i++)
        nerr += rd_kinds[i].error;
    CHECK_EQ_INT(nerr, 4);
    for (i = 0; i < 4; i++)
        CHECK(rd_kind_find(errors[i]) && rd_kind_find(errors[i])->error);
    CHECK(!rd_kind_find("thread_leak")->error);
    CHECK(rd_kind_find("no_such_kind") == NULL);
}

TEST(primary_location_is_the_users_code)
{
    struct rd_model *m = race_model();
    json_t *log = rd_report_to_sarif(m, "/work/app"), *res = path(log, "runs.0.results.0");
    CHECK_EQ_STR(spath(res, "ruleId"), "data_race");
    CHECK_EQ_INT(json_integer_value(path(res, "ruleIndex")), 0);
    CHECK_EQ_STR(spath(res, "level"), "error");
    CHECK_EQ_STR(spath(res, "message.text"), "data race on `counter`");
    CHECK_EQ_INT(json_array_size(path(res, "locations")), 1);
    CHECK_EQ_STR(spath(res, "locations.0.physicalLocation.artifactLocation.uri"),
                 "src/counter.c");
    CHECK_EQ_STR(spath(res, "locations.0.physicalLocation.artifactLocation.uriBaseId"),
                 "%SRCROOT%");
    CHECK_EQ_INT(json_integer_value(path(res, "locations.0.physicalLocation.region.startLine")),
                 31);
    /* the other stack: outside the current directory, an absolute URI */
    CHECK_EQ_INT(json_array_size(path(res, "relatedLocations")), 1);
    CHECK_EQ_STR(spath(res, "relatedLocations.0.physicalLocation.artifactLocation.uri"),
                 "file:///usr/src/other/reader.c");
    CHECK(path(res, "relatedLocations.0.physicalLocation.artifactLocation.uriBaseId") == NULL);
    CHECK(strstr(spath(res, "relatedLocations.0.message.text"), "previous read") != NULL);
    CHECK(strstr(spath(res, "relatedLocations.0.message.text"), "T2") != NULL);
    CHECK(spath(res, "partialFingerprints.racedetFindingId/v1") != NULL);
    CHECK_EQ_INT(strlen(spath(res, "partialFingerprints.racedetFindingId/v1")), 16);
    CHECK_EQ_INT(json_integer_value(path(res, "occurrenceCount")), 3);
    json_decref(log);
    rd_model_free(m);
}

TEST(one_thread_flow_per_stack_outermost_first)
{
    struct rd_model *m = race_model();
    json_t *log = rd_report_to_sarif(m, "/work/app");
    json_t *tfs = path(log, "runs.0.results.0.codeFlows.0.threadFlows");
    CHECK_EQ_INT(json_array_size(tfs), 2);
    CHECK(strstr(spath(tfs, "0.message.text"), "write of size 8") != NULL);
    CHECK_EQ_INT(json_array_size(path(tfs, "0.locations")), 4);
    CHECK(strstr(spath(tfs, "0.locations.0.location.message.text"), "main") != NULL);
    CHECK(strstr(spath(tfs, "0.locations.3.location.message.text"), "memcpy") != NULL);
    /* system frames carry no physical location, the user's do */
    CHECK(path(tfs, "0.locations.3.location.physicalLocation") == NULL);
    CHECK(path(tfs, "0.locations.1.location.physicalLocation") != NULL);
    json_decref(log);
    rd_model_free(m);
}

TEST(no_user_frame_falls_back_to_the_binary)
{
    struct rd_model *m = rd_model_new();
    struct rd_finding *f = finding("mystery_kind", "something odd");
    struct rd_frame a[] = {frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "abort", NULL, 0)};
    json_t *log, *res;
    add_stack(f, "here", 0, a, 1);
    rd_model_add_finding(m, f);
    log = rd_report_to_sarif(m, NULL);
    res = path(log, "runs.0.results.0");
    CHECK_EQ_STR(spath(res, "locations.0.physicalLocation.artifactLocation.uri"),
                 "file:///usr/lib/x86_64-linux-gnu/libc.so.6");
    CHECK(path(res, "locations.0.physicalLocation.address") != NULL);
    /* an unknown kind gets a rule of its own, as a warning */
    CHECK_EQ_INT(json_array_size(path(log, "runs.0.tool.driver.rules")), rd_nkinds + 1);
    CHECK_EQ_INT(json_integer_value(path(res, "ruleIndex")), rd_nkinds);
    CHECK_EQ_STR(spath(res, "level"), "warning");
    CHECK(path(log, "runs.0.originalUriBaseIds") == NULL);
    json_decref(log);
    rd_model_free(m);
}

TEST(uris_are_percent_encoded)
{
    struct rd_model *m = rd_model_new();
    struct rd_finding *f = finding("thread_leak", "leak");
    struct rd_frame a[] = {frame("/w/app", "main", "/w/my dir/a#b%.c", 3)};
    json_t *log;
    add_stack(f, "created here", 0, a, 1);
    rd_model_add_finding(m, f);
    log = rd_report_to_sarif(m, "/elsewhere");
    CHECK_EQ_STR(spath(log, "runs.0.results.0.locations.0.physicalLocation.artifactLocation.uri"),
                 "file:///w/my%20dir/a%23b%25.c");
    CHECK_EQ_STR(spath(log, "runs.0.results.0.level"), "warning");
    json_decref(log);
    rd_model_free(m);
}

TEST(user_frame_rules)
{
    struct rd_frame v[] = {
        frame("/lib/x86_64-linux-gnu/libc.so.6", "f", "x.c", 1),
        frame("/build/libracedet.so", "g", "y.c", 2),
        frame("/w/app", "inl", "/usr/include/x86_64-linux-gnu/bits/stdio.h", 3),
        frame("/w/app", "nofile", NULL, 0),
        frame("/w/app", "lib_side", "/opt/lib/q.c", 5),
        frame("/w/app", "mine", "/w/src/m.c", 6),
    };
    size_t i;
    CHECK(rd_user_frame(v, 6, "/w") == &v[5]);  /* under the cwd wins */
    CHECK(rd_user_frame(v, 6, "/x") == &v[4]);  /* else the first non-system */
    CHECK(rd_user_frame(v, 4, "/w") == NULL);
    CHECK_EQ_STR(rd_path_below("/w/src/m.c", "/w/"), "src/m.c");
    CHECK(rd_path_below("/wx/m.c", "/w") == NULL);
    CHECK_EQ_STR(rd_path_below("rel/m.c", NULL), "rel/m.c");
    for (i = 0; i < 6; i++)
        rd_frame_clear(&v[i]);
}

int main(void)
{
    RUN(rules_for_every_kind_with_help);
    RUN(levels_by_kind);
    RUN(primary_location_is_the_users_code);
    RUN(one_thread_flow_per_stack_outermost_first);
    RUN(no_user_frame_falls_back_to_the_binary);
    RUN(uris_are_percent_encoded);
    RUN(user_frame_rules);
    UNIT_DONE();
}
