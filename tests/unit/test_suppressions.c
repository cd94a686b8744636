/*
 * test_suppressions: the suppression file parser (good lines, comments,
 * every kind of malformed line and its error), glob matching on function,
 * file and module of any frame of any stack (thread creation stacks too),
 * `*` for every kind, and taking suppressed findings out of a model with
 * per-rule counts.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render_text.h"
#include "suppressions.h"
#include "unit.h"

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static struct rd_finding *finding(const char *kind, const char *fn, const char *file,
                                  const char *module)
{
    struct rd_finding *f = calloc(1, sizeof *f);
    struct rd_stack_info *s;
    f->kind = xstrdup(kind);
    f->summary = xstrdup("summary");
    f->pid = 1;
    f->nstacks = 1;
    f->stacks = s = calloc(1, sizeof *s);
    s->role = xstrdup("here");
    s->nframes = 2;
    s->frames = calloc(2, sizeof *s->frames);
    s->frames[0].function = xstrdup("pthread_mutex_lock");
    s->frames[0].module = xstrdup("/usr/lib/x86_64-linux-gnu/libc.so.6");
    s->frames[0].offset = (uint64_t)(uintptr_t)f; /* distinct ids, no merging */
    s->frames[1].function = xstrdup(fn);
    s->frames[1].file = xstrdup(file);
    s->frames[1].line = 10;
    s->frames[1].module = xstrdup(module);
    return f;
}

static char tmpdir[] = "/tmp/racedet-test-supp.XXXXXX";

static char *write_file(const char *name, const char *text)
{
    static char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Load text as a file; returns load's result, the diagnostic in diag. */
static int load(struct rd_suppressions *s, const char *text, char *diag, size_t len)
{
    FILE *d = fmemopen(diag, len, "w");
    int rc;
    memset(diag, 0, len);
    rc = rd_suppressions_load(s, write_file("supp.txt", text), d);
    fclose(d);
    return rc;
}

TEST(parses_rules_comments_and_blanks)
{
    struct rd_suppressions *s = rd_suppressions_new();
    char diag[512];
    CHECK_EQ_INT(load(s, "# comment\n\n   \n  thread_leak : *worker*  \n*:libfoo.so\r\n"
                         "data_race:ns::func\n", diag, sizeof diag), 0);
    CHECK_EQ_STR(diag, "");
    CHECK_EQ_INT(s->nrules, 3);
    CHECK_EQ_STR(s->rules[0].kind, "thread_leak");
    CHECK_EQ_STR(s->rules[0].pattern, "*worker*");
    CHECK_EQ_STR(s->rules[0].text, "thread_leak:*worker*");
    CHECK_EQ_INT(s->rules[0].line, 4);
    CHECK_EQ_STR(s->rules[1].kind, "*");
    CHECK_EQ_STR(s->rules[1].pattern, "libfoo.so");
    CHECK_EQ_STR(s->rules[2].pattern, "ns::func"); /* the first ':' splits */
    rd_suppressions_free(s);
}

TEST(malformed_lines_name_file_and_line)
{
    static const struct {
        const char *text, *says;
    } bad[] = {
        {"# ok\nthread_leak\n", ":2: 'thread_leak' is not KIND:PATTERN"},
        {"no_such_kind:x\n", ":1: unknown kind 'no_such_kind'"},
        {"data_race:   \n", ":1: 'data_race:': empty pattern"},
        {":foo\n", ":1: ':foo': no kind before ':'"},
        {"data_race:a\nDATA_RACE:b\n", ":2: unknown kind 'DATA_RACE'"},
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rd_suppressions *s = rd_suppressions_new();
        char diag[1024];
        CHECK_EQ_INT(load(s, bad[i].text, diag, sizeof diag), -1);
        CHECK(strncmp(diag, "racedet: ", 9) == 0);
        CHECK(strstr(diag, "supp.txt") != NULL);
        if (!strstr(diag, bad[i].says))
            fprintf(stderr, "  said: %s  wanted: %s\n", diag, bad[i].says);
        CHECK(strstr(diag, bad[i].says) != NULL);
        CHECK(strchr(diag, '\n') == diag + strlen(diag) - 1); /* one line */
        CHECK_EQ_INT(s->nrules, 0);                         /* all or nothing */
        rd_suppressions_free(s);
    }
}

TEST(missing_file_is_an_error)
{
    struct rd_suppressions *s = rd_suppressions_new();
    char diag[512];
    FILE *d = fmemopen(diag, sizeof diag, "w");
    memset(diag, 0, sizeof diag);
    CHECK_EQ_INT(rd_suppressions_load(s, "/nonexistent/supp.txt", d), -1);
    fclose(d);
    CHECK(strstr(diag, "/nonexistent/supp.txt") != NULL);
    CHECK(strstr(diag, "No such file") != NULL);
    rd_suppressions_free(s);
}

TEST(globs_match_function_file_module_of_any_frame)
{
    struct rd_suppressions *s = rd_suppressions_new();
    struct rd_finding *f = finding("data_race", "worker_loop", "/src/app/queue.c",
                                   "/opt/app/libqueue.so");
    char err[256];
    CHECK_EQ_INT(rd_suppressions_add_line(s, "data_race:nothing*", "x", 1, err, sizeof err), 1);
    CHECK(rd_suppressions_match(s, f) == NULL);
    CHECK_EQ_INT(rd_suppressions_add_line(s, "thread_leak:worker_*", "x", 2, err, sizeof err), 1);
    CHECK(rd_suppressions_match(s, f) == NULL); /* wrong kind */
    CHECK_EQ_INT(rd_suppressions_add_line(s, "data_race:queue.c", "x", 3, err, sizeof err), 1);
    CHECK(rd_suppressions_match(s, f) == &s->rules[2]); /* file base name */
    rd_suppressions_free(s);

    s = rd_suppressions_new();
    CHECK_EQ_INT(rd_suppressions_add_line(s, "data_race:/src/*/queue.c", "x", 4, err, sizeof err), 1);
    CHECK(rd_suppressions_match(s, f) != NULL); /* full path; '*' crosses '/' too */
    rd_suppressions_free(s);

    s = rd_suppressions_new();
    rd_suppressions_add_line(s, "*:libqueue.so", "x", 1, err, sizeof err);
    CHECK(rd_suppressions_match(s, f) != NULL); /* module base name, any kind */
    rd_suppressions_free(s);
    s = rd_suppressions_new();
    rd_suppressions_add_line(s, "*:pthread_mutex_*", "x", 1, err, sizeof err);
    CHECK(rd_suppressions_match(s, f) != NULL); /* any frame, libc's too */
    rd_suppressions_free(s);
    rd_finding_free(f);
}

TEST(thread_creation_stacks_count)
{
    struct rd_suppressions *s = rd_suppressions_new();
    struct rd_finding *f = finding("thread_leak", "main", "/src/m.c", "/opt/app/app");
    char err[256];
    f->nthreads = 1;
    f->threads = calloc(1, sizeof *f->threads);
    f->threads[0].id = 1;
    f->threads[0].has_create = true;
    f->threads[0].ncreate = 1;
    f->threads[0].create = calloc(1, sizeof(struct rd_frame));
    f->threads[0].create[0].function = xstrdup("spawn_pool_worker");
    rd_suppressions_add_line(s, "thread_leak:*pool_worker", "x", 1, err, sizeof err);
    CHECK(rd_suppressions_match(s, f) != NULL);
    rd_suppressions_free(s);
    rd_finding_free(f);
}

TEST(apply_takes_findings_out_and_counts_per_rule)
{
    struct rd_model *m = rd_model_new();
    struct rd_suppressions *s = rd_suppressions_new();
    char err[256], *line;
    rd_model_add_finding(m, finding("thread_leak", "worker_a", "/s/a.c", "/o/app"));
    rd_model_add_finding(m, finding("thread_leak", "worker_b", "/s/b.c", "/o/app"));
    rd_model_add_finding(m, finding("data_race", "worker_c", "/s/c.c", "/o/app"));
    rd_model_add_finding(m, finding("deadlock", "keep_me", "/s/d.c", "/o/app"));
    CHECK_EQ_INT(m->nfindings, 4);
    rd_suppressions_add_line(s, "thread_leak:*worker*", "supp.txt", 3, err, sizeof err);
    rd_suppressions_add_line(s, "*:worker_*", "supp.txt", 4, err, sizeof err);
    rd_suppressions_add_line(s, "sync_misuse:*", "supp.txt", 5, err, sizeof err);
    CHECK_EQ_INT(rd_suppressions_apply(s, m), 3);
    CHECK_EQ_INT(m->nfindings, 1);
    CHECK_EQ_STR(m->findings[0]->kind, "deadlock");
    CHECK_EQ_INT(m->nsuppressed, 3);
    CHECK_EQ_INT(m->suppressed[0].count, 2); /* first matching rule counts */
    CHECK_EQ_INT(m->suppressed[1].count, 1);
    CHECK_EQ_INT(m->suppressed[2].count, 0);
    CHECK_EQ_INT(rd_model_nsuppressed_findings(m), 3);
    line = rd_render_suppressed_line(m);
    CHECK_EQ_STR(line, "racedet: suppressed 3 findings: 2 by thread_leak:*worker* "
                       "(supp.txt:3), 1 by *:worker_* (supp.txt:4)");
    free(line);
    {
        /* the kept finding is still found by id */
        struct rd_finding *k;
        HASH_FIND_STR(m->by_id, m->findings[0]->id, k);
        CHECK(k == m->findings[0]);
        CHECK_EQ_INT(HASH_COUNT(m->by_id), 1);
    }
    rd_suppressions_free(s);
    rd_model_free(m);
}

TEST(nothing_suppressed_says_nothing)
{
    struct rd_model *m = rd_model_new();
    CHECK(rd_render_suppressed_line(m) == NULL);
    CHECK_EQ_INT(rd_suppressions_apply(NULL, m), 0);
    rd_model_free(m);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(parses_rules_comments_and_blanks);
    RUN(malformed_lines_name_file_and_line);
    RUN(missing_file_is_an_error);
    RUN(globs_match_function_file_module_of_any_frame);
    RUN(thread_creation_stacks_count);
    RUN(apply_takes_findings_out_and_counts_per_rule);
    RUN(nothing_suppressed_says_nothing);
    unlink(write_file("supp.txt", ""));
    rmdir(tmpdir);
    UNIT_DONE();
}
