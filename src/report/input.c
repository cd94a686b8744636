/* input: see input.h. */
#include "input.h"

#include <string.h>

#include "json_reader.h"
#include "record_reader.h"
#include "slurp.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int parse_any(struct rd_model *m, const char *path, const char *data, size_t len,
                     FILE *diag)
{
    if (ends_with(path, ".jsonl") || rd_records_sniff_bytes(data, len))
        return rd_records_parse(m, path, data, len, diag);
    return rd_json_parse(m, path, data, len, diag);
}

int rd_input_read(struct rd_model *m, const char *path, FILE *diag)
{
    /* read once: a pipe cannot be read again after its first line is seen */
    return rd_slurp_parse(m, path, parse_any, diag);
}
