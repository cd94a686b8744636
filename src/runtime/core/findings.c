/* findings: see findings.h. */
#include "findings.h"
#include "sync_objects.h"
#include "record.h"
#include "rt_hash.h"
#include "threads.h"

#include <string.h>

struct seen {
    UT_hash_handle hh;
    uint64_t key;
};

struct kind_count {
    const char *kind;
    unsigned n;
};

static struct seen *seen;   /* under the record lock */
static struct kind_count counts[32];
static unsigned total;

static uint64_t key_of(const char *kind, const struct rt_role_stack *stacks, int nstacks)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *p = kind; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    for (int i = 0; i < nstacks; i++)
        h = rt_mix64(h ^ ((uint64_t)stacks[i].stack << 1));
    return h;
}

static void count(const char *kind)
{
    total++;
    for (unsigned i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        if (counts[i].kind == NULL || strcmp(counts[i].kind, kind) == 0) {
            counts[i].kind = kind;
            counts[i].n++;
            return;
        }
    }
}

unsigned rt_findings_count(const char *kind)
{
    if (!kind)
        return total;
    for (unsigned i = 0; i < sizeof counts / sizeof counts[0] && counts[i].kind; i++)
        if (strcmp(counts[i].kind, kind) == 0)
            return counts[i].n;
    return 0;
}

int rt_finding_emit(const char *kind, const char *summary,
                    struct rt_thread *const *threads, int nthreads,
                    struct rt_lock *const *locks, int nlocks,
                    const struct rt_role_stack *stacks, int nstacks,
                    const char *details_json)
{
    struct rt_buf b = {0};
    struct seen *s;
    uint64_t key = key_of(kind, stacks, nstacks);

    rt_record_lock();
    HASH_FIND(hh, seen, &key, sizeof key, s);
    if (s) {
        rt_record_unlock();
        return 0;
    }
    s = rt_alloc(sizeof *s);
    s->key = key;
    HASH_ADD(hh, seen, key, sizeof s->key, s);
    count(kind);

    for (int i = 0; i < nthreads; i++)
        rt_record_def_thread(threads[i]);
    for (int i = 0; i < nlocks; i++)
        rt_record_def_lock(locks[i]);
    for (int i = 0; i < nstacks; i++) {
        struct rt_thread *t = rt_thread_by_id(stacks[i].thread);
        if (t)
            rt_record_def_thread(t);
        rt_record_def_stack(stacks[i].stack);
    }
    rt_buf_puts(&b, "{\"t\":\"finding\",\"kind\":");
    rt_buf_json_str(&b, kind);
    rt_buf_puts(&b, ",\"summary\":");
    rt_buf_json_str(&b, summary);
    rt_buf_puts(&b, ",\"threads\":[");
    for (int i = 0; i < nthreads; i++)
        rt_buf_printf(&b, "%s%d", i ? "," : "", threads[i]->id);
    rt_buf_puts(&b, "],\"locks\":[");
    for (int i = 0; i < nlocks; i++)
        rt_buf_printf(&b, "%s%llu", i ? "," : "", (unsigned long long)locks[i]->id);
    rt_buf_puts(&b, "],\"stacks\":[");
    for (int i = 0; i < nstacks; i++) {
        rt_buf_puts(&b, i ? ",{\"role\":" : "{\"role\":");
        rt_buf_json_str(&b, stacks[i].role);
        rt_buf_printf(&b, ",\"thread\":%d,\"stack\":%u}", stacks[i].thread, stacks[i].stack);
    }
    rt_buf_putc(&b, ']');
    if (details_json) {
        rt_buf_puts(&b, ",\"details\":");
        rt_buf_puts(&b, details_json);
    }
    rt_buf_putc(&b, '}');
    rt_record_emit(&b);
    rt_record_unlock();
    rt_buf_free(&b);
    return 1;
}
