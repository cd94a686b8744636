/* read() writes the bytes it got into the program's buffer and write()
 * reads the ones it sent, as a memcpy would (compiler-rt's race_on_read,
 * race_on_write): another thread using the buffer with nothing between
 * them races. /dev/zero and /dev/null order nothing (reads acquire what
 * writes to the same file released; nobody writes /dev/zero). The flag
 * racedet cannot see only makes main come second in time. */
#include "../annotations/asm_flag.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

static char got[16], sent[16] = "abracadabra";
static int done;

static void *io(void *arg)
{
    int in = open("/dev/zero", O_RDONLY), out = open("/dev/null", O_WRONLY);
    if (read(in, got, sizeof got) != (ssize_t)sizeof got ||
        write(out, sent, sizeof sent) != (ssize_t)sizeof sent)
        return arg;
    close(in);
    close(out);
    flag_raise(&done);
    return arg;
}

int main(void)
{
    pthread_t t;
    int r;
    pthread_create(&t, NULL, io, NULL);
    flag_wait(&done);
    r = got[3];     /* read after read()'s write */
    sent[3] = 'z';  /* write after write()'s read */
    pthread_join(t, NULL);
    return r;
}
