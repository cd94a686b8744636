/* A string printed by one thread (puts, fputs: libc reads it) while
 * another writes it, with nothing between them: a race on the string
 * (compiler-rt's race_on_puts, race_on_fputs). The flag racedet cannot
 * see only makes the write come after the print in time. */
#include "../annotations/asm_flag.h"

#include <pthread.h>
#include <stdio.h>

static char text[] = "abracadabra";
static int printed;

static void *printer(void *arg)
{
    puts(text);
    fputs(text, stdout);
    flag_raise(&printed);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, printer, NULL);
    flag_wait(&printed);
    text[3] = 'z';
    pthread_join(t, NULL);
    return 0;
}
