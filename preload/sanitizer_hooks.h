/*
 * sanitizer_hooks: the system-call hooks of <sanitizer/linux_syscall_hooks.h>,
 * __sanitizer_syscall_pre_impl_NAME(args) and
 * __sanitizer_syscall_post_impl_NAME(res, args), which code making raw
 * system calls calls around them when it is built for a sanitizer (libuv
 * built by clang does around its close(), for one). The list is the
 * header's, in sanitizer_syscall_hooks.def (generated from it by
 * gen_sanitizer_syscall_hooks.sh). sanitizer_hooks.c defines every hook as
 * a weak function that does nothing, so that any such program links;
 * sanitizer_hooks_io.c defines the few that matter (system calls that read
 * or write a buffer of the program, or close or duplicate a descriptor),
 * which take their place. Declared here so that those definitions are
 * checked against the header's.
 */
#ifndef RD_PRELOAD_SANITIZER_HOOKS_H
#define RD_PRELOAD_SANITIZER_HOOKS_H

#define SYSCALL_HOOK(name, pre, post)                                                        \
    void __sanitizer_syscall_pre_impl_##name pre;                                            \
    void __sanitizer_syscall_post_impl_##name post;
#include "sanitizer_syscall_hooks.def"
#undef SYSCALL_HOOK

#endif
