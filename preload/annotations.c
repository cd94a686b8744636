/*
 * annotations: the functions behind include/racedet.h, each one of the
 * shared annotation calls (annotate.h), as the dynamic annotations and the
 * compiler ABI's are.
 */
#include "racedet.h"

#include "annotate.h"

#define CALL_PC() ((uintptr_t)__builtin_return_address(0))
#define CALL_SP() ((uintptr_t)__builtin_frame_address(0))

RD_EXPORT void racedet_annotate_happens_before(const volatile void *addr, const char *file, int line)
{
    (void)file;
    (void)line;
    annotate_happens_before(addr);
}

RD_EXPORT void racedet_annotate_happens_after(const volatile void *addr, const char *file, int line)
{
    (void)file;
    (void)line;
    annotate_happens_after(addr);
}

RD_EXPORT void racedet_annotate_ignore_reads_begin(void) { annotate_ignore(ANNOTATE_READS, +1); }
RD_EXPORT void racedet_annotate_ignore_reads_end(void) { annotate_ignore(ANNOTATE_READS, -1); }
RD_EXPORT void racedet_annotate_ignore_writes_begin(void) { annotate_ignore(ANNOTATE_WRITES, +1); }
RD_EXPORT void racedet_annotate_ignore_writes_end(void) { annotate_ignore(ANNOTATE_WRITES, -1); }

RD_EXPORT void racedet_annotate_benign_race(const volatile void *addr, unsigned long size,
                                            const char *description)
{
    (void)description;
    annotate_benign_race(addr, size);
}

/* A custom lock: exclusive, or shared (then an rwlock's read side). */
static struct rt_sync_call custom_lock(const volatile void *m, int exclusive, uintptr_t pc,
                                       uintptr_t sp)
{
    return (struct rt_sync_call){
        .addr = (uintptr_t)m,
        .kind = exclusive ? RT_MUTEX : RT_RWLOCK,
        .type = RT_TYPE_NONE,
        .write = exclusive != 0,
        .pc = pc,
        .sp = sp,
    };
}

RD_EXPORT void racedet_annotate_mutex_acquired(const volatile void *m, int exclusive)
{
    struct rt_sync_call c = custom_lock(m, exclusive, CALL_PC(), CALL_SP());
    annotate_lock_acquired(&c, true);
}

RD_EXPORT void racedet_annotate_mutex_released(const volatile void *m, int exclusive)
{
    struct rt_sync_call c = custom_lock(m, exclusive, CALL_PC(), CALL_SP());
    annotate_lock_released(&c);
}

RD_EXPORT void racedet_annotate_thread_name(const char *name)
{
    annotate_thread_name(name);
}
