/* race_fd_eventfd_fixed: two hand-offs through an eventfd, with write/read and eventfd_write/eventfd_read.
 *
 * A consumer thread waits on an eventfd; main fills in a plain heap block
 * and adds to the eventfd's counter. A write to an eventfd happens-before
 * the read that takes from its count, so the consumer's reads of the block come
 * after main's writes, both when the program uses write() and read() and
 * when it uses glibc's eventfd_write() and eventfd_read(). racedet reports
 * nothing.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int efd;

static void *consumer(void *arg)
{
    int *slots = arg;
    uint64_t n;
    eventfd_t m;

    if (read(efd, &n, sizeof n) != sizeof n)
        return NULL;
    printf("first %d\n", slots[0]);
    if (eventfd_read(efd, &m) != 0)
        return NULL;
    printf("second %d\n", slots[1]);
    return NULL;
}

int main(void)
{
    int *slots = malloc(2 * sizeof *slots);
    uint64_t one = 1;
    pthread_t t;

    efd = eventfd(0, EFD_SEMAPHORE); /* each read takes one */
    if (!slots || efd < 0)
        return 1;
    pthread_create(&t, NULL, consumer, slots);
    slots[0] = 1;
    if (write(efd, &one, sizeof one) != sizeof one)
        return 1;
    slots[1] = 2;
    if (eventfd_write(efd, 1) != 0)
        return 1;
    pthread_join(t, NULL);
    free(slots);
    close(efd);
    return 0;
}
