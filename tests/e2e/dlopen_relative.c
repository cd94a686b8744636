/*
 * dlopen_relative DIR NAME: goes to DIR, loads NAME with dlopen (a relative
 * path such as ./libcycle.so, or a bare name found through a relative
 * LD_LIBRARY_PATH), leaves DIR, and calls the library's lib_make_cycle.
 * The library's frames must be symbolized although the name the loader
 * kept is relative to a directory the program left.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    void *lib;
    void (*make_cycle)(void);
    if (argc < 3) {
        fprintf(stderr, "usage: dlopen_relative DIR NAME\n");
        return 2;
    }
    if (chdir(argv[1]) != 0) {
        perror(argv[1]);
        return 1;
    }
    lib = dlopen(argv[2], RTLD_NOW);
    if (!lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    if (chdir("/") != 0)
        return 1;
    *(void **)&make_cycle = dlsym(lib, "lib_make_cycle");
    if (!make_cycle) {
        fprintf(stderr, "dlsym: %s\n", dlerror());
        return 1;
    }
    make_cycle();
    return 0;
}
