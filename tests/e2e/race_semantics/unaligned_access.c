/* <sanitizer/common_interface_defs.h>'s unaligned loads and stores link
 * and are checked as accesses (compiler-rt's unaligned_race): two threads
 * store to the same bytes at an odd address with nothing between them. */
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>

static char buf[16];

static void *storer(void *arg)
{
    __sanitizer_unaligned_store32(buf + 3, 1);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, storer, NULL);
    __sanitizer_unaligned_store64(buf + 1, 2);
    pthread_join(t, NULL);
    return __sanitizer_unaligned_load16(buf + 5) == 7;
}
