/* process_exit: see process_exit.h. */
#include "process_exit.h"

#include <string.h>
#include <sys/wait.h>

#include "mem.h"

bool rd_model_note_wait_status(struct rd_model *m, long pid, int wait_status)
{
    struct rd_process *p = NULL;
    size_t i;
    /* sorted by start time: the last record of the pid is its last image */
    for (i = 0; i < m->nprocs; i++)
        if (m->procs[i]->from_records && m->procs[i]->pid == pid)
            p = m->procs[i];
    if (!p)
        return false;
    if (WIFSIGNALED(wait_status)) {
        p->exit_signal = WTERMSIG(wait_status);
        p->exit_status = 128 + p->exit_signal; /* as shells and racedet run say it */
        free(p->exit_how);
        p->exit_how = rd_xstrdup("signal");
    } else if (WIFEXITED(wait_status)) {
        p->exit_status = WEXITSTATUS(wait_status);
        if (!p->exit_how)
            p->exit_how = rd_xstrdup("exit"); /* _exit: the runtime saw nothing */
    } else {
        return false;
    }
    p->has_exit = true;
    return true;
}

const struct rd_process *rd_model_killed_process(const struct rd_model *m)
{
    size_t i;
    for (i = 0; i < m->nprocs; i++)
        if (!m->procs[i]->duplicate && m->procs[i]->exit_signal > 0)
            return m->procs[i];
    return NULL;
}

const char *rd_process_name(const struct rd_process *p)
{
    if (p->argc > 0 && p->argv[0] && *p->argv[0])
        return p->argv[0];
    if (p->exe && *p->exe)
        return p->exe;
    return "the program";
}

char *rd_signal_describe(int sig)
{
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev)
        return rd_xasprintf("signal %d (SIG%s)", sig, abbrev);
    return rd_xasprintf("signal %d", sig);
}
