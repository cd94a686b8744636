/* suppressions: see suppressions.h. */
#include "suppressions.h"

#include <fnmatch.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "mem.h"
#include "slurp.h"

struct rd_suppressions *rd_suppressions_new(void)
{
    return rd_xcalloc(1, sizeof(struct rd_suppressions));
}

void rd_suppressions_free(struct rd_suppressions *s)
{
    size_t i;
    if (!s)
        return;
    for (i = 0; i < s->nrules; i++) {
        free(s->rules[i].kind);
        free(s->rules[i].pattern);
        free(s->rules[i].text);
        free(s->rules[i].file);
    }
    free(s->rules);
    free(s);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* A copy of s[0..n) without blanks at either end. */
static char *trimmed(const char *s, size_t n)
{
    while (n > 0 && is_blank(*s)) {
        s++;
        n--;
    }
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    {
        char *d = rd_xmalloc(n + 1);
        memcpy(d, s, n);
        d[n] = '\0';
        return d;
    }
}

/* Text quoted in an error message: control characters as '?', cut at 80. */
static void quote(char *dst, size_t len, const char *s)
{
    size_t i;
    for (i = 0; s[i] && i + 4 < len && i < 80; i++)
        dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (s[i] && i + 4 < len) {
        memcpy(dst + i, "...", 3);
        i += 3;
    }
    dst[i] = '\0';
}

int rd_suppressions_add_line(struct rd_suppressions *s, const char *text, const char *file,
                             long line, char *err, size_t errlen)
{
    char *all = trimmed(text, strlen(text)), *colon, *kind, *pattern, shown[96];
    struct rd_supp_rule *r;

    if (all[0] == '\0' || all[0] == '#') {
        free(all);
        return 0;
    }
    quote(shown, sizeof shown, all);
    colon = strchr(all, ':');
    if (!colon) {
        snprintf(err, errlen, "'%s' is not KIND:PATTERN (no ':')", shown);
        free(all);
        return -1;
    }
    kind = trimmed(all, (size_t)(colon - all));
    pattern = trimmed(colon + 1, strlen(colon + 1));
    if (!*kind) {
        snprintf(err, errlen, "'%s': no kind before ':' (a kind, or * for every kind)", shown);
    } else if (strcmp(kind, "*") != 0 && !rd_kind_find(kind)) {
        char k[96];
        quote(k, sizeof k, kind);
        snprintf(err, errlen, "unknown kind '%s' (one of: data_race, lock_order_cycle, "
                              "deadlock, self_deadlock, unlock_not_held, destroy_locked, "
                              "cond_wait_unheld, lock_held_at_exit, thread_leak, sync_misuse, "
                              "blocking_under_lock, or * for every kind)", k);
    } else if (!*pattern) {
        snprintf(err, errlen, "'%s': empty pattern after ':'", shown);
    } else {
        r = RD_PUSH(s->rules, s->nrules, s->caprules);
        memset(r, 0, sizeof *r);
        r->kind = kind;
        r->pattern = pattern;
        r->text = rd_xasprintf("%s:%s", kind, pattern);
        r->file = rd_xstrdup(file ? file : "");
        r->line = line;
        free(all);
        return 1;
    }
    free(kind);
    free(pattern);
    free(all);
    return -1;
}

int rd_suppressions_load(struct rd_suppressions *s, const char *path, FILE *diag)
{
    char *label = rd_xasprintf("suppressions file %s", path), *data, err[512];
    const char *line;
    size_t len, n, pos = 0, before = s->nrules;
    long lineno = 0;
    bool complete;
    int rc = 0;

    data = rd_slurp_input(path, label, &len, diag);
    free(label);
    if (!data)
        return -1;
    while (rd_next_line(data, len, &pos, &line, &n, &complete)) {
        lineno++;
        if (memchr(line, '\0', n)) {
            fprintf(diag, "racedet: %s:%ld: a NUL byte: this is not a text file\n", path, lineno);
            rc = -1;
            break;
        }
        /* the line ends at its '\n' (or the closing NUL): make it a string */
        data[line - data + (ptrdiff_t)n] = '\0';
        if (rd_suppressions_add_line(s, line, path, lineno, err, sizeof err) < 0) {
            fprintf(diag, "racedet: %s:%ld: %s\n", path, lineno, err);
            rc = -1;
            break;
        }
    }
    free(data);
    if (rc < 0) {
        /* all or nothing */
        while (s->nrules > before) {
            struct rd_supp_rule *r = &s->rules[--s->nrules];
            free(r->kind);
            free(r->pattern);
            free(r->text);
            free(r->file);
        }
    }
    return rc;
}

static bool glob(const char *pattern, const char *s)
{
    return s && *s && fnmatch(pattern, s, 0) == 0;
}

static bool frame_matches(const char *pattern, const struct rd_frame *fr)
{
    return glob(pattern, fr->function) || glob(pattern, fr->file) ||
           glob(pattern, rd_basename(fr->file)) || glob(pattern, fr->module) ||
           glob(pattern, rd_basename(fr->module));
}

static bool frames_match(const char *pattern, const struct rd_frame *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (frame_matches(pattern, &v[i]))
            return true;
    return false;
}

static bool rule_matches(const struct rd_supp_rule *r, const struct rd_finding *f)
{
    size_t i;
    if (strcmp(r->kind, "*") != 0 && (!f->kind || strcmp(r->kind, f->kind) != 0))
        return false;
    for (i = 0; i < f->nstacks; i++)
        if (frames_match(r->pattern, f->stacks[i].frames, f->stacks[i].nframes))
            return true;
    for (i = 0; i < f->nthreads; i++)
        if (frames_match(r->pattern, f->threads[i].create, f->threads[i].ncreate))
            return true;
    return false;
}

struct rd_supp_rule *rd_suppressions_match(const struct rd_suppressions *s,
                                           const struct rd_finding *f)
{
    size_t i;
    for (i = 0; s && i < s->nrules; i++)
        if (rule_matches(&s->rules[i], f))
            return &s->rules[i];
    return NULL;
}

size_t rd_suppressions_apply(struct rd_suppressions *s, struct rd_model *m)
{
    size_t i, kept = 0, taken = 0;
    if (!s)
        return 0;
    for (i = 0; i < m->nfindings; i++) {
        struct rd_finding *f = m->findings[i];
        struct rd_supp_rule *r = rd_suppressions_match(s, f);
        if (!r) {
            m->findings[kept++] = f;
            continue;
        }
        r->count++;
        taken++;
        HASH_DEL(m->by_id, f);
        rd_finding_free(f);
    }
    m->nfindings = kept;
    for (i = 0; i < s->nrules; i++) {
        const struct rd_supp_rule *r = &s->rules[i];
        rd_model_add_suppressed(m, r->text, r->file, r->line, r->count);
    }
    return taken;
}
