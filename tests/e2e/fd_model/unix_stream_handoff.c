/* unix_stream_handoff: a unix stream socket bound to a path: the client's
 * send happens-before the accepted socket's recv (both ends find the same
 * clock from the pair of addresses), and writev on a dup of the client's
 * socket before readv on the server's: silent. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static struct sockaddr_un where = {.sun_family = AF_UNIX};
static int *box;

static void *client(void *arg)
{
    int s = socket(AF_UNIX, SOCK_STREAM, 0), d;
    struct iovec v = {"w", 1};
    (void)arg;
    if (s < 0 || connect(s, (struct sockaddr *)&where, sizeof where) != 0)
        return NULL;
    box[0] = 1;
    if (send(s, "a", 1, 0) != 1)
        return NULL;
    d = dup(s);
    box[1] = 2;
    if (writev(d, &v, 1) != 1)
        return NULL;
    close(d);
    close(s);
    return NULL;
}

int main(void)
{
    int listener = socket(AF_UNIX, SOCK_STREAM, 0), conn;
    char b[2];
    struct iovec v = {&b[1], 1};
    pthread_t t;

    box = malloc(2 * sizeof *box);
    snprintf(where.sun_path, sizeof where.sun_path, "/tmp/racedet-fd-%d.sock", (int)getpid());
    unlink(where.sun_path);
    if (!box || listener < 0 || bind(listener, (struct sockaddr *)&where, sizeof where) != 0 ||
        listen(listener, 1) != 0)
        return 1;
    pthread_create(&t, NULL, client, NULL);
    conn = accept(listener, NULL, NULL);
    if (conn < 0 || recv(conn, b, 1, 0) != 1)
        return 1;
    printf("first %d\n", box[0]);
    if (readv(conn, &v, 1) != 1)
        return 1;
    printf("second %d\n", box[1]);
    pthread_join(t, NULL);
    unlink(where.sun_path);
    free(box);
    close(conn);
    close(listener);
    return 0;
}
