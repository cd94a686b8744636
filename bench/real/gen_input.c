/*
 * gen_input: a deterministic input for the compression benchmarks, the same
 * bytes on every machine and every run (a fixed-seed xorshift generator, no
 * /dev/urandom), so that outputs can be compared byte for byte and timings
 * across runs measure the same work.
 *
 *   gen_input mix MIB    MIB MiB alternating, in 64 KiB blocks: English-like
 *                        text (lines of words from a small vocabulary, with
 *                        numbers), binary records (little-endian counters
 *                        and slowly varying samples), and, one block in 8,
 *                        incompressible noise
 *   gen_input lines MIB  MIB MiB of text lines only, in random order of
 *                        keys (for sort)
 * Writes to stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static const char *const words[] = {
    "the",     "lock",   "thread", "of",      "and",    "mutex",   "a",       "to",
    "race",    "in",     "memory", "is",      "order",  "that",    "wait",    "for",
    "signal",  "cond",   "queue",  "worker",  "pool",   "read",    "write",   "shared",
    "barrier", "atomic", "graph",  "cycle",   "stack",  "frame",   "symbol",  "report",
    "happens", "before", "clock",  "vector",  "epoch",  "shadow",  "access",  "byte",
    "free",    "alloc",  "heap",   "global",  "join",   "create",  "detach",  "exit",
    "with",    "while",  "holds",  "another", "first",  "second",  "program", "runs",
    "under",   "detector", "every", "call",   "return", "address", "module",  "line",
};

enum { BLOCK = 64 * 1024 };

static size_t text_block(char *out, size_t n)
{
    size_t len = 0;
    while (len + 256 < n) { /* a line is at most 15 x 9 + 6 bytes */
        int nw = 4 + (int)(next() % 12);
        for (int i = 0; i < nw; i++) {
            const char *w = words[next() % (sizeof words / sizeof *words)];
            size_t wl = strlen(w);
            memcpy(out + len, w, wl);
            len += wl;
            out[len++] = ' ';
        }
        len += (size_t)sprintf(out + len, "%u\n", (unsigned)(next() % 100000));
    }
    memset(out + len, '\n', n - len);
    return n;
}

static size_t binary_block(unsigned char *out, size_t n, uint32_t *counter, int32_t *sample)
{
    for (size_t i = 0; i + 16 <= n; i += 16) {
        uint32_t c = (*counter)++;
        *sample += (int32_t)(next() % 17) - 8;
        uint64_t r = next();
        memcpy(out + i, &c, 4);
        memcpy(out + i + 4, sample, 4);
        out[i + 8] = (unsigned char)(r & 3);
        memset(out + i + 9, 0, 3);
        memcpy(out + i + 12, &(uint32_t){(uint32_t)(c * 2654435761u) >> 20}, 4);
    }
    return n;
}

static size_t noise_block(unsigned char *out, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t r = next();
        memcpy(out + i, &r, 8);
    }
    return n;
}

static void lines(long bytes)
{
    char line[128];
    while (bytes > 0) {
        int n = snprintf(line, sizeof line, "%016llx %s %s %u\n", (unsigned long long)next(),
                         words[next() % (sizeof words / sizeof *words)],
                         words[next() % (sizeof words / sizeof *words)], (unsigned)(next() % 1000));
        fwrite(line, 1, (size_t)n, stdout);
        bytes -= n;
    }
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "mix") != 0 && strcmp(argv[1], "lines") != 0)) {
        fprintf(stderr, "usage: gen_input mix|lines MIB\n");
        return 2;
    }
    long mib = atol(argv[2]);
    if (strcmp(argv[1], "lines") == 0) {
        lines(mib * 1024 * 1024);
        return fflush(stdout) != 0;
    }
    static unsigned char buf[BLOCK];
    uint32_t counter = 0;
    int32_t sample = 0;
    for (long b = 0; b < mib * 16; b++) {
        if (b % 8 == 7)
            noise_block(buf, BLOCK);
        else if (b % 2 == 0)
            text_block((char *)buf, BLOCK);
        else
            binary_block(buf, BLOCK, &counter, &sample);
        if (fwrite(buf, 1, BLOCK, stdout) != BLOCK)
            return 1;
    }
    return fflush(stdout) != 0;
}
