/* ThreadSanitizer's static locks (compiler-rt's mutex_annotations and
 * custom_mutex4): a lock created static exists from the start of the
 * program, so its creation may come while it is held, and destroying it is
 * no destruction; a destroy flagged __tsan_mutex_not_static is none either
 * unless the lock was created with that flag. Each lock here is destroyed
 * while held and unlocked after: silent, as under ThreadSanitizer. */
#include <sanitizer/tsan_interface.h>
#include <stdio.h>

void AnnotateRWLockCreateStatic(const char *file, int line, const volatile void *lock);
void AnnotateRWLockDestroy(const char *file, int line, const volatile void *lock);
void AnnotateRWLockAcquired(const char *file, int line, const volatile void *lock, long is_w);
void AnnotateRWLockReleased(const char *file, int line, const volatile void *lock, long is_w);

static long annotated;
static long linker_init, not_static;

static void lock(void *m, unsigned destroy_flags)
{
    __tsan_mutex_pre_lock(m, 0);
    __tsan_mutex_post_lock(m, 0, 0);
    __tsan_mutex_destroy(m, destroy_flags);
    __tsan_mutex_pre_unlock(m, 0);
    __tsan_mutex_post_unlock(m, 0);
}

int main(void)
{
    /* held before its static creation, destroyed while held */
    AnnotateRWLockAcquired(__FILE__, __LINE__, &annotated, 1);
    AnnotateRWLockCreateStatic(__FILE__, __LINE__, &annotated);
    AnnotateRWLockReleased(__FILE__, __LINE__, &annotated, 1);
    AnnotateRWLockAcquired(__FILE__, __LINE__, &annotated, 1);
    AnnotateRWLockDestroy(__FILE__, __LINE__, &annotated);
    AnnotateRWLockReleased(__FILE__, __LINE__, &annotated, 1);

    __tsan_mutex_create(&linker_init, __tsan_mutex_linker_init);
    lock(&linker_init, 0);
    __tsan_mutex_create(&not_static, 0);
    lock(&not_static, __tsan_mutex_not_static);
    puts("done");
    return 0;
}
