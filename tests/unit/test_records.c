/*
 * test_records: hand-written record files -> the model: ids and summary
 * templates resolved, findings deduplicated across processes, and every kind
 * of bad input (truncated, corrupt, missing process line, wrong version,
 * unknown fields and types, undefined or hostile ids) survived.
 */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record_reader.h"
#include "slurp.h"
#include "symbolize.h"
#include "unit.h"

static char tmpdir[] = "/tmp/racedet-test-records.XXXXXX";
static int nfiles;

/* Write text to a fresh file in tmpdir; returns its path (static storage
 * per call is not enough: the caller frees). */
static char *write_file(const char *text)
{
    char *path;
    FILE *f;
    if (asprintf(&path, "%s/racedet.%d.0.jsonl", tmpdir, ++nfiles) < 0)
        abort();
    f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Diagnostics collected in memory. */
struct diag {
    char *text;
    size_t len;
    FILE *f;
};

static void diag_open(struct diag *d)
{
    d->text = NULL;
    d->len = 0;
    d->f = open_memstream(&d->text, &d->len);
}

static const char *diag_text(struct diag *d)
{
    fflush(d->f);
    return d->text ? d->text : "";
}

static void diag_close(struct diag *d)
{
    fclose(d->f);
    free(d->text);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* A global of this binary, to be named through the module table. */
pthread_mutex_t record_test_lock = PTHREAD_MUTEX_INITIALIZER;

struct self {
    uintptr_t addr;
    uintptr_t base;
    char path[4096];
};

static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct self *s = arg;
    int i;
    (void)size;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && s->addr >= start && s->addr < start + ph->p_memsz) {
            ssize_t n = readlink("/proc/self/exe", s->path, sizeof s->path - 1);
            s->path[n > 0 ? n : 0] = '\0';
            s->base = info->dlpi_addr;
            return 1;
        }
    }
    return 0;
}

/* A process with one self-deadlock finding on a global of this binary. */
static char *self_deadlock_file(long pid)
{
    struct self s;
    char *text, *path;
    memset(&s, 0, sizeof s);
    s.addr = (uintptr_t)&record_test_lock;
    dl_iterate_phdr(find_self, &s);
    if (asprintf(&text,
                 "{\"t\":\"process\",\"version\":1,\"pid\":%ld,\"ppid\":1,\"exe\":\"%s\","
                 "\"argv\":[\"./prog\",\"arg\"],\"time_ns\":%ld}\n"
                 "{\"t\":\"module\",\"id\":0,\"path\":\"%s\",\"base\":\"0x%lx\"}\n"
                 "{\"t\":\"thread\",\"id\":0,\"parent\":-1,\"create_stack\":-1,\"name\":\"\"}\n"
                 "{\"t\":\"stack\",\"id\":0,\"frames\":[[0,4660],[0,4801]]}\n"
                 "{\"t\":\"stack\",\"id\":1,\"frames\":[[0,4700],[-1,140737488355328]]}\n"
                 "{\"t\":\"thread\",\"id\":1,\"parent\":0,\"create_stack\":0,\"name\":\"worker\"}\n"
                 "{\"t\":\"lock\",\"id\":0,\"kind\":\"mutex\",\"type\":\"normal\","
                 "\"addr\":\"0x%lx\",\"module\":0,\"offset\":%lu,\"init_stack\":-1}\n"
                 "{\"t\":\"lock\",\"id\":1,\"kind\":\"rwlock\",\"type\":\"\","
                 "\"addr\":\"0x7f3a2c000b70\",\"module\":-1,\"offset\":0,\"init_stack\":-1}\n"
                 "{\"t\":\"finding\",\"kind\":\"self_deadlock\",\"summary\":\"{thread:1} "
                 "locks {lock:0}, which it already holds (see {lock:1})\",\"threads\":[1],"
                 "\"locks\":[0,1],\"stacks\":[{\"role\":\"{thread:1} took {lock:0}\",\"thread\":1,"
                 "\"stack\":0},{\"role\":\"second attempt\",\"thread\":1,\"stack\":1}],"
                 "\"details\":{\"note\":\"kept\"}}\n"
                 "{\"t\":\"exit\",\"status\":66,\"how\":\"fatal\"}\n",
                 pid, s.path, pid * 10, s.path, (unsigned long)s.base,
                 (unsigned long)s.addr, (unsigned long)(s.addr - s.base)) < 0)
        abort();
    path = write_file(text);
    free(text);
    return path;
}

static void finish(struct rd_model *m, FILE *diag)
{
    struct rd_symbolizer *sym = rd_symbolizer_new(diag);
    rd_model_finish(m, sym, diag);
    rd_symbolizer_free(sym);
}

TEST(ids_and_summary_resolved)
{
    struct rd_model *m = rd_model_new();
    struct diag d;
    char *path = self_deadlock_file(4242);
    struct rd_finding *f;
    char *want;

    diag_open(&d);
    CHECK_EQ_INT(rd_records_read(m, path, d.f), 0);
    finish(m, d.f);
    CHECK_EQ_STR(diag_text(&d), "");
    CHECK_EQ_INT(m->nprocs, 1);
    CHECK_EQ_INT(m->procs[0]->pid, 4242);
    CHECK_EQ_INT(m->procs[0]->ppid, 1);
    CHECK_EQ_INT(m->procs[0]->argc, 2);
    CHECK_EQ_STR(m->procs[0]->argv[0], "./prog");
    CHECK(m->procs[0]->has_exit);
    CHECK_EQ_INT(m->procs[0]->exit_status, 66);
    CHECK_EQ_STR(m->procs[0]->exit_how, "fatal");
    CHECK_EQ_INT(m->nfindings, 1);
    if (m->nfindings != 1)
        goto out;
    f = m->findings[0];
    CHECK_EQ_STR(f->kind, "self_deadlock");
    want = NULL;
    if (asprintf(&want, "T1 (worker) locks mutex `record_test_lock`, which it already holds "
                        "(see rwlock 0x7f3a2c000b70)") < 0)
        abort();
    CHECK_EQ_STR(f->summary, want);
    free(want);
    CHECK_EQ_INT(strlen(f->id), 16);
    CHECK_EQ_INT(f->occurrences, 1);
    CHECK_EQ_INT(f->pid, 4242);
    /* locks */
    CHECK_EQ_INT(f->nlocks, 2);
    CHECK_EQ_STR(f->locks[0].id, "4242:0");
    CHECK_EQ_STR(f->locks[0].name, "record_test_lock");
    CHECK_EQ_STR(f->locks[0].kind, "mutex");
    CHECK_EQ_STR(f->locks[0].type, "normal");
    CHECK(f->locks[1].name == NULL);
    CHECK_EQ_STR(f->locks[1].addr, "0x7f3a2c000b70");
    /* threads: T1 with its creation stack */
    CHECK_EQ_INT(f->nthreads, 1);
    CHECK_EQ_INT(f->threads[0].id, 1);
    CHECK_EQ_STR(f->threads[0].name, "worker");
    CHECK(f->threads[0].has_create);
    CHECK_EQ_INT(f->threads[0].ncreate >= 2, 1);
    /* stacks: frames carry pc = base + offset, and the module path */
    CHECK_EQ_INT(f->nstacks, 2);
    CHECK_EQ_STR(f->stacks[0].role, "T1 (worker) took mutex `record_test_lock`");
    CHECK_EQ_INT(f->stacks[0].thread, 1);
    CHECK(f->stacks[0].unavailable == NULL);
    CHECK(f->stacks[0].nframes >= 2);
    CHECK_EQ_INT(f->stacks[0].frames[0].offset, 4660);
    CHECK_EQ_INT(f->stacks[0].frames[0].pc, m->procs[0]->modules->base + 4660);
    CHECK(f->stacks[0].frames[0].module != NULL);
    /* a frame in no module keeps its absolute pc */
    CHECK_EQ_INT(f->stacks[1].nframes, 2);
    CHECK(f->stacks[1].frames[1].module == NULL);
    CHECK_EQ_INT(f->stacks[1].frames[1].pc, 140737488355328LL);
    CHECK(f->details && json_is_object(f->details));
    CHECK_EQ_STR(json_string_value(json_object_get(f->details, "note")), "kept");
out:
    diag_close(&d);
    rd_model_free(m);
    free(path);
}

TEST(same_finding_in_two_processes_is_one)
{
    struct rd_model *m = rd_model_new();
    char *a = self_deadlock_file(100), *b = self_deadlock_file(200);
    CHECK_EQ_INT(rd_records_read(m, a, stderr), 0);
    CHECK_EQ_INT(rd_records_read(m, b, stderr), 0);
    finish(m, stderr);
    CHECK_EQ_INT(m->nprocs, 2);
    CHECK_EQ_INT(rd_model_nprocesses(m), 2);
    CHECK_EQ_INT(m->nfindings, 1);
    if (m->nfindings == 1) {
        CHECK_EQ_INT(m->findings[0]->occurrences, 2);
        CHECK_EQ_INT(m->findings[0]->npids, 2);
        CHECK_EQ_INT(m->findings[0]->pids[0], 100);
        CHECK_EQ_INT(m->findings[0]->pids[1], 200);
        CHECK_EQ_INT(m->findings[0]->pid, 100);
    }
    rd_model_free(m);
    free(a);
    free(b);
}

TEST(truncated_last_line_is_warned_and_ignored)
{
    struct rd_model *m = rd_model_new();
    struct diag d;
    char *path = write_file(
        "{\"t\":\"process\",\"version\":1,\"pid\":7,\"ppid\":1,\"exe\":\"/x\",\"argv\":[]}\n"
        "{\"t\":\"stack\",\"id\":0,\"frames\":[[-1,16]]}\n"
        "{\"t\":\"finding\",\"kind\":\"thread_leak\",\"summary\":\"x\",\"threads\":[],"
        "\"locks\":[],\"stacks\":[{\"role\":\"r\",\"thread\":0,\"stack\":0}]}");
    diag_open(&d);
    CHECK_EQ_INT(rd_records_read(m, path, d.f), 0);
    finish(m, d.f);
    CHECK(strstr(diag_text(&d), path) != NULL);
    CHECK(strstr(diag_text(&d), ":3:") != NULL);
    CHECK(strstr(diag_text(&d), "truncated") != NULL);
    CHECK_EQ_INT(count_lines(diag_text(&d)), 1);
    CHECK_EQ_INT(m->nprocs, 1);
    CHECK_EQ_INT(m->nfindings, 0);
    diag_close(&d);
    rd_model_free(m);
    free(path);
}

TEST(corrupt_middle_line_is_skipped)
{
    struct rd_model *m = rd_model_new();
    struct diag d;
    char *path = write_file(
        "{\"t\":\"process\",\"version\":1,\"pid\":7,\"ppid\":1,\"exe\":\"/x\",\"argv\":[]}\n"
        "{\"t\":\"stack\",\"id\":0,\"frames\":[[-1,16]]}\n"
        "{\"t\":\"stack\",\"id\":1,\"fra\n"
        "{\"t\":\"thread\",\"id\":0,\"parent\":-1,\"create_stack\":-1,\"name\":\"\"}\n"
        "{\"t\":\"finding\",\"kind\":\"thread_leak\",\"summary\":\"x\",\"threads\":[],"
        "\"locks\":[],\"stacks\":[{\"role\":\"r\",\"thread\":0,\"stack\":0}]}\n");
    char *where;
    diag_open(&d);
    CHECK_EQ_INT(rd_records_read(m, path, d.f), 0);
    finish(m, d.f);
    if (asprintf(&where, "racedet: %s:3: ", path) < 0)
        abort();
    CHECK(strstr(diag_text(&d), where) == diag_text(&d));
    CHECK_EQ_INT(count_lines(diag_text(&d)), 1);
    CHECK_EQ_INT(m->nfindings, 1);
    free(where);
    diag_close(&d);
    rd_model_free(m);
    free(path);
}

TEST(missing_process_line_is_an_error)
{
    struct rd_model *m = rd_model_new();
    struct diag d;
    char *no_process = write_file("{\"t\":\"stack\",\"id\":0,\"frames\":[]}\n");
    char *bad_version = write_file(
        "{\"t\":\"process\",\"version\":2,\"pid\":7,\"ppid\":1,\"exe\":\"/x\",\"argv\":[]}\n");
    char *empty = write_file("");
    char *garbage = write_file("hello\nworld\n");
    char *truncated_first = write_file("{\"t\":\"process\",\"vers");
    diag_open(&d);
    CHECK_EQ_INT(rd_records_read(m, no_process, d.f), -1);
    CHECK(strstr(diag_text(&d), no_process) != NULL);
    CHECK_EQ_INT(rd_records_read(m, bad_version, d.f), -1);
    CHECK(strstr(diag_text(&d), bad_version) != NULL);
    CHECK(strstr(diag_text(&d), "version 2") != NULL);
    CHECK_EQ_INT(rd_records_read(m, empty, d.f), -1);
    CHECK(strstr(diag_text(&d), empty) != NULL);
    CHECK_EQ_INT(rd_records_read(m, garbage, d.f), -1);
    CHECK_EQ_INT(rd_records_read(m, truncated_first, d.f), -1);
    CHECK_EQ_INT(rd_records_read(m, "/nonexistent/racedet.1.0.jsonl", d.f), -1);
    CHECK_EQ_INT(count_lines(diag_text(&d)), 6); /* one line per bad file */
    CHECK_EQ_INT(m->nprocs, 0);
    diag_close(&d);
    rd_model_free(m);
    free(no_process);
    free(bad_version);
    free(empty);
    free(garbage);
    free(truncated_first);
}

TEST(a_file_over_the_input_limit_is_one_error)
{
    static const char rec[] =
        "{\"t\":\"process\",\"version\":1,\"pid\":7,\"ppid\":1,\"exe\":\"/x\",\"argv\":[]}\n";
    size_t size = sizeof rec - 1, len = 0;
    struct rd_model *m = rd_model_new();
    struct diag d;
    char *path = write_file(rec), *data;
    int fd = open(path, O_RDONLY);

    diag_open(&d);
    rd_input_limit_set(size); /* exactly the limit: read */
    CHECK_EQ_INT(rd_records_read(m, path, d.f), 0);
    data = rd_slurp_fd(fd, size - 1, &len); /* one byte over: refused */
    CHECK(data == NULL && errno == EFBIG);
    rd_input_limit_set(size - 1);
    CHECK_EQ_INT(rd_records_read(m, path, d.f), -1);
    CHECK(strstr(diag_text(&d), "larger than the") != NULL);
    CHECK(strstr(diag_text(&d), "input limit (--max-input-size)") != NULL);
    CHECK_EQ_INT(count_lines(diag_text(&d)), 1);
    CHECK_EQ_INT(m->nprocs, 1);
    rd_input_limit_set((size_t)256 << 20);
    close(fd);
    free(data);
    diag_close(&d);
    rd_model_free(m);
    free(path);
}

TEST(unknown_fields_and_types_are_skipped_quietly)
{
    struct rd_model *m = rd_model_new();
    struct diag d;
    char *path = write_file(
        "{\"t\":\"process\",\"version\":1,\"pid\":7,\"ppid\":1,\"exe\":\"/x\",\"argv\":[],"
        "\"future\":{\"a\":[1,2]}}\n"
        "{\"t\":\"hologram\",\"id\":0,\"whatever\":true}\n"
        "{\"t\":\"thread\",\"id\":0,\"parent\":-1,\"create_stack\":-1,\"name\":\"main\","
        "\"cpu\":3,\"tags\":[\"x\"]}\n"
        "{\"t\":\"stack\",\"id\":0,\"frames\":[[-1,16]],\"cut\":false}\n"
        "{\"t\":\"finding\",\"kind\":\"thread_leak\",\"summary\":\"{thread:0} {nope:1} {lock:x} {\","
        "\"threads\":[0],\"locks\":[],\"stacks\":[{\"role\":\"r\",\"thread\":0,\"stack\":0,"
        "\"extra\":1}],\"severity\":\"high\"}\n");
    diag_open(&d);
    CHECK_EQ_INT(rd_records_read(m, path, d.f), 0);
    finish(m, d.f);
    CHECK_EQ_STR(diag_text(&d), "");
    CHECK_EQ_INT(m->nfindings, 1);
    if (m->nfindings == 1) {
        CHECK_EQ_STR(m->findings[0]->summary, "T0 (main) {nope:1} {lock:x} {");
        CHECK_EQ_STR(m->findings[0]->threads[0].name, "main");
    }
    diag_close(&d);
    rd_model_free(m);
    free(path);
}

TEST(undefined_and_hostile_ids_do_not_crash)
{
    struct rd_model *m = rd_model_new();
    struct diag d;
    char *path = write_file(
        "{\"t\":\"process\",\"version\":1,\"pid\":7,\"ppid\":1,\"exe\":\"/x\",\"argv\":[1,null,\"a\"]}\n"
        "null\n"
        "[]\n"
        "{\"t\":5}\n"
        "{}\n"
        "\n"
        "{\"t\":\"module\",\"id\":-3,\"path\":\"/x\",\"base\":\"0x0\"}\n"
        "{\"t\":\"module\",\"id\":1,\"path\":7,\"base\":\"0x0\"}\n"
        "{\"t\":\"module\",\"id\":2,\"path\":\"/dev/null\",\"base\":\"nothex\"}\n"
        "{\"t\":\"module\",\"id\":3,\"path\":\"/nonexistent/libz.so\",\"base\":\"0x1000\"}\n"
        "{\"t\":\"stack\",\"id\":\"x\",\"frames\":[]}\n"
        "{\"t\":\"stack\",\"id\":1,\"frames\":[[0]]}\n"
        "{\"t\":\"stack\",\"id\":2,\"frames\":[[0,-5]]}\n"
        "{\"t\":\"stack\",\"id\":3,\"frames\":{}}\n"
        "{\"t\":\"stack\",\"id\":4,\"frames\":[[99,16],[3,32],[-1,\"0x10\"]]}\n"
        "{\"t\":\"stack\",\"id\":4,\"frames\":[]}\n"
        "{\"t\":\"stack\",\"id\":5,\"frames\":[]}\n"
        "{\"t\":\"thread\",\"id\":1,\"parent\":0,\"create_stack\":77,\"name\":\"t\"}\n"
        "{\"t\":\"thread\",\"id\":2,\"parent\":\"x\",\"create_stack\":-1}\n"
        "{\"t\":\"lock\",\"id\":0,\"kind\":\"mutex\",\"addr\":\"0x10\",\"module\":42,"
        "\"offset\":8,\"init_stack\":-1}\n"
        "{\"t\":\"lock\",\"id\":1,\"kind\":null,\"addr\":\"0x10\",\"module\":-1,\"init_stack\":-1}\n"
        "{\"t\":\"edge\",\"from\":0,\"to\":9,\"thread\":3,\"from_stack\":4,\"to_stack\":55,"
        "\"trylock\":\"yes\"}\n"
        "{\"t\":\"edge\",\"from\":0,\"to\":9,\"thread\":3,\"from_stack\":4,\"to_stack\":55}\n"
        "{\"t\":\"finding\",\"kind\":\"lock_order_cycle\",\"summary\":\"{lock:0} {lock:9} "
        "{thread:12} {lock:-1} {lock:99999999999999999999}\",\"threads\":[1,12],\"locks\":[0,9],"
        "\"stacks\":[{\"role\":\"a\",\"thread\":1,\"stack\":4},{\"role\":\"b\",\"thread\":12,"
        "\"stack\":55},{\"role\":\"c\",\"thread\":1,\"stack\":-1},{\"role\":\"d\",\"thread\":1,"
        "\"stack\":5}]}\n"
        "{\"t\":\"finding\",\"kind\":\"x\",\"stacks\":[{\"role\":\"a\",\"thread\":1}]}\n"
        "{\"t\":\"finding\",\"kind\":\"x\",\"stacks\":[7]}\n"
        "{\"t\":\"finding\",\"kind\":\"x\",\"threads\":[-4]}\n"
        "{\"t\":\"finding\",\"kind\":\"\"}\n"
        "{\"t\":\"finding\",\"kind\":\"Bad\\nKind\",\"stacks\":[]}\n"
        "{\"t\":\"finding\",\"kind\":\"x\",\"details\":[1]}\n"
        "{\"t\":\"exit\",\"status\":\"zero\"}\n"
        "{\"t\":\"process\",\"version\":1,\"pid\":8}\n");
    struct rd_finding *f;
    diag_open(&d);
    CHECK_EQ_INT(rd_records_read(m, path, d.f), 0);
    finish(m, d.f);
    CHECK(strlen(diag_text(&d)) > 0);
    CHECK_EQ_INT(m->nfindings, 1);
    if (m->nfindings != 1)
        goto out;
    f = m->findings[0];
    CHECK_EQ_INT(f->nstacks, 4);
    CHECK(f->stacks[0].unavailable == NULL);
    CHECK_EQ_INT(f->stacks[0].nframes, 3);
    CHECK(f->stacks[1].unavailable != NULL);
    CHECK(f->stacks[2].unavailable != NULL);
    CHECK(f->stacks[3].unavailable != NULL);
    CHECK_EQ_INT(f->nlocks, 2);
    CHECK(f->locks[0].name == NULL); /* module 42 is not defined */
    CHECK_EQ_STR(f->locks[1].kind, "unknown");
    CHECK_EQ_INT(f->nthreads, 2);
    CHECK(f->threads[0].create_unavailable != NULL); /* stack 77 */
    CHECK(f->threads[1].create_unavailable != NULL); /* thread 12 */
    CHECK_EQ_INT(m->ngedges, 1);
    CHECK(m->gedges[0].in_cycle);
    CHECK(!m->gedges[0].has_to_frame);
    CHECK_EQ_INT(m->procs[0]->argc, 1);
out:
    diag_close(&d);
    rd_model_free(m);
    free(path);
}

/* Only what a report shows is symbolized: stacks and locks that no finding
 * (and no lock-graph edge) names are never looked up, so a module that
 * only they refer to is never opened (a big binary's every recorded frame
 * cost seconds). The unreadable module proves it: reading it would warn. */
TEST(only_shown_stacks_are_symbolized)
{
    struct rd_model *m = rd_model_new();
    struct diag d;
    char *path = write_file(
        "{\"t\":\"process\",\"version\":1,\"pid\":77,\"ppid\":1,\"exe\":\"/bin/true\","
        "\"argv\":[\"true\"],\"time_ns\":1}\n"
        "{\"t\":\"module\",\"id\":0,\"path\":\"/nonexistent/racedet-test.so\",\"base\":\"0x1000\"}\n"
        "{\"t\":\"module\",\"id\":1,\"path\":\"/nonexistent/racedet-shown.so\",\"base\":\"0x9000\"}\n"
        "{\"t\":\"thread\",\"id\":0,\"parent\":-1,\"create_stack\":-1,\"name\":\"\"}\n"
        "{\"t\":\"stack\",\"id\":0,\"frames\":[[0,16],[0,32]]}\n"
        "{\"t\":\"stack\",\"id\":1,\"frames\":[[1,48]]}\n"
        "{\"t\":\"lock\",\"id\":0,\"kind\":\"mutex\",\"type\":\"normal\","
        "\"addr\":\"0x1010\",\"module\":0,\"offset\":16,\"init_stack\":0}\n"
        "{\"t\":\"finding\",\"kind\":\"thread_leak\",\"summary\":\"{thread:0} leaks\","
        "\"threads\":[0],\"locks\":[],\"stacks\":[{\"role\":\"here\",\"thread\":0,"
        "\"stack\":1}],\"details\":{}}\n"
        "{\"t\":\"exit\",\"status\":0,\"how\":\"exit\"}\n");
    diag_open(&d);
    CHECK_EQ_INT(rd_records_read(m, path, d.f), 0);
    finish(m, d.f);
    CHECK(strstr(diag_text(&d), "racedet-shown.so") != NULL);   /* the finding's module */
    CHECK(strstr(diag_text(&d), "racedet-test.so") == NULL);    /* nobody shows it */
    CHECK_EQ_INT(m->nfindings, 1);
    diag_close(&d);
    rd_model_free(m);
    free(path);
}

TEST(sniff_tells_records_from_other_files)
{
    char *rec = write_file("{\"t\":\"process\",\"version\":1,\"pid\":7}\n");
    char *json = write_file("{\"tool\":\"racedet\"}\n");
    CHECK(rd_records_sniff(rec));
    CHECK(!rd_records_sniff(json));
    CHECK(!rd_records_sniff("/nonexistent"));
    free(rec);
    free(json);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(ids_and_summary_resolved);
    RUN(same_finding_in_two_processes_is_one);
    RUN(truncated_last_line_is_warned_and_ignored);
    RUN(corrupt_middle_line_is_skipped);
    RUN(missing_process_line_is_an_error);
    RUN(a_file_over_the_input_limit_is_one_error);
    RUN(unknown_fields_and_types_are_skipped_quietly);
    RUN(undefined_and_hostile_ids_do_not_crash);
    RUN(only_shown_stacks_are_symbolized);
    RUN(sniff_tells_records_from_other_files);
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
