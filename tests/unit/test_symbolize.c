/*
 * test_symbolize: the symbolizer on this test binary itself (functions,
 * lines, an inlined call chain, global names) and on module files that are
 * missing or not ELF.
 */
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbolize.h"
#include "unit.h"

/* ---- where is an address: module path and module-relative offset ---------- */

struct where {
    uintptr_t addr;
    char path[4096];
    uint64_t offset;
    int found;
};

static int find_module(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct where *w = arg;
    int i;
    (void)size;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type != PT_LOAD || w->addr < start || w->addr >= start + ph->p_memsz)
            continue;
        if (info->dlpi_name && info->dlpi_name[0]) {
            snprintf(w->path, sizeof w->path, "%s", info->dlpi_name);
        } else {
            ssize_t n = readlink("/proc/self/exe", w->path, sizeof w->path - 1);
            w->path[n > 0 ? n : 0] = '\0';
        }
        w->offset = w->addr - info->dlpi_addr;
        w->found = 1;
        return 1;
    }
    return 0;
}

static struct where locate(const void *addr)
{
    struct where w;
    memset(&w, 0, sizeof w);
    w.addr = (uintptr_t)addr;
    dl_iterate_phdr(find_module, &w);
    return w;
}

/* ---- code with known lines ----------------------------------------------------- */

/* The runtime records return addresses minus one: inside the call. */
__attribute__((noinline)) static void *return_address(void)
{
    void *ra = __builtin_extract_return_addr(__builtin_return_address(0));
    __asm__ volatile("" ::: "memory");
    return (char *)ra - 1;
}

__attribute__((noinline)) static void *known_call_site(int *line)
{
    void *pc = return_address(); *line = __LINE__;
    __asm__ volatile("" ::: "memory");
    return pc;
}

static inline __attribute__((always_inline)) void *inlined_helper(int *line)
{
    void *pc = return_address(); *line = __LINE__;
    return pc;
}

__attribute__((noinline)) static void *calls_inlined_helper(int *line, int *call_line)
{
    void *pc = inlined_helper(line); *call_line = __LINE__;
    __asm__ volatile("" ::: "memory");
    return pc;
}

/* ---- globals with known names ---------------------------------------------------- */

pthread_mutex_t test_forks[5];
static struct {
    int balance;
    pthread_mutex_t mu;
} test_accounts[3];
static pthread_mutex_t test_lone = PTHREAD_MUTEX_INITIALIZER;

/* ---- tests ------------------------------------------------------------------------- */

TEST(function_file_and_line_of_a_call)
{
    struct rd_symbolizer *s = rd_symbolizer_new(stderr);
    const struct rd_frame *f;
    int line = 0;
    void *pc = known_call_site(&line);
    struct where w = locate(pc);
    size_t n;

    CHECK(w.found);
    n = rd_symbolize_code(s, w.path, w.offset, &f);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_STR(f[0].function, "known_call_site");
    CHECK(f[0].file != NULL);
    CHECK_EQ_STR(rd_basename(f[0].file), "test_symbolize.c");
    CHECK_EQ_INT(f[0].line, line);
    CHECK(!f[0].inlined);
    CHECK_EQ_STR(f[0].module, w.path);
    CHECK_EQ_INT(f[0].offset, w.offset);
    rd_symbolizer_free(s);
}

TEST(answers_are_cached)
{
    struct rd_symbolizer *s = rd_symbolizer_new(stderr);
    const struct rd_frame *a, *b;
    int line;
    struct where w = locate(known_call_site(&line));
    rd_symbolize_code(s, w.path, w.offset, &a);
    rd_symbolize_code(s, w.path, w.offset, &b);
    CHECK(a == b);
    rd_symbolizer_free(s);
}

TEST(inlined_call_gives_one_frame_per_level)
{
    struct rd_symbolizer *s = rd_symbolizer_new(stderr);
    const struct rd_frame *f;
    int line = 0, call_line = 0;
    void *pc = calls_inlined_helper(&line, &call_line);
    struct where w = locate(pc);
    size_t n = rd_symbolize_code(s, w.path, w.offset, &f);

    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK_EQ_STR(f[0].function, "inlined_helper");
        CHECK(f[0].inlined);
        CHECK_EQ_INT(f[0].line, line);
        CHECK(f[0].file && strcmp(rd_basename(f[0].file), "test_symbolize.c") == 0);
        CHECK_EQ_STR(f[1].function, "calls_inlined_helper");
        CHECK(!f[1].inlined);
        CHECK_EQ_INT(f[1].line, call_line);
        CHECK(f[1].file && strcmp(rd_basename(f[1].file), "test_symbolize.c") == 0);
    }
    rd_symbolizer_free(s);
}

TEST(globals_are_named_down_to_the_element)
{
    struct rd_symbolizer *s = rd_symbolizer_new(stderr);
    struct where w;
    char *name;

    w = locate(&test_forks[2]);
    name = rd_symbolize_data(s, w.path, w.offset);
    CHECK_EQ_STR(name, "test_forks[2]");
    free(name);

    w = locate(&test_accounts[1].mu);
    name = rd_symbolize_data(s, w.path, w.offset);
    CHECK_EQ_STR(name, "test_accounts[1].mu");
    free(name);

    w = locate(&test_lone);
    name = rd_symbolize_data(s, w.path, w.offset);
    CHECK_EQ_STR(name, "test_lone");
    free(name);

    /* inside a lock: the offset is said, glibc's fields are not */
    w = locate((char *)&test_lone + 4);
    name = rd_symbolize_data(s, w.path, w.offset);
    CHECK_EQ_STR(name, "test_lone+4");
    free(name);

    /* not in any object */
    w = locate(&test_lone);
    name = rd_symbolize_data(s, w.path, 0);
    CHECK(name == NULL);
    free(name);
    rd_symbolizer_free(s);
}

TEST(missing_module_gives_module_and_offset)
{
    char *text = NULL;
    size_t len = 0;
    FILE *warn = open_memstream(&text, &len);
    struct rd_symbolizer *s = rd_symbolizer_new(warn);
    const struct rd_frame *f;
    size_t n = rd_symbolize_code(s, "/nonexistent/dir/libgone.so", 0x1234, &f);

    CHECK_EQ_INT(n, 1);
    CHECK_EQ_STR(f[0].module, "/nonexistent/dir/libgone.so");
    CHECK_EQ_INT(f[0].offset, 0x1234);
    CHECK(f[0].function == NULL);
    CHECK(f[0].file == NULL);
    CHECK_EQ_INT(f[0].line, 0);
    CHECK(rd_symbolize_data(s, "/nonexistent/dir/libgone.so", 16) == NULL);
    CHECK(rd_symbolizer_module_error(s, "/nonexistent/dir/libgone.so") != NULL);
    /* a second lookup in the same module does not warn again */
    rd_symbolize_code(s, "/nonexistent/dir/libgone.so", 0x99, &f);
    fclose(warn);
    CHECK(text && strstr(text, "/nonexistent/dir/libgone.so") != NULL);
    CHECK(text && strchr(text, '\n') == text + strlen(text) - 1); /* one line */
    free(text);
    rd_symbolizer_free(s);
}

TEST(non_elf_and_odd_files_give_module_and_offset)
{
    char path[] = "/tmp/racedet-test-notelf.XXXXXX";
    int fd = mkstemp(path);
    struct rd_symbolizer *s = rd_symbolizer_new(NULL);
    const struct rd_frame *f;
    size_t n;

    CHECK(fd >= 0);
    CHECK(write(fd, "this is not an ELF file\n", 24) == 24);
    close(fd);
    n = rd_symbolize_code(s, path, 0x10, &f);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_STR(f[0].module, path);
    CHECK(f[0].function == NULL);
    CHECK(rd_symbolizer_module_error(s, path) != NULL);

    /* a directory, an empty name, a relative name ([vdso]) */
    n = rd_symbolize_code(s, "/tmp", 0x10, &f);
    CHECK_EQ_INT(n, 1);
    CHECK(f[0].function == NULL);
    n = rd_symbolize_code(s, "", 0x10, &f);
    CHECK_EQ_INT(n, 1);
    n = rd_symbolize_code(s, "[vdso]", 0x10, &f);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_STR(f[0].module, "[vdso]");
    unlink(path);
    rd_symbolizer_free(s);
}

TEST(address_outside_any_function)
{
    struct rd_symbolizer *s = rd_symbolizer_new(stderr);
    const struct rd_frame *f;
    int line;
    struct where w = locate(known_call_site(&line));
    size_t n = rd_symbolize_code(s, w.path, 0x7fffffffULL, &f);
    CHECK_EQ_INT(n, 1);
    CHECK(f[0].function == NULL);
    CHECK_EQ_INT(f[0].offset, 0x7fffffffULL);
    rd_symbolizer_free(s);
}

int main(void)
{
    RUN(function_file_and_line_of_a_call);
    RUN(answers_are_cached);
    RUN(inlined_call_gives_one_frame_per_level);
    RUN(globals_are_named_down_to_the_element);
    RUN(missing_module_gives_module_and_offset);
    RUN(non_elf_and_odd_files_give_module_and_offset);
    RUN(address_outside_any_function);
    UNIT_DONE();
}
