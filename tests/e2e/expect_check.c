/*
 * expect_check: does a racedet JSON report match a sample's expected findings?
 *
 *   expect_check EXPECT_FILE REPORT_JSON ACTUAL_EXIT_STATUS
 *
 * EXPECT_FILE (samples/NAME.expect) is line-oriented; '#' starts a comment,
 * blank lines are ignored:
 *
 *   lock_order_cycle  post_transfer:24  rotate_log:38    # a finding
 *   exit 66                                              # optional
 *   explore  signal:6                                    # skipped here
 *   confirm  deadlock  teller:36                         # skipped here
 *
 * A finding line is a kind (DESIGN.md section 2) and one or more frame
 * tokens, `function` or `function:line`. A token matches a frame of the
 * finding when the function is equal and, if a line is given, the line is
 * equal and the frame's file (when known) is NAME.c or NAME.cpp. The frames of a finding
 * are all the frames it contains: those of its stacks, of its threads'
 * creation stacks, and of any other stack in it (allocation stacks, ...).
 *
 * The report matches when it has exactly as many findings as there are
 * finding lines, when each finding line can be paired with its own finding
 * of the same kind whose frames match all its tokens, and when the exit
 * status is the expected one (the `exit` line, else 66 when findings are
 * expected and 0 when not).
 *
 * Exit status: 0 match (nothing printed); 1 mismatch, or a missing or
 * unreadable report (explanation on stdout); 2 usage error or malformed
 * expect file (one line on stderr naming FILE:LINE).
 *
 * `explore` and `confirm` lines say what `racedet explore` and
 * `racedet explore --confirm` must find in the sample; tests/e2e/explore.sh
 * reads them, this checker skips them.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const known_kinds[] = {
    "data_race", "lock_order_cycle", "deadlock", "self_deadlock",
    "unlock_not_held", "destroy_locked", "cond_wait_unheld",
    "lock_held_at_exit", "thread_leak", "sync_misuse", "blocking_under_lock",
};

/* One frame token of an expected line: `function` or `function:line`. */
struct token {
    char *function;
    long line; /* 0: any line */
};

/* One finding line of the expect file. */
struct expected {
    int lineno;         /* in the expect file, for messages */
    char *text;         /* the line as written, comment stripped */
    char *kind;
    struct token *tokens;
    size_t ntokens;
};

/* One frame of an actual finding, pointing into the JSON document. */
struct frame {
    const char *function; /* NULL when not symbolized */
    const char *module;   /* NULL when unknown */
    const char *offset;
    const char *file;     /* NULL when unknown */
    long line;            /* 0 when unknown */
};

/* One finding of the report, with all the frames found anywhere in it. */
struct actual {
    json_t *json;
    const char *kind;
    struct frame *frames;
    size_t nframes, cap;
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "expect_check: out of memory\n");
        exit(2);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

static bool is_known_kind(const char *kind)
{
    for (size_t i = 0; i < sizeof known_kinds / sizeof known_kinds[0]; i++)
        if (strcmp(kind, known_kinds[i]) == 0)
            return true;
    return false;
}

/* Parses a non-negative decimal number that fills all of s. */
static bool parse_number(const char *s, long max, long *out)
{
    char *end;

    if (!isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

/* Splits `function:line`; the line part is optional. */
static bool parse_token(const char *text, struct token *tok)
{
    const char *colon = strrchr(text, ':');
    long line = 0;

    if (colon && colon[1] != ':' && (colon == text || colon[-1] != ':')) {
        /* a single ':' (not part of a C++ "::"): what follows is a line */
        if (!parse_number(colon + 1, INT_MAX, &line) || line == 0 || colon == text)
            return false;
    } else {
        colon = NULL;
    }
    size_t n = colon ? (size_t)(colon - text) : strlen(text);
    tok->function = memcpy(xrealloc(NULL, n + 1), text, n);
    tok->function[n] = '\0';
    tok->line = line;
    return true;
}

static void malformed(const char *path, int lineno, const char *what, const char *item)
{
    fprintf(stderr, "%s:%d: %s%s%s%s\n", path, lineno, what,
            item ? " `" : "", item ? item : "", item ? "`" : "");
    exit(2);
}

/* Reads the expect file. *exit_status is -1 when it has no `exit` line. */
static struct expected *read_expect(const char *path, size_t *count, long *exit_status)
{
    FILE *f = fopen(path, "r");
    struct expected *exp = NULL;
    char *buf = NULL;
    size_t bufsize = 0, n = 0;
    int lineno = 0, exit_lineno = 0;

    if (!f) {
        fprintf(stderr, "expect_check: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    *exit_status = -1;
    while (getline(&buf, &bufsize, f) != -1) {
        lineno++;
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char *text = buf + strspn(buf, " \t\r\n");
        size_t len = strlen(text);
        while (len && strchr(" \t\r\n", text[len - 1]))
            text[--len] = '\0';
        if (!len)
            continue;

        char *copy = xstrdup(text), *save = NULL;
        char *word = strtok_r(text, " \t", &save);
        if (strcmp(word, "explore") == 0 || strcmp(word, "confirm") == 0) {
            free(copy); /* tests/e2e/explore.sh's */
            continue;
        }
        if (strcmp(word, "exit") == 0) {
            char *num = strtok_r(NULL, " \t", &save);
            if (exit_lineno)
                malformed(path, lineno, "second `exit` line", NULL);
            if (!num || strtok_r(NULL, " \t", &save) || !parse_number(num, 255, exit_status))
                malformed(path, lineno, "`exit` needs one status, 0 to 255", NULL);
            exit_lineno = lineno;
            free(copy);
            continue;
        }
        if (!is_known_kind(word))
            malformed(path, lineno, "unknown finding kind", word);

        struct expected e = {.lineno = lineno, .text = copy, .kind = xstrdup(word)};
        while ((word = strtok_r(NULL, " \t", &save))) {
            e.tokens = xrealloc(e.tokens, (e.ntokens + 1) * sizeof *e.tokens);
            if (!parse_token(word, &e.tokens[e.ntokens]))
                malformed(path, lineno, "bad frame token (want function or function:line)", word);
            e.ntokens++;
        }
        if (!e.ntokens)
            malformed(path, lineno, "a finding line needs at least one frame token", NULL);
        exp = xrealloc(exp, (n + 1) * sizeof *exp);
        exp[n++] = e;
    }
    if (ferror(f)) {
        fprintf(stderr, "expect_check: %s: read error\n", path);
        exit(2);
    }
    free(buf);
    fclose(f);
    *count = n;
    return exp;
}

/* Collects every frame-like object (one with a "function", "file" or
 * "line") found anywhere inside a finding. */
static void collect_frames(json_t *v, struct actual *a)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
            collect_frames(item, a);
        return;
    }
    if (!json_is_object(v))
        return;
    json_t *fn = json_object_get(v, "function");
    json_t *file = json_object_get(v, "file");
    json_t *line = json_object_get(v, "line");
    if (json_is_string(fn) || json_is_string(file) || json_is_integer(line)) {
        if (a->nframes == a->cap) {
            a->cap = a->cap ? 2 * a->cap : 16;
            a->frames = xrealloc(a->frames, a->cap * sizeof *a->frames);
        }
        a->frames[a->nframes++] = (struct frame){
            .function = json_string_value(fn), /* NULL unless a string */
            .module = json_string_value(json_object_get(v, "module")),
            .offset = json_string_value(json_object_get(v, "offset")),
            .file = json_string_value(file),
            .line = json_is_integer(line) ? (long)json_integer_value(line) : 0,
        };
    }
    const char *key;
    json_t *member;
    json_object_foreach(v, key, member)
        collect_frames(member, a);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The sample's name, NAME, from .../NAME.expect. */
static char *source_name(const char *expect_path)
{
    const char *base = strrchr(expect_path, '/');
    base = base ? base + 1 : expect_path;
    size_t n = strlen(base);
    if (ends_with(base, ".expect"))
        n -= strlen(".expect");
    char *name = xrealloc(NULL, n + 1);
    memcpy(name, base, n);
    name[n] = '\0';
    return name;
}

/* Is file's basename NAME.c or NAME.cpp (C and C++ samples)? */
static bool is_source_of(const char *file, const char *name)
{
    const char *base = strrchr(file, '/');
    size_t n = strlen(name);
    base = base ? base + 1 : file;
    return strncmp(base, name, n) == 0 &&
           (strcmp(base + n, ".c") == 0 || strcmp(base + n, ".cpp") == 0);
}

static bool token_matches(const struct token *tok, const struct actual *a, const char *source)
{
    for (size_t i = 0; i < a->nframes; i++) {
        const struct frame *fr = &a->frames[i];
        if (!fr->function || strcmp(fr->function, tok->function) != 0)
            continue;
        if (!tok->line)
            return true;
        if (fr->line != tok->line)
            continue;
        if (!fr->file)
            return true;
        if (is_source_of(fr->file, source))
            return true;
    }
    return false;
}

static bool line_matches(const struct expected *e, const struct actual *a, const char *source)
{
    if (!a->kind || strcmp(e->kind, a->kind) != 0)
        return false;
    for (size_t t = 0; t < e->ntokens; t++)
        if (!token_matches(&e->tokens[t], a, source))
            return false;
    return true;
}

/* Maximum bipartite matching by augmenting paths (Kuhn): tries to give
 * expected line e a finding, moving earlier lines to other findings. */
static bool try_assign(size_t e, size_t nact, bool *const *ok, bool *seen,
                       long *owner_of_actual)
{
    for (size_t j = 0; j < nact; j++) {
        if (!ok[e][j] || seen[j])
            continue;
        seen[j] = true;
        if (owner_of_actual[j] < 0 ||
            try_assign((size_t)owner_of_actual[j], nact, ok, seen, owner_of_actual)) {
            owner_of_actual[j] = (long)e;
            return true;
        }
    }
    return false;
}

static void print_frame(const struct frame *fr)
{
    const char *file = fr->file;
    const char *slash = file ? strrchr(file, '/') : NULL;

    if (fr->function) {
        printf("%s", fr->function);
    } else if (fr->module) {
        const char *mslash = strrchr(fr->module, '/');
        printf("?? (%s+%s)", mslash ? mslash + 1 : fr->module, fr->offset ? fr->offset : "?");
    } else {
        printf("??");
    }
    if (file)
        printf(" (%s:%ld)", slash ? slash + 1 : file, fr->line);
    else if (fr->line)
        printf(" (line %ld)", fr->line);
}

/* Prints up to `max` frames of a JSON array of frames, innermost first. */
static void print_stack(const char *label, json_t *frames, size_t max)
{
    size_t n = json_array_size(frames);

    printf("      %s: ", label);
    if (!n)
        printf("(no frames)");
    for (size_t i = 0; i < n && i < max; i++) {
        json_t *f = json_array_get(frames, i);
        json_t *line = json_object_get(f, "line");
        struct frame fr = {
            .function = json_string_value(json_object_get(f, "function")),
            .module = json_string_value(json_object_get(f, "module")),
            .offset = json_string_value(json_object_get(f, "offset")),
            .file = json_string_value(json_object_get(f, "file")),
            .line = json_is_integer(line) ? (long)json_integer_value(line) : 0,
        };
        printf("%s", i ? " <- " : "");
        print_frame(&fr);
    }
    if (n > max)
        printf(" <- ...");
    printf("\n");
}

static void describe_finding(size_t index, const struct actual *a)
{
    json_t *f = a->json;
    const char *summary = json_string_value(json_object_get(f, "summary"));
    json_t *process = json_object_get(f, "process");
    size_t i;
    json_t *item;

    printf("  finding #%zu: %s", index + 1, a->kind ? a->kind : "(no kind)");
    if (json_is_integer(process))
        printf(" in process %lld", (long long)json_integer_value(process));
    printf("\n");
    if (summary)
        printf("      summary: %s\n", summary);
    json_array_foreach(json_object_get(f, "stacks"), i, item) {
        const char *role = json_string_value(json_object_get(item, "role"));
        print_stack(role ? role : "stack", json_object_get(item, "frames"), 4);
    }
    json_array_foreach(json_object_get(f, "threads"), i, item) {
        json_t *cs = json_object_get(item, "create_stack");
        if (json_is_object(cs))
            cs = json_object_get(cs, "frames");
        if (json_array_size(cs)) {
            char label[64];
            snprintf(label, sizeof label, "thread %lld created at",
                     (long long)json_integer_value(json_object_get(item, "id")));
            print_stack(label, cs, 3);
        }
    }
}

/* Says why finding a (of e's kind) was not paired with e: the tokens it
 * lacks, or the expected line it was paired with instead. */
static void describe_near_miss(const struct expected *e, size_t index, const struct actual *a,
                               const char *source, const struct expected *paired_with)
{
    bool lacks_any = false;

    for (size_t t = 0; t < e->ntokens; t++)
        lacks_any |= !token_matches(&e->tokens[t], a, source);
    if (!lacks_any) {
        printf("      finding #%zu fits it too, but is paired with line %d\n", index + 1,
               paired_with ? paired_with->lineno : 0);
        return;
    }
    printf("      finding #%zu has the kind but not:", index + 1);
    for (size_t t = 0; t < e->ntokens; t++) {
        if (token_matches(&e->tokens[t], a, source))
            continue;
        if (e->tokens[t].line)
            printf(" %s:%ld", e->tokens[t].function, e->tokens[t].line);
        else
            printf(" %s", e->tokens[t].function);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: expect_check EXPECT_FILE REPORT_JSON ACTUAL_EXIT_STATUS\n");
        return 2;
    }
    const char *expect_path = argv[1], *report_path = argv[2];
    long actual_status;
    if (!parse_number(argv[3], INT_MAX, &actual_status)) {
        fprintf(stderr, "expect_check: exit status `%s` is not a number\n", argv[3]);
        return 2;
    }

    size_t nexp;
    long expected_status;
    struct expected *exp = read_expect(expect_path, &nexp, &expected_status);
    if (expected_status < 0)
        expected_status = nexp ? 66 : 0;
    char *source = source_name(expect_path);

    /* A missing or broken report is a failure, explained, and then
     * compared as if it had no findings. */
    bool report_ok = true;
    json_error_t err;
    json_t *report = json_load_file(report_path, 0, &err);
    json_t *findings = json_object_get(report, "findings");
    if (!report) {
        report_ok = false;
        if (err.line > 0)
            printf("cannot read the racedet report %s: %s (line %d)\n", report_path, err.text,
                   err.line);
        else
            printf("cannot read the racedet report %s: %s\n", report_path, err.text);
    } else if (!json_is_array(findings)) {
        report_ok = false;
        printf("the racedet report %s has no \"findings\" array\n", report_path);
    }
    if (!report_ok)
        findings = NULL; /* json_array_size(NULL) is 0 */

    size_t nact = json_array_size(findings);
    struct actual *act = xrealloc(NULL, nact * sizeof *act);
    for (size_t j = 0; j < nact; j++) {
        json_t *f = json_array_get(findings, j);
        act[j] = (struct actual){.json = f,
                                 .kind = json_string_value(json_object_get(f, "kind"))};
        collect_frames(f, &act[j]);
    }

    bool **ok = xrealloc(NULL, nexp * sizeof *ok);
    for (size_t i = 0; i < nexp; i++) {
        ok[i] = xrealloc(NULL, nact * sizeof **ok);
        for (size_t j = 0; j < nact; j++)
            ok[i][j] = line_matches(&exp[i], &act[j], source);
    }
    long *owner = xrealloc(NULL, nact * sizeof *owner);
    bool *seen = xrealloc(NULL, nact * sizeof *seen);
    bool *matched = xrealloc(NULL, nexp * sizeof *matched);
    size_t nmatched = 0;
    for (size_t j = 0; j < nact; j++)
        owner[j] = -1;
    for (size_t i = 0; i < nexp; i++) {
        memset(seen, 0, nact * sizeof *seen);
        matched[i] = try_assign(i, nact, ok, seen, owner);
        nmatched += matched[i];
    }

    bool good = report_ok && nmatched == nexp && nmatched == nact &&
                actual_status == expected_status;
    if (!good) {
        printf("%s: expected %zu finding(s), racedet reported %zu; %zu matched\n", expect_path,
               nexp, nact, nmatched);
        if (nmatched < nexp) {
            printf("expected, but matched by no finding:\n");
            for (size_t i = 0; i < nexp; i++) {
                if (matched[i])
                    continue;
                printf("  %s:%d: %s\n", expect_path, exp[i].lineno, exp[i].text);
                for (size_t j = 0; j < nact; j++)
                    if (act[j].kind && strcmp(act[j].kind, exp[i].kind) == 0)
                        describe_near_miss(&exp[i], j, &act[j], source,
                                           owner[j] >= 0 ? &exp[owner[j]] : NULL);
            }
        }
        if (nmatched < nact) {
            printf("reported, but not expected:\n");
            for (size_t j = 0; j < nact; j++)
                if (owner[j] < 0)
                    describe_finding(j, &act[j]);
        }
        if (actual_status != expected_status)
            printf("racedet exited with status %ld, expected %ld\n", actual_status,
                   expected_status);
    }

    for (size_t i = 0; i < nexp; i++) {
        for (size_t t = 0; t < exp[i].ntokens; t++)
            free(exp[i].tokens[t].function);
        free(exp[i].tokens);
        free(exp[i].text);
        free(exp[i].kind);
        free(ok[i]);
    }
    for (size_t j = 0; j < nact; j++)
        free(act[j].frames);
    free(exp);
    free(ok);
    free(act);
    free(owner);
    free(seen);
    free(matched);
    free(source);
    json_decref(report);
    return good ? 0 : 1;
}
