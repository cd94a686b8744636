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
 *   compile only (-c, -S, -E, -M, -MM, -fsyntax-only): the arguments as
 *       given (response files too) plus -fsanitize=thread;
 *   nothing to build (no input file: -v, --version, -print-*): as given;
 *   link: the drivers add libtsan whenever -fsanitize=thread is on a link
 *       line, so sources named on it are first compiled on their own (with
 *       -fsanitize=thread, into a temporary directory), then everything is
 *       linked without -fsanitize=thread and with
 *       -x none <libdir>/libracedet_tsan.a -Wl,--no-as-needed
 *       <libdir>/libracedet.so -Wl,-rpath,<libdir>, so the program loads the
 *       runtime by itself (and `racedet run`'s preload of the same file is
 *       the same object). The archive holds the hottest entry points
 *       (src/linked/), which calls from the program reach directly rather
 *       than through the PLT.
 *
 * To tell these apart and find the sources, the arguments are read as the
 * drivers read them: @FILE response files are expanded; -x LANG makes every
 * later file a source of that language until -x none (the link line drops
 * the -x options: its sources have become objects); `-` is standard input,
 * a source after -x; -o FILE and -oFILE name the output. -MD / -MMD on a
 * link line write the dependency file the driver would have written there.
 *
 * The compiler is $RACEDET_CC (default `cc`) for racedet-cc, $RACEDET_CXX
 * (default `c++`) for racedet-c++; it may be a command with arguments, e.g.
 * "ccache gcc". <libdir> is ../lib next to this program.
 * Every other argument is passed through unchanged. Exit status: the
 * compiler's.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "mem.h"

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

/* The wrapper lives for one command: what it allocates (rd_x*, which end
 * the program when memory runs out) is not freed. */
static void push(struct argv_buf *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->v = rd_xrealloc(a->v, sizeof *a->v * a->cap);
    }
    a->v[a->n++] = (char *)s;
    a->v[a->n] = NULL;
}

/* The compiler command: $RACEDET_CC (or $RACEDET_CXX) split at spaces. */
static void push_compiler(struct argv_buf *a)
{
    const char *cc = getenv(COMPILER_VAR);
    char *copy, *tok, *save = NULL;
    size_t n0 = a->n;
    if (!cc || !*cc)
        cc = DEFAULT_COMPILER;
    copy = rd_xstrdup(cc);
    for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
        push(a, tok);
    if (a->n == n0)
        push(a, DEFAULT_COMPILER);
}

/* Start argv; out_fd >= 0 becomes its standard output (and its standard
 * error goes to /dev/null). Returns 0, or -1 after saying why not. */
static int spawn(char **argv, int out_fd, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    int rc;
    posix_spawn_file_actions_init(&fa);
    if (out_fd >= 0) {
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, TOOL ": cannot run %s: %s\n", argv[0], strerror(rc));
        return -1;
    }
    return 0;
}

/* Its exit status (128+N for signal N, 127 when it cannot be waited for). */
static int wait_for(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 127;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static int run(char **argv)
{
    pid_t pid;
    return spawn(argv, -1, &pid) == 0 ? wait_for(pid) : 127;
}

/* ---- response files ----------------------------------------------------- */

/* Split the text of a response file into words the way the drivers do
 * (libiberty's buildargv): white space separates words, '...' and "..."
 * quote, a backslash takes the next character as it is, also inside
 * quotes. */
static void split_words(const char *text, struct argv_buf *out)
{
    char *word = rd_xmalloc(strlen(text) + 1);
    size_t n = 0;
    bool in_word = false;
    char quote = 0;
    for (const char *p = text; *p; p++) {
        if (!quote && isspace((unsigned char)*p)) {
            if (in_word) {
                word[n] = '\0';
                push(out, rd_xstrdup(word));
                n = 0;
                in_word = false;
            }
            continue;
        }
        in_word = true;
        if (*p == '\\' && p[1])
            word[n++] = *++p;
        else if (quote && *p == quote)
            quote = 0;
        else if (!quote && (*p == '\'' || *p == '"'))
            quote = *p;
        else
            word[n++] = *p;
    }
    if (in_word) {
        word[n] = '\0';
        push(out, rd_xstrdup(word));
    }
    free(word);
}

/* The whole of a file as a string, or NULL when it cannot be read. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t n = 0, cap = 0, got;
    if (!f)
        return NULL;
    do {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            text = rd_xrealloc(text, cap);
        }
        got = fread(text + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    text[n] = '\0';
    if (ferror(f)) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

/* Append args to out with every @FILE replaced by the words of FILE (and
 * theirs, nested). Like the drivers, an @FILE that cannot be read stays as
 * it is; the depth bound stops a file that names itself. */
static void expand_args(char **args, size_t n, struct argv_buf *out, int depth)
{
    for (size_t i = 0; i < n; i++) {
        char *text = args[i][0] == '@' && args[i][1] && depth < 32 ? read_file(args[i] + 1) : NULL;
        struct argv_buf words = {0};
        if (!text) {
            push(out, args[i]);
            continue;
        }
        split_words(text, &words);
        free(text);
        expand_args(words.v, words.n, out, depth + 1);
        free(words.v);
    }
}

/* ---- reading the command line --------------------------------------------- */

static bool one_of(const char *a, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(a, list[i]) == 0)
            return true;
    return false;
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
    return one_of(a, opts);
}

/* Of those, the ones that only matter to the linker. */
static bool link_only_value(const char *a)
{
    static const char *const opts[] = {"-o", "-Xlinker", "-L", "-l", "-T", "-u", "-e", "-z", NULL};
    return one_of(a, opts);
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

static bool source_suffix(const char *a)
{
    static const char *const exts[] = {".c", ".i", ".cc", ".cp", ".cxx", ".cpp", ".CPP", ".c++",
                                       ".C", ".ii", ".s", ".S", ".sx", ".m", ".mi", ".mm",
                                       ".M", NULL};
    for (int i = 0; exts[i]; i++)
        if (has_suffix(a, exts[i]))
            return true;
    return false;
}

/* Options without a value that only matter to the linker. */
static bool link_only(const char *a)
{
    return strncmp(a, "-l", 2) == 0 || strncmp(a, "-L", 2) == 0 || strncmp(a, "-Wl,", 4) == 0 ||
           strcmp(a, "-static") == 0 || strcmp(a, "-shared") == 0 || strcmp(a, "-rdynamic") == 0 ||
           strcmp(a, "-pie") == 0 || strcmp(a, "-no-pie") == 0 || strcmp(a, "-s") == 0 ||
           strncmp(a, "-fuse-ld=", 9) == 0 || (strncmp(a, "-o", 2) == 0 && a[2]);
}

/* One argument of the (expanded) command line. */
struct item {
    const char *arg;
    const char *value; /* the next argument, for options that take one */
    bool input;        /* a file to compile or link: not an option, or "-" */
    const char *lang;  /* inputs: the -x language in effect, NULL for none */
};

/* The -x language an option sets ("" for none), or NULL when it is no -x. */
static const char *x_lang(const struct item *it)
{
    const char *l;
    if (it->input || strncmp(it->arg, "-x", 2) != 0)
        return NULL;
    l = it->arg[2] ? it->arg + 2 : it->value ? it->value : "";
    return strcmp(l, "none") == 0 ? "" : l;
}

/* Whether the driver compiles this input: a source by its suffix, anything
 * named after -x LANG, standard input only after -x. */
static bool is_source(const struct item *it)
{
    if (!it->input)
        return false;
    if (it->lang)
        return true;
    return strcmp(it->arg, "-") != 0 && source_suffix(it->arg);
}

static size_t read_items(char **args, size_t n, struct item *items)
{
    const char *lang = NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++, k++) {
        const char *a = args[i], *l;
        items[k] = (struct item){.arg = a};
        if (a[0] != '-' || a[1] == '\0') {
            items[k].input = true;
            items[k].lang = lang;
            continue;
        }
        if (takes_value(a) && i + 1 < n)
            items[k].value = args[++i];
        if ((l = x_lang(&items[k])) != NULL)
            lang = *l ? l : NULL;
    }
    return k;
}

/* What the command asks of the driver. */
struct plan {
    bool link;          /* false: it stops before linking */
    bool inputs;        /* it names input files or libraries */
    bool deps;          /* -MD / -MMD: a dependency file besides the output */
    bool deps_file;     /* -MF given */
    bool deps_target;   /* -MT / -MQ given */
    const char *output; /* -o, NULL when not given */
};

static struct plan read_plan(const struct item *items, size_t n)
{
    static const char *const stop[] = {"-c", "-S", "-E", "-M", "-MM", "-fsyntax-only", NULL};
    struct plan p = {.link = true};
    for (size_t i = 0; i < n; i++) {
        const char *a = items[i].arg;
        if (items[i].input || strncmp(a, "-l", 2) == 0) {
            p.inputs = true;
            continue;
        }
        if (one_of(a, stop))
            p.link = false;
        if (strcmp(a, "-MD") == 0 || strcmp(a, "-MMD") == 0)
            p.deps = true;
        if (strncmp(a, "-MF", 3) == 0)
            p.deps_file = true;
        if (strncmp(a, "-MT", 3) == 0 || strncmp(a, "-MQ", 3) == 0)
            p.deps_target = true;
        if (strcmp(a, "-o") == 0 && items[i].value)
            p.output = items[i].value;
        else if (strncmp(a, "-o", 2) == 0 && a[2])
            p.output = a + 2;
    }
    return p;
}

/* ---- dependency files on a link line --------------------------------------- */

/* Whether the compiler is clang (it names dependency files differently):
 * its predefined macros, read while it runs (they may not fit a pipe). */
static bool compiler_is_clang(void)
{
    struct argv_buf cmd = {0};
    static const char mark[] = "#define __clang__ ";
    char buf[4096 + sizeof mark];
    size_t keep = 0;
    ssize_t got;
    bool clang = false;
    int fds[2];
    pid_t pid;
    if (pipe(fds) != 0)
        return false;
    push_compiler(&cmd);
    push(&cmd, "-dM");
    push(&cmd, "-E");
    push(&cmd, "-x");
    push(&cmd, "c");
    push(&cmd, "/dev/null");
    if (spawn(cmd.v, fds[1], &pid) != 0)
        pid = -1;
    close(fds[1]);
    /* the last bytes of each read are kept, so a mark split over two
     * reads is still found */
    while ((got = read(fds[0], buf + keep, sizeof buf - 1 - keep)) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        keep += (size_t)got;
        buf[keep] = '\0';
        clang = clang || strstr(buf, mark) != NULL;
        if (keep >= sizeof mark) {
            memmove(buf, buf + keep - (sizeof mark - 1), sizeof mark - 1);
            keep = sizeof mark - 1;
        }
    }
    close(fds[0]);
    if (pid > 0)
        wait_for(pid);
    free(cmd.v);
    return clang;
}

/* path without the suffix of its last component. */
static char *strip_suffix(const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - path) : strlen(path);
    return rd_xasprintf("%.*s", (int)n, path);
}

/* Compiling a source of a link line into a temporary object would put a
 * -MD / -MMD dependency file next to that object, naming it: name the file
 * and its target as the driver does when it compiles and links at once.
 * With -o OUT: OUT.d (OUT without its suffix), target OUT. Without: BASE.d
 * (clang) or a-BASE.d (gcc), target BASE.o, BASE the source's name
 * without directory and suffix. */
static void push_deps_names(struct argv_buf *cmd, const struct plan *p, const char *src)
{
    static int clang = -1;
    char *base;
    if (!p->deps || (p->deps_file && p->deps_target))
        return;
    if (p->output) {
        if (!p->deps_file) {
            push(cmd, "-MF");
            push(cmd, rd_xasprintf("%s.d", strip_suffix(p->output)));
        }
        if (!p->deps_target) {
            push(cmd, "-MQ");
            push(cmd, p->output);
        }
        return;
    }
    if (strcmp(src, "-") == 0)
        return; /* standard input without -o: the driver's own name for it */
    base = strip_suffix(strrchr(src, '/') ? strrchr(src, '/') + 1 : src);
    if (!p->deps_file) {
        if (clang < 0)
            clang = compiler_is_clang();
        push(cmd, "-MF");
        push(cmd, rd_xasprintf("%s%s.d", clang ? "" : "a-", base));
    }
    if (!p->deps_target) {
        push(cmd, "-MQ");
        push(cmd, rd_xasprintf("%s.o", base));
    }
}

/* ---- the link ----------------------------------------------------------------- */

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

static bool is_tsan_flag(const char *a)
{
    return strcmp(a, "-fsanitize=thread") == 0;
}

/* cc <every compile option> [deps names] -fsanitize=thread -c [-x LANG] SRC -o OBJ */
static int compile_one(const struct item *items, size_t n, const struct plan *p,
                       const struct item *src, const char *obj)
{
    struct argv_buf cc = {0};
    int rc;
    push_compiler(&cc);
    for (size_t j = 0; j < n; j++) {
        const struct item *it = &items[j];
        if (it->input || x_lang(it) || is_tsan_flag(it->arg) || link_only(it->arg) ||
            (it->value && link_only_value(it->arg)))
            continue;
        push(&cc, it->arg);
        if (it->value)
            push(&cc, it->value);
    }
    push_deps_names(&cc, p, src->arg);
    push(&cc, "-fsanitize=thread");
    push(&cc, "-c");
    if (src->lang) {
        push(&cc, "-x");
        push(&cc, src->lang);
    }
    push(&cc, src->arg);
    push(&cc, "-o");
    push(&cc, obj);
    rc = run(cc.v);
    free(cc.v);
    return rc;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlink(rd_xasprintf("%s/%s", dir, e->d_name));
    closedir(d);
    rmdir(dir);
}

/* The sources of the link line are compiled on their own (the drivers add
 * libtsan whenever -fsanitize=thread is on a link line), then everything
 * is linked with racedet's runtime. */
static int link_program(const struct item *items, size_t n, const struct plan *p)
{
    struct argv_buf link = {0};
    char libdir[PATH_MAX], tmpdir[PATH_MAX] = "";
    int rc = 0, k = 0;

    if (find_libdir(libdir, sizeof libdir) < 0) {
        fprintf(stderr, TOOL ": cannot find libracedet.so and libracedet_tsan.a in ../lib "
                        "next to " TOOL "\n");
        return 1;
    }
    push_compiler(&link);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct item *it = &items[i];
        const char *base;
        char *obj;
        if (x_lang(it) || is_tsan_flag(it->arg))
            continue; /* sources become objects, which must be read as such */
        if (!is_source(it)) {
            push(&link, it->arg);
            if (it->value)
                push(&link, it->value);
            continue;
        }
        if (!tmpdir[0]) {
            const char *tmp = getenv("TMPDIR");
            snprintf(tmpdir, sizeof tmpdir, "%s/" TOOL ".XXXXXX", tmp && *tmp ? tmp : "/tmp");
            if (!mkdtemp(tmpdir)) {
                fprintf(stderr, TOOL ": cannot make a temporary directory: %s\n",
                        strerror(errno));
                return 1;
            }
        }
        base = strrchr(it->arg, '/') ? strrchr(it->arg, '/') + 1 : it->arg;
        obj = rd_xasprintf("%s/%d-%.40s.o", tmpdir, k++, strcmp(base, "-") ? base : "stdin");
        rc = compile_one(items, n, p, it, obj);
        push(&link, obj);
    }
    if (rc == 0) {
        /* what follows is objects and libraries whatever -x said before */
        push(&link, "-x");
        push(&link, "none");
        push(&link, rd_xasprintf("%s/libracedet_tsan.a", libdir));
        push(&link, "-Wl,--no-as-needed");
        push(&link, rd_xasprintf("%s/libracedet.so", libdir));
        push(&link, rd_xasprintf("-Wl,-rpath,%s", libdir));
        rc = run(link.v);
    }
    if (tmpdir[0])
        remove_dir(tmpdir);
    return rc;
}

int main(int argc, char **argv)
{
    struct argv_buf cmd = {0}, args = {0};
    struct item *items;
    struct plan p;
    size_t n;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-help") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    expand_args(argv + 1, (size_t)argc - 1, &args, 0);
    items = rd_xcalloc(args.n + 1, sizeof *items);
    n = read_items(args.v, args.n, items);
    p = read_plan(items, n);
    if (p.link && p.inputs)
        return link_program(items, n, &p);

    /* compile only: the arguments as given (response files too), plus the
     * instrumentation; nothing to link (-v, --version, -print-*): as given */
    push_compiler(&cmd);
    for (int i = 1; i < argc; i++)
        push(&cmd, argv[i]);
    if (!p.link)
        push(&cmd, "-fsanitize=thread");
    execvp(cmd.v[0], cmd.v);
    fprintf(stderr, TOOL ": cannot run %s: %s\n", cmd.v[0], strerror(errno));
    return 127;
}
