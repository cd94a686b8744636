/*
 * test_confirmation: what racedet explore adds to a report: a cycle it
 * confirmed (or not) is said so in text, SARIF and JSON, and the explore
 * summary object is rendered in JSON and SARIF.
 */
#include <stdlib.h>
#include <string.h>

#include "confirmation.h"
#include "render_json.h"
#include "render_sarif.h"
#include "render_text.h"
#include "unit.h"

static struct rd_finding *finding(const char *kind)
{
    struct rd_finding *f = calloc(1, sizeof *f);
    f->kind = strdup(kind);
    f->id = strdup("0123456789abcdef");
    f->summary = strdup("lock-order cycle mutex `a` -> mutex `b` -> mutex `a`");
    f->occurrences = 1;
    f->pid = 42;
    return f;
}

static char *render(int (*fn)(const struct rd_model *, FILE *, const struct rd_render_opts *),
                    const struct rd_model *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct rd_render_opts o = {0};
    CHECK(fn(m, f, &o) == 0);
    fclose(f);
    return buf;
}

TEST(no_explore_no_words)
{
    struct rd_finding *f = finding("lock_order_cycle");
    CHECK(rd_confirmation_text(f) == NULL);
    f->details = json_object();
    CHECK(rd_confirmation_text(f) == NULL);
    rd_finding_free(f);
}

TEST(confirmed_and_not)
{
    struct rd_finding *f = finding("lock_order_cycle");
    char *t;
    f->details = json_pack("{s:{s:b,s:i,s:i,s:i,s:s}}", "explore", "confirmed", 1, "runs", 3,
                           "seed", 7, "run", 3, "replay", "racedet explore --replay 7:3 -- ./p");
    t = rd_confirmation_text(f);
    CHECK(t && strstr(t, "confirmed: the threads really deadlocked in run 3") &&
          strstr(t, "--replay 7:3"));
    free(t);
    json_decref(f->details);
    f->details = json_pack("{s:{s:b,s:i}}", "explore", "confirmed", 0, "runs", 100);
    t = rd_confirmation_text(f);
    CHECK(t && strstr(t, "not confirmed") && strstr(t, "100 runs") &&
          strstr(t, "potential deadlock"));
    free(t);
    rd_finding_free(f);
}

TEST(renderers_say_it)
{
    struct rd_model *m = rd_model_new();
    struct rd_finding *f = finding("lock_order_cycle");
    char *text, *json, *sarif_doc;
    f->details = json_pack("{s:{s:b,s:i,s:i,s:i,s:s}}", "explore", "confirmed", 1, "runs", 3,
                           "seed", 7, "run", 3, "replay", "racedet explore --replay 7:3 -- ./p");
    rd_model_add_finding(m, f);
    m->explore = json_pack("{s:i,s:i}", "runs", 3, "failed_runs", 1);
    text = render(rd_render_text, m);
    json = render(rd_render_json, m);
    sarif_doc = render(rd_render_sarif, m);
    CHECK(strstr(text, "\n  confirmed: the threads really deadlocked in run 3") != NULL);
    CHECK(strstr(json, "\"explore\": {") != NULL && strstr(json, "\"failed_runs\": 1") != NULL);
    CHECK(strstr(sarif_doc, "(confirmed: the threads really deadlocked") != NULL);
    CHECK(strstr(sarif_doc, "\"failed_runs\": 1") != NULL);
    free(text);
    free(json);
    free(sarif_doc);
    rd_model_free(m);
}

int main(void)
{
    RUN(no_explore_no_words);
    RUN(confirmed_and_not);
    RUN(renderers_say_it);
    UNIT_DONE();
}
