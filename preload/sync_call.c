/* sync_call: what glibc's objects tell about themselves (see preload.h). */
#include "preload.h"

#include <sys/syscall.h>
#include <unistd.h>

int preload_mutex_owned_by_self(uintptr_t addr)
{
    const pthread_mutex_t *m = (const pthread_mutex_t *)addr;
    return m->__data.__owner == (int)syscall(SYS_gettid);
}

int preload_rwlock_written_by_self(uintptr_t addr)
{
    const pthread_rwlock_t *rw = (const pthread_rwlock_t *)addr;
    return rw->__data.__cur_writer == (int)syscall(SYS_gettid) ? 1 : -1;
}
