/*
 * intercept_exit: the status the process ends with, so that the record
 * (and the report of each process of a command) carries it also without
 * `racedet run`, which alone sees it by waitpid. exit(n) says it; main's
 * return value is seen by wrapping main through __libc_start_main (libc
 * calls exit for it internally, past any interposition); _exit(n) and
 * _Exit(n) write the exit line themselves, as no destructor runs after
 * them.
 */
#include "preload.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

RD_EXPORT void exit(int status)
{
    preload_note_exit_status(status, "exit");
    REAL(exit)(status);
    __builtin_unreachable();
}

/* ---- main's return ------------------------------------------------------------ */

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_main_fn)(main_fn, int, char **, void (*)(void), void (*)(void),
                             void (*)(void), void *);

static main_fn program_main;

static int main_returning(int argc, char **argv, char **envp)
{
    int status = program_main(argc, argv, envp);
    preload_note_exit_status(status, "return");
    return status;
}

/* glibc's entry from _start (the same seven arguments since glibc 2.34
 * and before; init and fini are NULL for programs built since 2.34). */
RD_EXPORT int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
                                void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    start_main_fn real = (start_main_fn)dlsym(RTLD_NEXT, "__libc_start_main");
    program_main = main;
    return real(main_returning, argc, argv, init, fini, rtld_fini, stack_end);
}

/* ---- _exit, _Exit -------------------------------------------------------------- */

/* The exit line, unless this is a vfork child (it shares our memory, and
 * the runtime's state is its parent's: getpid() is not the thread's
 * process). */
static void note_fast_exit(int status)
{
    struct rt_thread *t = rt_self;
    if (atomic_load(&rt_state) != RT_READY || !t || t->pid != (pid_t)syscall(SYS_getpid))
        return;
    if (rt_finish_claim()) {
        rt_record_exit(status & 0xff, "_exit");
        atomic_store(&rt_state, RT_FINISHED);
    }
}

RD_EXPORT void _exit(int status)
{
    note_fast_exit(status);
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}

RD_EXPORT void _Exit(int status)
{
    note_fast_exit(status);
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}
