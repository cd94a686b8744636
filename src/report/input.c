/* input: see input.h. */
#include "input.h"

#include <string.h>

#include "json_reader.h"
#include "record_reader.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int rd_input_read(struct rd_model *m, const char *path, FILE *diag)
{
    if (ends_with(path, ".jsonl") || rd_records_sniff(path))
        return rd_records_read(m, path, diag);
    return rd_json_read(m, path, diag);
}
