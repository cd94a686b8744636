/* udp_handoff: a datagram sent to 127.0.0.1 happens-before the receive on
 * a socket bound to 0.0.0.0 that gets it (unconnected sockets: sendto and
 * recvfrom), and a reply on a connected datagram socket too: silent. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int server;
static struct sockaddr_in to;
static int *box;

static void *receiver(void *arg)
{
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    char b;
    (void)arg;
    if (recvfrom(server, &b, 1, 0, (struct sockaddr *)&from, &len) != 1)
        return NULL;
    printf("got %d\n", box[0]);
    box[1] = 2;
    if (sendto(server, "r", 1, 0, (struct sockaddr *)&from, len) != 1)
        return NULL;
    return NULL;
}

int main(void)
{
    struct sockaddr_in any = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    socklen_t len = sizeof any;
    int client = socket(AF_INET, SOCK_DGRAM, 0);
    pthread_t t;
    char b;

    server = socket(AF_INET, SOCK_DGRAM, 0);
    box = malloc(2 * sizeof *box);
    if (!box || server < 0 || client < 0 ||
        bind(server, (struct sockaddr *)&any, sizeof any) != 0 ||
        getsockname(server, (struct sockaddr *)&any, &len) != 0)
        return 1;
    to.sin_family = AF_INET;
    to.sin_port = any.sin_port;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(client, (struct sockaddr *)&to, sizeof to) != 0)
        return 1;
    pthread_create(&t, NULL, receiver, NULL);
    box[0] = 1;
    if (send(client, "q", 1, 0) != 1 || recv(client, &b, 1, 0) != 1)
        return 1;
    printf("reply %d\n", box[1]);
    pthread_join(t, NULL);
    free(box);
    close(client);
    close(server);
    return 0;
}
