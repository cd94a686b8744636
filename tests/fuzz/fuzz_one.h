/*
 * fuzz_one.h: what one fuzz input goes through, shared by the libFuzzer
 * target (tests/fuzz/fuzz_report.c, `make fuzz`) and the replay of the
 * regression corpus in `make check` (tests/unit/test_fuzz_regressions.c).
 *
 * The bytes are read as a record file and as a racedet JSON document (both
 * readers, into one model, as `racedet report` merges them), the model is
 * resolved and suppressions are applied, then every renderer but svg writes
 * it. Property checked besides "no crash, no sanitizer report": the JSON
 * document racedet writes can always be read back.
 */
#ifndef RD_FUZZ_ONE_H
#define RD_FUZZ_ONE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "json_reader.h"
#include "model.h"
#include "record_reader.h"
#include "render.h"
#include "suppressions.h"
#include "symbolize.h"

/* A path that reads as the bytes (an anonymous memory file), or NULL. */
static char *fuzz_path_of(const uint8_t *data, size_t size, int *fd)
{
    static char path[64];
    *fd = memfd_create("racedet-fuzz", MFD_CLOEXEC);
    if (*fd < 0)
        return NULL;
    if (size && write(*fd, data, size) != (ssize_t)size) {
        close(*fd);
        return NULL;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", *fd);
    return path;
}

static void fuzz_one(const uint8_t *data, size_t size)
{
    static struct rd_symbolizer *sym;
    static const char *const formats[] = {"text", "json", "sarif", "dot", "html"};
    struct rd_suppressions *supp = rd_suppressions_new();
    struct rd_model *m = rd_model_new();
    FILE *devnull = fopen("/dev/null", "w");
    struct rd_render_opts ro = {true, "/nonexistent/racedet-e2e", true};
    char err[256];
    char *path;
    size_t i;
    int fd;

    if (!sym)
        sym = rd_symbolizer_new(NULL);
    rd_suppressions_add_line(supp, "thread_leak:*teller*", "fuzz", 1, err, sizeof err);
    rd_suppressions_add_line(supp, "*:zz*", "fuzz", 2, err, sizeof err);
    path = fuzz_path_of(data, size, &fd);
    if (path && devnull) {
        rd_records_read(m, path, devnull);
        rd_json_read(m, path, devnull);
        rd_model_sort_processes(m);
        rd_model_finish(m, sym, devnull);
        rd_suppressions_apply(supp, m);
        for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
            rd_renderer_find(formats[i])->render(m, devnull, &ro);
        {
            /* what racedet writes, racedet reads */
            int fd2;
            char *buf = NULL, *path2;
            size_t len = 0;
            FILE *mem = open_memstream(&buf, &len);
            struct rd_model *again = rd_model_new();
            rd_renderer_find("json")->render(m, mem, &ro);
            fclose(mem);
            path2 = fuzz_path_of((const uint8_t *)buf, len, &fd2);
            if (path2 && rd_json_read(again, path2, stderr) != 0) {
                fprintf(stderr, "fuzz: racedet cannot read back its own JSON document\n");
                abort();
            }
            if (again->nfindings != m->nfindings) {
                fprintf(stderr, "fuzz: %zu findings written, %zu read back\n", m->nfindings,
                        again->nfindings);
                abort();
            }
            if (path2)
                close(fd2);
            rd_model_free(again);
            free(buf);
        }
    }
    if (path)
        close(fd);
    if (devnull)
        fclose(devnull);
    rd_model_free(m);
    rd_suppressions_free(supp);
}

#endif
