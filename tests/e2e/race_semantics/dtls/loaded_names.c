/* The loader writes a library's name when dlopen loads it and frees it in
 * dlclose, and dl_iterate_phdr hands it to the program's callback, all
 * under the loader's lock, which racedet does not see: a thread reading
 * the names in its callback between another thread's dlopen and dlclose
 * is correct (compiler-rt's dl_iterate_phdr). The flags racedet cannot
 * see only order the steps in time.
 *
 * Usage: loaded_names LIBRARY (any shared library the program lacks). */
#define _GNU_SOURCE
#include "../../annotations/asm_flag.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <string.h>

static int loaded, iterated;
static size_t letters;

static int count(struct dl_phdr_info *info, size_t size, void *data)
{
    letters += strlen(info->dlpi_name);
    return 0;
}

static void *iterate(void *arg)
{
    flag_wait(&loaded);
    dl_iterate_phdr(count, NULL);
    flag_raise(&iterated);
    return arg;
}

int main(int argc, char **argv)
{
    pthread_t t;
    void *lib;
    if (argc < 2)
        return 2;
    pthread_create(&t, NULL, iterate, NULL);
    lib = dlopen(argv[1], RTLD_NOW);
    if (!lib)
        return 1;
    flag_raise(&loaded);
    flag_wait(&iterated);
    dlclose(lib);
    pthread_join(t, NULL);
    return letters == 0;
}
