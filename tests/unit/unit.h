/*
 * unit.h: the smallest test harness that does the job. Each test binary
 * defines tests with TEST(name), lists them in main() with RUN(name), and
 * ends with UNIT_DONE(). Output is TAP-like ("ok - name" / "not ok - name")
 * so tests/run_all.sh can add up every suite into one closing line.
 */
#ifndef RD_UNIT_H
#define RD_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_checks;
static int unit_passed, unit_failed;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            unit_failed_checks++;                                                \
        }                                                                        \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                       \
    do {                                                                         \
        long long ua_ = (long long)(a), ub_ = (long long)(b);                    \
        if (ua_ != ub_) {                                                        \
            fprintf(stderr, "  %s:%d: %s == %s failed: %lld != %lld\n", __FILE__, \
                    __LINE__, #a, #b, ua_, ub_);                                 \
            unit_failed_checks++;                                                \
        }                                                                        \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                       \
    do {                                                                         \
        const char *ua_ = (a), *ub_ = (b);                                       \
        if (!ua_ || !ub_ || strcmp(ua_, ub_) != 0) {                             \
            fprintf(stderr, "  %s:%d: %s == %s failed: \"%s\" != \"%s\"\n",      \
                    __FILE__, __LINE__, #a, #b, ua_ ? ua_ : "(null)",            \
                    ub_ ? ub_ : "(null)");                                       \
            unit_failed_checks++;                                                \
        }                                                                        \
    } while (0)

#define RUN(name)                                                                \
    do {                                                                         \
        int before_ = unit_failed_checks;                                        \
        name();                                                                  \
        if (unit_failed_checks == before_) {                                     \
            unit_passed++;                                                       \
            printf("ok - %s\n", #name);                                          \
        } else {                                                                 \
            unit_failed++;                                                       \
            printf("not ok - %s\n", #name);                                      \
        }                                                                        \
        fflush(stdout);                                                          \
    } while (0)

#define UNIT_DONE()                                                              \
    do {                                                                         \
        printf("# %s: %d passed, %d failed\n", __FILE__, unit_passed, unit_failed); \
        return unit_failed ? 1 : 0;                                              \
    } while (0)

#endif
