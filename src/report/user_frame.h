/*
 * user_frame: which frame of a stack is the user's own code, the line a
 * report should point at (SARIF's primary location, the text report's
 * source snippet, the HTML page's key line).
 *
 * A frame is "system" when it is in a module under /lib, /usr/lib (and the
 * 64 variants), in racedet's own libraries, or has no source file and line.
 * The user frame of a stack is its first (innermost) frame that is not
 * system, preferring one whose source file is under the current directory
 * (a relative name from the debug info counts as under it).
 *
 * Pure functions; the analyzer is single-threaded.
 */
#ifndef RD_REPORT_USER_FRAME_H
#define RD_REPORT_USER_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "frame.h"

/* Whether the frame is in libc, ld.so, racedet or other system code, or has
 * no source line. */
bool rd_frame_is_system(const struct rd_frame *f);

/* The part of file below dir ("src/a.c" for "/w/src/a.c" under "/w"), or
 * NULL when file is not under dir. A relative file is returned as it is
 * (debug info names files relative to the compilation directory, which is
 * most often where the build ran). dir NULL or "": NULL for absolute files. */
const char *rd_path_below(const char *file, const char *dir);

/* The user frame of a stack (see above), or NULL when every frame is
 * system code. cwd may be NULL. */
const struct rd_frame *rd_user_frame(const struct rd_frame *v, size_t n, const char *cwd);

#endif
