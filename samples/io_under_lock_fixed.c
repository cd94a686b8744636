/* io_under_lock_fixed: the twin of io_under_lock.c, read first, then lock.
 *
 * load_config() reads the new configuration into a local buffer without any
 * lock held (the read still waits 300 ms), and takes config_lock only to copy
 * the finished result into place. Readers of the configuration are never
 * blocked by slow input. Do I/O outside critical sections, and keep critical
 * sections to memory work. racedet reports nothing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t loader_started;
static int config_pipe[2];
static char config[32] = "mode=default";

static void *load_config(void *arg)
{
    char buf[sizeof config];
    ssize_t n;

    (void)arg;
    sem_post(&loader_started);
    n = read(config_pipe[0], buf, sizeof buf - 1);   /* FIX: no lock held */
    pthread_mutex_lock(&config_lock);
    if (n > 0) {
        buf[n] = '\0';
        memcpy(config, buf, (size_t)n + 1);
    }
    pthread_mutex_unlock(&config_lock);
    return NULL;
}

int main(void)
{
    pthread_t loader;
    static const char update[] = "mode=fast";

    if (pipe(config_pipe) != 0)
        return 1;
    sem_init(&loader_started, 0, 0);
    pthread_create(&loader, NULL, load_config, NULL);
    sem_wait(&loader_started);
    nanosleep(&(struct timespec){.tv_nsec = 300 * 1000000L}, NULL); /* slow input */
    if (write(config_pipe[1], update, strlen(update)) < 0)
        return 1;
    pthread_join(loader, NULL);
    pthread_mutex_lock(&config_lock);       /* main reads the configuration too */
    printf("config: %s\n", config);
    pthread_mutex_unlock(&config_lock);
    close(config_pipe[0]);
    close(config_pipe[1]);
    sem_destroy(&loader_started);
    return 0;
}
