/* explore_confirm: racedet explore --confirm REPORT.json; see explore.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "input.h"
#include "mem.h"
#include "symbolize.h"

/* ---- --confirm: steering towards lock-order cycles ------------------------------------- */

/* "MODULE+0xOFFSET" of a stack's first frame, as the schedule names a
 * site; NULL when the frame cannot be named so (no module, or a module
 * name the option's syntax cannot carry). Fresh string. */
static char *site_of(const struct rd_stack_info *s)
{
    const char *base;
    if (s->unavailable || s->nframes == 0 || !s->frames[0].module)
        return NULL;
    base = rd_basename(s->frames[0].module);
    if (!*base || strpbrk(base, ":/>+ \t,"))
        return NULL;
    return rd_xasprintf("%s+0x%" PRIx64, base, s->frames[0].offset);
}

/* The edges of a lock_order_cycle finding: its stacks come in pairs, where
 * the first lock was taken, then where the second was ("then ... took").
 * Appends "FROM>TO" per edge to *spec; false when an edge cannot be named. */
static bool cycle_edges(const struct rd_finding *f, char **spec)
{
    if (f->nstacks < 4 || f->nstacks % 2)
        return false;
    for (size_t i = 0; i + 1 < f->nstacks; i += 2) {
        char *from = site_of(&f->stacks[i]), *to = site_of(&f->stacks[i + 1]);
        bool ok = from && to && strncmp(f->stacks[i + 1].role, "then ", 5) == 0;
        if (ok) {
            char *n = rd_xasprintf("%s%s%s>%s", *spec, **spec ? "/" : "", from, to);
            free(*spec);
            *spec = n;
        }
        free(from);
        free(to);
        if (!ok)
            return false;
    }
    return true;
}

/* Did the deadlock of this run block each thread of cycle f at its edge:
 * is every second site of f where some thread of a deadlock finding of r
 * was blocked? Returns that deadlock finding, or NULL. */
static const struct rd_finding *deadlock_at(const struct explore_run *r, const struct rd_finding *f)
{
    for (size_t d = 0; r->m && d < r->m->nfindings; d++) {
        const struct rd_finding *dl = r->m->findings[d];
        size_t matched = 0;
        if (strcmp(dl->kind, "deadlock") != 0)
            continue;
        for (size_t i = 1; i < f->nstacks; i += 2) {
            char *to = site_of(&f->stacks[i]);
            for (size_t j = 0; to && j < dl->nstacks; j++) {
                char *at = strncmp(dl->stacks[j].role, "blocked here", 12) == 0
                               ? site_of(&dl->stacks[j]) : NULL;
                bool same = at && strcmp(at, to) == 0;
                free(at);
                if (same) {
                    matched++;
                    break;
                }
            }
            free(to);
        }
        if (matched == f->nstacks / 2)
            return dl;
    }
    return NULL;
}

static void mark(struct rd_finding *f, json_t *explore)
{
    if (!f->details)
        f->details = json_object();
    json_object_set_new(f->details, "explore", explore);
}

static json_t *confirmed_json(const struct explore *x, uint64_t run, uint64_t runs)
{
    char *replay = explore_replay_command(x, run);
    json_t *o = json_pack("{s:b, s:I, s:I, s:I, s:s}", "confirmed", 1, "runs", (json_int_t)runs,
                          "seed", (json_int_t)x->seed, "run", (json_int_t)run, "replay", replay);
    free(replay);
    return o;
}

int explore_confirm(struct explore *x, uint64_t replay_run)
{
    struct rd_model *rep = rd_model_new();
    struct rd_symbolizer *sym;
    size_t *cycles = NULL, ncycles = 0, capcycles = 0, nconfirmed = 0;
    uint64_t *confirmed_in = NULL, first = replay_run ? replay_run : 1,
             last = replay_run ? replay_run : (uint64_t)x->o.runs;
    struct explore_run *deadlocks = NULL; /* the run that confirmed each cycle */
    char *edges = rd_xstrdup("");
    json_t *summary, *list;
    int rc = 0;

    if (rd_input_read(rep, x->o.confirm, stderr) < 0) {
        rc = RD_EXIT_USAGE;
        goto out;
    }
    sym = rd_symbolizer_new(stderr); /* a record file may be given too */
    rd_model_finish(rep, sym, stderr);
    rd_symbolizer_free(sym);
    for (size_t i = 0; i < rep->nfindings; i++) {
        if (strcmp(rep->findings[i]->kind, "lock_order_cycle") != 0)
            continue;
        if (!cycle_edges(rep->findings[i], &edges)) {
            fprintf(stderr, "racedet: explore: cannot steer towards lock-order cycle %s: one of "
                            "its stacks has no frame in a named module\n", rep->findings[i]->id);
            continue;
        }
        *RD_PUSH(cycles, ncycles, capcycles) = i;
    }
    if (ncycles == 0) {
        fprintf(stderr, "racedet: explore: %s has no lock_order_cycle finding to confirm (make "
                        "one with racedet run --format json -o FILE -- PROG)\n", x->o.confirm);
        rc = RD_EXIT_USAGE;
        goto out;
    }
    x->cycle = rd_xasprintf("cycle=%s", edges);
    /* the cycles are known: the runs look for the deadlocks only */
    x->o.report_lock_order = false;
    confirmed_in = rd_xcalloc(ncycles, sizeof *confirmed_in);
    deadlocks = rd_xcalloc(ncycles, sizeof *deadlocks);

    if (first > 1 && (rc = explore_calibrate(x)) != 0)
        goto out;
    for (uint64_t n = first; n <= last && nconfirmed < ncycles; n++) {
        struct explore_run r;
        bool kept = false;
        rc = explore_do_run(x, n, replay_run != 0 && x->live_output, &r);
        if (rc) {
            explore_run_free(&r);
            explore_progress_end(x);
            goto out;
        }
        x->runs++;
        explore_learn_steps(x, &r);
        explore_note_schedule(x, &r);
        for (size_t c = 0; c < ncycles; c++) {
            if (confirmed_in[c] || !deadlock_at(&r, rep->findings[cycles[c]]))
                continue;
            confirmed_in[c] = n;
            nconfirmed++;
            if (!kept) {
                deadlocks[c] = r;
                kept = true;
            }
        }
        if (!kept)
            explore_run_free(&r);
        x->failed = nconfirmed;
        explore_progress(x);
    }
    explore_progress_end(x);

    /* the report: the cycles, marked, and each deadlock that confirmed one */
    list = json_array();
    for (size_t c = 0; c < ncycles; c++) {
        struct rd_finding *f = rep->findings[cycles[c]];
        json_t *item = json_pack("{s:s}", "cycle", f->id);
        if (confirmed_in[c]) {
            mark(f, confirmed_json(x, confirmed_in[c], x->runs));
            json_object_set_new(item, "confirmed", json_true());
            json_object_set_new(item, "run", json_integer((json_int_t)confirmed_in[c]));
        } else {
            mark(f, json_pack("{s:b, s:I}", "confirmed", 0, "runs", (json_int_t)x->runs));
            json_object_set_new(item, "confirmed", json_false());
        }
        json_array_append_new(list, item);
    }
    for (size_t c = 0; c < ncycles; c++) {
        struct explore_run *r = &deadlocks[c];
        struct rd_finding *dl;
        if (!r->m)
            continue;
        dl = (struct rd_finding *)deadlock_at(r, rep->findings[cycles[c]]);
        /* the deadlock joins the report: its records are read into it */
        cli_read_records(rep, r->dir, x->o.verbose);
        sym = rd_symbolizer_new(stderr);
        rd_model_finish(rep, sym, stderr);
        rd_symbolizer_free(sym);
        for (size_t i = 0; dl && i < rep->nfindings; i++)
            if (strcmp(rep->findings[i]->id, dl->id) == 0 &&
                !(rep->findings[i]->details && json_object_get(rep->findings[i]->details, "explore")))
                mark(rep->findings[i], confirmed_json(x, r->number, x->runs));
    }
    summary = explore_summary_json(x);
    json_object_set_new(summary, "confirm", list);
    rc = explore_deliver(x, rep, summary) < 0 ? RD_EXIT_USAGE : 0;
    for (size_t c = 0; c < ncycles; c++) {
        const struct rd_finding *f = rep->findings[cycles[c]];
        if (confirmed_in[c]) {
            char *replay = explore_replay_command(x, confirmed_in[c]);
            fprintf(stderr, "racedet explore: lock-order cycle %s confirmed: the threads deadlocked "
                            "in run %" PRIu64 " (seed %" PRIu64 ")\n"
                            "racedet explore:   replay it: %s\n",
                    f->id, confirmed_in[c], x->seed, replay);
            free(replay);
        } else {
            fprintf(stderr, "racedet explore: lock-order cycle %s not confirmed in %" PRIu64
                            " run%s (seed %" PRIu64 "): it stays a potential deadlock\n",
                    f->id, x->runs, x->runs == 1 ? "" : "s", x->seed);
        }
    }
    if (!rc && nconfirmed > 0)
        rc = (int)x->o.exitcode;
out:
    for (size_t c = 0; deadlocks && c < ncycles; c++)
        explore_run_free(&deadlocks[c]);
    free(deadlocks);
    free(confirmed_in);
    free(cycles);
    free(edges);
    rd_model_free(rep);
    return rc;
}

