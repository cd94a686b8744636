/*
 * mc_client: a bounded load for a memcached on this machine, for
 * bench/lockonly. THREADS threads, each with its own connection to
 * 127.0.0.1:PORT (never another address), send REQUESTS requests each,
 * alternating `set` of a 100-byte value and `get` of a key set before, over
 * KEYS keys per thread, one request in flight per connection. Waits up to
 * 10 s for the server to accept. Prints the seconds the requests took, and
 * exits non-zero on any unexpected answer.
 *
 *   mc_client PORT THREADS REQUESTS [KEYS]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;
static long requests, keys;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_local(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int tries = 0; tries < 200; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            return -1;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            return fd;
        }
        close(fd);
        usleep(50000);
    }
    return -1;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* reads until the buffer ends with END (which must be a whole reply) */
static int read_reply(int fd, char *buf, size_t cap, const char *end)
{
    size_t len = 0, el = strlen(end);
    for (;;) {
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r <= 0)
            return -1;
        len += (size_t)r;
        buf[len] = 0;
        if (len >= el && memcmp(buf + len - el, end, el) == 0)
            return 0;
        if (strncmp(buf, "ERROR", 5) == 0 || strncmp(buf, "SERVER_ERROR", 12) == 0 ||
            strncmp(buf, "CLIENT_ERROR", 12) == 0 || len + 1 >= cap)
            return -1;
    }
}

static void *worker(void *arg)
{
    long id = (long)arg;
    char value[101], cmd[256], reply[1024];
    int fd = connect_local();
    if (fd < 0)
        return (void *)1;
    memset(value, 'a' + (int)(id % 26), 100);
    value[100] = 0;
    for (long i = 0; i < requests; i++) {
        long k = (i / 2) % keys;
        int n;
        if (i % 2 == 0) {
            n = snprintf(cmd, sizeof cmd, "set t%ld:k%ld 0 0 100\r\n%s\r\n", id, k, value);
            if (send_all(fd, cmd, (size_t)n) || read_reply(fd, reply, sizeof reply, "\r\n") ||
                strcmp(reply, "STORED\r\n") != 0)
                return (void *)1;
        } else {
            n = snprintf(cmd, sizeof cmd, "get t%ld:k%ld\r\n", id, k);
            if (send_all(fd, cmd, (size_t)n) || read_reply(fd, reply, sizeof reply, "END\r\n") ||
                strncmp(reply, "VALUE ", 6) != 0)
                return (void *)1;
        }
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: mc_client PORT THREADS REQUESTS [KEYS]\n");
        return 2;
    }
    port = atoi(argv[1]);
    int threads = atoi(argv[2]);
    requests = atol(argv[3]);
    keys = argc > 4 ? atol(argv[4]) : 1000;
    if (port <= 0 || port > 65535 || threads <= 0 || threads > 64 || requests <= 0 || keys <= 0) {
        fprintf(stderr, "mc_client: bad arguments\n");
        return 2;
    }
    pthread_t t[64];
    double t0 = now();
    for (long i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    int bad = 0;
    for (int i = 0; i < threads; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad |= r != NULL;
    }
    if (bad) {
        fprintf(stderr, "mc_client: a connection failed or got an unexpected answer\n");
        return 1;
    }
    printf("%.3f\n", now() - t0);
    return 0;
}
