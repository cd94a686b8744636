/* dynamic_annotations: every dynamic annotation ThreadSanitizer's runtime
 * exports is there to link against (a program calling each one builds and
 * runs), and those that say something are obeyed. Silent:
 *   - a hand-off through a flag racedet cannot see (assembly), annotated
 *     with AnnotateCondVarSignal / AnnotateCondVarWait, and another with
 *     AnnotatePCQPut / AnnotatePCQGet;
 *   - a race inside AnnotateIgnoreReadsBegin/End and
 *     AnnotateIgnoreWritesBegin/End, and one on a range declared with
 *     AnnotateBenignRace;
 *   - a block of a custom allocator's pool handed to another thread with
 *     AnnotateNewMemory (its history starts again). */
#include "asm_flag.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>


#define F __FILE__, __LINE__
void AnnotateHappensBefore(const char *f, int l, const volatile void *addr);
void AnnotateHappensAfter(const char *f, int l, const volatile void *addr);
void AnnotateCondVarSignal(const char *f, int l, const volatile void *cv);
void AnnotateCondVarSignalAll(const char *f, int l, const volatile void *cv);
void AnnotateCondVarWait(const char *f, int l, const volatile void *cv, const volatile void *lock);
void AnnotateRWLockCreate(const char *f, int l, const volatile void *m);
void AnnotateRWLockCreateStatic(const char *f, int l, const volatile void *m);
void AnnotateRWLockDestroy(const char *f, int l, const volatile void *m);
void AnnotateRWLockAcquired(const char *f, int l, const volatile void *m, long is_w);
void AnnotateRWLockReleased(const char *f, int l, const volatile void *m, long is_w);
void AnnotateBenignRaceSized(const char *f, int l, const volatile void *mem, long size,
                             const char *desc);
void AnnotateBenignRace(const char *f, int l, const volatile void *mem, const char *desc);
void AnnotateIgnoreReadsBegin(const char *f, int l);
void AnnotateIgnoreReadsEnd(const char *f, int l);
void AnnotateIgnoreWritesBegin(const char *f, int l);
void AnnotateIgnoreWritesEnd(const char *f, int l);
void AnnotateIgnoreSyncBegin(const char *f, int l);
void AnnotateIgnoreSyncEnd(const char *f, int l);
void AnnotateThreadName(const char *f, int l, const char *name);
void AnnotateNewMemory(const char *f, int l, const volatile void *mem, long size);
void AnnotateMutexIsNotPHB(const char *f, int l, const volatile void *mu);
void AnnotateMutexIsUsedAsCondVar(const char *f, int l, const volatile void *mu);
void AnnotatePCQCreate(const char *f, int l, const volatile void *pcq);
void AnnotatePCQDestroy(const char *f, int l, const volatile void *pcq);
void AnnotatePCQPut(const char *f, int l, const volatile void *pcq);
void AnnotatePCQGet(const char *f, int l, const volatile void *pcq);
void AnnotateExpectRace(const char *f, int l, const volatile void *mem, const char *desc);
void AnnotateFlushExpectedRaces(const char *f, int l);
void AnnotateEnableRaceDetection(const char *f, int l, int enable);
void AnnotateTraceMemory(const char *f, int l, const volatile void *mem);
void AnnotateFlushState(const char *f, int l);
void AnnotateNoOp(const char *f, int l, const volatile void *arg);
void AnnotatePublishMemoryRange(const char *f, int l, const volatile void *addr, long size);
void AnnotateUnpublishMemoryRange(const char *f, int l, const volatile void *addr, long size);
void AnnotateMemoryIsInitialized(const char *f, int l, const volatile void *mem, long size);
void AnnotateMemoryIsUninitialized(const char *f, int l, const volatile void *mem, long size);
void WTFAnnotateHappensBefore(const char *f, int l, const volatile void *addr);
void WTFAnnotateHappensAfter(const char *f, int l, const volatile void *addr);
void WTFAnnotateBenignRaceSized(const char *f, int l, const volatile void *mem, long size,
                                const char *desc);
int RunningOnValgrind(void);
double ValgrindSlowdown(void);
const char *ThreadSanitizerQuery(const char *query);

static int by_cv, cv_flag, by_pcq, pcq_flag, ignored, benign[2], go;
static int pool[16];        /* a custom allocator's only block */
static int pool_flag;

static void *worker(void *arg)
{
    (void)arg;
    AnnotateThreadName(F, "worker");
    by_cv = 1;
    AnnotateCondVarSignal(F, &cv_flag);
    flag_raise(&cv_flag);
    by_pcq = 2;
    AnnotatePCQPut(F, &pcq_flag);
    flag_raise(&pcq_flag);
    AnnotateIgnoreWritesBegin(F);
    ignored = 3;
    AnnotateIgnoreWritesEnd(F);
    benign[1] = 4;
    for (int i = 0; i < 16; i++)
        pool[i] = i;                 /* used, then given back to the pool */
    flag_raise(&pool_flag);          /* not annotated: the allocator does not order */
    return NULL;
}

int main(void)
{
    pthread_t t;
    int s = 0;

    AnnotateBenignRace(F, &benign[1], "racy on purpose");
    pthread_create(&t, NULL, worker, NULL);
    flag_wait(&cv_flag);
    AnnotateCondVarWait(F, &cv_flag, NULL);
    s += by_cv;
    flag_wait(&pcq_flag);
    AnnotatePCQGet(F, &pcq_flag);
    s += by_pcq;
    flag_wait(&pool_flag);
    AnnotateIgnoreReadsBegin(F);
    s += ignored;
    AnnotateIgnoreReadsEnd(F);
    s += benign[1];
    AnnotateNewMemory(F, pool, sizeof pool);  /* handed out again */
    for (int i = 0; i < 16; i++)
        pool[i] = -i;
    pthread_join(t, NULL);

    /* the rest: present, and harmless */
    AnnotateHappensBefore(F, &go);
    AnnotateHappensAfter(F, &go);
    AnnotateCondVarSignalAll(F, &go);
    AnnotateRWLockCreateStatic(F, &go);
    AnnotateRWLockAcquired(F, &go, 1);
    AnnotateRWLockReleased(F, &go, 1);
    AnnotateRWLockDestroy(F, &go);
    AnnotateBenignRaceSized(F, &go, sizeof go, "unused");
    AnnotateIgnoreSyncBegin(F);
    AnnotateIgnoreSyncEnd(F);
    AnnotateMutexIsNotPHB(F, &go);
    AnnotateMutexIsUsedAsCondVar(F, &go);
    AnnotatePCQCreate(F, &go);
    AnnotatePCQDestroy(F, &go);
    AnnotateExpectRace(F, &go, "unused");
    AnnotateFlushExpectedRaces(F);
    AnnotateEnableRaceDetection(F, 1);
    AnnotateTraceMemory(F, &go);
    AnnotateFlushState(F);
    AnnotateNoOp(F, &go);
    AnnotatePublishMemoryRange(F, &go, sizeof go);
    AnnotateUnpublishMemoryRange(F, &go, sizeof go);
    AnnotateMemoryIsInitialized(F, &go, sizeof go);
    AnnotateMemoryIsUninitialized(F, &go, sizeof go);
    WTFAnnotateHappensBefore(F, &go);
    WTFAnnotateHappensAfter(F, &go);
    WTFAnnotateBenignRaceSized(F, &go, sizeof go, "unused");
    printf("%d %d %.0f %s\n", s, RunningOnValgrind(), ValgrindSlowdown(),
           ThreadSanitizerQuery("pure_happens_before"));
    return s == 10 ? 0 : 1;
}
