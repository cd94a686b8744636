/* race_fd_socketpair_fixed: requests and replies handed between threads through a socketpair.
 *
 * main and a server thread share a connected pair of unix sockets. main
 * fills in a request (a plain heap block) and sends one byte on its end;
 * the server receives it, reads the request, writes the reply into the
 * same block and sends a byte back; main receives it and reads the reply.
 * Each send happens-before the receive that gets its data, in both
 * directions, so nothing races. racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct exchange {
    int request;
    int reply;
};

static int ends[2];

static void *server(void *arg)
{
    struct exchange *x = arg;
    char b;

    if (recv(ends[1], &b, 1, 0) != 1)
        return NULL;
    x->reply = x->request * 2;
    if (send(ends[1], "r", 1, 0) != 1)
        return NULL;
    return NULL;
}

int main(void)
{
    struct exchange *x = malloc(sizeof *x);
    pthread_t t;
    char b;

    if (!x || socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0)
        return 1;
    pthread_create(&t, NULL, server, x);
    x->request = 21;
    if (send(ends[0], "q", 1, 0) != 1 || recv(ends[0], &b, 1, 0) != 1)
        return 1;
    printf("reply %d\n", x->reply);
    x->request = 0;
    pthread_join(t, NULL);
    free(x);
    close(ends[0]);
    close(ends[1]);
    return 0;
}
