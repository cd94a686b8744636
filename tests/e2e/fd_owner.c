/*
 * fd_owner MODE FILE: a program that manages its own descriptors, as
 * daemons and test runners do. The record file racedet keeps open (seen
 * in /proc/self/fd, as racedet.*.jsonl) must look closed to it; other
 * descriptors it inherited are its own. Then it closes every
 * descriptor above 2 (MODE: close_range, closefrom, loop (close() up to
 * 1024), raw (the close_range system call, which no interposition sees)),
 * opens FILE, puts it also at every number the record had at the start
 * (dup2), writes its own lines through all of them, and makes a
 * lock-order cycle (lock_cycle.h). FILE must end up
 * with the program's lines only, and the cycle must be reported.
 * Prints "hidden N" (N record descriptors, all invisible) and exits 0, or
 * says what went wrong and exits 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lock_cycle.h"

static int fail(const char *what, int fd)
{
    printf("%s (descriptor %d): %s\n", what, fd, strerror(errno));
    return 1;
}

/* Must fail with EBADF, as for a descriptor never opened. */
static int expect_ebadf(const char *what, int rc, int fd)
{
    if (rc != -1 || errno != EBADF) {
        printf("%s of descriptor %d it never opened: returned %d (%s), not EBADF\n", what, fd,
               rc, rc == -1 ? strerror(errno) : "success");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int foreign[64], nforeign = 0, out, bad = 0;
    const char *mode = argc > 2 ? argv[1] : "";
    DIR *d;
    struct dirent *e;

    if (argc < 3) {
        fprintf(stderr, "usage: fd_owner close_range|closefrom|loop|raw FILE\n");
        return 2;
    }
    /* what is open that the program did not open */
    d = opendir("/proc/self/fd");
    if (!d)
        return fail("opendir /proc/self/fd", -1);
    while ((e = readdir(d)) != NULL) {
        char link[64], target[4096];
        ssize_t n;
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d) || nforeign == 64)
            continue;
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        n = readlink(link, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        if (strstr(target, "/racedet.") && strstr(target, ".jsonl"))
            foreign[nforeign++] = fd;
    }
    closedir(d);
    for (int i = 0; i < nforeign; i++) {
        int fd = foreign[i];
        bad |= expect_ebadf("fcntl(F_GETFD)", fcntl(fd, F_GETFD), fd);
        bad |= expect_ebadf("dup", dup(fd), fd);
        bad |= expect_ebadf("dup2", dup2(fd, 200), fd);
        bad |= expect_ebadf("close", close(fd), fd);
    }

    if (strcmp(mode, "close_range") == 0) {
        if (close_range(3, ~0u, 0) != 0)
            return fail("close_range", 3);
    } else if (strcmp(mode, "closefrom") == 0) {
        closefrom(3);
    } else if (strcmp(mode, "loop") == 0) {
        for (int fd = 3; fd < 1024; fd++)
            close(fd); /* EBADF for most */
    } else if (strcmp(mode, "raw") == 0) {
        if (syscall(SYS_close_range, 3, ~0u, 0) != 0)
            return fail("the close_range system call", 3);
    } else {
        fprintf(stderr, "fd_owner: unknown mode %s\n", mode);
        return 2;
    }

    out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0)
        return fail(argv[2], -1);
    if (out != 3)
        printf("open gave descriptor %d after closing everything above 2, not 3\n", out), bad = 1;
    for (int i = 0; i < nforeign; i++)
        if (foreign[i] != out && dup2(out, foreign[i]) != foreign[i])
            return fail("dup2 onto a free number", foreign[i]);
    dprintf(out, "program line 1\n");

    make_lock_cycle();

    for (int i = 0; i < nforeign; i++)
        dprintf(foreign[i], "program line via %d\n", foreign[i]);
    dprintf(out, "program line 2\n");
    for (int i = 0; i < nforeign; i++)
        if (foreign[i] != out && close(foreign[i]) != 0)
            return fail("close of its own descriptor", foreign[i]);
    if (close(out) != 0)
        return fail("close of its own descriptor", out);
    printf("hidden %d\n", nforeign);
    return bad;
}
