/* kinds: see kinds.h. */
#include "kinds.h"

#include <string.h>

const struct rd_kind_info rd_kinds[] = {
    {"data_race", "DataRace", true,
     "Two threads access the same memory, at least one writes, and nothing orders the "
     "accesses.",
     "Two accesses to overlapping bytes from different threads, at least one of them a "
     "write, are not ordered by happens-before (no lock, atomic, join, condition variable "
     "or other synchronisation between them). The result depends on timing: values can be "
     "torn, lost or stale, and the C standard makes the behaviour undefined.",
     "Protect every access to the memory with the same lock, make the variable atomic "
     "(with acquire/release ordering where it publishes other data), or hand the data "
     "over through a synchronisation the threads share (join, condition variable, "
     "semaphore, barrier). The report shows both accesses and how each thread was "
     "created."},
    {"lock_order_cycle", "LockOrderCycle", true,
     "Locks are taken in orders that form a cycle: threads can deadlock.",
     "Some thread took lock B while holding lock A, and some thread took A while holding "
     "B (or a longer cycle A -> B -> C -> A). This run did not hang, but threads running "
     "those code paths at the same moment would each wait for a lock the other holds, "
     "forever.",
     "Choose one global order for these locks and take them in that order everywhere "
     "(for example by address, or by level), or take them together under one outer lock. "
     "The report shows, for every edge of the cycle, where the first lock was taken and "
     "where the second was taken while it was held."},
    {"deadlock", "Deadlock", true,
     "Threads are blocked now and can never continue.",
     "Either the threads listed are each waiting for a lock (or a thread to join) that "
     "another one of them holds, or a thread waits for a lock nobody can ever release: "
     "its owner thread exited holding it, or, in a forked child, the owner is a thread of "
     "the parent that does not exist in the child. racedet reported it and ended the "
     "process instead of letting it hang.",
     "Break the cycle: take the locks in one consistent order, do not join a thread while "
     "holding a lock it needs, or release locks before waiting. Release every lock before "
     "a thread ends, and do not fork while another thread holds a lock the child needs "
     "(or re-initialise it in a pthread_atfork child handler). Each blocked thread's "
     "waiting stack and where it took what it holds are shown."},
    {"self_deadlock", "SelfDeadlock", true,
     "A thread locks a non-recursive lock it already holds.",
     "A thread tried to lock a mutex (or write-lock an rwlock) that it already holds. For "
     "a normal mutex this hangs forever; an error-checking mutex returns EDEADLK.",
     "Unlock before locking again, restructure so the inner code does not take the lock "
     "its caller already holds, or (if re-entry is really intended) use a recursive "
     "mutex."},
    {"unlock_not_held", "UnlockNotHeld", false,
     "A lock is unlocked by a thread that does not hold it.",
     "The calling thread unlocked a lock it does not hold: it was never locked, was "
     "already unlocked, or is owned by another thread. POSIX makes this undefined for "
     "normal mutexes; it usually corrupts the lock's state.",
     "Make every unlock match a lock taken by the same thread on the same path, "
     "including error paths and early returns."},
    {"destroy_locked", "DestroyLocked", false,
     "A lock is destroyed, or its memory freed, while it is held (or a condition variable "
     "while a thread is blocked on it).",
     "pthread_*_destroy was called on a lock that is held, or on a condition variable a "
     "thread is blocked on, or the memory holding such a lock was freed. The behaviour is "
     "undefined; other threads may still use the freed state. (A condition variable whose "
     "waiters were all signalled or broadcast may be destroyed: they are no longer "
     "blocked on it.)",
     "Destroy or free an object only after every thread is done with it, for example "
     "after joining the threads that use it."},
    {"cond_wait_unheld", "CondWaitUnheld", false,
     "A condition variable is waited on with a mutex the caller does not hold.",
     "pthread_cond_wait / timedwait must be called with the mutex locked by the calling "
     "thread. Otherwise the wait can miss the signal, and the behaviour is undefined.",
     "Lock the mutex, check the predicate in a loop, and wait while holding it."},
    {"lock_held_at_exit", "LockHeldAtExit", false,
     "A thread ends while still holding locks.",
     "The thread returned or called pthread_exit while holding the locks listed, or it "
     "ended the process (returned from main or called exit()) holding them. Other threads "
     "waiting for them will wait forever. Locks held by threads still running at exit are "
     "not reported, nor is a robust mutex (its next locker gets EOWNERDEAD, which is what "
     "robust mutexes are for).",
     "Release every lock on every path out of the thread function, including error "
     "paths, or use cleanup handlers."},
    {"thread_leak", "ThreadLeak", false,
     "A joinable thread finished and was never joined or detached.",
     "When the program exited, a thread created joinable had finished but had been "
     "neither joined nor detached: its resources (stack, thread descriptor) are held "
     "until the process ends. Threads still running at exit are not reported unless "
     "report_running_threads is set (ThreadSanitizer's rule).",
     "Join the thread (pthread_join) once its work is done, or detach it (pthread_detach "
     "or a detached attribute) if nobody needs its result."},
    {"sync_misuse", "SyncMisuse", false,
     "A lock, condition, semaphore, barrier, once object or join is misused.",
     "A synchronisation object was destroyed while in use, used after destroy (or after "
     "its memory was freed) or before init, initialised again while in use or without a "
     "destroy since its last init, given an argument the call rejects with EINVAL (a "
     "deadline whose tv_nsec is not in 0..999999999, a semaphore value above "
     "SEM_VALUE_MAX, a barrier count of 0) or used after its initialisation so failed; "
     "or a condition was waited on with two mutexes at once, or a thread joined itself "
     "or a detached thread.",
     "Initialise the object once before any thread uses it, pass arguments in range, and "
     "destroy it (or free its memory) only after every thread is done with it."},
    {"blocking_under_lock", "BlockingUnderLock", false,
     "A blocking call was made while holding a lock.",
     "A call that can block for a long time (sleep, I/O, join, a wait on another object) "
     "was made while holding a lock, and lasted longer than the blocking threshold. Every "
     "thread that needs the lock waits that long too.",
     "Do the blocking work outside the critical section: copy what is needed under the "
     "lock, release it, then block."},
};

const size_t rd_nkinds = sizeof rd_kinds / sizeof rd_kinds[0];

const struct rd_kind_info *rd_kind_find(const char *kind)
{
    size_t i;
    for (i = 0; kind && i < rd_nkinds; i++)
        if (strcmp(rd_kinds[i].kind, kind) == 0)
            return &rd_kinds[i];
    return NULL;
}
