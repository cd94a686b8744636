/* program: see cli.h. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mem.h"

/* 0 when path is an executable regular file, else an errno value. */
static int runnable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno;
    if (S_ISDIR(st.st_mode))
        return EISDIR;
    if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0)
        return EACCES;
    return 0;
}

char *cli_find_program(const char *name, int *status)
{
    const char *path, *p;
    int seen = ENOENT, e;

    if (!*name) {
        fprintf(stderr, "racedet: '': command not found\n");
        *status = RD_EXIT_NOT_FOUND;
        return NULL;
    }
    if (strchr(name, '/')) {
        e = runnable(name);
        if (e == 0)
            return rd_xstrdup(name);
        fprintf(stderr, "racedet: %s: %s\n", name, strerror(e));
        *status = e == ENOENT || e == ENOTDIR ? RD_EXIT_NOT_FOUND : RD_EXIT_CANNOT_RUN;
        return NULL;
    }
    path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (p = path;; p++) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char *cand = len ? rd_xasprintf("%.*s/%s", (int)len, p, name) : rd_xstrdup(name);
        e = runnable(cand);
        if (e == 0)
            return cand;
        if (e == EACCES || e == EISDIR)
            seen = e; /* keep looking, like execvp, but remember why */
        free(cand);
        if (!colon)
            break;
        p = colon;
    }
    if (seen == ENOENT) {
        fprintf(stderr, "racedet: %s: command not found\n", name);
        *status = RD_EXIT_NOT_FOUND;
    } else {
        fprintf(stderr, "racedet: %s: %s\n", name, strerror(seen));
        *status = RD_EXIT_CANNOT_RUN;
    }
    return NULL;
}

/* ELF class and machine of a file; false when it is not ELF. */
static bool elf_ident(const char *path, int *cls, int *machine, bool *has_interp, int *type)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    Elf *e;
    GElf_Ehdr eh;
    size_t nph = 0, i;
    bool ok = false;

    *has_interp = false;
    if (fd < 0)
        return false;
    elf_version(EV_CURRENT);
    e = elf_begin(fd, ELF_C_READ, NULL);
    if (e && elf_kind(e) == ELF_K_ELF && gelf_getehdr(e, &eh)) {
        ok = true;
        *cls = gelf_getclass(e);
        *machine = eh.e_machine;
        *type = eh.e_type;
        if (elf_getphdrnum(e, &nph) == 0) {
            for (i = 0; i < nph; i++) {
                GElf_Phdr ph;
                if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_INTERP)
                    *has_interp = true;
            }
        }
    }
    if (e)
        elf_end(e);
    close(fd);
    return ok;
}

static bool starts_with_shebang(const char *path)
{
    char buf[2];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool yes;
    if (fd < 0)
        return false;
    yes = read(fd, buf, 2) == 2 && buf[0] == '#' && buf[1] == '!';
    close(fd);
    return yes;
}

int cli_check_program(const char *shown, const char *path, const char *shim,
                      enum cli_prog_kind *kind)
{
    struct stat st;
    int cls, machine, type, scls, smachine, stype;
    bool interp, sinterp;

    *kind = CLI_PROG_OTHER;
    if (!elf_ident(path, &cls, &machine, &interp, &type)) {
        if (starts_with_shebang(path))
            *kind = CLI_PROG_SCRIPT;
        return 0;
    }
    *kind = CLI_PROG_ELF;
    if (stat(path, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID))) {
        fprintf(stderr,
                "racedet: %s is setuid/setgid: the dynamic loader ignores LD_PRELOAD for it, "
                "so racedet cannot watch it\n", shown);
        return -1;
    }
    if (!interp) {
        fprintf(stderr, "racedet: %s is statically linked: LD_PRELOAD cannot work; link it "
                        "dynamically\n", shown);
        return -1;
    }
    if (elf_ident(shim, &scls, &smachine, &sinterp, &stype) &&
        (scls != cls || smachine != machine)) {
        fprintf(stderr, "racedet: %s is built for another architecture (ELF class %d, machine "
                        "%d) than the racedet shim (class %d, machine %d): it cannot be "
                        "watched\n", shown, cls == ELFCLASS32 ? 32 : 64, machine,
                scls == ELFCLASS32 ? 32 : 64, smachine);
        return -1;
    }
    return 0;
}
