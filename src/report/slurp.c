/* slurp: see slurp.h. */
#include "slurp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "options.h"

static size_t input_limit; /* 0: not set yet */

void rd_input_limit_set(size_t bytes)
{
    input_limit = bytes;
}

size_t rd_input_limit(void)
{
    if (input_limit == 0) {
        /* the option table holds the default: no second copy of it here */
        struct rd_options o;
        rd_options_defaults(&o);
        input_limit = (size_t)o.max_input_size << 20;
    }
    return input_limit;
}

char *rd_slurp_fd(int fd, size_t limit, size_t *len)
{
    /* one byte past the limit tells "too large" from "exactly the limit" */
    size_t n = 0, cap = 8192, want = limit == SIZE_MAX ? SIZE_MAX : limit + 1;
    char *buf = rd_xmalloc(cap);
    while (n < want) {
        size_t room;
        ssize_t got;
        if (n + 1 >= cap) {
            cap = cap <= want / 2 ? cap * 2 : want + 1;
            buf = rd_xrealloc(buf, cap);
        }
        room = cap - n - 1 < want - n ? cap - n - 1 : want - n;
        got = read(fd, buf + n, room);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int err = errno;
            free(buf);
            errno = err;
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > limit) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* "256 MiB" for a whole number of MiB, else "N bytes". */
static void say_limit(char *buf, size_t len, size_t limit)
{
    if (limit % (1u << 20) == 0)
        snprintf(buf, len, "%zu MiB", limit >> 20);
    else
        snprintf(buf, len, "%zu-byte", limit);
}

char *rd_slurp_input(const char *path, const char *label, size_t *len, FILE *diag)
{
    size_t limit = rd_input_limit();
    struct stat st;
    char *data = NULL, shown[64];
    int fd, err = 0;

    if (!label)
        label = path;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        err = errno;
    else if (fstat(fd, &st) != 0)
        err = errno;
    else if (S_ISDIR(st.st_mode))
        err = EISDIR;
    else if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > limit)
        err = EFBIG; /* said before reading any of it */
    else if (!(data = rd_slurp_fd(fd, limit, len)))
        err = errno;
    if (fd >= 0)
        close(fd);
    if (data)
        return data;
    if (!diag)
        return NULL;
    if (err == EFBIG) {
        say_limit(shown, sizeof shown, limit);
        fprintf(diag, "racedet: %s: larger than the %s input limit (--max-input-size)\n", label,
                shown);
    } else if (err == EISDIR) {
        fprintf(diag, "racedet: %s: is a directory\n", label);
    } else {
        fprintf(diag, "racedet: %s: %s\n", label, strerror(err));
    }
    return NULL;
}

int rd_slurp_parse(struct rd_model *m, const char *path, rd_parse_fn parse, FILE *diag)
{
    size_t len;
    char *data = rd_slurp_input(path, NULL, &len, diag ? diag : stderr);
    int rc;
    if (!data)
        return -1;
    rc = parse(m, path, data, len, diag);
    free(data);
    return rc;
}

bool rd_next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *n,
                  bool *complete)
{
    const char *nl;
    if (*pos >= len)
        return false;
    *line = buf + *pos;
    nl = memchr(*line, '\n', len - *pos);
    *complete = nl != NULL;
    *n = nl ? (size_t)(nl - *line) : len - *pos;
    *pos += *n + (nl ? 1 : 0);
    return true;
}
