/*
 * fuzz_report: libFuzzer target for the report readers (record files and
 * JSON documents) and everything after them (model, suppressions,
 * renderers). See fuzz_one.h; `make fuzz` builds and runs it.
 */
#include "fuzz_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(data, size);
    return 0;
}
