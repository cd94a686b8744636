/*
 * dynamic_annotations: the dynamic-annotation functions that
 * ThreadSanitizer's runtime exports (compiler-rt tsan_interface_ann.cpp)
 * and libraries call from their own dynamic_annotations.h (Abseil, glib,
 * Chromium's base, LLVM's OpenMP runtime, ...), each turned into the
 * shared annotation call of the same meaning (annotate.h). Names and
 * parameters as ThreadSanitizer's; every one takes the annotating source
 * file and line first. A flag that is `long` there (is_w) is read as the
 * int a caller may have passed instead.
 *
 * Where ThreadSanitizer's version does nothing, so does racedet's, except
 * for the condition-variable and producer-consumer-queue annotations,
 * which say what happens before what and are kept as that (Helgrind's
 * reading): signal / put release the object, wait / get acquire it.
 * AnnotateMutexIsNotPHB and AnnotateMutexIsUsedAsCondVar are for hybrid
 * detectors: every lock orders in racedet, so they change nothing.
 */
#include "annotate.h"

#define CALL_PC() ((uintptr_t)__builtin_return_address(0))
#define CALL_SP() ((uintptr_t)__builtin_frame_address(0))

#define ANN(name, ...) RD_EXPORT void name(const char *file, int line, ##__VA_ARGS__)
#define UNUSED_FILE_LINE() ((void)file, (void)line)

/* ---- happens-before ------------------------------------------------------------------ */

ANN(AnnotateHappensBefore, const volatile void *addr)
{
    UNUSED_FILE_LINE();
    annotate_happens_before(addr);
}

ANN(AnnotateHappensAfter, const volatile void *addr)
{
    UNUSED_FILE_LINE();
    annotate_happens_after(addr);
}

ANN(AnnotateCondVarSignal, const volatile void *cv)
{
    UNUSED_FILE_LINE();
    annotate_happens_before(cv);
}

ANN(AnnotateCondVarSignalAll, const volatile void *cv)
{
    UNUSED_FILE_LINE();
    annotate_happens_before(cv);
}

ANN(AnnotateCondVarWait, const volatile void *cv, const volatile void *lock)
{
    UNUSED_FILE_LINE();
    (void)lock;
    annotate_happens_after(cv);
}

ANN(AnnotatePCQPut, const volatile void *pcq)
{
    UNUSED_FILE_LINE();
    annotate_happens_before(pcq);
}

ANN(AnnotatePCQGet, const volatile void *pcq)
{
    UNUSED_FILE_LINE();
    annotate_happens_after(pcq);
}

/* ---- reader-writer locks -------------------------------------------------------------- */

static struct rt_sync_call rwlock(const volatile void *m, long is_w, uintptr_t pc, uintptr_t sp)
{
    return (struct rt_sync_call){
        .addr = (uintptr_t)m,
        .kind = RT_RWLOCK,
        .type = RT_TYPE_NONE,
        .write = (int)is_w != 0,
        .pc = pc,
        .sp = sp,
    };
}

ANN(AnnotateRWLockCreate, const volatile void *m)
{
    struct rt_sync_call c = rwlock(m, 1, CALL_PC(), CALL_SP());
    UNUSED_FILE_LINE();
    annotate_lock_created(&c);
}

ANN(AnnotateRWLockCreateStatic, const volatile void *m)
{
    struct rt_sync_call c = rwlock(m, 1, CALL_PC(), CALL_SP());
    UNUSED_FILE_LINE();
    annotate_lock_created_flags(&c, RT_LOCK_STATIC);
}

ANN(AnnotateRWLockDestroy, const volatile void *m)
{
    struct rt_sync_call c = rwlock(m, 1, CALL_PC(), CALL_SP());
    UNUSED_FILE_LINE();
    annotate_lock_destroyed_flags(&c, 0); /* none if created static */
}

ANN(AnnotateRWLockAcquired, const volatile void *m, long is_w)
{
    struct rt_sync_call c = rwlock(m, is_w, CALL_PC(), CALL_SP());
    UNUSED_FILE_LINE();
    annotate_lock_acquired(&c, true);
}

ANN(AnnotateRWLockReleased, const volatile void *m, long is_w)
{
    struct rt_sync_call c = rwlock(m, is_w, CALL_PC(), CALL_SP());
    UNUSED_FILE_LINE();
    annotate_lock_released(&c);
}

/* ---- what is not checked ---------------------------------------------------------------- */

ANN(AnnotateBenignRaceSized, const volatile void *mem, long size, const char *description)
{
    UNUSED_FILE_LINE();
    (void)description;
    annotate_benign_race(mem, (uintptr_t)size);
}

ANN(AnnotateBenignRace, const volatile void *mem, const char *description)
{
    UNUSED_FILE_LINE();
    (void)description;
    annotate_benign_race(mem, 1);
}

ANN(WTFAnnotateBenignRaceSized, const volatile void *mem, long size, const char *description)
{
    UNUSED_FILE_LINE();
    (void)description;
    annotate_benign_race(mem, (uintptr_t)size);
}

#define IGNORE_FN(name, what, delta)                                                          \
    ANN(name)                                                                                 \
    {                                                                                         \
        UNUSED_FILE_LINE();                                                                   \
        annotate_ignore(what, delta);                                                         \
    }
IGNORE_FN(AnnotateIgnoreReadsBegin, ANNOTATE_READS, +1)
IGNORE_FN(AnnotateIgnoreReadsEnd, ANNOTATE_READS, -1)
IGNORE_FN(AnnotateIgnoreWritesBegin, ANNOTATE_WRITES, +1)
IGNORE_FN(AnnotateIgnoreWritesEnd, ANNOTATE_WRITES, -1)
IGNORE_FN(AnnotateIgnoreSyncBegin, ANNOTATE_SYNC, +1)
IGNORE_FN(AnnotateIgnoreSyncEnd, ANNOTATE_SYNC, -1)

ANN(AnnotateNewMemory, const volatile void *mem, long size)
{
    UNUSED_FILE_LINE();
    annotate_new_memory(mem, (uintptr_t)size);
}

/* ---- naming ---------------------------------------------------------------------------------- */

ANN(AnnotateThreadName, const char *name)
{
    UNUSED_FILE_LINE();
    annotate_thread_name(name);
}

/* ---- accepted, nothing to do (as in ThreadSanitizer) ------------------------------------------ */

#define NOOP_FN(name, ...)                                                                    \
    ANN(name, ##__VA_ARGS__) { UNUSED_FILE_LINE(); }
NOOP_FN(AnnotateMutexIsNotPHB, const volatile void *mu)
NOOP_FN(AnnotateMutexIsUsedAsCondVar, const volatile void *mu)
NOOP_FN(AnnotatePCQCreate, const volatile void *pcq)
NOOP_FN(AnnotatePCQDestroy, const volatile void *pcq)
NOOP_FN(AnnotateExpectRace, const volatile void *mem, const char *description)
NOOP_FN(AnnotateFlushExpectedRaces)
NOOP_FN(AnnotateEnableRaceDetection, int enable)
NOOP_FN(AnnotateTraceMemory, const volatile void *mem)
NOOP_FN(AnnotateFlushState)
NOOP_FN(AnnotateNoOp, const volatile void *arg)
NOOP_FN(AnnotatePublishMemoryRange, const volatile void *addr, long size)
NOOP_FN(AnnotateUnpublishMemoryRange, const volatile void *addr, long size)
NOOP_FN(AnnotateMemoryIsInitialized, const volatile void *mem, long size)
NOOP_FN(AnnotateMemoryIsUninitialized, const volatile void *mem, long size)
/* WebKit annotates its atomics with these; the atomics order by themselves */
NOOP_FN(WTFAnnotateHappensBefore, const volatile void *addr)
NOOP_FN(WTFAnnotateHappensAfter, const volatile void *addr)

/* ---- queries ------------------------------------------------------------------------------------- */

RD_EXPORT int RunningOnValgrind(void)
{
    return 0;
}

RD_EXPORT __attribute__((weak)) double ValgrindSlowdown(void)
{
    return 10.0;
}

RD_EXPORT const char *ThreadSanitizerQuery(const char *query)
{
    static const char pure_hb[] = "pure_happens_before";
    const char *a = query, *b = pure_hb;
    if (!query)
        return "0";
    while (*a && *a == *b)
        a++, b++;
    return *a == *b ? "1" : "0";
}
