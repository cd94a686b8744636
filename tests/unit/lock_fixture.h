/* lock_fixture: lock events fed to the engine directly, on one OS thread,
 * for the lock-analysis tests. Each simulated thread is an rt_thread; each
 * call carries its source line as its pc, so every call site has its own
 * stack. */
#ifndef RD_LOCK_FIXTURE_H
#define RD_LOCK_FIXTURE_H

#include "events/events.h"
#include "core/runtime.h"
#include "unit.h"

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

#endif
