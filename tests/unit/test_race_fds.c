/* test_race_fds: the descriptor model of races/fd_objects.h, fed events
 * directly on simulated threads (race_fixture.h), with real descriptors
 * (the model asks the kernel about them: fcntl, fstat, socket addresses). */
#include "race_fixture.h"
#include "races/fd_objects.h"
#include "unit.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

static _Alignas(64) int data[16];

/* A close not ordered with another thread's use races; the number opened
 * again is a new object. The report finds the descriptor by its word. */
TEST(close_races_with_an_unordered_use)
{
    struct rt_hb_thread *a, *b, *c;
    int fds[2], again;
    CHECK(pipe(fds) == 0);
    rt_fd_pair_opened(fx_main->hb, fds[0], fds[1], 0x1000);
    a = fx_thread();                    /* both after the open */
    b = fx_thread();
    fx_new_races();
    rt_fd_use(b, fds[1], 0x1001);
    CHECK_EQ_INT(fx_new_races(), 0);
    rt_fd_close(a, fds[1], 0x1002);     /* not after b's use */
    CHECK_EQ_INT(fx_new_races(), 1);
    CHECK(rt_race_last_previous().pc == 0x1001);
    CHECK(close(fds[1]) == 0);
    again = open("/dev/null", O_RDONLY); /* the lowest free number */
    CHECK_EQ_INT(again, fds[1]);
    c = fx_thread();
    rt_fd_opened(c, again, RT_FD_UNKNOWN, 0x1003); /* a new history */
    rt_fd_close(c, again, 0x1004);      /* b's use and a's close are gone */
    CHECK_EQ_INT(fx_new_races(), 0);
    close(again);
    close(fds[0]);
}

/* A write to one end of a pipe orders what came before it before a read
 * from the other end; a read from another pipe does not. */
TEST(pipe_carries_happens_before)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c = fx_thread();
    int p[2], q[2];
    CHECK(pipe(p) == 0 && pipe(q) == 0);
    rt_fd_pair_opened(fx_main->hb, p[0], p[1], 0x2000);
    rt_fd_pair_opened(fx_main->hb, q[0], q[1], 0x2000);
    fx_new_races();
    fx_access(a, &data[0], 4, WR, 0x2001);
    fx_access(a, &data[2], 4, WR, 0x2001);
    rt_fd_send(a, p[1], NULL, 0);
    rt_fd_recv(b, p[0]);
    fx_access(b, &data[0], 4, RD, 0x2002);
    CHECK_EQ_INT(fx_new_races(), 0);
    rt_fd_recv(c, q[0]);                /* the wrong pipe */
    fx_access(c, &data[2], 4, RD, 0x2003);
    CHECK_EQ_INT(fx_new_races(), 1);
    close(p[0]), close(p[1]), close(q[0]), close(q[1]);
}

/* Descriptors racedet did not see made find their file by fstat: both
 * ends of a pipe meet; so do both ends of a socketpair, by their
 * addresses, and a dup shares its original's file. */
TEST(files_found_without_seeing_them_made)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c = fx_thread(), *d = fx_thread();
    int p[2], s[2], dup_end;
    CHECK(pipe(p) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
    fx_new_races();
    fx_access(a, &data[4], 4, WR, 0x3001);
    rt_fd_send(a, p[1], NULL, 0);
    rt_fd_recv(b, p[0]);
    fx_access(b, &data[4], 4, RD, 0x3002);
    CHECK_EQ_INT(fx_new_races(), 0);
    dup_end = dup(s[0]);
    CHECK(dup_end >= 0);
    rt_fd_dup(c, s[0], dup_end, 0x3003);
    fx_access(c, &data[6], 4, WR, 0x3004);
    rt_fd_send(c, dup_end, NULL, 0);
    rt_fd_recv(d, s[1]);
    fx_access(d, &data[6], 4, RD, 0x3005);
    CHECK_EQ_INT(fx_new_races(), 0);
    close(p[0]), close(p[1]), close(s[0]), close(s[1]), close(dup_end);
}

/* epoll_wait acquires the file of the descriptor registered with the
 * event's data, and epoll_ctl orders before epoll_wait. */
TEST(epoll_event_acquires_its_descriptor)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread();
    int p[2];
    CHECK(pipe(p) == 0);
    rt_fd_pair_opened(fx_main->hb, p[0], p[1], 0x4000);
    rt_fd_opened(fx_main->hb, 1000, RT_FD_EPOLL, 0x4000); /* a number of its own */
    rt_fd_epoll_ctl(b, 1000, 1 /* EPOLL_CTL_ADD */, p[0], 77);
    fx_new_races();
    fx_access(a, &data[8], 4, WR, 0x4001);
    rt_fd_send(a, p[1], NULL, 0);
    rt_fd_epoll_waited(b, 1000);
    rt_fd_epoll_ready(b, 1000, 77);
    fx_access(b, &data[8], 4, RD, 0x4002);
    CHECK_EQ_INT(fx_new_races(), 0);
    rt_fd_close(b, 1000, 0x4003);
    close(p[0]), close(p[1]);
}

/* EPOLL_CTL_MOD moves a registration to its new data, EPOLL_CTL_DEL ends
 * it, and two descriptors may share one data value. */
TEST(epoll_registrations_follow_mod_and_del)
{
    struct rt_hb_thread *a = fx_thread(), *b = fx_thread(), *c = fx_thread();
    int p[2], q[2];
    CHECK(pipe(p) == 0 && pipe(q) == 0);
    rt_fd_pair_opened(fx_main->hb, p[0], p[1], 0x5000);
    rt_fd_pair_opened(fx_main->hb, q[0], q[1], 0x5000);
    rt_fd_opened(fx_main->hb, 1001, RT_FD_EPOLL, 0x5000);
    rt_fd_epoll_ctl(fx_main->hb, 1001, 1 /* EPOLL_CTL_ADD */, p[0], 5);
    rt_fd_epoll_ctl(fx_main->hb, 1001, 1 /* EPOLL_CTL_ADD */, q[0], 5);
    rt_fd_epoll_ctl(fx_main->hb, 1001, 3 /* EPOLL_CTL_MOD */, p[0], 6);
    fx_new_races();
    fx_access(a, &data[10], 4, WR, 0x5001);
    rt_fd_send(a, p[1], NULL, 0);
    rt_fd_epoll_ready(b, 1001, 5);      /* q's data now, not p's */
    fx_access(b, &data[10], 4, RD, 0x5002);
    CHECK_EQ_INT(fx_new_races(), 1);
    fx_access(a, &data[12], 4, WR, 0x5003);
    rt_fd_send(a, p[1], NULL, 0);
    rt_fd_epoll_ready(c, 1001, 6);      /* p moved here */
    fx_access(c, &data[12], 4, RD, 0x5004);
    CHECK_EQ_INT(fx_new_races(), 0);
    rt_fd_epoll_ctl(fx_main->hb, 1001, 2 /* EPOLL_CTL_DEL */, p[0], 0);
    fx_access(a, &data[14], 4, WR, 0x5005);
    rt_fd_send(a, p[1], NULL, 0);
    rt_fd_epoll_ready(c, 1001, 6);      /* no longer registered */
    fx_access(c, &data[14], 4, RD, 0x5006);
    CHECK_EQ_INT(fx_new_races(), 1);
    rt_fd_close(c, 1001, 0x5007);
    close(p[0]), close(p[1]), close(q[0]), close(q[1]);
}

int main(void)
{
    fx_init();
    RUN(close_races_with_an_unordered_use);
    RUN(pipe_carries_happens_before);
    RUN(files_found_without_seeing_them_made);
    RUN(epoll_event_acquires_its_descriptor);
    RUN(epoll_registrations_follow_mod_and_del);
    UNIT_DONE();
}
