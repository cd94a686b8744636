/* record: see record.h. */
#include "record.h"
#include "sync_objects.h"
#include "modules.h"
#include "rt_alloc.h"
#include "rt_spin.h"
#include "threads.h"

#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static rt_spin_t record_lock = RT_SPIN_INIT;
/* The record's descriptor: racedet's own, which the program must never
 * see (rt_record_owns_fd). -1 when there is none. Changed only under the
 * record lock; read without it by the descriptor interceptors. */
static _Atomic int record_fd = -1;
/* The file we opened, to tell it from whatever else may be at record_fd
 * after the program closed it behind our back (a raw close_range). */
static dev_t record_dev;
static ino_t record_ino;
/* Our descriptor's number was wanted by the program and there was no
 * other free number to move it to: it was closed, and the file is opened
 * again at the next write. Under the record lock. */
static bool reopen_pending;
static unsigned epoch = 1;
static char record_path[PATH_MAX + 128];
static char record_dir[PATH_MAX];
static bool record_is_temp;
/* Standalone (no racedet run): the temporary file is made on the first
 * line worth keeping, so runs that learn nothing leave nothing behind. */
static bool open_pending;
/* Where those temporary files go: the shim's reporter's directory
 * (rt_record_set_temp_dir), else TMPDIR or /tmp. */
static char temp_dir[PATH_MAX];

static int open_file(char *err, size_t errlen);

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the record's descriptor ---------------------------------------------------
 *
 * The program owns its descriptors: it may close every one above 2, dup2
 * over any number, or get our number back from open() once ours is gone.
 * So: our descriptor sits as high as the program's limit allows (its own
 * get the numbers they would get without us); the interceptors of close,
 * close_range, closefrom, dup, dup2, dup3 and fcntl treat it as not there
 * (rt_record_owns_fd, rt_record_fd_around, rt_record_fd_wanted); every
 * write first checks that the descriptor is still the file we opened, and
 * if the program closed it some way we could not see, the file is opened
 * again by its path. We never write to, and never close, a descriptor we
 * did not open. Our own calls on it are system calls, never the libc
 * functions the shim intercepts. */

static int sys_close(int fd)
{
    return (int)syscall(SYS_close, fd);
}

/* A copy of fd as high as the descriptor limit allows (but below 1024,
 * the size of an fd_set, so that a huge limit does not make the kernel's
 * descriptor table huge), else from 64 up; -1 if neither has a free
 * number. Never fd's own number: it is in use. */
static int dup_high(int fd)
{
    return rt_fd_dup_high(fd, 1, true);
}

int rt_fd_dup_high(int fd, int below_top, bool cloexec)
{
    struct rlimit rl;
    int top = 1024, high = -1, cmd = cloexec ? F_DUPFD_CLOEXEC : F_DUPFD;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)top)
        top = (int)rl.rlim_cur;
    if (top - below_top > 64)
        high = (int)syscall(SYS_fcntl, fd, cmd, top - below_top);
    if (high < 0)
        high = (int)syscall(SYS_fcntl, fd, cmd, 64);
    return high;
}

/* Our file, just opened at fd (the lowest free number): moved up, out of
 * the program's way, if there is room. Returns the descriptor to use. */
static int move_high(int fd)
{
    int high = fd >= 64 ? -1 : dup_high(fd);
    if (high < 0)
        return fd;
    sys_close(fd);
    return high;
}

/* fd is our file, and record_fd is to be it. */
static bool adopt(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        sys_close(fd);
        return false;
    }
    record_dev = st.st_dev;
    record_ino = st.st_ino;
    atomic_store(&record_fd, move_high(fd));
    return true;
}

static bool still_ours(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == record_dev && st.st_ino == record_ino;
}

/* record_fd is not our file any more: closed behind our back, maybe with
 * its number given to another file since. Leave that descriptor alone
 * (it may be the program's now) and open our file again by its path. */
static bool reopen(void)
{
    int fd = open(record_path, O_WRONLY | O_APPEND | O_CLOEXEC);
    struct stat st;
    atomic_store(&record_fd, -1);
    if (fd < 0)
        return false;
    if (fstat(fd, &st) != 0 || st.st_dev != record_dev || st.st_ino != record_ino) {
        sys_close(fd); /* another file by that name now: not ours to write */
        return false;
    }
    atomic_store(&record_fd, move_high(fd));
    return true;
}

/* The record cannot be written any more: say so once, and stop watching
 * (what would be found could not be reported). */
static void lose(int err)
{
    char why[PATH_MAX + 200];
    int fd = atomic_exchange(&record_fd, -1);
    if (fd >= 0 && still_ours(fd))
        sys_close(fd);
    snprintf(why, sizeof why, "cannot write the record %s: %s", record_path, strerror(err));
    rt_stop_watching(why);
}

static void write_all(const char *p, size_t n)
{
    bool reopened = false;
    int saved_errno = errno; /* the program's */
    if (open_pending) {
        char err[PATH_MAX + 200];
        open_pending = false;
        if (open_file(err, sizeof err) < 0) {
            rt_stop_watching(err);
            errno = saved_errno;
            return;
        }
    }
    if (reopen_pending) {
        reopen_pending = false;
        if (!reopen()) {
            lose(EBADF);
            errno = saved_errno;
            return;
        }
    }
    while (n > 0) {
        int fd = atomic_load(&record_fd);
        ssize_t w;
        if (fd < 0)
            break; /* no record (it could not be written: said) */
        if (still_ours(fd)) {
            w = write(fd, p, n);
            if (w >= 0) {
                p += w;
                n -= (size_t)w;
                continue;
            }
            if (errno == EINTR)
                continue;
            if (errno != EBADF) {
                lose(errno);
                break;
            }
            /* closed since the check (or the number is the program's
             * again, on our very file): open it afresh */
        }
        if (reopened || !reopen()) {
            lose(EBADF);
            break;
        }
        reopened = true;
    }
    errno = saved_errno;
}

void rt_record_emit(struct rt_buf *b)
{
    rt_buf_putc(b, '\n');
    write_all(b->p, b->len);
}

static void emit_and_free(struct rt_buf *b)
{
    rt_record_emit(b);
    rt_buf_free(b);
}

static void write_process_line(void)
{
    struct rt_buf b = {0};
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    int fd;
    exe[n > 0 ? n : 0] = '\0';
    rt_buf_printf(&b, "{\"t\":\"process\",\"version\":1,\"pid\":%d,\"ppid\":%d,\"exe\":",
                  (int)getpid(), (int)getppid());
    rt_buf_json_str(&b, exe);
    rt_buf_puts(&b, ",\"argv\":[");
    /* argv from /proc: libc's copy is not reachable from a library */
    fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[8192];
        ssize_t len = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (len > 0) {
            buf[len] = '\0';
            for (ssize_t i = 0; i < len; i += (ssize_t)strlen(buf + i) + 1) {
                if (i)
                    rt_buf_putc(&b, ',');
                rt_buf_json_str(&b, buf + i);
            }
        }
    }
    rt_buf_printf(&b, "],\"time_ns\":%llu}", (unsigned long long)now_ns());
    emit_and_free(&b);
}

static int open_file(char *err, size_t errlen)
{
    static unsigned seq;
    int fd;
    if (record_is_temp) {
        const char *tmp = temp_dir[0] ? temp_dir : getenv("TMPDIR");
        snprintf(record_path, sizeof record_path, "%s/racedet.%d.XXXXXX.jsonl",
                 tmp && *tmp ? tmp : "/tmp", (int)getpid());
        fd = mkostemps(record_path, 6, O_CLOEXEC | O_APPEND);
    } else {
        snprintf(record_path, sizeof record_path, "%s/racedet.%d.%llu.%u.jsonl", record_dir,
                 (int)getpid(), (unsigned long long)now_ns(), seq++);
        fd = open(record_path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    }
    if (fd < 0 || !adopt(fd)) {
        snprintf(err, errlen, "cannot write the record in %s: %s",
                 record_is_temp ? "the temporary directory" : record_dir, strerror(errno));
        record_path[0] = '\0';
        return -1;
    }
    write_process_line();
    return 0;
}

int rt_record_open(const char *dir, char *err, size_t errlen)
{
    record_is_temp = dir == NULL;
    if (record_is_temp) {
        open_pending = true;
        return 0;
    }
    snprintf(record_dir, sizeof record_dir, "%s", dir);
    return open_file(err, errlen);
}

void rt_record_set_temp_dir(const char *dir)
{
    snprintf(temp_dir, sizeof temp_dir, "%s", dir);
}

const char *rt_record_path(void)
{
    return record_path;
}

bool rt_record_is_open(void)
{
    return atomic_load(&record_fd) >= 0 || open_pending || reopen_pending;
}

/* ---- the program's descriptor calls (preload/intercept_fd.c) ------------------- */

/* Hold the record lock around a call on the program's descriptors, with
 * every signal blocked: a handler that made an event would want the lock
 * this thread holds. */
static void fd_call_begin(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, old);
    rt_spin_lock(&record_lock);
}

static int fd_call_end(const sigset_t *old, int rc)
{
    int e = errno;
    rt_spin_unlock(&record_lock);
    pthread_sigmask(SIG_SETMASK, old, NULL);
    errno = e;
    return rc;
}

/* Under the record lock: the record's descriptor if it is still our file;
 * else (the program closed it in a way we could not see, and may have put
 * a file of its own at that number since) -1, the descriptor left alone
 * and our file to be opened again at the next line. */
static int ours_now(void)
{
    int fd = atomic_load(&record_fd);
    if (fd >= 0 && !still_ours(fd)) {
        atomic_store(&record_fd, -1);
        reopen_pending = true;
        fd = -1;
    }
    return fd;
}

bool rt_record_owns_fd(int fd)
{
    sigset_t old;
    bool ours;
    if (__builtin_expect(fd < 0 || fd != atomic_load_explicit(&record_fd, memory_order_relaxed), 1))
        return false;
    fd_call_begin(&old);
    ours = fd == ours_now();
    fd_call_end(&old, 0);
    return ours;
}

int rt_record_fd(void)
{
    return atomic_load_explicit(&record_fd, memory_order_relaxed);
}

int rt_record_fd_around(unsigned lo, unsigned hi, int (*fn)(unsigned lo, unsigned hi, void *arg),
                        void *arg)
{
    sigset_t old;
    int ours, rc;
    fd_call_begin(&old);
    ours = ours_now();
    rc = rt_fd_range_without(ours, lo, hi, fn, arg);
    return fd_call_end(&old, rc);
}

int rt_fd_range_without(int skip, unsigned lo, unsigned hi,
                        int (*fn)(unsigned lo, unsigned hi, void *arg), void *arg)
{
    int rc = 0, e = 0;
    if (skip < 0 || (unsigned)skip < lo || (unsigned)skip > hi)
        return fn(lo, hi, arg);
    if ((unsigned)skip > lo && (rc = fn(lo, (unsigned)skip - 1, arg)) != 0)
        e = errno;
    if ((unsigned)skip < hi) {
        int rc2 = fn((unsigned)skip + 1, hi, arg);
        if (rc == 0 && rc2 != 0) {
            rc = rc2;
            e = errno;
        }
    }
    errno = e; /* the first failure's */
    return rc;
}

int rt_record_fd_wanted(int fd, int (*fn)(void *arg), void *arg)
{
    sigset_t old;
    int rc;
    fd_call_begin(&old);
    if (fd >= 0 && fd == ours_now()) {
        int moved = dup_high(fd);
        if (moved < 0)
            reopen_pending = true; /* no other number free: the program's
                                    * call comes first; the file is opened
                                    * again at the next line */
        sys_close(fd);
        atomic_store(&record_fd, moved);
    }
    rc = fn(arg);
    return fd_call_end(&old, rc);
}

void rt_record_lock(void)
{
    rt_spin_lock(&record_lock);
}

void rt_record_unlock(void)
{
    rt_spin_unlock(&record_lock);
}

static int def_module(uintptr_t addr, uintptr_t *offset)
{
    struct rt_module *m = rt_module_of(addr);
    if (!m) {
        *offset = addr;
        return -1;
    }
    *offset = addr - m->base;
    if (m->written_epoch != epoch) {
        struct rt_buf b = {0};
        m->written_epoch = epoch;
        rt_buf_printf(&b, "{\"t\":\"module\",\"id\":%d,\"path\":", m->id);
        rt_buf_json_str(&b, m->path);
        rt_buf_printf(&b, ",\"base\":\"0x%lx\"}", (unsigned long)m->base);
        emit_and_free(&b);
    }
    return m->id;
}

int rt_record_def_module(uintptr_t addr, uintptr_t *offset)
{
    return def_module(addr, offset);
}

void rt_record_def_stack(rt_stack_id id)
{
    struct rt_stack *s = rt_stack_get(id);
    struct rt_buf b = {0};
    if (!s || s->written_epoch == epoch)
        return;
    s->written_epoch = epoch;
    /* modules first: the stack line refers to them */
    for (uint32_t i = 0; i < s->n; i++) {
        uintptr_t off;
        def_module(s->pcs[i] - 1, &off);
    }
    rt_buf_printf(&b, "{\"t\":\"stack\",\"id\":%u,\"frames\":[", s->id);
    for (uint32_t i = 0; i < s->n; i++) {
        uintptr_t off;
        int mod = def_module(s->pcs[i] - 1, &off);
        rt_buf_printf(&b, "%s[%d,%lu]", i ? "," : "", mod, (unsigned long)off);
    }
    rt_buf_printf(&b, "]%s}", s->truncated ? ",\"truncated\":true" : "");
    emit_and_free(&b);
}

void rt_record_def_thread(struct rt_thread *t)
{
    struct rt_buf b = {0};
    char name[64];
    unsigned *written = rt_thread_written_epoch(t);
    if (*written == epoch)
        return;
    *written = epoch;
    if (t->create_stack != RT_NO_STACK)
        rt_record_def_stack(t->create_stack);
    rt_buf_printf(&b, "{\"t\":\"thread\",\"id\":%d,\"parent\":%d,\"create_stack\":%d,\"name\":",
                  t->id, t->parent, t->create_stack == RT_NO_STACK ? -1 : (int)t->create_stack);
    rt_thread_name(t, name, sizeof name);
    rt_buf_json_str(&b, name);
    rt_buf_putc(&b, '}');
    emit_and_free(&b);
}

void rt_record_thread_renamed(struct rt_thread *t)
{
    struct rt_buf b = {0};
    char name[64];
    rt_record_lock();
    if (*rt_thread_written_epoch(t) == epoch) {
        rt_thread_name(t, name, sizeof name);
        rt_buf_printf(&b, "{\"t\":\"thread_name\",\"id\":%d,\"name\":", t->id);
        rt_buf_json_str(&b, name);
        rt_buf_putc(&b, '}');
        emit_and_free(&b);
    }
    rt_record_unlock();
}

void rt_record_def_lock(struct rt_lock *l)
{
    struct rt_buf b = {0};
    uintptr_t off;
    int mod;
    rt_lock_pin(l);
    if (rt_lock_more_if(l) && rt_lock_more_if(l)->written_epoch == epoch)
        return;
    rt_lock_more(l)->written_epoch = epoch;
    if (l->init_stack != RT_NO_STACK)
        rt_record_def_stack(l->init_stack);
    /* a lock inside a loaded object is a global: the analyzer names it */
    mod = def_module(l->addr, &off);
    rt_buf_printf(&b, "{\"t\":\"lock\",\"id\":%llu,\"kind\":\"%s\",\"type\":\"%s\",\"addr\":\"0x%lx\","
                      "\"module\":%d,\"offset\":%lu,\"init_stack\":%d}",
                  (unsigned long long)l->id, rt_lock_kind_name(l->kind), rt_lock_type_name(l->type),
                  (unsigned long)l->addr, mod, mod < 0 ? 0ul : (unsigned long)off,
                  l->init_stack == RT_NO_STACK ? -1 : (int)l->init_stack);
    emit_and_free(&b);
}

void rt_record_exit(int status, const char *how)
{
    struct rt_buf b = {0};
    if (open_pending)
        return; /* nothing was learnt: no file to finish */
    rt_buf_printf(&b, "{\"t\":\"exit\",\"status\":%d,\"how\":\"%s\"}", status, how);
    rt_record_lock();
    emit_and_free(&b);
    rt_record_unlock();
}

void rt_record_after_fork_child(void)
{
    char err[PATH_MAX + 200];
    int fd;
    rt_spin_reset(&record_lock);
    epoch++;
    fd = atomic_exchange(&record_fd, -1);
    if (record_is_temp) {
        /* the parent's file is the parent's: start our own when needed */
        if (fd >= 0 && still_ours(fd))
            sys_close(fd);
        record_path[0] = '\0';
        open_pending = true;
        return;
    }
    if (fd < 0)
        return;
    if (still_ours(fd))
        sys_close(fd);
    if (open_file(err, sizeof err) < 0)
        rt_stop_watching(err);
}

void rt_record_close(void)
{
    int fd = atomic_exchange(&record_fd, -1);
    open_pending = false;
    if (fd >= 0 && still_ours(fd))
        sys_close(fd);
}
