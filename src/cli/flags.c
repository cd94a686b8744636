/*
 * flags: see cli.h. Every flag comes from the option table: --name VALUE or
 * --name=VALUE ('_' may be written '-'); boolean options are --name (true),
 * --no-name (false) or --name=VALUE, never --name VALUE (that would eat the
 * program's name in `racedet run --verbose ./prog`). -o FILE is --output.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mem.h"
#include "slurp.h"

#define RD_IS_BOOL_BOOL true
#define RD_IS_BOOL_INT false
#define RD_IS_BOOL_STRING false

static const struct {
    const char *name;
    int scope;
    bool is_bool;
} option_table[] = {
#define RD_OPTION(type, name, def, scope, choices, help) {#name, scope, RD_IS_BOOL_##type},
#include "options.def"
#undef RD_OPTION
};

/* The table entry for a flag name (dashes or underscores), or -1. */
static int find_option(const char *key, size_t keylen)
{
    size_t i, j;
    for (i = 0; i < sizeof option_table / sizeof option_table[0]; i++) {
        const char *name = option_table[i].name;
        for (j = 0; j < keylen; j++) {
            char c = key[j] == '-' ? '_' : key[j];
            if (name[j] == '\0' || name[j] != c)
                break;
        }
        if (j == keylen && name[j] == '\0')
            return (int)i;
    }
    return -1;
}

static int set(struct rd_options *o, const char *name, const char *value)
{
    char err[256];
    if (rd_options_set(o, name, value, err, sizeof err) < 0) {
        fprintf(stderr, "racedet: %s\n", err);
        return -1;
    }
    return 0;
}

static int parse_env(struct rd_options *o, struct cli_args *a)
{
    const char *env = getenv("RACEDET_OPTIONS");
    char err[256];
    if (!env || !*env)
        return 0;
    a->env_copy = rd_xstrdup(env);
    if (rd_options_parse(o, a->env_copy, err, sizeof err) < 0) {
        fprintf(stderr, "racedet: RACEDET_OPTIONS: %s\n", err);
        return -1;
    }
    return 0;
}

/* "--" ends the options: it is never an option's value (`-o --` would
 * write a file named "--" and take the program for an option). */
static bool is_end_of_options(const char *arg)
{
    return strcmp(arg, "--") == 0;
}

/* The separate value of the option at argv[*i] (and *i moved past it), or
 * NULL when there is none. */
static const char *value_after(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc || is_end_of_options(argv[*i + 1]))
        return NULL;
    return argv[++*i];
}

/* One "--..." argument at argv[*i]; may take argv[*i + 1] as its value. */
static int parse_long_flag(struct rd_options *o, struct cli_args *a, enum cli_mode mode,
                           int argc, char **argv, int *i)
{
    const char *arg = argv[*i] + 2, *eq = strchr(arg, '='), *value = NULL;
    size_t keylen = eq ? (size_t)(eq - arg) : strlen(arg);
    bool negated = false;
    int idx;
    char name[128];

    if (keylen == 4 && strncmp(arg, "help", 4) == 0 && !eq) {
        a->help = true;
        return 0;
    }
    if (mode == CLI_REPORT && keylen == 12 && strncmp(arg, "from-records", 12) == 0) {
        const char *file = eq ? eq + 1 : value_after(argc, argv, i);
        if (!file || !*file) {
            fprintf(stderr, "racedet: option --from-records needs a file\n");
            return -1;
        }
        *RD_PUSH(a->operands, a->noperands, a->capoperands) = (char *)file;
        return 0;
    }
    idx = find_option(arg, keylen);
    if (idx < 0 && keylen > 3 && strncmp(arg, "no-", 3) == 0) {
        idx = find_option(arg + 3, keylen - 3);
        if (idx >= 0 && option_table[idx].is_bool && !eq)
            negated = true;
        else
            idx = -1;
    }
    if (idx < 0) {
        fprintf(stderr, "racedet: unknown option '--%.*s' (racedet --help lists them)\n",
                (int)(keylen > 100 ? 100 : keylen), arg);
        return -1;
    }
    snprintf(name, sizeof name, "%s", option_table[idx].name);
    if (mode != CLI_EXPLORE && option_table[idx].scope == EXPLORE) {
        fprintf(stderr, "racedet: option --%.*s is for `racedet explore`\n", (int)keylen, arg);
        return -1;
    }
    if (mode == CLI_REPORT && option_table[idx].scope == SHIM) {
        fprintf(stderr, "racedet: option --%.*s is read by the program under `racedet run`; "
                        "`racedet report` has no use for it\n", (int)keylen, arg);
        return -1;
    }
    if (negated)
        value = "false";
    else if (eq)
        value = eq + 1;
    else if (option_table[idx].is_bool)
        value = "true";
    else if (!(value = value_after(argc, argv, i))) {
        fprintf(stderr, "racedet: option --%.*s needs a value\n", (int)keylen, arg);
        return -1;
    }
    return set(o, name, value);
}

int cli_parse(struct rd_options *o, struct cli_args *a, enum cli_mode mode, int argc,
              char **argv, int first)
{
    int i;
    bool only_operands = false;

    memset(a, 0, sizeof *a);
    rd_options_defaults(o);
    if (parse_env(o, a) < 0)
        return -1;
    for (i = first; i < argc; i++) {
        char *arg = argv[i];
        if (only_operands || arg[0] != '-' || arg[1] == '\0') {
            if (mode == CLI_RUN || mode == CLI_EXPLORE) {
                /* the program and everything after it are its own */
                for (; i < argc; i++)
                    *RD_PUSH(a->operands, a->noperands, a->capoperands) = argv[i];
                break;
            }
            *RD_PUSH(a->operands, a->noperands, a->capoperands) = arg;
            continue;
        }
        if (is_end_of_options(arg)) {
            only_operands = true;
            continue;
        }
        if (strcmp(arg, "-h") == 0) {
            a->help = true;
            continue;
        }
        if (strncmp(arg, "-o", 2) == 0) {
            const char *file = arg[2] ? arg + 2 : value_after(argc, argv, &i);
            if (!file || !*file) {
                fprintf(stderr, "racedet: -o needs a file name\n");
                return -1;
            }
            if (set(o, "output", file) < 0)
                return -1;
            continue;
        }
        if (arg[1] == '-') {
            if (parse_long_flag(o, a, mode, argc, argv, &i) < 0)
                return -1;
            continue;
        }
        fprintf(stderr, "racedet: unknown option '%s' (racedet --help lists them)\n", arg);
        return -1;
    }
    /* before any file is read: suppressions, records, reports */
    rd_input_limit_set((size_t)o->max_input_size << 20);
    return 0;
}

void cli_args_free(struct cli_args *a)
{
    free(a->operands);
    free(a->env_copy);
    memset(a, 0, sizeof *a);
}
