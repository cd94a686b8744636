/*
 * test_report_render: the text and JSON renderers on small models, the JSON
 * document read back (json_reader), merging of documents, the stability
 * of finding ids, and where a data race's memory is (location.h) in every
 * renderer and from records.
 */
#include <signal.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json_reader.h"
#include "process_exit.h"
#include "location.h"
#include "render.h"
#include "render_html.h"
#include "render_json.h"
#include "render_sarif.h"
#include "render_text.h"
#include "symbolize.h"
#include "unit.h"

static char tmpdir[] = "/tmp/racedet-test-render.XXXXXX";

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static struct rd_frame frame(const char *fn, const char *file, int line, uint64_t off,
                             bool inlined)
{
    struct rd_frame f;
    memset(&f, 0, sizeof f);
    f.module = xstrdup("/opt/app/bin/app");
    f.offset = off;
    f.pc = 0x555555554000ULL + off;
    f.function = xstrdup(fn);
    f.file = xstrdup(file);
    f.line = line;
    f.inlined = inlined;
    return f;
}

static void set_stack(struct rd_stack_info *s, const char *role, long thread,
                      struct rd_frame *frames, size_t n)
{
    s->role = xstrdup(role);
    s->thread = thread;
    s->frames = calloc(n, sizeof *frames);
    memcpy(s->frames, frames, n * sizeof *frames);
    s->nframes = n;
}

/* A finding with two threads: T<id> named name (NULL: unnamed), created
 * by the main thread, and T<other> (parent -1: the main thread). */
static struct rd_finding *two_thread_finding(const char *kind, const char *summary, long pid,
                                             long id, const char *name, long other,
                                             long other_parent)
{
    struct rd_finding *f = calloc(1, sizeof *f);
    f->kind = xstrdup(kind);
    f->summary = xstrdup(summary);
    f->pid = pid;
    f->occurrences = 1;
    f->nthreads = 2;
    f->threads = calloc(2, sizeof *f->threads);
    f->threads[0].id = id;
    f->threads[0].name = xstrdup(name);
    f->threads[0].parent = 0;
    f->threads[1].id = other;
    f->threads[1].parent = other_parent;
    return f;
}

/* A lock-order cycle between two globals, as rd_model_finish would make it. */
static struct rd_finding *cycle_finding(long pid, bool reversed)
{
    struct rd_finding *f = two_thread_finding(
        "lock_order_cycle",
        "T1 (phil) locks mutex `fork[1]` while holding mutex `fork[0]`; "
        "T2 locks mutex `fork[0]` while holding mutex `fork[1]`",
        pid, 1, "phil", 0, -1);
    struct rd_frame a[2], b[1];
    int i;
    f->threads[0].has_create = true;
    f->threads[0].ncreate = 1;
    f->threads[0].create = calloc(1, sizeof(struct rd_frame));
    f->threads[0].create[0] = frame("main", "/opt/app/src/main.c", 40, 0x1300, false);
    f->nlocks = 2;
    f->locks = calloc(2, sizeof *f->locks);
    for (i = 0; i < 2; i++) {
        char id[32], name[32];
        snprintf(id, sizeof id, "%ld:%d", pid, i);
        snprintf(name, sizeof name, "fork[%d]", i);
        f->locks[i].id = xstrdup(id);
        f->locks[i].kind = xstrdup("mutex");
        f->locks[i].type = xstrdup("normal");
        f->locks[i].name = xstrdup(name);
        f->locks[i].addr = xstrdup(i ? "0x555555558068" : "0x555555558040");
    }
    f->nstacks = 2;
    f->stacks = calloc(2, sizeof *f->stacks);
    a[0] = frame("take_fork", "/opt/app/src/forks.h", 7, 0x1200, true);
    a[1] = frame("philosopher", "/opt/app/src/main.c", 21, 0x1200, false);
    b[0] = frame(NULL, NULL, 0, 0x89134, false);
    free(b[0].module);
    b[0].module = xstrdup("/lib/x86_64-linux-gnu/libc.so.6");
    set_stack(&f->stacks[reversed ? 1 : 0], "T1 holds fork[0]", 1, a, 2);
    set_stack(&f->stacks[reversed ? 0 : 1], "T1 takes fork[1]", 1, b, 1);
    return f;
}

static struct rd_model *small_model(void)
{
    struct rd_model *m = rd_model_new();
    struct rd_process *p = rd_process_new();
    struct rd_graph_lock l0 = {"4242:0", "mutex", "fork[0]", "0x555555558040"};
    struct rd_graph_lock l1 = {"4242:1", "mutex", "fork[1]", "0x555555558068"};
    struct rd_graph_edge e;

    p->pid = 4242;
    p->ppid = 1;
    p->exe = xstrdup("/opt/app/bin/app");
    p->argc = 1;
    p->argv = calloc(1, sizeof *p->argv);
    p->argv[0] = xstrdup("./app");
    p->has_exit = true;
    p->exit_status = 0;
    p->exit_how = xstrdup("exit");
    rd_model_add_process(m, p);
    rd_model_add_finding(m, cycle_finding(4242, false));
    rd_model_add_graph_lock(m, &l0);
    rd_model_add_graph_lock(m, &l1);
    memset(&e, 0, sizeof e);
    e.from = "4242:0";
    e.to = "4242:1";
    e.thread = 1;
    e.has_from_frame = true;
    e.from_frame = frame("philosopher", "/opt/app/src/main.c", 21, 0x1200, false);
    e.in_cycle = true;
    rd_model_add_graph_edge(m, &e);
    rd_frame_clear(&e.from_frame);
    return m;
}

static char *render(const struct rd_model *m, rd_render_fn fn, bool color, const char *cwd)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct rd_render_opts o = {.color = color, .cwd = cwd, .snippets = false};
    CHECK_EQ_INT(fn(m, f, &o), 0);
    fclose(f);
    return text;
}

TEST(text_has_header_frames_and_threads)
{
    struct rd_model *m = small_model();
    char *t = render(m, rd_render_text, false, "/opt/app");
    CHECK(strstr(t, "==racedet== lock_order_cycle: T1 (phil) locks mutex `fork[1]` while "
                    "holding mutex `fork[0]`") == t);
    CHECK(strstr(t, "  T1 holds fork[0] (thread T1 \"phil\"):\n"
                    "    #0 take_fork src/forks.h:7 (app) [inlined]\n"
                    "    #1 philosopher src/main.c:21 (app)\n") != NULL);
    CHECK(strstr(t, "    #0 ?? (libc.so.6+0x89134)\n") != NULL);
    CHECK(strstr(t, "  T1 (phil) created at:\n    #0 main src/main.c:40 (app)\n") != NULL);
    CHECK(strstr(t, "  T0 is the main thread\n") != NULL);
    CHECK(strstr(t, "\n\nracedet: 1 finding (1 lock_order_cycle) in 1 process\n") != NULL);
    CHECK(strstr(t, "in process") == NULL); /* one process: not said */
    CHECK(strchr(t, '\033') == NULL);
    free(t);
    /* outside the cwd, files stay absolute */
    t = render(m, rd_render_text, false, "/elsewhere");
    CHECK(strstr(t, "#1 philosopher /opt/app/src/main.c:21 (app)") != NULL);
    free(t);
    rd_model_free(m);
}

TEST(text_colour_only_when_asked)
{
    struct rd_model *m = small_model();
    char *t = render(m, rd_render_text, true, NULL);
    CHECK(strstr(t, "\033[1;31mlock_order_cycle\033[0m") != NULL);
    free(t);
    rd_model_free(m);
}

TEST(text_says_missing_stacks_and_processes)
{
    struct rd_model *m = small_model();
    struct rd_process *p2 = rd_process_new();
    struct rd_finding *f = cycle_finding(4243, false);
    char *t;
    p2->pid = 4243;
    p2->exe = xstrdup("/bin/other");
    rd_model_add_process(m, p2);
    /* a different finding whose second stack is missing */
    free(f->kind);
    f->kind = xstrdup("deadlock");
    rd_frames_free(f->stacks[1].frames, f->stacks[1].nframes);
    f->stacks[1].frames = NULL;
    f->stacks[1].nframes = 0;
    f->stacks[1].unavailable = xstrdup("stack 9 is not defined");
    rd_model_add_finding(m, f);
    t = render(m, rd_render_text, false, NULL);
    CHECK(strstr(t, "    <stack unavailable: stack 9 is not defined>\n") != NULL);
    CHECK(strstr(t, "  in process 4243 (/bin/other)\n") != NULL);
    CHECK(strstr(t, "  in process 4242 (./app)\n") != NULL);
    CHECK(strstr(t, "racedet: 2 findings (1 deadlock, 1 lock_order_cycle) in 2 processes\n") !=
          NULL);
    free(t);
    rd_model_free(m);
}

TEST(text_neutralises_control_characters)
{
    struct rd_model *m = small_model();
    struct rd_finding *f = m->findings[0];
    char *t;
    free(f->summary);
    f->summary = xstrdup("line one\nline two \033[2J");
    free(f->stacks[0].frames[0].function);
    f->stacks[0].frames[0].function = xstrdup("evil\rname");
    t = render(m, rd_render_text, false, NULL);
    CHECK(strstr(t, "lock_order_cycle: line one?line two ?[2J\n") != NULL);
    CHECK(strstr(t, "#0 evil?name ") != NULL);
    CHECK(strchr(t, '\033') == NULL);
    CHECK(strchr(t, '\r') == NULL);
    free(t);
    rd_model_free(m);
}

TEST(occurrence_counts_saturate)
{
    struct rd_model *m = rd_model_new();
    struct rd_finding *a = cycle_finding(1, false), *b = cycle_finding(2, false);
    a->occurrences = 0x7fffffffffffffffL;
    b->occurrences = 0x7fffffffffffffffL;
    rd_model_add_finding(m, a);
    rd_model_add_finding(m, b);
    CHECK_EQ_INT(m->nfindings, 1);
    CHECK(m->findings[0]->occurrences > 0);
    CHECK_EQ_INT(m->findings[0]->npids, 2);
    rd_model_free(m);
}

TEST(text_no_findings)
{
    struct rd_model *m = rd_model_new();
    char *t;
    rd_model_add_process(m, rd_process_new());
    t = render(m, rd_render_text, false, NULL);
    CHECK_EQ_STR(t, "racedet: no findings in 1 process\n");
    free(t);
    rd_model_free(m);
}

TEST(json_document_fields)
{
    struct rd_model *m = small_model();
    char *t = render(m, rd_render_json, false, NULL);
    json_error_t err;
    json_t *doc = json_loads(t, 0, &err), *f, *fr, *edge;
    CHECK(doc != NULL);
    if (!doc)
        goto out;
    CHECK_EQ_STR(json_string_value(json_object_get(doc, "tool")), "racedet");
    CHECK_EQ_STR(json_string_value(json_object_get(doc, "version")), RACEDET_VERSION);
    CHECK_EQ_INT(json_integer_value(
                     json_object_get(json_array_get(json_object_get(doc, "processes"), 0), "pid")),
                 4242);
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_object_get(json_array_get(json_object_get(doc, "processes"), 0), "exit"),
                     "how")),
                 "exit");
    f = json_array_get(json_object_get(doc, "findings"), 0);
    CHECK_EQ_STR(json_string_value(json_object_get(f, "kind")), "lock_order_cycle");
    CHECK_EQ_STR(json_string_value(json_object_get(f, "id")), m->findings[0]->id);
    CHECK_EQ_INT(strlen(json_string_value(json_object_get(f, "id"))), 16);
    CHECK(strstr(json_string_value(json_object_get(f, "summary")), "mutex `fork[1]`") != NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(f, "process")), 4242);
    CHECK_EQ_INT(json_integer_value(json_object_get(f, "occurrences")), 1);
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_array_get(json_object_get(f, "locks"), 1), "id")),
                 "4242:1");
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_array_get(json_object_get(f, "locks"), 1), "name")),
                 "fork[1]");
    CHECK(json_is_null(json_object_get(json_array_get(json_object_get(f, "threads"), 1),
                                       "create_stack")));
    fr = json_array_get(json_object_get(json_array_get(json_object_get(f, "stacks"), 0), "frames"),
                        0);
    CHECK_EQ_STR(json_string_value(json_object_get(fr, "function")), "take_fork");
    CHECK_EQ_STR(json_string_value(json_object_get(fr, "file")), "/opt/app/src/forks.h");
    CHECK_EQ_INT(json_integer_value(json_object_get(fr, "line")), 7);
    CHECK_EQ_STR(json_string_value(json_object_get(fr, "pc")), "0x555555555200");
    CHECK_EQ_STR(json_string_value(json_object_get(fr, "offset")), "0x1200");
    CHECK_EQ_STR(json_string_value(json_object_get(fr, "module")), "/opt/app/bin/app");
    CHECK(json_is_true(json_object_get(fr, "inlined")));
    fr = json_array_get(json_object_get(json_array_get(json_object_get(f, "stacks"), 1), "frames"),
                        0);
    CHECK(json_is_null(json_object_get(fr, "function")));
    CHECK(json_is_null(json_object_get(fr, "file")));
    CHECK(json_is_null(json_object_get(fr, "line")));
    CHECK(json_is_object(json_object_get(f, "details")));
    edge = json_array_get(json_object_get(json_object_get(doc, "lock_graph"), "edges"), 0);
    CHECK_EQ_STR(json_string_value(json_object_get(edge, "from")), "4242:0");
    CHECK(json_is_true(json_object_get(edge, "in_cycle")));
    CHECK(json_is_false(json_object_get(edge, "trylock")));
    CHECK(json_is_null(json_object_get(edge, "to_frame")));
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(edge, "from_frame"),
                                                   "function")),
                 "philosopher");
    CHECK_EQ_INT(json_array_size(json_object_get(json_object_get(doc, "lock_graph"), "locks")),
                 2);
out:
    json_decref(doc);
    free(t);
    rd_model_free(m);
}

static char *write_tmp(const char *name, const char *text)
{
    char *path;
    FILE *f;
    if (asprintf(&path, "%s/%s", tmpdir, name) < 0)
        abort();
    f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

TEST(json_reads_back_to_the_same_report)
{
    struct rd_model *m = small_model(), *back = rd_model_new();
    char *json = render(m, rd_render_json, false, NULL);
    char *path = write_tmp("doc.json", json);
    char *t1 = render(m, rd_render_text, false, NULL), *t2, *json2;
    CHECK_EQ_INT(rd_json_read(back, path, stderr), 0);
    t2 = render(back, rd_render_text, false, NULL);
    CHECK_EQ_STR(t2, t1);
    json2 = render(back, rd_render_json, false, NULL);
    CHECK_EQ_STR(json2, json);
    free(json);
    free(json2);
    free(t1);
    free(t2);
    free(path);
    rd_model_free(m);
    rd_model_free(back);
}

/* A process read from records, as the record reader makes it. */
static struct rd_process *recorded(long pid, int64_t time_ns, long exit_status)
{
    struct rd_process *p = rd_process_new();
    p->pid = pid;
    p->ppid = 1;
    p->exe = xstrdup("/bin/app");
    p->from_records = true;
    p->time_ns = time_ns;
    if (exit_status != -2) {
        p->has_exit = true;
        p->exit_status = exit_status;
        p->exit_how = xstrdup("exit");
    }
    return p;
}

TEST(exit_status_from_waitpid_unknown_and_signals)
{
    struct rd_model *m = rd_model_new(), *back = rd_model_new();
    char *json, *json2, *path;
    json_t *doc, *procs;
    rd_model_add_process(m, recorded(10, 1, -1)); /* main returned: not seen */
    rd_model_add_process(m, recorded(11, 3, -1)); /* exec'd image of 11: the last */
    free(m->procs[1]->exe);
    m->procs[1]->exe = xstrdup("/bin/exec-d");
    rd_model_add_process(m, recorded(11, 2, -2)); /* 11 before exec: no exit */
    rd_model_add_process(m, recorded(12, 4, -1));
    rd_model_sort_processes(m);
    CHECK(rd_model_note_wait_status(m, 11, W_EXITCODE(0, SIGSEGV)));
    CHECK(rd_model_note_wait_status(m, 12, W_EXITCODE(3, 0)));
    CHECK(!rd_model_note_wait_status(m, 99, W_EXITCODE(0, 0)));
    json = render(m, rd_render_json, false, NULL);
    doc = json_loads(json, 0, NULL);
    procs = json_object_get(doc, "processes");
    CHECK_EQ_INT(json_array_size(procs), 4);
    /* not known: null, never -1 */
    CHECK(json_is_null(json_object_get(json_object_get(json_array_get(procs, 0), "exit"),
                                       "status")));
    CHECK(json_is_null(json_object_get(json_array_get(procs, 1), "exit")));
    CHECK_EQ_INT(json_integer_value(json_object_get(
                     json_object_get(json_array_get(procs, 2), "exit"), "status")),
                 128 + SIGSEGV);
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_object_get(json_array_get(procs, 2), "exit"), "how")),
                 "signal");
    CHECK_EQ_INT(json_integer_value(json_object_get(
                     json_object_get(json_array_get(procs, 2), "exit"), "signal")),
                 SIGSEGV);
    CHECK_EQ_INT(json_integer_value(json_object_get(
                     json_object_get(json_array_get(procs, 3), "exit"), "status")),
                 3);
    CHECK(strstr(json, "-1") == NULL);
    {
        char *line = rd_render_summary_line(m);
        CHECK_EQ_STR(line, "racedet: /bin/exec-d was killed by signal 11 (SIGSEGV); nothing "
                           "found before it died, in 4 processes");
        free(line);
    }
    /* and it reads back the same */
    path = write_tmp("exits.json", json);
    CHECK_EQ_INT(rd_json_read(back, path, stderr), 0);
    json2 = render(back, rd_render_json, false, NULL);
    CHECK_EQ_STR(json2, json);
    json_decref(doc);
    free(json);
    free(json2);
    free(path);
    rd_model_free(m);
    rd_model_free(back);
}

TEST(json_documents_merge_by_id)
{
    struct rd_model *m = small_model(), *merged = rd_model_new();
    char *json = render(m, rd_render_json, false, NULL);
    char *a = write_tmp("a.json", json), *b = write_tmp("b.json", json);
    CHECK_EQ_INT(rd_json_read(merged, a, stderr), 0);
    CHECK_EQ_INT(rd_json_read(merged, b, stderr), 0);
    CHECK_EQ_INT(merged->nfindings, 1);
    CHECK_EQ_INT(merged->findings[0]->occurrences, 2);
    CHECK_EQ_INT(rd_model_nprocesses(merged), 1); /* the same process twice */
    CHECK_EQ_INT(merged->ngedges, 1);
    CHECK_EQ_INT(merged->nglocks, 2);
    free(json);
    free(a);
    free(b);
    rd_model_free(m);
    rd_model_free(merged);
}

TEST(bad_json_documents_are_one_line_errors)
{
    static const struct {
        const char *name, *text, *says;
    } cases[] = {
        {"empty.json", "", "empty"},
        {"blank.json", "  \n\n", "empty"},
        {"text.json", "hello world\n", "not JSON"},
        {"truncated.json", "{\"tool\": \"racedet\", \"version\": \"0.1.0\", \"findings\": [", "truncated"},
        {"other.json", "{\"tool\": \"tsan\", \"version\": \"0.1.0\"}", "not a racedet report"},
        {"array.json", "[1, 2]", "not a racedet report"},
        {"version.json", "{\"tool\": \"racedet\", \"version\": \"99.0.0\", \"processes\": [], "
                         "\"findings\": []}", "version 99.0.0"},
        {"noversion.json", "{\"tool\": \"racedet\", \"processes\": [], \"findings\": []}", "version"},
        {"shape.json", "{\"tool\": \"racedet\", \"version\": \"0.1.0\", \"findings\": {}}",
         "arrays"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rd_model *m = rd_model_new();
        char *path = write_tmp(cases[i].name, cases[i].text), *text = NULL;
        size_t len = 0;
        FILE *diag = open_memstream(&text, &len);
        int rc = rd_json_read(m, path, diag);
        fclose(diag);
        CHECK_EQ_INT(rc, -1);
        CHECK(strstr(text, path) != NULL);
        CHECK(strstr(text, cases[i].says) != NULL);
        CHECK(strchr(text, '\n') == text + strlen(text) - 1);
        if (rc != -1 || !strstr(text, cases[i].says))
            fprintf(stderr, "  case %s: %s", cases[i].name, text);
        CHECK_EQ_INT(m->nprocs + m->nfindings, 0);
        free(text);
        free(path);
        rd_model_free(m);
    }
}

TEST(bad_entries_in_a_good_document_are_skipped)
{
    struct rd_model *m = rd_model_new();
    char *path = write_tmp(
        "entries.json",
        "{\"tool\":\"racedet\",\"version\":\"0.1.0\",\"processes\":[7,{\"pid\":\"x\"}],"
        "\"findings\":[1,{\"kind\":\"deadlock\"},{\"kind\":\"deadlock\",\"stacks\":[5,"
        "{\"role\":\"r\",\"thread\":\"t\",\"frames\":[{\"pc\":\"zz\"},{\"offset\":\"0x10\"}]}]}],"
        "\"lock_graph\":{\"locks\":[3],\"edges\":[{\"from\":1}]}}");
    char *text = NULL;
    size_t len = 0;
    FILE *diag = open_memstream(&text, &len);
    CHECK_EQ_INT(rd_json_read(m, path, diag), 0);
    fclose(diag);
    CHECK_EQ_INT(m->nfindings, 1);
    if (m->nfindings == 1) {
        CHECK_EQ_INT(m->findings[0]->nstacks, 1);
        CHECK_EQ_INT(m->findings[0]->stacks[0].nframes, 1);
        CHECK_EQ_INT(strlen(m->findings[0]->id), 16); /* computed: the document had none */
    }
    CHECK(strstr(text, "finding 0 skipped") != NULL);
    CHECK(strstr(text, "finding 1 skipped") != NULL);
    free(text);
    free(path);
    rd_model_free(m);
}

TEST(finding_id_is_stable)
{
    struct rd_finding *a = cycle_finding(1, false), *b = cycle_finding(2, true);
    struct rd_finding *c = cycle_finding(1, false), *d = cycle_finding(1, false);
    char ia[17], ib[17], ic[17], id[17];
    rd_finding_compute_id(a, ia);
    rd_finding_compute_id(b, ib);
    CHECK_EQ_STR(ia, ib); /* stacks in another order, another process */
    free(c->kind);
    c->kind = strdup("deadlock");
    rd_finding_compute_id(c, ic);
    CHECK(strcmp(ia, ic) != 0);
    d->stacks[0].frames[0].line = 8;
    rd_finding_compute_id(d, id);
    CHECK(strcmp(ia, id) != 0);
    /* another load address and another directory: same id */
    d->stacks[0].frames[0].line = 7;
    d->stacks[0].frames[0].pc += 0x1000000;
    free(d->stacks[0].frames[0].file);
    d->stacks[0].frames[0].file = strdup("/home/other/checkout/src/forks.h");
    rd_finding_compute_id(d, id);
    CHECK_EQ_STR(ia, id);
    CHECK_EQ_INT(strspn(ia, "0123456789abcdef"), 16);
    rd_finding_free(a);
    rd_finding_free(b);
    rd_finding_free(c);
    rd_finding_free(d);
}

TEST(renderer_table)
{
    char names[64];
    CHECK(rd_renderer_find("text") && !rd_renderer_find("text")->machine);
    CHECK(rd_renderer_find("json") && rd_renderer_find("json")->machine);
    CHECK(rd_renderer_find("nope") == NULL);
    CHECK(rd_renderer_find(NULL) == NULL);
    rd_renderer_names(names, sizeof names);
    CHECK_EQ_STR(names, "text, json, sarif, dot, svg, html");
}

/* ---- where a data race's memory is ------------------------------------------ */

/* A data race on memory the details describe (LOCATION: a JSON object, as
 * rd_location_resolve leaves it), with an allocation stack as stack 2. */
static struct rd_finding *race_finding(const char *location, bool write, int size)
{
    struct rd_finding *f = two_thread_finding(
        "data_race", "data race: write of size 4 by T2 and an unordered previous read", 4242, 1,
        "maker", 2, 0);
    struct rd_frame w[1], r[1], a[2];
    json_error_t err;
    char *details;
    f->nstacks = 3;
    f->stacks = calloc(3, sizeof *f->stacks);
    w[0] = frame("writer", "/opt/app/src/main.c", 12, 0x1100, false);
    r[0] = frame("reader", "/opt/app/src/main.c", 20, 0x1180, false);
    a[0] = frame("malloc", NULL, 0, 0x9a000, false);
    free(a[0].module);
    a[0].module = xstrdup("/lib/x86_64-linux-gnu/libc.so.6");
    a[1] = frame("main", "/opt/app/src/main.c", 40, 0x1300, false);
    set_stack(&f->stacks[0], "write of size 4 by T2", 2, w, 1);
    set_stack(&f->stacks[1], "previous read of size 4 by T1", 1, r, 1);
    set_stack(&f->stacks[2], "allocated by T1", 1, a, 2);
    if (asprintf(&details, "{\"address\":\"0x55555555a018\",\"size\":%d,"
                           "\"current\":{\"write\":%s,\"size\":%d,\"atomic\":false},"
                           "\"location\":%s}",
                 size, write ? "true" : "false", size, location) < 0)
        abort();
    f->details = json_loads(details, 0, &err);
    CHECK(f->details != NULL);
    free(details);
    return f;
}

static struct rd_model *race_model(const char *location, bool write, int size)
{
    struct rd_model *m = rd_model_new();
    rd_model_add_finding(m, race_finding(location, write, size));
    return m;
}

static const char *const global_location =
    "{\"kind\":\"global\",\"module\":\"/opt/app/bin/app\",\"offset\":16400,"
    "\"name\":\"counter\"}";

TEST(text_names_a_global)
{
    struct rd_model *m = race_model(global_location, true, 4);
    char *t = render(m, rd_render_text, false, NULL);
    CHECK(strstr(t, "\n  location: write of 4 bytes to global `counter` (app+0x4010)\n"));
    free(t);
    rd_model_free(m);
    /* no symbol for it: the module and offset still say where */
    m = race_model("{\"kind\":\"global\",\"module\":\"/opt/app/bin/app\",\"offset\":16,"
                   "\"name\":null}", false, 1);
    t = render(m, rd_render_text, false, NULL);
    CHECK(strstr(t, "  location: read of 1 byte from a global (app+0x10)\n"));
    free(t);
    rd_model_free(m);
}

TEST(text_names_a_heap_block_and_its_allocation)
{
    struct rd_model *m = race_model("{\"kind\":\"heap\",\"block\":\"0x55555555a010\","
                                    "\"block_size\":64,\"block_offset\":8,"
                                    "\"alloc_thread\":1,\"alloc_stack_index\":2}",
                                    false, 8);
    char *t = render(m, rd_render_text, false, "/opt/app");
    /* the allocation is placed at its first frame in the user's code */
    CHECK(strstr(t, "  location: read of 8 bytes from a heap block of 64 bytes at offset 8, "
                    "allocated by T1 (maker) at main src/main.c:40\n"));
    free(t);
    rd_model_free(m);
    /* a document without the allocation stack */
    m = race_model("{\"kind\":\"heap\",\"block_size\":1,\"block_offset\":0,"
                   "\"alloc_thread\":0}", true, 1);
    t = render(m, rd_render_text, false, NULL);
    CHECK(strstr(t, "  location: write of 1 byte to a heap block of 1 byte at offset 0, "
                    "allocated by T0\n"));
    free(t);
    rd_model_free(m);
}

TEST(text_names_a_thread_stack_and_unknown_memory)
{
    struct rd_model *m = race_model("{\"kind\":\"stack\",\"stack_thread\":2}", true, 4);
    char *t = render(m, rd_render_text, false, NULL);
    CHECK(strstr(t, "  location: write of 4 bytes to the stack of T2\n"));
    free(t);
    rd_model_free(m);
    m = race_model("{\"kind\":\"unknown\"}", true, 2);
    t = render(m, rd_render_text, false, NULL);
    CHECK(strstr(t, "  location: write of 2 bytes to 0x55555555a018 (not in a global"));
    free(t);
    rd_model_free(m);
    /* findings without a location say nothing of one */
    m = small_model();
    t = render(m, rd_render_text, false, NULL);
    CHECK(!strstr(t, "location:"));
    free(t);
    rd_model_free(m);
}

TEST(html_and_sarif_name_the_memory)
{
    struct rd_model *m = race_model("{\"kind\":\"global\",\"module\":\"/opt/app/bin/app\","
                                    "\"offset\":16400,\"name\":\"table<int>::count\"}",
                                    true, 4);
    char *html = render(m, rd_render_html, false, NULL);
    json_t *sarif = rd_report_to_sarif(m, "/opt/app"), *res;
    const char *msg;
    CHECK(strstr(html, "<p class=\"location\">location: write of 4 bytes to global "
                       "`table&lt;int&gt;::count` (app+0x4010)</p>"));
    res = json_array_get(json_object_get(json_array_get(json_object_get(sarif, "runs"), 0),
                                         "results"), 0);
    msg = json_string_value(json_object_get(json_object_get(res, "message"), "text"));
    CHECK(msg && strstr(msg, "; write of 4 bytes to global `table<int>::count` (app+0x4010)"));
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(res, "properties"),
                                                   "location")),
                 "write of 4 bytes to global `table<int>::count` (app+0x4010)");
    json_decref(sarif);
    free(html);
    rd_model_free(m);
}

TEST(json_keeps_the_location)
{
    struct rd_model *m = race_model(global_location, true, 4), *back = rd_model_new();
    char *json = render(m, rd_render_json, false, NULL);
    char *path = write_tmp("race.json", json);
    char *t1 = render(m, rd_render_text, false, NULL), *t2;
    CHECK_EQ_INT(rd_json_read(back, path, stderr), 0);
    t2 = render(back, rd_render_text, false, NULL);
    CHECK(strstr(t2, "location: write of 4 bytes to global `counter`"));
    CHECK_EQ_STR(t2, t1);
    free(json);
    free(t1);
    free(t2);
    free(path);
    rd_model_free(m);
    rd_model_free(back);
}

/* What the runtime writes, with ids of its record file, resolved against
 * this test binary: the global's name from its symbols, the module's path,
 * the allocation stack's id turned into its index among the stacks. */
long location_probe_counter;

static int first_module(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    *(uintptr_t *)arg = info->dlpi_addr; /* the first one is the executable */
    return 1;
}

TEST(records_resolve_to_names_and_indexes)
{
    struct rd_process *p = rd_process_new();
    struct rd_rec_module *mod = calloc(1, sizeof *mod);
    struct rd_rec_stackref refs[3] = {{"write", 1, 7}, {"read", 2, 8}, {"allocated by", 1, 9}};
    struct rd_rec_finding rf = {.stacks = refs, .nstacks = 3};
    struct rd_symbolizer *sym = rd_symbolizer_new(stderr);
    struct rd_finding f = {0};
    struct rd_location l;
    uintptr_t base = 0;
    char exe[4096], *text;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    json_t *d, *r;
    json_error_t err;

    exe[n > 0 ? n : 0] = '\0';
    dl_iterate_phdr(first_module, &base);
    mod->id = 3;
    mod->path = xstrdup(exe);
    HASH_ADD(hh, p->modules, id, sizeof mod->id, mod);

    d = json_pack("{s:{s:b,s:i,s:b},s:{s:s,s:i,s:I}}", "current", "write", 1, "size", 8,
                  "atomic", 0, "location", "kind", "global", "module", 3, "offset",
                  (json_int_t)((uintptr_t)&location_probe_counter - base));
    r = rd_location_resolve(d, p, &rf, sym);
    f.details = r;
    CHECK(rd_location_of(&f, &l));
    CHECK_EQ_INT(l.kind, RD_LOC_GLOBAL);
    CHECK_EQ_STR(l.name, "location_probe_counter");
    CHECK_EQ_STR(l.module, exe);
    text = rd_location_text(&f, NULL);
    CHECK(text && strncmp(text, "write of 8 bytes to global `location_probe_counter` (", 53) == 0);
    free(text);
    CHECK(json_is_integer(json_object_get(json_object_get(d, "location"), "module")));
    json_decref(r);
    json_decref(d);

    d = json_loads("{\"location\":{\"kind\":\"heap\",\"block_size\":16,\"block_offset\":4,"
                   "\"alloc_stack\":9,\"alloc_thread\":1}}", 0, &err);
    r = rd_location_resolve(d, p, &rf, sym);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(r, "location"),
                                                    "alloc_stack_index")), 2);
    CHECK(!json_object_get(json_object_get(r, "location"), "alloc_stack"));
    json_decref(r);
    json_decref(d);

    /* an undefined module: no path, no name, no crash */
    d = json_loads("{\"location\":{\"kind\":\"global\",\"module\":99,\"offset\":0}}", 0, &err);
    r = rd_location_resolve(d, p, &rf, sym);
    f.details = r;
    CHECK(rd_location_of(&f, &l));
    CHECK(l.module == NULL && l.name == NULL);
    json_decref(r);
    json_decref(d);

    rd_symbolizer_free(sym);
    rd_process_free(p);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(text_has_header_frames_and_threads);
    RUN(text_colour_only_when_asked);
    RUN(text_says_missing_stacks_and_processes);
    RUN(text_neutralises_control_characters);
    RUN(occurrence_counts_saturate);
    RUN(text_no_findings);
    RUN(json_document_fields);
    RUN(json_reads_back_to_the_same_report);
    RUN(exit_status_from_waitpid_unknown_and_signals);
    RUN(json_documents_merge_by_id);
    RUN(bad_json_documents_are_one_line_errors);
    RUN(bad_entries_in_a_good_document_are_skipped);
    RUN(finding_id_is_stable);
    RUN(renderer_table);
    RUN(text_names_a_global);
    RUN(text_names_a_heap_block_and_its_allocation);
    RUN(text_names_a_thread_stack_and_unknown_memory);
    RUN(html_and_sarif_name_the_memory);
    RUN(json_keeps_the_location);
    RUN(records_resolve_to_names_and_indexes);
    {
        char *cmd;
        if (asprintf(&cmd, "rm -rf '%s'", tmpdir) >= 0) {
            if (system(cmd) != 0)
                fprintf(stderr, "could not remove %s\n", tmpdir);
            free(cmd);
        }
    }
    UNIT_DONE();
}
