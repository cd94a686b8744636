/* render_dot: see render_dot.h. */
#include "render_dot.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escape.h"
#include "mem.h"
#include "slurp.h"
#include "user_frame.h"

extern char **environ;

static bool lock_in_cycle(const struct rd_model *m, const char *id)
{
    size_t i;
    for (i = 0; i < m->ngedges; i++)
        if (m->gedges[i].in_cycle &&
            (strcmp(m->gedges[i].from, id) == 0 || strcmp(m->gedges[i].to, id) == 0))
            return true;
    return false;
}

/* "file:line" of a frame: the file as below cwd, else its base name. */
static char *where(const struct rd_frame *f, const char *cwd)
{
    const char *file;
    if (!f->file)
        return f->function ? rd_xstrdup(f->function) : rd_xstrdup("?");
    file = rd_path_below(f->file, cwd);
    if (!file)
        file = rd_basename(f->file);
    if (f->line > 0)
        return rd_xasprintf("%s:%d", file, f->line);
    return rd_xstrdup(file);
}

static void write_dot(const struct rd_model *m, FILE *out, const char *cwd)
{
    size_t i, ncycle = 0;
    bool several = rd_model_nprocesses(m) > 1;

    for (i = 0; i < m->ngedges; i++)
        ncycle += m->gedges[i].in_cycle;
    fputs("digraph racedet_lock_order {\n", out);
    if (m->ngedges == 0)
        fputs("  graph [label=\"racedet lock-order graph: no lock was taken while another "
              "was held\", labelloc=t, fontname=\"Helvetica\"];\n", out);
    else
        fprintf(out, "  graph [label=\"racedet lock-order graph: %zu locks, %zu edges, %zu on "
                     "cycles (red)\", labelloc=t, fontname=\"Helvetica\"];\n",
                m->nglocks, m->ngedges, ncycle);
    fputs("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
          "  edge [fontname=\"Helvetica\", fontsize=10];\n", out);

    for (i = 0; i < m->nglocks; i++) {
        const struct rd_graph_lock *l = &m->glocks[i];
        char *d = rd_lock_describe(l->kind, l->name, l->addr);
        fputs("  \"", out);
        rd_put_dot(out, l->id);
        fputs("\" [label=\"", out);
        rd_put_dot(out, d);
        if (several) {
            const char *colon = strchr(l->id, ':');
            fputs("\\n(process ", out);
            if (colon)
                fwrite(l->id, 1, (size_t)(colon - l->id), out);
            else
                rd_put_dot(out, l->id);
            fputs(")", out);
        }
        fputs("\"", out);
        if (lock_in_cycle(m, l->id))
            fputs(", color=red, fontcolor=red, penwidth=2", out);
        fputs("];\n", out);
        free(d);
    }
    for (i = 0; i < m->ngedges; i++) {
        const struct rd_graph_edge *e = &m->gedges[i];
        fputs("  \"", out);
        rd_put_dot(out, e->from);
        fputs("\" -> \"", out);
        rd_put_dot(out, e->to);
        fprintf(out, "\" [label=\"%sT%ld", e->trylock ? "trylock, " : "", e->thread);
        if (e->has_to_frame) {
            char *w = where(&e->to_frame, cwd);
            fputs(": ", out);
            rd_put_dot(out, w);
            free(w);
        }
        if (e->has_from_frame) {
            char *w = where(&e->from_frame, cwd);
            fputs("\\n(holding since ", out);
            rd_put_dot(out, w);
            fputs(")", out);
            free(w);
        }
        fputs("\"", out);
        if (e->in_cycle)
            fputs(", color=red, fontcolor=red, penwidth=2.5, style=bold", out);
        else if (e->trylock)
            fputs(", style=dashed", out);
        fputs("];\n", out);
    }
    fputs("}\n", out);
}

int rd_render_dot(const struct rd_model *m, FILE *out, const struct rd_render_opts *o)
{
    write_dot(m, out, o ? o->cwd : NULL);
    if (fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}

/* ---- svg: Graphviz as a child process ------------------------------------- */

static bool in_path(const char *prog)
{
    const char *path = getenv("PATH"), *p;
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (p = path; *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char *cand = rd_xasprintf("%.*s/%s", (int)n, n ? p : ".", prog);
        struct stat st;
        bool ok = stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0;
        free(cand);
        if (ok)
            return true;
        p += n + (colon ? 1 : 0);
        if (!colon)
            break;
    }
    return false;
}

const char *rd_svg_unavailable(void)
{
    if (in_path("dot"))
        return NULL;
    return "this format needs Graphviz's `dot` command, which is not in PATH "
           "(install Graphviz: apt-get install graphviz)";
}

/* Read all of fd into a fresh NUL-terminated string. */
char *rd_lock_graph_svg(const struct rd_model *m, const struct rd_render_opts *o, char *err,
                        size_t errlen)
{
    const char *tmpdir = getenv("TMPDIR");
    char *in_path_s, *svg = NULL, *errs = NULL;
    int in_fd, out_pipe[2] = {-1, -1}, err_fd = -1, status = 0, rc;
    FILE *in;
    pid_t pid;
    posix_spawn_file_actions_t fa;
    size_t len = 0, elen = 0;

    in_path_s = rd_xasprintf("%s/racedet-graph.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    in_fd = mkstemp(in_path_s);
    if (in_fd < 0) {
        snprintf(err, errlen, "cannot make a temporary file for Graphviz: %s", strerror(errno));
        free(in_path_s);
        return NULL;
    }
    in = fdopen(in_fd, "w");
    if (!in) {
        snprintf(err, errlen, "cannot write the temporary file %s: %s", in_path_s,
                 strerror(errno));
        close(in_fd);
        goto out;
    }
    write_dot(m, in, o ? o->cwd : NULL);
    if (fclose(in) != 0) {
        snprintf(err, errlen, "cannot write the temporary file %s: %s", in_path_s,
                 strerror(errno));
        goto out;
    }
    {
        FILE *ef = tmpfile();
        if (ef) {
            err_fd = dup(fileno(ef));
            fclose(ef);
        }
    }
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        goto out;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    if (err_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    {
        char *argv[] = {"dot", "-Tsvg", in_path_s, NULL};
        rc = posix_spawnp(&pid, "dot", &fa, NULL, argv, environ);
    }
    posix_spawn_file_actions_destroy(&fa);
    close(out_pipe[1]);
    out_pipe[1] = -1;
    if (rc != 0) {
        if (rc == ENOENT)
            snprintf(err, errlen, "Graphviz's `dot` command is not installed (apt-get install "
                                  "graphviz)");
        else
            snprintf(err, errlen, "cannot run Graphviz's `dot`: %s", strerror(rc));
        goto out;
    }
    svg = rd_slurp_fd(out_pipe[0], SIZE_MAX, &len);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || len == 0) {
        char *nl;
        if (err_fd >= 0) {
            lseek(err_fd, 0, SEEK_SET);
            errs = rd_slurp_fd(err_fd, SIZE_MAX, &elen);
        }
        nl = errs ? strchr(errs, '\n') : NULL;
        if (nl)
            *nl = '\0';
        snprintf(err, errlen, "Graphviz's `dot -Tsvg` failed%s%s", errs && *errs ? ": " : "",
                 errs ? errs : "");
        free(svg);
        svg = NULL;
    }
out:
    if (out_pipe[0] >= 0)
        close(out_pipe[0]);
    if (out_pipe[1] >= 0)
        close(out_pipe[1]);
    if (err_fd >= 0)
        close(err_fd);
    unlink(in_path_s);
    free(in_path_s);
    free(errs);
    return svg;
}

int rd_render_svg(const struct rd_model *m, FILE *out, const struct rd_render_opts *o)
{
    char err[512];
    char *svg;
    err[0] = '\0';
    svg = rd_lock_graph_svg(m, o, err, sizeof err);
    if (!svg) {
        fprintf(stderr, "racedet: %s\n", err[0] ? err : "Graphviz failed");
        errno = 0; /* said; no errno to add */
        return -1;
    }
    fputs(svg, out);
    free(svg);
    if (fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
