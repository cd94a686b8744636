/*
 * racedet.h: annotations for synchronisation racedet cannot see by itself
 * (custom locks, lock-free hand-offs, intentionally racy counters) and for
 * naming threads. The only public header of racedet.
 *
 * Every macro calls a weak function that the racedet runtime
 * (libracedet.so, preloaded by `racedet run` or linked by `racedet-cc`)
 * defines. Without the runtime the functions are absent and the macros do
 * nothing, so annotated programs build and run normally anywhere.
 *
 *   RACEDET_HAPPENS_BEFORE(addr)   everything this thread did so far
 *                                  happens-before whatever a thread does
 *                                  after a later RACEDET_HAPPENS_AFTER(addr)
 *                                  on the same address (a release)
 *   RACEDET_HAPPENS_AFTER(addr)    the acquire side of the above
 *   RACEDET_IGNORE_READS_BEGIN()   this thread's reads until the matching
 *   RACEDET_IGNORE_READS_END()     _END are not checked for races (nests)
 *   RACEDET_IGNORE_WRITES_BEGIN()  the same for writes
 *   RACEDET_IGNORE_WRITES_END()
 *   RACEDET_BENIGN_RACE(addr, size, description)
 *                                  races on the size bytes at addr are
 *                                  intended (a statistics counter, a racy
 *                                  hint): never reported
 *   RACEDET_MUTEX_ACQUIRED(m, w)   a custom lock at address m was taken
 *                                  (w: exclusively, else shared): lock
 *                                  analysis and happens-before as for a
 *                                  pthread mutex / rwlock
 *   RACEDET_MUTEX_RELEASED(m, w)   ... and released (call it BEFORE the
 *                                  lock is really released)
 *   RACEDET_THREAD_NAME(name)      name the calling thread in reports
 *
 * Usable from C and C++; the address arguments may be any pointer.
 *
 * racedet also implements the dynamic annotations of ThreadSanitizer and
 * Helgrind (AnnotateHappensBefore, AnnotateRWLockAcquired,
 * AnnotateBenignRaceSized, ... as libraries declare them in their own
 * dynamic_annotations.h) and the __tsan_mutex_* annotations of
 * <sanitizer/tsan_interface.h>: each means what the macro here of the same
 * purpose means.
 */
#ifndef RACEDET_H
#define RACEDET_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RACEDET_WEAK_ __attribute__((weak))
#else
#define RACEDET_WEAK_
#endif

void racedet_annotate_happens_before(const volatile void *addr, const char *file, int line) RACEDET_WEAK_;
void racedet_annotate_happens_after(const volatile void *addr, const char *file, int line) RACEDET_WEAK_;
void racedet_annotate_ignore_reads_begin(void) RACEDET_WEAK_;
void racedet_annotate_ignore_reads_end(void) RACEDET_WEAK_;
void racedet_annotate_ignore_writes_begin(void) RACEDET_WEAK_;
void racedet_annotate_ignore_writes_end(void) RACEDET_WEAK_;
void racedet_annotate_benign_race(const volatile void *addr, unsigned long size,
                                  const char *description) RACEDET_WEAK_;
void racedet_annotate_mutex_acquired(const volatile void *mutex, int exclusive) RACEDET_WEAK_;
void racedet_annotate_mutex_released(const volatile void *mutex, int exclusive) RACEDET_WEAK_;
void racedet_annotate_thread_name(const char *name) RACEDET_WEAK_;

#define RACEDET_CALL_(fn, args)                                                \
    do {                                                                       \
        void (*volatile racedet_fn_)(void) = (void (*)(void))(fn);                   \
        if (racedet_fn_)                                                       \
            fn args;                                                           \
    } while (0)

#define RACEDET_HAPPENS_BEFORE(addr)                                           \
    RACEDET_CALL_(racedet_annotate_happens_before, ((addr), __FILE__, __LINE__))
#define RACEDET_HAPPENS_AFTER(addr)                                            \
    RACEDET_CALL_(racedet_annotate_happens_after, ((addr), __FILE__, __LINE__))
#define RACEDET_IGNORE_READS_BEGIN() RACEDET_CALL_(racedet_annotate_ignore_reads_begin, ())
#define RACEDET_IGNORE_READS_END() RACEDET_CALL_(racedet_annotate_ignore_reads_end, ())
#define RACEDET_IGNORE_WRITES_BEGIN() RACEDET_CALL_(racedet_annotate_ignore_writes_begin, ())
#define RACEDET_IGNORE_WRITES_END() RACEDET_CALL_(racedet_annotate_ignore_writes_end, ())
#define RACEDET_BENIGN_RACE(addr, size, description)                          \
    RACEDET_CALL_(racedet_annotate_benign_race, ((addr), (size), (description)))
#define RACEDET_MUTEX_ACQUIRED(m, exclusive)                                   \
    RACEDET_CALL_(racedet_annotate_mutex_acquired, ((m), (exclusive)))
#define RACEDET_MUTEX_RELEASED(m, exclusive)                                   \
    RACEDET_CALL_(racedet_annotate_mutex_released, ((m), (exclusive)))
#define RACEDET_THREAD_NAME(name) RACEDET_CALL_(racedet_annotate_thread_name, ((name)))

#ifdef __cplusplus
}
#endif

#endif
