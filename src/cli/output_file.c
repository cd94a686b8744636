/*
 * output_file: see cli.h. Every report racedet writes to -o PATH, in any
 * format, goes through here.
 *
 * A report is written to a fresh temporary file next to PATH and renamed
 * over PATH once complete: rename() replaces whatever is at PATH, a
 * symlink included, instead of writing through it, so a link planted at
 * PATH (in /tmp, say) cannot make racedet overwrite the file it points to;
 * and a report that fails half-way leaves PATH as it was.
 *
 * What is not a file cannot be replaced that way (renaming over /dev/null
 * as root would replace the device), so devices and FIFOs (-o /dev/null,
 * -o /dev/stdout, a named pipe) are written in place, followed through a
 * symlink only when root or the user owns the link.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mem.h"

/* Whether PATH names something to write in place rather than replace. */
static bool write_in_place(const char *path, bool *follow)
{
    struct stat link, target;
    *follow = false;
    if (lstat(path, &link) != 0)
        return false;
    if (S_ISLNK(link.st_mode)) {
        if (link.st_uid != 0 && link.st_uid != geteuid())
            return false; /* someone else's link: replace it, never follow it */
        if (stat(path, &target) != 0 || S_ISREG(target.st_mode) || S_ISDIR(target.st_mode))
            return false;
        *follow = true;
        return true;
    }
    return !S_ISREG(link.st_mode) && !S_ISDIR(link.st_mode);
}

/* Open PATH itself, for a device or FIFO; never creates or truncates. */
static int open_in_place(struct cli_output *out, bool follow)
{
    struct stat st;
    int fd = open(out->path, O_WRONLY | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || S_ISREG(st.st_mode)) {
        /* it became a regular file since we looked: write it the safe way */
        close(fd);
        return 1;
    }
    out->f = fdopen(fd, "w");
    if (!out->f) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return 0;
}

/* The mode of the report: an existing file's (not through a link), else
 * what the umask allows of rw-rw-rw-, as fopen would have made it. */
static mode_t report_mode(const char *path)
{
    struct stat st;
    mode_t mask;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
        return st.st_mode & 07777;
    mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

static int open_temporary(struct cli_output *out)
{
    const char *slash = strrchr(out->path, '/');
    int fd, err;
    if (slash)
        out->tmp = rd_xasprintf("%.*s/.%s.XXXXXX", (int)(slash - out->path), out->path,
                                slash + 1);
    else
        out->tmp = rd_xasprintf(".%s.XXXXXX", out->path);
    fd = mkostemp(out->tmp, O_CLOEXEC);
    if (fd < 0)
        goto fail;
    if (fchmod(fd, report_mode(out->path)) != 0 || !(out->f = fdopen(fd, "w"))) {
        err = errno;
        close(fd);
        unlink(out->tmp);
        errno = err;
        goto fail;
    }
    return 0;
fail:
    err = errno;
    free(out->tmp);
    out->tmp = NULL;
    errno = err;
    return -1;
}

int cli_output_open(struct cli_output *out, const char *path)
{
    bool follow;
    struct stat st;
    memset(out, 0, sizeof *out);
    out->path = path;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    if (write_in_place(path, &follow)) {
        int rc = open_in_place(out, follow);
        if (rc <= 0)
            return rc;
    }
    return open_temporary(out);
}

int cli_output_close(struct cli_output *out, bool keep)
{
    int rc = 0, err = 0;
    if (!out->f)
        return 0;
    errno = 0;
    if (keep && (fflush(out->f) != 0 || ferror(out->f) ||
                 (out->tmp && fsync(fileno(out->f)) != 0))) {
        rc = -1;
        err = errno ? errno : EIO;
    }
    if (fclose(out->f) != 0 && rc == 0) {
        rc = -1;
        err = errno;
    }
    out->f = NULL;
    if (out->tmp) {
        if (keep && rc == 0 && rename(out->tmp, out->path) != 0) {
            rc = -1;
            err = errno;
        }
        if (!keep || rc < 0)
            unlink(out->tmp);
        free(out->tmp);
        out->tmp = NULL;
    }
    errno = err;
    return keep ? rc : 0;
}
