/*
 * real: pointers to the real libc functions behind each interceptor,
 * resolved once at start-up (and on first use, for calls made before the
 * shim's constructor ran).
 */
#ifndef RD_PRELOAD_REAL_H
#define RD_PRELOAD_REAL_H

#include <link.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#define REAL_FN(ret, name, params, version) extern ret(*real_##name) params;
#define REAL_OPTIONAL_FN REAL_FN
#include "real_functions.def"
#undef REAL_OPTIONAL_FN
#undef REAL_FN

/* Resolve every pointer; safe to call more than once. Returns the name of
 * a function that could not be found (not an optional one), or NULL. */
const char *real_resolve_all(void);

/* The pointer, resolving everything first if needed. */
#define REAL(name) (real_##name ? real_##name : (real_resolve_all(), real_##name))

#endif
