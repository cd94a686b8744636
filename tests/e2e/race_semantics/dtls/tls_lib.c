/* A library with thread-local storage, loaded with dlopen: each thread's
 * copy is a block that glibc allocates on the thread's first use and frees
 * when a new thread takes over the dead thread's cached stack. */
__thread long slot[64];

long *tls_slot(void)
{
    return slot;
}
