/* confirmation: see confirmation.h. */
#include "confirmation.h"

#include <string.h>

#include "mem.h"

char *rd_confirmation_text(const struct rd_finding *f)
{
    json_t *e = f->details ? json_object_get(f->details, "explore") : NULL;
    json_t *confirmed = e ? json_object_get(e, "confirmed") : NULL;
    const char *replay = e ? json_string_value(json_object_get(e, "replay")) : NULL;
    json_int_t runs = e ? json_integer_value(json_object_get(e, "runs")) : 0;
    json_int_t run = e ? json_integer_value(json_object_get(e, "run")) : 0;
    bool cycle = strcmp(f->kind, "lock_order_cycle") == 0;

    if (!json_is_boolean(confirmed))
        return NULL;
    if (!json_is_true(confirmed))
        return rd_xasprintf("not confirmed: no deadlock in %lld run%s of racedet explore; "
                            "still a potential deadlock", (long long)runs, runs == 1 ? "" : "s");
    return rd_xasprintf("confirmed: %s in run %lld of racedet explore%s%s%s",
                        cycle ? "the threads really deadlocked" : "made happen by steering "
                                                                  "the threads to a lock-order cycle",
                        (long long)run, replay ? " (replay: " : "", replay ? replay : "",
                        replay ? ")" : "");
}
