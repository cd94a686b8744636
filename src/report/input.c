/* input: see input.h. */
#include "input.h"

#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "record_reader.h"
#include "slurp.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int rd_input_read(struct rd_model *m, const char *path, FILE *diag)
{
    size_t len;
    int rc;
    /* read once: a pipe cannot be read again after its first line is seen */
    char *data = rd_slurp_input(path, NULL, &len, diag ? diag : stderr);
    if (!data)
        return -1;
    if (ends_with(path, ".jsonl") || rd_records_sniff_bytes(data, len))
        rc = rd_records_parse(m, path, data, len, diag);
    else
        rc = rd_json_parse(m, path, data, len, diag);
    free(data);
    return rc;
}
