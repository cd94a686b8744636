/*
 * racedet-cc / racedet-c++: drop-ins for `cc` / `c++` that build with the
 * compilers' ThreadSanitizer instrumentation (-fsanitize=thread) but link
 * racedet's runtime (libracedet.so) instead of libtsan.
 *
 * Both are built from this file: racedet-c++ with RACEDET_CC_CXX defined.
 * The flavour is fixed at build time rather than read from argv[0] because
 * build tools copy compilers, resolve symlinks and call them by other names;
 * what a binary does must not depend on what it is called. The C++ flavour
 * only wraps a C++ driver, which compiles .c files as C++ and links
 * libstdc++, as c++ itself does.
 *
 *   compile only (-c, -S, -E, -M, -MM, -fsyntax-only): the arguments plus
 *       -fsanitize=thread;
 *   link: the drivers add libtsan whenever -fsanitize=thread is on a link
 *       line, so sources named on it are first compiled on their own (with
 *       -fsanitize=thread, into a temporary directory), then everything is
 *       linked without -fsanitize=thread and with
 *       <libdir>/libracedet_tsan.a -Wl,--no-as-needed <libdir>/libracedet.so
 *       -Wl,-rpath,<libdir>, so the program loads the runtime by itself (and
 *       `racedet run`'s preload of the same file is the same object). The
 *       archive holds the hottest entry points (src/linked/), which calls
 *       from the program reach directly rather than through the PLT.
 *
 * The compiler is $RACEDET_CC (default `cc`) for racedet-cc, $RACEDET_CXX
 * (default `c++`) for racedet-c++; it may be a command with arguments, e.g.
 * "ccache gcc". <libdir> is ../lib next to this program.
 * Every other argument is passed through unchanged. Exit status: the
 * compiler's.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifdef RACEDET_CC_CXX
#define TOOL "racedet-c++"
#define COMPILER_VAR "RACEDET_CXX"
#define DEFAULT_COMPILER "c++"
#define EXAMPLES                                                               \
    "  racedet-c++ -g -O1 prog.cpp -o prog\n"                                  \
    "  make CXX=racedet-c++ CC=racedet-cc\n"                                   \
    "  cmake -DCMAKE_CXX_COMPILER=racedet-c++ -DCMAKE_C_COMPILER=racedet-cc ..\n"
#else
#define TOOL "racedet-cc"
#define COMPILER_VAR "RACEDET_CC"
#define DEFAULT_COMPILER "cc"
#define EXAMPLES                                                               \
    "  racedet-cc -g -O1 prog.c -o prog\n"                                     \
    "  make CC=racedet-cc\n"                                                   \
    "  ./configure CC=racedet-cc && make\n"                                    \
    "  cmake -DCMAKE_C_COMPILER=racedet-cc ..\n"
#endif

static const char *const usage =
    "usage: " TOOL " [compiler arguments...]\n"
    "\n"
    "A drop-in for " DEFAULT_COMPILER ": compiles with -fsanitize=thread (the gcc or clang\n"
    "race instrumentation) and links racedet's runtime instead of libtsan, so that\n"
    "`racedet run -- ./prog` (or ./prog alone) reports data races with full stacks.\n"
    "\n"
    "  " COMPILER_VAR "   the compiler to wrap (default: " DEFAULT_COMPILER ")\n"
    "\n"
    "Examples:\n" EXAMPLES;

struct argv_buf {
    char **v;
    size_t n, cap;
};

static void push(struct argv_buf *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->v = realloc(a->v, sizeof *a->v * a->cap);
        if (!a->v) {
            fprintf(stderr, TOOL ": out of memory\n");
            exit(1);
        }
    }
    a->v[a->n++] = (char *)s;
    a->v[a->n] = NULL;
}

/* The compiler command: $RACEDET_CC (or $RACEDET_CXX) split at spaces. */
static void push_compiler(struct argv_buf *a)
{
    const char *cc = getenv(COMPILER_VAR);
    char *copy, *tok, *save = NULL;
    if (!cc || !*cc)
        cc = DEFAULT_COMPILER;
    copy = strdup(cc);
    for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
        push(a, tok);
    if (a->n == 0)
        push(a, DEFAULT_COMPILER);
}

static int run(char **argv)
{
    pid_t pid;
    int status, rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr, TOOL ": cannot run %s: %s\n", argv[0], strerror(rc));
        return 127;
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 127;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Options whose value is the next argument. */
static bool takes_value(const char *a)
{
    static const char *const opts[] = {
        "-o", "-x", "-I", "-L", "-l", "-D", "-U", "-include", "-imacros", "-isystem",
        "-iquote", "-idirafter", "-iprefix", "-iwithprefix", "-iwithprefixbefore",
        "-isysroot", "--sysroot", "-MF", "-MT", "-MQ", "-Xlinker", "-Xassembler",
        "-Xpreprocessor", "-Xclang", "-T", "-u", "-e", "-z", "-aux-info", "--param",
        "-target", "-arch", "-dumpbase", "-dumpdir", "-specs", NULL};
    for (int i = 0; opts[i]; i++)
        if (strcmp(a, opts[i]) == 0)
            return true;
    return false;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

static bool is_source(const char *a)
{
    static const char *const exts[] = {".c", ".i", ".cc", ".cp", ".cxx", ".cpp", ".CPP", ".c++",
                                       ".C", ".ii", ".s", ".S", ".sx", ".m", ".mi", ".mm",
                                       ".M", NULL};
    for (int i = 0; exts[i]; i++)
        if (has_suffix(a, exts[i]))
            return true;
    return false;
}

static bool is_tsan_flag(const char *a)
{
    return strcmp(a, "-fsanitize=thread") == 0;
}

/* Arguments that only matter to the linker: left out of the compile step. */
static bool link_only(const char *a)
{
    return strncmp(a, "-l", 2) == 0 || strncmp(a, "-L", 2) == 0 || strncmp(a, "-Wl,", 4) == 0 ||
           strcmp(a, "-static") == 0 || strcmp(a, "-shared") == 0 || strcmp(a, "-rdynamic") == 0 ||
           strcmp(a, "-pie") == 0 || strcmp(a, "-no-pie") == 0 || strcmp(a, "-s") == 0 ||
           strncmp(a, "-fuse-ld=", 9) == 0 || has_suffix(a, ".o") || has_suffix(a, ".a") ||
           has_suffix(a, ".so") || strstr(a, ".so.") != NULL;
}

static int find_libdir(char *out, size_t len)
{
    char self[PATH_MAX], lib[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    struct stat st;
    if (n <= 0)
        return -1;
    self[n] = '\0';
    snprintf(lib, sizeof lib, "%s/../lib", dirname(self));
    if (!realpath(lib, out) || strlen(out) + 20 > len)
        return -1;
    snprintf(lib, sizeof lib, "%s/libracedet.so", out);
    if (stat(lib, &st) != 0)
        return -1;
    snprintf(lib, sizeof lib, "%s/libracedet_tsan.a", out);
    if (stat(lib, &st) != 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    struct argv_buf cmd = {0}, link = {0};
    bool linking = true;
    int nsources = 0, rc = 0;
    char libdir[PATH_MAX], runtime[PATH_MAX + 32], linked[PATH_MAX + 32], rpath[PATH_MAX + 32];
    char tmpdir[PATH_MAX] = "";

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-help") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0 || strcmp(a, "-S") == 0 || strcmp(a, "-E") == 0 ||
            strcmp(a, "-M") == 0 || strcmp(a, "-MM") == 0 || strcmp(a, "-fsyntax-only") == 0)
            linking = false;
        if (takes_value(a)) {
            i++;
            continue;
        }
        if (a[0] != '-' && is_source(a))
            nsources++;
    }
    push_compiler(&cmd);
    if (!linking) {
        for (int i = 1; i < argc; i++)
            push(&cmd, argv[i]);
        push(&cmd, "-fsanitize=thread");
        execvp(cmd.v[0], cmd.v);
        fprintf(stderr, TOOL ": cannot run %s: %s\n", cmd.v[0], strerror(errno));
        return 127;
    }

    if (find_libdir(libdir, sizeof libdir) < 0) {
        fprintf(stderr, TOOL ": cannot find libracedet.so and libracedet_tsan.a in ../lib "
                        "next to " TOOL "\n");
        return 1;
    }
    snprintf(runtime, sizeof runtime, "%s/libracedet.so", libdir);
    snprintf(linked, sizeof linked, "%s/libracedet_tsan.a", libdir);
    snprintf(rpath, sizeof rpath, "-Wl,-rpath,%s", libdir);

    /* compile the sources named on the link line, one by one */
    if (nsources > 0) {
        const char *tmp = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/racedet-cc.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, TOOL ": cannot make a temporary directory: %s\n", strerror(errno));
            return 1;
        }
    }
    push_compiler(&link);
    for (int i = 1, k = 0; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        if (takes_value(a)) {
            push(&link, a);
            if (i + 1 < argc)
                push(&link, argv[++i]);
            continue;
        }
        if (is_tsan_flag(a))
            continue;
        if (a[0] == '-' || !is_source(a)) {
            push(&link, a);
            continue;
        }
        /* a source: cc <compile args> -fsanitize=thread -c SRC -o TMP/N.o */
        char *obj = malloc(strlen(tmpdir) + 64);
        struct argv_buf cc = {0};
        const char *base = strrchr(a, '/') ? strrchr(a, '/') + 1 : a;
        sprintf(obj, "%s/%d-%.40s.o", tmpdir, k++, base);
        push_compiler(&cc);
        for (int j = 1; j < argc; j++) {
            const char *b = argv[j];
            if (takes_value(b)) {
                if (strcmp(b, "-o") != 0 && strcmp(b, "-Xlinker") != 0 && strcmp(b, "-L") != 0 &&
                    strcmp(b, "-l") != 0 && strcmp(b, "-T") != 0 && strcmp(b, "-u") != 0 &&
                    strcmp(b, "-e") != 0 && strcmp(b, "-z") != 0) {
                    push(&cc, b);
                    if (j + 1 < argc)
                        push(&cc, argv[j + 1]);
                }
                j++;
                continue;
            }
            if (b[0] != '-' && is_source(b))
                continue;
            if (link_only(b) || is_tsan_flag(b))
                continue;
            push(&cc, b);
        }
        push(&cc, "-fsanitize=thread");
        push(&cc, "-c");
        push(&cc, a);
        push(&cc, "-o");
        push(&cc, obj);
        rc = run(cc.v);
        free(cc.v);
        push(&link, obj);
    }
    if (rc == 0) {
        push(&link, linked);
        push(&link, "-Wl,--no-as-needed");
        push(&link, runtime);
        push(&link, rpath);
        rc = run(link.v);
    }
    if (tmpdir[0]) {
        for (size_t i = 0; i < link.n; i++)
            if (strncmp(link.v[i], tmpdir, strlen(tmpdir)) == 0)
                unlink(link.v[i]);
        rmdir(tmpdir);
    }
    return rc;
}
