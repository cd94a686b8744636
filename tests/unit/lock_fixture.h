/* lock_fixture: lock events fed to the engine directly, on one OS thread,
 * for the lock-analysis tests. Each simulated thread is an rt_thread; each
 * call carries its source line as its pc, so every call site has its own
 * stack. */
#ifndef RD_LOCK_FIXTURE_H
#define RD_LOCK_FIXTURE_H

#include "events/events.h"
#include "core/record.h"
#include "core/runtime.h"
#include "unit.h"

#include <stdlib.h>

static inline struct rt_sync_call mk(uintptr_t addr, int kind, int type, bool write, bool try, int line)
{
    return (struct rt_sync_call){.addr = addr, .kind = kind, .type = type, .write = write,
                                 .trylock = try, .pc = 0x1000 + (uintptr_t)line, .sp = 0x8000};
}

static inline void lock_(struct rt_thread *t, uintptr_t a, int line)
{
    struct rt_sync_call c = mk(a, RT_MUTEX, RT_TYPE_NORMAL, true, false, line);
    CHECK(on_lock_wait(t, &c) == RT_PROCEED);
    on_lock_acquired(t, &c);
}
static inline void trylock_(struct rt_thread *t, uintptr_t a, int line)
{
    struct rt_sync_call c = mk(a, RT_MUTEX, RT_TYPE_NORMAL, true, true, line);
    on_lock_wait(t, &c);
    on_lock_acquired(t, &c);
}
static inline void rdlock_(struct rt_thread *t, uintptr_t a, int line)
{
    struct rt_sync_call c = mk(a, RT_RWLOCK, RT_TYPE_NONE, false, false, line);
    CHECK(on_lock_wait(t, &c) == RT_PROCEED);
    on_lock_acquired(t, &c);
}
static inline void wrlock_(struct rt_thread *t, uintptr_t a, int line)
{
    struct rt_sync_call c = mk(a, RT_RWLOCK, RT_TYPE_NONE, true, false, line);
    CHECK(on_lock_wait(t, &c) == RT_PROCEED);
    on_lock_acquired(t, &c);
}
static inline void unlock_(struct rt_thread *t, uintptr_t a, int kind, int line)
{
    struct rt_sync_call c = mk(a, kind, kind == RT_MUTEX ? RT_TYPE_NORMAL : RT_TYPE_NONE, true, false, line);
    on_lock_release(t, &c);
}
#define LOCK(t, a) lock_(t, a, __LINE__)
#define TRYLOCK(t, a) trylock_(t, a, __LINE__)
#define RDLOCK(t, a) rdlock_(t, a, __LINE__)
#define WRLOCK(t, a) wrlock_(t, a, __LINE__)
#define UNLOCK(t, a) unlock_(t, a, RT_MUTEX, __LINE__)
#define RWUNLOCK(t, a) unlock_(t, a, RT_RWLOCK, __LINE__)

/* Start the runtime with these options, its record in a new directory
 * (dir: room for 32 bytes). 0, or -1 after a "not ok" line. */
static inline int lock_fixture_start(const char *options, char *dir)
{
    char err[256] = "cannot make a temporary directory";
    strcpy(dir, "/tmp/racedet-unit.XXXXXX");
    if (!mkdtemp(dir) || rt_start(options, dir, err, sizeof err) < 0) {
        printf("not ok - start: %s\n", err);
        return -1;
    }
    return 0;
}

/* Close the record and remove its directory. */
static inline void lock_fixture_end(const char *dir)
{
    char cmd[512];
    rt_record_close();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
}

#endif
