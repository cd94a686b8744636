/*
 * fd_objects: file descriptors as locations and as synchronisation objects
 * (docs/design.md "File descriptors").
 *
 * As a location, each descriptor number has a word of its own in this
 * table whose shadow holds the descriptor's history: a use (read, write,
 * send, recv, fstat, ioctl, fcntl, ...) is a read of it, a close (or a
 * dup2/dup3 over it) a write, so that a close not ordered with another
 * thread's use is a data_race on "file descriptor N". Opening (open,
 * socket, accept, pipe, dup, ...) starts a new history, written by the
 * opener: a number reused after close is a new object.
 *
 * As a synchronisation object, each descriptor leads to the clock of the
 * file it is open on (its "file key"): a write or send releases it before
 * the real call, a read or recv that succeeded acquires it after. Both ends
 * of a pipe or a socketpair, an eventfd and its dups share one key, made
 * when racedet sees the call that makes them (the table entry of the first
 * descriptor is the key). Others get theirs on first use, then cached: a
 * stream socket from the pair of its own and its peer's address (the same
 * at both ends of a connection), a datagram socket from the destination
 * (send) or its own address (recv), anything else from fstat's device and
 * inode (a pipe or FIFO racedet did not see made, a file). Those computed
 * keys fall into a pool of RT_FD_POOL clocks: two unrelated files whose
 * keys meet only add ordering (can hide a race, never invent one), and
 * memory stays bounded however many connections a program makes.
 *
 * epoll: epoll_ctl releases the epoll descriptor's own key, and
 * epoll_wait acquires it and, for each event it returns, the file key of
 * every descriptor registered with that event's data.
 *
 * Called by the descriptor interceptors (preload/intercept_fd*.c,
 * preload/intercept_blocking.c) and the system-call hooks, on the calling
 * thread h (not busy), only while race detection is on. Any thread.
 */
#ifndef RT_FD_OBJECTS_H
#define RT_FD_OBJECTS_H

#include "happens_before.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define RT_FD_POOL (1u << 16)

/* What a descriptor was opened as, when racedet saw it being made. */
enum rt_fd_kind {
    RT_FD_UNKNOWN,    /* key from fstat (or the socket's addresses) on first use */
    RT_FD_SOCKET,     /* socket(), accept(): key from its addresses */
    RT_FD_OWN,        /* eventfd, timerfd, signalfd, inotify...: a key of its own */
    RT_FD_EPOLL,      /* epoll_create: its own key, and registrations */
};

/* fd is used (any call on it but close): a read of its location, checked
 * before the real call. */
void rt_fd_use(struct rt_hb_thread *h, int fd, uintptr_t pc);
/* fd is closed: a write of its location (before the real close, or
 * after it for the raw system-call hooks); it ends fd's history, and
 * releases its file (a reader then sees end-of-file). */
void rt_fd_close(struct rt_hb_thread *h, int fd, uintptr_t pc);
/* close_range/closefrom: the descriptors of [lo, hi] racedet knows are
 * closed, their histories forgotten (no check: nothing names the line
 * that used a given one). */
void rt_fd_close_range(unsigned lo, unsigned hi);
/* fd was just made by h (after the real call succeeded). */
void rt_fd_opened(struct rt_hb_thread *h, int fd, enum rt_fd_kind kind, uintptr_t pc);
/* pipe, socketpair: both made by h, sharing one file. */
void rt_fd_pair_opened(struct rt_hb_thread *h, int fd0, int fd1, uintptr_t pc);
/* newfd was made a copy of oldfd (dup, dup2, dup3, F_DUPFD), after the
 * real call succeeded: a new history, oldfd's file. For dup2/dup3 over
 * an open newfd, rt_fd_close(newfd) comes first. */
void rt_fd_dup(struct rt_hb_thread *h, int oldfd, int newfd, uintptr_t pc);

/* Data leaves by fd (write, send, sendto with `to`, eventfd_write): its
 * file is released, before the real call. */
void rt_fd_send(struct rt_hb_thread *h, int fd, const struct sockaddr *to, socklen_t tolen);
/* Data arrived by fd (a read or recv that succeeded, accept): its file is
 * acquired, after the real call. */
void rt_fd_recv(struct rt_hb_thread *h, int fd);

/* A stream connection: connect (before the real call) happens-before the
 * accept (after it) that takes it. The accepting side cannot tell whose
 * connect it got, so, as ThreadSanitizer does, every connect releases one
 * clock that every accept acquires: more ordering than needed (can hide a
 * race, never invent one; compiler-rt's fd_socket_connect_norace). */
void rt_fd_connecting(struct rt_hb_thread *h);
void rt_fd_accepted(struct rt_hb_thread *h);

/* epoll_ctl(epfd, op, fd, {.data = data}) succeeded (op: EPOLL_CTL_*). */
void rt_fd_epoll_ctl(struct rt_hb_thread *h, int epfd, int op, int fd, uint64_t data);
/* epoll_wait on epfd returned an event with `data` (call once per event,
 * after the real call). */
void rt_fd_epoll_ready(struct rt_hb_thread *h, int epfd, uint64_t data);
/* epoll_wait on epfd returned events: its own key is acquired. */
void rt_fd_epoll_waited(struct rt_hb_thread *h, int epfd);

/* For reports: the descriptor whose location addr is, or -1. */
int rt_fd_of_location(uintptr_t addr);

/* fork (rt_hb_fork_*): the registration table's lock. */
void rt_fd_lock_all(void);
void rt_fd_unlock_all(void);

#endif
