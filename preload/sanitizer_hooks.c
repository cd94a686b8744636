/* sanitizer_hooks: every system-call hook of <sanitizer/linux_syscall_hooks.h>,
 * doing nothing unless sanitizer_hooks_io.c defines it (see
 * sanitizer_hooks.h). */
#include "sanitizer_hooks.h"

#include "preload.h"

#define SYSCALL_HOOK(name, pre, post)                                                        \
    RD_EXPORT __attribute__((weak)) void __sanitizer_syscall_pre_impl_##name pre {}          \
    RD_EXPORT __attribute__((weak)) void __sanitizer_syscall_post_impl_##name post {}
#include "sanitizer_syscall_hooks.def"
#undef SYSCALL_HOOK
