/* A connect happens-before the accept that takes the connection: what the
 * connecting thread wrote before is seen by the thread that accepted,
 * with no byte sent between them (compiler-rt's fd_socket_connect_norace). */
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in addr;
static int handed;

static void *client(void *arg)
{
    int c = socket(AF_INET, SOCK_STREAM, 0);
    handed = 42;
    if (connect(c, (struct sockaddr *)&addr, sizeof addr) == 0)
        close(c);
    return arg;
}

int main(void)
{
    socklen_t len = sizeof addr;
    pthread_t t;
    int s = socket(AF_INET, SOCK_STREAM, 0), c;
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&addr, sizeof addr) || getsockname(s, (struct sockaddr *)&addr, &len) ||
        listen(s, 1))
        return 1;
    pthread_create(&t, NULL, client, NULL);
    if ((c = accept(s, NULL, NULL)) < 0)
        return 1;
    handed++;
    pthread_join(t, NULL);
    close(c);
    close(s);
    return handed != 43;
}
