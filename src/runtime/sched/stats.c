/* stats: the statistics file of a controlled run; see sched_stats.h. */
#include "sched_internal.h"
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Where the counters go until (and unless) a file is mapped. */
static struct rd_sched_stats private_stats;
struct rd_sched_stats *rt_sched_stats = &private_stats;
static char *stats_dir;

/* dir: the record directory, or NULL for the one given before (a fork
 * child). A process that cannot make its file runs on with the private
 * copy: racedet explore then knows nothing of its schedule, but the run
 * itself is the same. */
void rt_sched_stats_open(const char *dir)
{
    char path[4096];
    struct rd_sched_stats *p;
    int fd = -1;

    if (dir) {
        stats_dir = rt_strdup(dir);
    } else if (rt_sched_stats != &private_stats) {
        /* the child of a fork: the parent's mapping is shared; take a copy */
        private_stats = *rt_sched_stats;
        rt_sched_stats = &private_stats;
    }
    private_stats.magic = RD_SCHED_STATS_MAGIC;
    private_stats.version = RD_SCHED_STATS_VERSION;
    if (!stats_dir)
        return;
    for (int n = 0; n < 1000 && fd < 0; n++) {
        snprintf(path, sizeof path, "%s/" RD_SCHED_STATS_PREFIX "%d.%d", stats_dir, (int)getpid(), n);
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            return;
    }
    if (fd < 0)
        return;
    if (ftruncate(fd, sizeof *p) != 0) {
        close(fd);
        return;
    }
    p = mmap(NULL, sizeof *p, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd); /* the mapping stays; the program may close any descriptor */
    if (p == MAP_FAILED)
        return;
    *p = private_stats;
    rt_sched_stats = p;
}
