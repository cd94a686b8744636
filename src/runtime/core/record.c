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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static rt_spin_t record_lock = RT_SPIN_INIT;
static int record_fd = -1;
static unsigned epoch = 1;
static char record_path[PATH_MAX + 128];
static char record_dir[PATH_MAX];
static bool record_is_temp;
/* Standalone (no racedet run): the temporary file is made on the first
 * line worth keeping, so runs that learn nothing leave nothing behind. */
static bool open_pending;

static int open_file(char *err, size_t errlen);

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void write_all(const char *p, size_t n)
{
    if (open_pending) {
        char err[PATH_MAX + 200];
        open_pending = false;
        if (open_file(err, sizeof err) < 0) {
            rt_stop_watching(err);
            return;
        }
    }
    while (n > 0 && record_fd >= 0) {
        ssize_t w = write(record_fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* disk full or closed: nothing better to do */
        }
        p += w;
        n -= (size_t)w;
    }
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
    if (record_is_temp) {
        const char *tmp = getenv("TMPDIR");
        snprintf(record_path, sizeof record_path, "%s/racedet.%d.XXXXXX.jsonl",
                 tmp && *tmp ? tmp : "/tmp", (int)getpid());
        record_fd = mkostemps(record_path, 6, O_CLOEXEC | O_APPEND);
    } else {
        snprintf(record_path, sizeof record_path, "%s/racedet.%d.%llu.%u.jsonl", record_dir,
                 (int)getpid(), (unsigned long long)now_ns(), seq++);
        record_fd = open(record_path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    }
    if (record_fd < 0) {
        snprintf(err, errlen, "cannot write the record in %s: %s",
                 record_is_temp ? "the temporary directory" : record_dir, strerror(errno));
        record_path[0] = '\0';
        return -1;
    }
    /* keep it away from the descriptors the program expects to be free */
    if (record_fd < 64) {
        int high = fcntl(record_fd, F_DUPFD_CLOEXEC, 64);
        if (high >= 0) {
            close(record_fd);
            record_fd = high;
        }
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

bool rt_record_keeps_graph(void)
{
    return !record_is_temp;
}

const char *rt_record_path(void)
{
    return record_path;
}

bool rt_record_is_open(void)
{
    return record_fd >= 0 || open_pending;
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
    if (t->written_epoch == epoch)
        return;
    t->written_epoch = epoch;
    if (t->create_stack != RT_NO_STACK)
        rt_record_def_stack(t->create_stack);
    rt_buf_printf(&b, "{\"t\":\"thread\",\"id\":%d,\"parent\":%d,\"create_stack\":%d,\"name\":",
                  t->id, t->parent, t->create_stack == RT_NO_STACK ? -1 : (int)t->create_stack);
    rt_thread_name(t, name, sizeof name);
    rt_buf_json_str(&b, name);
    rt_buf_putc(&b, '}');
    emit_and_free(&b);
}

void rt_record_def_lock(struct rt_lock *l)
{
    struct rt_buf b = {0};
    uintptr_t off;
    int mod;
    rt_lock_pin(l);
    if (l->written_epoch == epoch)
        return;
    l->written_epoch = epoch;
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
    rt_spin_reset(&record_lock);
    epoch++;
    if (record_is_temp) {
        /* the parent's file is the parent's: start our own when needed */
        if (record_fd >= 0)
            close(record_fd);
        record_fd = -1;
        record_path[0] = '\0';
        open_pending = true;
        return;
    }
    if (record_fd < 0)
        return;
    close(record_fd);
    record_fd = -1;
    if (open_file(err, sizeof err) < 0)
        rt_stop_watching(err);
}

void rt_record_close(void)
{
    open_pending = false;
    if (record_fd >= 0)
        close(record_fd);
    record_fd = -1;
}
