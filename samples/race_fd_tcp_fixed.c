/* race_fd_tcp_fixed: a result handed from a server thread to a client thread over TCP on the loopback.
 *
 * main listens on 127.0.0.1, a client thread connects. main computes a
 * result into a plain heap block after the connection is up, then sends
 * one byte; the client receives it and reads the result. The send
 * happens-before the receive that gets its byte (both ends of the
 * connection lead racedet to one clock), so the client's read is ordered
 * after main's write. racedet reports nothing.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in server_addr;
static long *result;

static void *client(void *arg)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    char b;
    (void)arg;

    if (s < 0 || connect(s, (struct sockaddr *)&server_addr, sizeof server_addr) != 0)
        return NULL;
    if (recv(s, &b, 1, 0) == 1)
        printf("result %ld\n", *result);
    close(s);
    return NULL;
}

int main(void)
{
    socklen_t len = sizeof server_addr;
    int listener = socket(AF_INET, SOCK_STREAM, 0), conn;
    pthread_t t;

    result = malloc(sizeof *result);
    server_addr.sin_family = AF_INET;
    server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!result || listener < 0 ||
        bind(listener, (struct sockaddr *)&server_addr, sizeof server_addr) != 0 ||
        listen(listener, 1) != 0 ||
        getsockname(listener, (struct sockaddr *)&server_addr, &len) != 0)
        return 1;
    pthread_create(&t, NULL, client, NULL);
    conn = accept(listener, NULL, NULL);
    if (conn < 0)
        return 1;
    *result = 6 * 7;
    if (send(conn, "r", 1, 0) != 1)
        return 1;
    pthread_join(t, NULL);
    free(result);
    close(conn);
    close(listener);
    return 0;
}
