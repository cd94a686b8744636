/*
 * setuid_child [PROGRAM]: as root, forks a child that becomes user and
 * group 65534 (nobody) and execs PROGRAM (default: this program again,
 * which then exits with status 7; libuv's spawn_setuid_setgid test does
 * this). The child cannot write in a record directory made by root, so it
 * must run unwatched, with its own exit status. Prints "child status N"
 * and exits 0 when N is what the child returns natively (7, or 0 for
 * /bin/true), 1 otherwise, 77 when not root.
 */
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *prog = argc > 1 ? argv[1] : "/proc/self/exe";
    int status, want = argc > 1 ? 0 : 7;
    pid_t pid;
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return 7;
    if (getuid() != 0) {
        printf("not root\n");
        return 77;
    }
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        self[n > 0 ? n : 0] = '\0';
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(100);
        if (argc > 1)
            execl(prog, prog, (char *)NULL);
        else
            execl(self, self, "child", (char *)NULL);
        _exit(101);
    }
    if (waitpid(pid, &status, 0) != pid)
        return 1;
    printf("child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return WIFEXITED(status) && WEXITSTATUS(status) == want ? 0 : 1;
}
