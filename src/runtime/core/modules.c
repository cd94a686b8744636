/* modules: see modules.h. */
#include "modules.h"
#include "rt_alloc.h"
#include "rt_spin.h"

#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static rt_spin_t modules_lock = RT_SPIN_INIT;
static struct rt_module **modules;
static int nmodules, cap_modules;
static uintptr_t self_lo, self_hi, unwind_lo, unwind_hi;

static struct rt_module *find_locked(uintptr_t addr)
{
    for (int i = 0; i < nmodules; i++)
        if (addr >= modules[i]->lo && addr < modules[i]->hi)
            return modules[i];
    return NULL;
}

/* The file mapped at addr, as the kernel names it in /proc/self/maps
 * (absolute, symbolic links resolved); false if addr is in no file. */
static bool mapped_file(uintptr_t addr, char *out, size_t size)
{
    char buf[4096], line[PATH_MAX + 128];
    size_t len = 0;
    bool found = false, skip = false;
    ssize_t n;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    while (!found && (n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n && !found; i++) {
            unsigned long lo, hi;
            int path_at = -1;
            if (buf[i] != '\n') {
                if (len + 1 < sizeof line)
                    line[len++] = buf[i];
                else
                    skip = true; /* longer than any path: not ours to read */
                continue;
            }
            line[len] = '\0';
            /* start-end perms offset dev inode   path */
            if (!skip && sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &path_at) == 2 &&
                path_at > 0 && addr >= lo && addr < hi && line[path_at] == '/') {
                char *deleted = strstr(line + path_at, " (deleted)");
                if (deleted && deleted[10] == '\0')
                    *deleted = '\0';
                snprintf(out, size, "%s", line + path_at);
                found = true;
            }
            len = 0;
            skip = false;
        }
    }
    close(fd);
    return found;
}

static int add_object(struct dl_phdr_info *info, size_t size, void *data)
{
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    char exe[PATH_MAX];
    const char *path = info->dlpi_name;
    struct rt_module *m;
    (void)size;
    (void)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        if (info->dlpi_addr + ph->p_vaddr < lo)
            lo = info->dlpi_addr + ph->p_vaddr;
        if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
            hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
    }
    if (hi == 0)
        return 0;
    rt_spin_lock(&modules_lock);
    m = find_locked(lo);
    rt_spin_unlock(&modules_lock);
    if (m && m->base == info->dlpi_addr)
        return 0; /* known */
    if (path == NULL || path[0] == '\0') {
        /* the main program; linux-vdso has a name of its own */
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return 0;
        exe[n] = '\0';
        path = exe;
    } else if (path[0] != '/' && mapped_file(lo, exe, sizeof exe)) {
        /* dlopen("./lib.so"), or a bare name found through a relative
         * LD_LIBRARY_PATH: the loader keeps the name it was given,
         * relative to a directory the program may have left since, and
         * the analyzer runs elsewhere. The kernel knows the file. */
        path = exe;
    }
    rt_spin_lock(&modules_lock);
    if (find_locked(lo)) { /* another thread added it meanwhile */
        rt_spin_unlock(&modules_lock);
        return 0;
    }
    if (nmodules == cap_modules) {
        int ncap = cap_modules ? cap_modules * 2 : 32;
        modules = rt_realloc(modules, sizeof *modules * (size_t)cap_modules,
                             sizeof *modules * (size_t)ncap);
        cap_modules = ncap;
    }
    m = rt_alloc(sizeof *m);
    m->id = nmodules;
    m->base = info->dlpi_addr;
    m->lo = lo;
    m->hi = hi;
    m->path = rt_strdup(path);
    modules[nmodules++] = m;
    rt_spin_unlock(&modules_lock);
    return 0;
}

/* dl_iterate_phdr takes the loader's lock: never call it holding ours, or a
 * thread in dlopen (constructors taking locks) and one refreshing the table
 * could wait on each other. */
struct rt_module *rt_module_of(uintptr_t addr)
{
    struct rt_module *m;
    rt_spin_lock(&modules_lock);
    m = find_locked(addr);
    rt_spin_unlock(&modules_lock);
    if (!m) {
        dl_iterate_phdr(add_object, NULL);
        rt_spin_lock(&modules_lock);
        m = find_locked(addr);
        rt_spin_unlock(&modules_lock);
    }
    return m;
}

bool rt_module_is_runtime(uintptr_t pc)
{
    return (pc >= self_lo && pc < self_hi) || (pc >= unwind_lo && pc < unwind_hi);
}

static void span_of(const void *fn, uintptr_t *lo, uintptr_t *hi)
{
    struct rt_module *m = rt_module_of((uintptr_t)fn);
    if (m) {
        *lo = m->lo;
        *hi = m->hi;
    }
}

void rt_modules_mark_runtime(const void *in_runtime, const void *in_unwinder)
{
    span_of(in_runtime, &self_lo, &self_hi);
    if (in_unwinder)
        span_of(in_unwinder, &unwind_lo, &unwind_hi);
}
