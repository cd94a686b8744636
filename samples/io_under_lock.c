/* io_under_lock: a lock held across a read() that waits for slow input.
 *
 * load_config() locks config_lock and then reads the new configuration from
 * a pipe; the writer only sends it after 300 ms (think: a socket, a slow
 * disk, a user typing). For the whole time the read blocks, every thread that
 * needs config_lock, even to read the current configuration, is stuck behind
 * it (here main, which reads the configuration under config_lock); if the
 * input never comes, they are stuck forever. racedet reports I/O calls that
 * block longer than blocking_threshold_ms under a lock other threads use,
 * with where the lock was taken.
 * The fixed twin reads into a local buffer first, then locks only to store it.
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
    pthread_mutex_lock(&config_lock);
    sem_post(&loader_started);
    n = read(config_pipe[0], buf, sizeof buf - 1);   /* BUG: blocks under the lock */
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
