/*
 * test_fuzz_regressions: replays every input of the fuzzing regression
 * corpus (tests/fuzz/regressions/: inputs that once crashed the readers or
 * renderers, kept after the fix) and the seed corpus through the same steps
 * as the fuzz target (tests/fuzz/fuzz_one.h), without libFuzzer. Run from
 * the repository root; under `make unit-asan` the sanitizers watch it too.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../fuzz/fuzz_one.h"
#include "unit.h"

static int replay_dir(const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort), i, done = 0;
    for (i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        FILE *f;
        uint8_t *buf;
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        free(names[i]);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || path[strlen(dir) + 1] == '.')
            continue;
        f = fopen(path, "rb");
        CHECK(f != NULL);
        if (!f)
            continue;
        buf = malloc((size_t)st.st_size + 1);
        len = fread(buf, 1, (size_t)st.st_size, f);
        fclose(f);
        fuzz_one(buf, len);
        free(buf);
        done++;
    }
    free(names);
    return done;
}

TEST(replay_regressions)
{
    CHECK(replay_dir("tests/fuzz/regressions") > 0);
}

TEST(replay_seeds)
{
    CHECK(replay_dir("tests/fuzz/seeds") > 0);
    CHECK(replay_dir("tests/e2e/data") > 0);
}

int main(void)
{
    RUN(replay_regressions);
    RUN(replay_seeds);
    UNIT_DONE();
}
