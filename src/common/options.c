/* options: see options.h. Everything here is generated from options.def. */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

void rd_options_defaults(struct rd_options *o)
{
#define RD_OPTION(type, name, def, scope, choices, help) o->name = def;
#include "options.def"
#undef RD_OPTION
}

/* Compare an option name with a user-given key, treating '-' as '_'. */
static bool name_matches(const char *name, const char *key, size_t keylen)
{
    size_t i;
    for (i = 0; i < keylen; i++) {
        char c = key[i] == '-' ? '_' : key[i];
        if (name[i] == '\0' || name[i] != c)
            return false;
    }
    return name[i] == '\0';
}

static bool choice_ok(const char *choices, const char *value)
{
    size_t vlen = strlen(value);
    const char *p = choices;
    if (*choices == '\0')
        return true;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == vlen && strncmp(p, value, n) == 0)
            return true;
        p += n + (bar ? 1 : 0);
    }
    return false;
}

static int set_BOOL(bool *dst, const char *key, const char *v, char *err, size_t errlen)
{
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
        *dst = true;
    else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
        *dst = false;
    else {
        snprintf(err, errlen, "option %s wants true or false, not '%s'", key, v);
        return -1;
    }
    return 0;
}

/* The range "MIN..MAX" of an INT option's choices; "" is 0..LONG_MAX. */
static void int_range(const char *choices, long *min, long *max)
{
    char *end;
    *min = 0;
    *max = LONG_MAX;
    if (*choices == '\0')
        return;
    *min = strtol(choices, &end, 10);
    if (strncmp(end, "..", 2) == 0)
        *max = strtol(end + 2, NULL, 10);
}

static int set_INT(long *dst, const char *key, const char *v, const char *choices, char *err,
                   size_t errlen)
{
    char *end;
    long n, min, max;
    int_range(choices, &min, &max);
    errno = 0;
    n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno != 0 || n < min || n > max) {
        /* out-of-range values are refused, never wrapped or clamped: an
         * exit status of 256 would be 0, a huge stack depth a crash */
        if (max == LONG_MAX)
            snprintf(err, errlen, "option %s wants a whole number >= %ld, not '%s'", key, min,
                     v);
        else
            snprintf(err, errlen, "option %s wants a whole number from %ld to %ld, not '%s'",
                     key, min, max, v);
        return -1;
    }
    *dst = n;
    return 0;
}

static int set_STRING(const char **dst, const char *key, const char *v,
                      const char *choices, char *err, size_t errlen)
{
    if (!choice_ok(choices, v)) {
        snprintf(err, errlen, "option %s wants one of %s, not '%s'", key, choices, v);
        return -1;
    }
    *dst = v;
    return 0;
}

#define SET_BOOL(o, name, key, v, choices, err, errlen) set_BOOL(&(o)->name, key, v, err, errlen)
#define SET_INT(o, name, key, v, choices, err, errlen) \
    set_INT(&(o)->name, key, v, choices, err, errlen)
#define SET_STRING(o, name, key, v, choices, err, errlen) \
    set_STRING(&(o)->name, key, v, choices, err, errlen)

static int set_n(struct rd_options *o, const char *key, size_t keylen,
                 const char *value, char *err, size_t errlen)
{
#define RD_OPTION(type, name, def, scope, choices, help)                          \
    if (name_matches(#name, key, keylen))                                         \
        return SET_##type(o, name, #name, value, choices, err, errlen);
#include "options.def"
#undef RD_OPTION
    snprintf(err, errlen, "unknown option '%.*s' (racedet --help lists them)", (int)keylen, key);
    return -1;
}

int rd_options_set(struct rd_options *o, const char *name, const char *value,
                   char *err, size_t errlen)
{
    return set_n(o, name, strlen(name), value, err, errlen);
}

int rd_options_scope(const char *name)
{
    size_t len = strlen(name);
#define RD_OPTION(type, oname, def, scope, choices, help) \
    if (name_matches(#oname, name, len))                  \
        return scope;
#include "options.def"
#undef RD_OPTION
    return 0;
}

int rd_options_parse(struct rd_options *o, char *buf, char *err, size_t errlen)
{
    char *p = buf;
    while (*p) {
        char *key, *eq, *end;
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == ':')
            p++;
        if (*p == '\0')
            break;
        key = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ',')
            p++;
        end = p;
        if (*p)
            p++;
        *end = '\0';
        eq = strchr(key, '=');
        if (!eq) {
            /* the caller says where the text came from (RACEDET_OPTIONS) */
            snprintf(err, errlen, "'%s' is not key=value", key);
            return -1;
        }
        *eq = '\0';
        if (set_n(o, key, (size_t)(eq - key), eq + 1, err, errlen) < 0)
            return -1;
    }
    return 0;
}

static int fmt_BOOL(char *buf, size_t len, const char *name, bool v, bool def)
{
    return v == def ? 0 : snprintf(buf, len, "%s=%s ", name, v ? "true" : "false");
}
static int fmt_INT(char *buf, size_t len, const char *name, long v, long def)
{
    return v == def ? 0 : snprintf(buf, len, "%s=%ld ", name, v);
}
static int fmt_STRING(char *buf, size_t len, const char *name, const char *v, const char *def)
{
    return !strcmp(v, def) ? 0 : snprintf(buf, len, "%s=%s ", name, v);
}

size_t rd_options_format(const struct rd_options *o, int scope_mask, char *buf, size_t len)
{
    size_t used = 0;
    if (len)
        buf[0] = '\0';
#define RD_OPTION(type, name, def, scope, choices, help)                               \
    if ((scope) & scope_mask) {                                                        \
        int n = fmt_##type(used < len ? buf + used : NULL, used < len ? len - used : 0, \
                           #name, o->name, def);                                       \
        used += (size_t)n;                                                             \
    }
#include "options.def"
#undef RD_OPTION
    if (used > 0 && used <= len)
        buf[used - 1] = '\0'; /* drop the trailing space */
    return used;
}

/* Choices "a|b" inside a markdown table cell: the bars must be escaped. */
static const char *md_choices(const char *choices, char *buf, size_t len)
{
    size_t n = 0;
    for (const char *p = choices; *p && n + 3 < len; p++) {
        if (*p == '|')
            buf[n++] = '\\';
        buf[n++] = *p;
    }
    buf[n] = '\0';
    return buf;
}

/* What comes before an option's choices in --help: "; one of a|b" for
 * strings, "; 1..256" for a range of whole numbers. */
static const char *choices_lead(const char *type, const char *choices)
{
    if (!*choices)
        return "";
    return strcmp(type, "INT") == 0 ? "; " : "; one of ";
}

static const char *scope_name(int scope)
{
    return scope == SHIM ? "program" : scope == REPORT ? "report" : scope == EXPLORE ? "explore" : "both";
}

void rd_options_print_help(FILE *f, int scope_mask, bool markdown)
{
    if (markdown) {
        fprintf(f, "| option (`RACEDET_OPTIONS` key / `racedet run` flag) | type | default | read by | meaning |\n");
        fprintf(f, "|---|---|---|---|---|\n");
    }
#define RD_OPTION(type, name, def, scope, choices, help)                                       \
    if ((scope) & scope_mask) {                                                                \
        char flag[64], dflt[64], md[128];                                                      \
        size_t i;                                                                              \
        snprintf(flag, sizeof flag, "%s", #name);                                              \
        for (i = 0; flag[i]; i++)                                                              \
            if (flag[i] == '_')                                                                \
                flag[i] = '-';                                                                 \
        snprintf(dflt, sizeof dflt, "%s", #def);                                               \
        if (markdown)                                                                          \
            fprintf(f, "| `%s` / `--%s` | %s%s%s | `%s` | %s | %s |\n", #name, flag,           \
                    #type, *(choices) ? ": " : "", md_choices(choices, md, sizeof md), dflt,   \
                    scope_name(scope), help);                                                  \
        else                                                                                   \
            fprintf(f, "  --%-24s %s (default %s%s%s)\n", flag, help, dflt,                    \
                    choices_lead(#type, choices), choices);                                    \
    }
#include "options.def"
#undef RD_OPTION
}
