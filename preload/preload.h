/*
 * preload: the LD_PRELOAD glue. Interceptors turn libc calls into engine
 * events (src/runtime/events.h) and call the real functions; they decide
 * nothing themselves. Helpers shared by the interceptor files live here.
 */
#ifndef RD_PRELOAD_H
#define RD_PRELOAD_H

#include "events.h"
#include "real.h"
#include "runtime.h"

#include <stdint.h>

#define RD_EXPORT __attribute__((visibility("default")))
/* Where the program called us, and a stand-in for its stack pointer (our
 * frame sits right below the caller's, so it moves with it). Only valid in
 * the interceptor itself, which must not be inlined into a helper. */
#define CALLER_PC() ((uintptr_t)__builtin_return_address(0))
#define CALLER_SP() ((uintptr_t)__builtin_frame_address(0))

/* Start the runtime if this is the first call, then rt_enter(). */
struct rt_thread *preload_enter(void);

/* Glibc's view of an object: does the calling thread own it? 1, 0, or -1
 * when the object cannot say. */
int preload_mutex_owned_by_self(uintptr_t addr);
int preload_rwlock_written_by_self(uintptr_t addr);

/* The engine's type code for a glibc mutex, read from the object (so that
 * statically initialised mutexes have the right type too). */
int preload_mutex_type(const pthread_mutex_t *m);

/* Make the report visible when no `racedet run` collects the record. */
void preload_show_report(void);

#endif
